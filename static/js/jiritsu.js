// Jiritsu front-end behaviour. No inline scripts (CSP); htmx does the requests.
(function () {
  "use strict";

  function bindConfirm(root) {
    root.querySelectorAll("[data-confirm]").forEach(function (el) {
      if (el.dataset.confirmBound) { return; }
      el.dataset.confirmBound = "1";
      el.addEventListener("click", function (ev) {
        if (!window.confirm(el.getAttribute("data-confirm"))) { ev.preventDefault(); }
      });
    });
  }

  // Person search in the top bar: "/" focuses it; ↓/↑ move through the suggestions;
  // Esc closes them and returns to the box. Enter on the box runs the full search.
  function bindSearch() {
    var form = document.querySelector("form[data-search]");
    if (!form) { return; }
    var input = form.querySelector("input[type=search]");
    var panel = form.querySelector(".search-dropdown");
    function items() { return Array.prototype.slice.call(panel.querySelectorAll("a")); }
    function close() { panel.innerHTML = ""; }
    document.addEventListener("keydown", function (ev) {
      var t = ev.target;
      var typing = t && (t.tagName === "INPUT" || t.tagName === "TEXTAREA" || t.tagName === "SELECT" || t.isContentEditable);
      if (ev.key === "/" && !typing && !ev.ctrlKey && !ev.metaKey && !ev.altKey) {
        ev.preventDefault();
        input.focus();
        input.select();
      }
    });
    form.addEventListener("keydown", function (ev) {
      var list = items();
      var i = list.indexOf(document.activeElement);
      if (ev.key === "ArrowDown" && list.length) {
        ev.preventDefault();
        list[Math.min(i + 1, list.length - 1)].focus();
      } else if (ev.key === "ArrowUp" && list.length) {
        ev.preventDefault();
        if (i <= 0) { input.focus(); } else { list[i - 1].focus(); }
      } else if (ev.key === "Escape") {
        close();
        input.focus();
      }
    });
    document.addEventListener("click", function (ev) {
      if (!form.contains(ev.target)) { close(); }
    });
  }

  // Print button on the summary page.
  function bindPrint(root) {
    root.querySelectorAll("[data-print]").forEach(function (b) {
      b.addEventListener("click", function () { window.print(); });
    });
  }

  // A box that scrolls sideways (a wide table on a phone) can be reached and scrolled
  // with the keyboard.
  function bindScrollers(root) {
    root.querySelectorAll(".table-wrap").forEach(function (box) {
      if (!box.hasAttribute("tabindex")) { box.setAttribute("tabindex", "0"); }
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    bindScrollers(document);
    bindConfirm(document);
    bindSearch();
    bindPrint(document);
  });
  document.addEventListener("htmx:afterSwap", function (ev) {
    bindScrollers(ev.target);
    bindConfirm(ev.target);
  });
})();
