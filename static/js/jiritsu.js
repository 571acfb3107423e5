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

  // Consent form: the chosen program's partners first, the others in the folded part.
  // Without this script the page shows the partners of the program it was opened for.
  function bindConsentPartners() {
    var form = document.querySelector("form[data-consent-form]");
    if (!form) { return; }
    var select = form.querySelector("select[name=program]");
    var first = form.querySelector("[data-consent-first]");
    var rest = form.querySelector("[data-consent-rest]");
    var none = form.querySelector("[data-consent-none]");
    var count = form.querySelector("[data-consent-rest-count]");
    if (!select || !first || !rest) { return; }
    // In the office's order of partners whatever section they sit in.
    var rows = Array.prototype.slice.call(form.querySelectorAll(".consent-partner"));
    rows.sort(function (a, b) { return Number(a.dataset.order) - Number(b.dataset.order); });
    select.addEventListener("change", function () {
      var chosen = select.value;
      rows.forEach(function (row) {
        var ids = (row.getAttribute("data-programs") || "").split(" ");
        (chosen && ids.indexOf(chosen) >= 0 ? first : rest).appendChild(row);
      });
      var shown = first.querySelectorAll(".consent-partner").length;
      none.hidden = shown > 0;
      count.textContent = String(rows.length - shown);
      if (!shown) { rest.closest("details").open = true; }
    });
  }

  // Conference form: each person's decision shows only the fields it takes. Without this
  // script they are all in a folded part, each labelled with the decisions it is for.
  function bindDecisions(root) {
    root.querySelectorAll("fieldset.decision").forEach(function (box) {
      var select = box.querySelector("select[data-decision]");
      var extra = box.querySelector("details.decision-extra");
      if (!select || !extra) { return; }
      var summary = extra.querySelector("summary");
      function show() {
        var any = false;
        extra.querySelectorAll("[data-for-decisions]").forEach(function (part) {
          var on = part.getAttribute("data-for-decisions").split(" ").indexOf(select.value) >= 0;
          part.hidden = !on;
          any = any || on;
        });
        extra.hidden = !any;
        extra.open = true;
        if (summary) { summary.hidden = true; }
      }
      select.addEventListener("change", show);
      show();
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    bindDecisions(document);
    bindConsentPartners();
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
