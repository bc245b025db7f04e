// The problem page: editor, draft saving, Run/Submit through the JSON API, live status,
// and results (rendered by the server as an HTML fragment: one renderer for results).
(function () {
  "use strict";

  var dataEl = document.getElementById("problem-data");
  if (!dataEl) return;
  var page = JSON.parse(dataEl.textContent);
  var POLL_MS = 300;
  var POLL_SLOW_MS = 1000;
  var GIVE_UP_MS = 180000;

  var statusEl = document.getElementById("run-status");
  var resultsEl = document.getElementById("results");
  var runBtn = document.getElementById("run-btn");
  var submitBtn = document.getElementById("submit-btn");
  var resetBtn = document.getElementById("reset-code");
  var cancelBtn = document.getElementById("cancel-btn");
  var consoleEl = document.getElementById("console");
  var narrow = window.matchMedia ? window.matchMedia("(max-width: 1000px)") : { matches: false };
  var holder = document.getElementById("editor");
  var fallback = document.getElementById("code-fallback");
  var busy = false;

  function loadDraft() {
    try {
      return window.localStorage.getItem(page.draftKey);
    } catch (e) {
      return null;
    }
  }
  function saveDraft(text) {
    try {
      window.localStorage.setItem(page.draftKey, text);
    } catch (e) {
      /* storage full or disabled: the server still has the last submitted code */
    }
  }

  // An attempt loaded from the attempt page (?load=) wins over the draft, once.
  var draft = page.loaded ? null : loadDraft();
  var initial = draft !== null ? draft : page.initialCode;
  if (page.loaded) {
    saveDraft(initial);
    if (window.history.replaceState) window.history.replaceState(null, "", window.location.pathname);
  }

  // The editor: CodeMirror when the bundle loaded, the plain textarea otherwise.
  var editor;
  if (window.JaxdojoEditor) {
    holder.textContent = "";
    editor = window.JaxdojoEditor.create(holder, {
      doc: initial,
      label: "Code editor: your solution in Python",
      describedBy: "run-help",
      onChange: saveDraft,
      onRun: function () { start("run"); },
      onSubmit: function () { start("submit"); },
    });
  } else {
    fallback.value = initial;
    fallback.addEventListener("input", function () { saveDraft(fallback.value); });
    editor = {
      getValue: function () { return fallback.value; },
      setValue: function (t) { fallback.value = t; },
      highlightLine: function () { return false; },
      clearHighlight: function () {},
      focus: function () { fallback.focus(); },
    };
  }
  // Test hook and console convenience: window.jaxdojoEditor.setValue(code).
  window.jaxdojoEditor = {
    getValue: editor.getValue,
    setValue: function (text) {
      editor.setValue(text);
      saveDraft(text);
    },
    highlightLine: editor.highlightLine,
    focus: editor.focus,
  };

  function csrfToken() {
    var meta = document.querySelector('meta[name="csrf-token"]');
    return meta ? meta.getAttribute("content") : "";
  }

  function setStatus(text, spinning) {
    statusEl.textContent = "";
    if (spinning) {
      var s = document.createElement("span");
      s.className = "spinner";
      s.setAttribute("aria-hidden", "true");
      statusEl.appendChild(s);
    }
    var t = document.createElement("span");
    t.textContent = text;
    statusEl.appendChild(t);
  }

  function setBusy(value) {
    busy = value;
    [runBtn, submitBtn].forEach(function (b) {
      if (!b) return;
      b.disabled = value || !page.signedIn;
      b.setAttribute("aria-disabled", b.disabled ? "true" : "false");
    });
    resultsEl.setAttribute("aria-busy", value ? "true" : "false");
  }

  function sleep(ms) {
    return new Promise(function (resolve) { setTimeout(resolve, ms); });
  }

  function explainHttpError(resp, body) {
    var detail = body && body.detail;
    if (typeof detail !== "string") detail = "";
    if (resp.status === 401) return "Please sign in again to run your code.";
    if (resp.status === 403) return detail || "Your session expired. Reload the page and try again.";
    if (resp.status === 413) return detail || "Your code is too long.";
    if (resp.status === 429) {
      var wait = resp.headers.get("Retry-After");
      return "Too many submissions. " + (wait ? "Try again in " + wait + " s." : "Try again shortly.");
    }
    if (resp.status === 503) return detail || "The grading queue is full. Try again in a minute.";
    return detail || "Could not submit (HTTP " + resp.status + ").";
  }

  function readJson(resp) {
    return resp.json().catch(function () { return null; });
  }

  async function showResult(id) {
    var resp = await fetch(page.resultUrl.replace("__ID__", encodeURIComponent(id)), {
      credentials: "same-origin",
      headers: { Accept: "text/html" },
    });
    if (!resp.ok) throw new Error("result " + resp.status);
    resultsEl.innerHTML = await resp.text(); // server-rendered, autoescaped fragment
    if (consoleEl) consoleEl.scrollTop = 0;
    if (narrow.matches && consoleEl) consoleEl.scrollIntoView({ block: "start" });
    var section = resultsEl.querySelector(".result");
    var line = section && parseInt(section.getAttribute("data-error-line") || "", 10);
    if (line) editor.highlightLine(line);
    else editor.clearHighlight();
    return section;
  }

  async function refreshSidePanels() {
    // Submissions, the solution and the header change after a verdict: fetch the page and
    // swap those panels in (the workspace script keeps the selected tab).
    try {
      var resp = await fetch(window.location.pathname, { credentials: "same-origin" });
      if (!resp.ok) return;
      var doc = new DOMParser().parseFromString(await resp.text(), "text/html");
      if (window.JaxdojoWorkspace) window.JaxdojoWorkspace.adopt(doc, ["panel-submissions", "panel-solution"]);
    } catch (e) {
      /* the panels refresh on the next page load */
    }
  }

  var VERDICT_WORDS = {
    passed: "Passed",
    failed: "Failed",
    error: "Error in your code",
    timeout: "Time limit exceeded",
    memory: "Memory limit exceeded",
    system_error: "Grading failed on our side; please submit again",
    cancelled: "Cancelled",
  };

  async function start(mode) {
    if (busy || !page.signedIn) return;
    setBusy(true);
    editor.clearHighlight();
    setStatus(mode === "run" ? "Sending to the grader (examples)…" : "Submitting…", true);
    try {
      var resp = await fetch(page.submitUrl, {
        method: "POST",
        credentials: "same-origin",
        headers: {
          "Content-Type": "application/json",
          Accept: "application/json",
          "X-CSRF-Token": csrfToken(),
        },
        body: JSON.stringify({ problem: page.slug, code: editor.getValue(), mode: mode }),
      });
      var body = await readJson(resp);
      if (!resp.ok || !body || body.id === undefined) {
        setStatus(explainHttpError(resp, body), false);
        return;
      }
      await follow(body.id, mode, body.status || "queued");
    } catch (err) {
      setStatus("Could not reach the server. Check your connection and try again.", false);
    } finally {
      setBusy(false);
    }
  }

  function statusText(status, began) {
    var seconds = ((Date.now() - began) / 1000).toFixed(1) + " s";
    return (status === "queued" ? "Queued: waiting for a grader… " : "Running your code… ") + seconds;
  }

  // The verdict pushed by the server (server-sent events). Rejects when the browser has
  // no EventSource or the stream fails or ends early: the caller then polls instead.
  function pushedVerdict(id, onStatus) {
    return new Promise(function (resolve, reject) {
      if (!window.EventSource || !page.eventsUrl) {
        reject(new Error("no event stream"));
        return;
      }
      var source = new window.EventSource(page.eventsUrl.replace("__ID__", encodeURIComponent(id)));
      source.addEventListener("status", function (event) {
        try { onStatus(JSON.parse(event.data).status); } catch (e) { /* ignore a bad event */ }
      });
      source.addEventListener("result", function (event) {
        source.close();
        try { resolve(JSON.parse(event.data).status); } catch (e) { reject(e); }
      });
      source.onerror = function () {  // closed early or never opened: poll instead
        source.close();
        reject(new Error("event stream failed"));
      };
    });
  }

  // Poll one attempt until it is graded (the fallback when no event stream is possible).
  async function polledVerdict(id, status, began, onStatus) {
    while (status === "queued" || status === "running") {
      var elapsed = Date.now() - began;
      if (elapsed > GIVE_UP_MS) return null;
      await sleep(elapsed > 10000 ? POLL_SLOW_MS : POLL_MS);
      var poll = await fetch(page.pollUrl.replace("__ID__", encodeURIComponent(id)), {
        credentials: "same-origin",
        headers: { Accept: "application/json" },
      });
      if (!poll.ok) {
        if (poll.status >= 500) continue;
        throw new Error(explainHttpError(poll, await readJson(poll)));
      }
      var state = await readJson(poll);
      status = (state && state.status) || "queued";
      onStatus(status);
    }
    return status;
  }

  // Cancel ends the attempt on the server at once (the worker kills a running one); the
  // event stream (or the poll) then delivers the "cancelled" state like any verdict.
  var following = null;
  async function cancel() {
    if (following === null) return;
    cancelBtn.disabled = true;
    try {
      var resp = await fetch(page.cancelUrl.replace("__ID__", encodeURIComponent(following)), {
        method: "POST",
        credentials: "same-origin",
        headers: { Accept: "application/json", "X-CSRF-Token": csrfToken() },
      });
      if (!resp.ok && resp.status !== 409) {  // 409: the verdict came first; it shows
        setStatus(explainHttpError(resp, await readJson(resp)), false);
      }
    } catch (e) {
      setStatus("Could not reach the server to cancel.", false);
    }
  }

  // Follow one attempt until it is graded, with an elapsed timer, then show its result.
  async function follow(id, mode, status) {
    var began = Date.now();
    var current = status;
    following = id;
    if (cancelBtn) { cancelBtn.hidden = false; cancelBtn.disabled = false; }
    function onStatus(s) { current = s; setStatus(statusText(current, began), true); }
    onStatus(status);
    var timer = window.setInterval(function () { setStatus(statusText(current, began), true); }, 200);
    var final = null;
    try {
      if (status === "queued" || status === "running") {
        try {
          final = await pushedVerdict(id, onStatus);
        } catch (e) {
          try {
            final = await polledVerdict(id, current, began, onStatus);
          } catch (err) {
            setStatus(err.message, false);
            return;
          }
        }
      } else {
        final = status;
      }
    } finally {
      window.clearInterval(timer);
      following = null;
      if (cancelBtn) cancelBtn.hidden = true;
    }
    if (final === null) {
      setStatus("Still grading. The result will appear in your attempts when it is ready.", false);
      return;
    }
    await showResult(id);
    var seconds = ((Date.now() - began) / 1000).toFixed(1);
    var what = mode === "run" ? "run" : "submission";
    setStatus(final === "cancelled" ? "Cancelled after " + seconds + " s; this " + what + " does not count." :
      (VERDICT_WORDS[final] || final) + " · " + what + " graded in " + seconds + " s", false);
    refreshSidePanels();
  }

  if (cancelBtn) cancelBtn.addEventListener("click", cancel);
  if (runBtn) runBtn.addEventListener("click", function () { start("run"); });
  if (submitBtn) submitBtn.addEventListener("click", function () { start("submit"); });
  if (resetBtn) {
    resetBtn.addEventListener("click", function () {
      if (window.confirm("Replace your code with the starter code?")) {
        window.jaxdojoEditor.setValue(page.starter);
        editor.focus();
      }
    });
  }
  // "line N" buttons inside results jump to (and highlight) the line in the editor.
  resultsEl.addEventListener("click", function (event) {
    var btn = event.target.closest ? event.target.closest(".show-line") : null;
    if (!btn) return;
    editor.highlightLine(parseInt(btn.getAttribute("data-line"), 10));
    editor.focus();
  });
  // "Load" in the submissions list puts that attempt's code in the editor, no reload.
  document.addEventListener("click", async function (event) {
    var link = event.target.closest ? event.target.closest("a.load-attempt") : null;
    if (!link || !page.signedIn) return;
    event.preventDefault();
    var id = link.getAttribute("data-attempt-id");
    try {
      var resp = await fetch(page.pollUrl.replace("__ID__", encodeURIComponent(id)), {
        credentials: "same-origin",
        headers: { Accept: "application/json" },
      });
      var body = await readJson(resp);
      if (!resp.ok || !body || typeof body.code !== "string") throw new Error("load");
      if (body.code !== editor.getValue() &&
          !window.confirm("Replace the code in the editor with attempt #" + id + "?")) return;
      window.jaxdojoEditor.setValue(body.code);
      editor.focus();
      setStatus("Loaded attempt #" + id + " into the editor.", false);
    } catch (e) {
      window.location.href = link.href; // the page loads it instead
    }
  });
  // "Skip to the editor" (and the phone's jump link) put the caret in the editor.
  document.addEventListener("click", function (event) {
    var link = event.target.closest ? event.target.closest('a[href="#editor-shell"]') : null;
    if (!link) return;
    event.preventDefault();
    document.getElementById("editor-shell").scrollIntoView({ block: "nearest" });
    editor.focus();
  });
  // Keyboard: Alt+Shift+E focuses the editor, Alt+Shift+R the results; Ctrl+Enter and
  // Ctrl+Shift+Enter run and submit from anywhere on the page, not only in the editor.
  document.addEventListener("keydown", function (event) {
    if (event.altKey && event.shiftKey && !event.ctrlKey && !event.metaKey) {
      if (event.code === "KeyE") { event.preventDefault(); editor.focus(); }
      else if (event.code === "KeyR") { event.preventDefault(); resultsEl.focus(); }
      return;
    }
    if ((event.ctrlKey || event.metaKey) && event.key === "Enter" && !event.defaultPrevented) {
      var inEditor = holder.contains(event.target);
      if (inEditor) return; // the editor's own keymap handles it
      event.preventDefault();
      start(event.shiftKey ? "submit" : "run");
    }
  });
  if (page.loaded) setStatus("Loaded attempt #" + page.loaded + " into the editor.", false);
  // A result rendered with the page (the last attempt) may point at a line too.
  var existing = resultsEl.querySelector(".result[data-error-line]");
  if (existing) editor.highlightLine(parseInt(existing.getAttribute("data-error-line"), 10));
  setBusy(false);
  // Reloaded while an attempt was still grading: pick it up again.
  if (page.pendingId && page.signedIn) {
    setBusy(true);
    follow(page.pendingId, page.pendingMode, "queued")
      .catch(function () {
        setStatus("Could not reach the server. Reload the page to see your result.", false);
      })
      .finally(function () { setBusy(false); });
  }
})();
