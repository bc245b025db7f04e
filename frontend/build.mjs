// Build the vendored front-end assets into ../app/static/vendor/ (committed, so a fresh
// machine needs no npm). Rebuild with: npm ci && npm run build
import { build } from "esbuild";
import { cpSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { createRequire } from "node:module";

const here = dirname(fileURLToPath(import.meta.url));
const out = join(here, "..", "app", "static", "vendor");
const require = createRequire(import.meta.url);

rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });

await build({
  entryPoints: { editor: join(here, "src/editor.js"), render: join(here, "src/render.js") },
  bundle: true,
  minify: true,
  format: "iife",
  target: ["es2020"],
  outdir: out,
  legalComments: "none",
  logLevel: "info",
});

// KaTeX stylesheet and fonts (woff2 only: every browser we support reads it).
const katexDist = join(dirname(require.resolve("katex/package.json")), "dist");
mkdirSync(join(out, "katex", "fonts"), { recursive: true });
cpSync(join(katexDist, "katex.min.css"), join(out, "katex", "katex.min.css"));
for (const f of readdirSync(join(katexDist, "fonts"))) {
  if (f.endsWith(".woff2")) cpSync(join(katexDist, "fonts", f), join(out, "katex", "fonts", f));
}

const pkgs = ["codemirror", "@codemirror/view", "@codemirror/lang-python", "katex", "highlight.js"];
const pkgVersion = (p) =>
  JSON.parse(readFileSync(join(here, "node_modules", p, "package.json"), "utf8")).version;
const versions = pkgs.map((p) => `${p} ${pkgVersion(p)}`);
writeFileSync(
  join(out, "VERSIONS.txt"),
  "Built by frontend/build.mjs (npm ci && npm run build). Do not edit by hand.\n" +
    versions.join("\n") +
    "\nLicences: CodeMirror (MIT), KaTeX (MIT), highlight.js (BSD-3-Clause).\n",
);
