// Typeset math and highlight code inside server-rendered, sanitised markdown.
// The server emits <span class="math inline">TeX</span> / <div class="math block">TeX</div>
// (markdown-it dollarmath) and <pre><code class="language-python">.
import katex from "katex";
import renderMathInElement from "katex/contrib/auto-render";
import hljs from "highlight.js/lib/core";
import pythonLang from "highlight.js/lib/languages/python";
import bashLang from "highlight.js/lib/languages/bash";

hljs.registerLanguage("python", pythonLang);
hljs.registerLanguage("py", pythonLang);
hljs.registerLanguage("bash", bashLang);
hljs.registerLanguage("sh", bashLang);
hljs.registerLanguage("shell", bashLang);

function renderMath(root) {
  root.querySelectorAll(".math.inline, .math.block").forEach((el) => {
    if (el.dataset.typeset) return;
    const tex = el.textContent;
    try {
      katex.render(tex, el, {
        displayMode: el.classList.contains("block") || el.tagName === "DIV",
        throwOnError: false,
        trust: false,
        maxExpand: 1000,
      });
      el.dataset.typeset = "1";
    } catch (err) {
      el.textContent = tex;
    }
  });
  // Any remaining $...$ / $$...$$ in plain text (e.g. text outside markdown).
  renderMathInElement(root, {
    delimiters: [
      { left: "$$", right: "$$", display: true },
      { left: "$", right: "$", display: false },
    ],
    ignoredClasses: ["math", "no-math", "cm-editor"],
    ignoredTags: ["script", "noscript", "style", "textarea", "pre", "code", "option"],
    throwOnError: false,
    trust: false,
  });
}

function highlightCode(root) {
  root.querySelectorAll("pre code").forEach((el) => {
    if (el.dataset.highlighted) return;
    const cls = Array.from(el.classList).find((c) => c.startsWith("language-"));
    const lang = cls ? cls.slice("language-".length) : "python";
    if (!hljs.getLanguage(lang)) return;
    hljs.highlightElement(el);
  });
}

function renderContent(root) {
  root = root || document;
  root.querySelectorAll(".markdown").forEach((el) => {
    renderMath(el);
    highlightCode(el);
  });
}

window.JaxdojoRender = { renderContent };
document.addEventListener("DOMContentLoaded", () => renderContent(document));
