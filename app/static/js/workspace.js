// The problem page's workspace around the editor: tabs (Description / Hints / Solution /
// Submissions), the two drag handles, and forms that update one panel in place (revealing
// a hint, giving up) instead of reloading the page. Without this script every panel is
// shown in turn and every form posts as usual.
(function () {
  "use strict";

  var ws = document.getElementById("workspace");
  if (!ws) return;

  // ------------------------------------------------------------------------------ tabs
  var tablist = ws.querySelector('[role="tablist"]');
  var tabs = tablist ? Array.prototype.slice.call(tablist.querySelectorAll('[role="tab"]')) : [];
  var panels = tabs.map(function (t) { return document.getElementById(t.getAttribute("aria-controls")); });

  function select(index, opts) {
    opts = opts || {};
    tabs.forEach(function (tab, i) {
      var on = i === index;
      tab.setAttribute("aria-selected", on ? "true" : "false");
      tab.tabIndex = on ? 0 : -1;
      panels[i].hidden = !on;
    });
    if (opts.focus) tabs[index].focus();
    if (opts.remember && window.history.replaceState) {
      var hash = panels[index].getAttribute("data-hash");
      window.history.replaceState(null, "", index === 0 ? window.location.pathname + window.location.search : "#" + hash);
    }
  }

  function indexFor(hash) {
    if (!hash) return -1;
    var name = hash.replace(/^#/, "");
    for (var i = 0; i < panels.length; i++) {
      if (panels[i].getAttribute("data-hash") === name || panels[i].id === name) return i;
      var inner = document.getElementById(name);
      if (inner && panels[i].contains(inner)) return i;
    }
    return -1;
  }

  if (tabs.length) {
    tablist.hidden = false;
    ws.classList.add("js-tabs");
    var first = indexFor(window.location.hash);
    select(first >= 0 ? first : 0);
    tabs.forEach(function (tab, i) {
      tab.addEventListener("click", function () { select(i, { remember: true }); });
    });
    tablist.addEventListener("keydown", function (event) {
      var current = tabs.indexOf(document.activeElement);
      if (current < 0) return;
      var next = null;
      if (event.key === "ArrowRight") next = (current + 1) % tabs.length;
      else if (event.key === "ArrowLeft") next = (current - 1 + tabs.length) % tabs.length;
      else if (event.key === "Home") next = 0;
      else if (event.key === "End") next = tabs.length - 1;
      if (next === null) return;
      event.preventDefault();
      select(next, { focus: true, remember: true });
    });
    window.addEventListener("hashchange", function () {
      var i = indexFor(window.location.hash);
      if (i >= 0) select(i);
    });
  }

  // Swap fresh tab labels (their counts) and panels in from a page fetched after a change.
  function adopt(doc, ids) {
    ids.forEach(function (id) {
      var fresh = doc.getElementById(id);
      var old = document.getElementById(id);
      if (!fresh || !old) return;
      var copy = document.importNode(fresh, true);
      copy.hidden = old.hidden;
      old.replaceWith(copy);
      var i = panels.indexOf(old);
      if (i >= 0) panels[i] = copy;
    });
    tabs.forEach(function (tab) {
      var fresh = doc.getElementById(tab.id);
      if (fresh) tab.innerHTML = fresh.innerHTML; // our own server-rendered, escaped label
    });
    var header = doc.querySelector(".problem-header");
    var oldHeader = document.querySelector(".problem-header");
    if (header && oldHeader) oldHeader.replaceWith(document.importNode(header, true));
    if (window.JaxdojoRender) window.JaxdojoRender.renderContent(document);
  }

  window.JaxdojoWorkspace = {
    showTab: function (name) {
      var i = indexFor("#" + name);
      if (i >= 0) select(i, { remember: true });
    },
    adopt: adopt,
  };

  // ----------------------------------------------------- forms that update their panel
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!(form instanceof HTMLFormElement) || !form.hasAttribute("data-swap")) return;
    if (event.defaultPrevented) return; // the user said no to data-confirm
    event.preventDefault();
    var target = document.querySelector(form.getAttribute("data-swap"));
    var button = form.querySelector('button[type="submit"]');
    if (button) button.disabled = true;
    var body = new URLSearchParams(new FormData(form));
    fetch(form.action, {
      method: "POST",
      body: body,
      credentials: "same-origin",
      headers: { Accept: "text/html" },
    })
      .then(function (resp) {
        if (!resp.ok) throw new Error("HTTP " + resp.status);
        return resp.text();
      })
      .then(function (html) {
        var doc = new DOMParser().parseFromString(html, "text/html");
        adopt(doc, [target.id]);
        var panel = document.getElementById(target.id);
        var items = panel.querySelectorAll(".hint-list li, details.solution");
        var focus = items.length ? items[items.length - 1] : panel;
        if (focus.tagName === "DETAILS") focus.open = true;
        focus.setAttribute("tabindex", "-1");
        focus.focus();
      })
      .catch(function () {
        form.submit(); // fall back to the ordinary post and reload
      });
  });

  // ---------------------------------------------------------------- the drag handles
  function store(key, value) {
    try { window.localStorage.setItem(key, value); } catch (e) { /* private mode */ }
  }
  function stored(key) {
    try { return window.localStorage.getItem(key); } catch (e) { return null; }
  }

  // prop: the CSS variable; percent(event, rect): the new size; keys: [smaller, larger].
  function splitter(gutter, prop, bounds, percent, keys) {
    if (!gutter) return;
    var key = "jaxdojo:split:" + prop;
    var value = parseFloat(stored(key) || "");
    function apply(v, save) {
      v = Math.max(bounds[0], Math.min(bounds[1], v));
      value = v;
      ws.style.setProperty(prop, v.toFixed(1) + "%");
      gutter.setAttribute("aria-valuenow", String(Math.round(v)));
      if (save) store(key, v.toFixed(1));
    }
    gutter.hidden = false;
    gutter.setAttribute("aria-valuemin", String(bounds[0]));
    gutter.setAttribute("aria-valuemax", String(bounds[1]));
    apply(isNaN(value) ? bounds[2] : value, false);
    gutter.addEventListener("pointerdown", function (event) {
      event.preventDefault();
      gutter.setPointerCapture(event.pointerId);
      gutter.classList.add("dragging");
      var area = gutter.parentElement.getBoundingClientRect();
      function move(e) { apply(percent(e, area), false); }
      function up(e) {
        gutter.releasePointerCapture(e.pointerId);
        gutter.classList.remove("dragging");
        gutter.removeEventListener("pointermove", move);
        gutter.removeEventListener("pointerup", up);
        apply(value, true);
      }
      gutter.addEventListener("pointermove", move);
      gutter.addEventListener("pointerup", up);
    });
    gutter.addEventListener("keydown", function (event) {
      var step = event.shiftKey ? 10 : 2;
      if (event.key === keys[0]) apply(value - step, true);
      else if (event.key === keys[1]) apply(value + step, true);
      else if (event.key === "Home") apply(bounds[0], true);
      else if (event.key === "End") apply(bounds[1], true);
      else return;
      event.preventDefault();
    });
    gutter.addEventListener("dblclick", function () { apply(bounds[2], true); });
  }

  splitter(document.getElementById("gutter-col"), "--left", [20, 70, 44],
    function (e, r) { return ((e.clientX - r.left) / r.width) * 100; },
    ["ArrowLeft", "ArrowRight"]);
  // The console's share of the right pane, measured from the bottom.
  splitter(document.getElementById("gutter-row"), "--console", [15, 75, 42],
    function (e, r) { return ((r.bottom - e.clientY) / r.height) * 100; },
    ["ArrowDown", "ArrowUp"]);
})();
