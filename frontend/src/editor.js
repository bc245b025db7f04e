// The code editor: CodeMirror 6 with Python, Tab indentation, Mod-Enter to run,
// Shift-Mod-Enter to submit, light/dark following the system, and an "error line"
// highlight for the grader's translated errors. Exposed as window.JaxdojoEditor.
import { basicSetup } from "codemirror";
import { EditorView, keymap, Decoration } from "@codemirror/view";
import { EditorState, Compartment, StateEffect, StateField } from "@codemirror/state";
import { indentWithTab } from "@codemirror/commands";
import { python } from "@codemirror/lang-python";
import { indentUnit } from "@codemirror/language";
import { oneDark } from "@codemirror/theme-one-dark";

const setErrorLine = StateEffect.define();
const errorLineDeco = Decoration.line({ class: "cm-error-line" });

const errorLineField = StateField.define({
  create() {
    return Decoration.none;
  },
  update(deco, tr) {
    deco = deco.map(tr.changes);
    for (const e of tr.effects) {
      if (e.is(setErrorLine)) {
        if (e.value == null) return Decoration.none;
        const line = tr.state.doc.line(e.value);
        deco = Decoration.set([errorLineDeco.range(line.from)]);
      }
    }
    return deco;
  },
  provide: (f) => EditorView.decorations.from(f),
});

const baseTheme = EditorView.theme({
  "&": { fontSize: "14px", height: "100%" },
  ".cm-scroller": {
    fontFamily: "ui-monospace, SFMono-Regular, Menlo, Consolas, 'Liberation Mono', monospace",
    lineHeight: "1.5",
  },
  ".cm-error-line": { backgroundColor: "rgba(220, 38, 38, 0.18)" },
  "&.cm-focused": { outline: "2px solid var(--focus, #2563eb)", outlineOffset: "-2px" },
});

function darkQuery() {
  return window.matchMedia ? window.matchMedia("(prefers-color-scheme: dark)") : null;
}

// Narrow screens wrap long lines instead of scrolling the editor sideways.
function narrowQuery() {
  return window.matchMedia ? window.matchMedia("(max-width: 1000px)") : null;
}

function create(parent, options = {}) {
  const themeSlot = new Compartment();
  const wrapSlot = new Compartment();
  const mq = darkQuery();
  const narrow = narrowQuery();
  const wrapFor = (on) => (on ? EditorView.lineWrapping : []);
  const themeFor = (dark) => (dark ? oneDark : []);
  const extraKeys = keymap.of([
    {
      key: "Mod-Enter",
      preventDefault: true,
      run: () => {
        if (options.onRun) options.onRun();
        return true;
      },
    },
    {
      key: "Shift-Mod-Enter",
      preventDefault: true,
      run: () => {
        if (options.onSubmit) options.onSubmit();
        return true;
      },
    },
  ]);
  const view = new EditorView({
    parent,
    state: EditorState.create({
      doc: options.doc || "",
      extensions: [
        extraKeys,
        basicSetup,
        keymap.of([indentWithTab]),
        indentUnit.of("    "),
        EditorState.tabSize.of(4),
        python(),
        baseTheme,
        themeSlot.of(themeFor(mq && mq.matches)),
        wrapSlot.of(wrapFor(narrow && narrow.matches)),
        errorLineField,
        EditorView.contentAttributes.of({
          "aria-label": options.label || "Code editor",
          "aria-describedby": options.describedBy || "",
        }),
        EditorView.updateListener.of((u) => {
          if (u.docChanged && options.onChange) options.onChange(u.state.doc.toString());
        }),
      ],
    }),
  });
  if (mq && mq.addEventListener) {
    mq.addEventListener("change", (e) =>
      view.dispatch({ effects: themeSlot.reconfigure(themeFor(e.matches)) }),
    );
  }
  if (narrow && narrow.addEventListener) {
    narrow.addEventListener("change", (e) =>
      view.dispatch({ effects: wrapSlot.reconfigure(wrapFor(e.matches)) }),
    );
  }
  return {
    view,
    getValue: () => view.state.doc.toString(),
    setValue(text) {
      view.dispatch({
        changes: { from: 0, to: view.state.doc.length, insert: text },
        effects: setErrorLine.of(null),
      });
    },
    highlightLine(n) {
      if (!n || n < 1 || n > view.state.doc.lines) {
        view.dispatch({ effects: setErrorLine.of(null) });
        return false;
      }
      const line = view.state.doc.line(n);
      view.dispatch({
        effects: [setErrorLine.of(n), EditorView.scrollIntoView(line.from, { y: "center" })],
      });
      return true;
    },
    clearHighlight() {
      view.dispatch({ effects: setErrorLine.of(null) });
    },
    focus: () => view.focus(),
  };
}

window.JaxdojoEditor = { create };
