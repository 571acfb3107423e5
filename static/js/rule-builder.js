// The program editor's 選定条件: the buttons (add, remove, redraw) and choosing another item
// redraw the rows from the server without reloading the page, and the count of matching
// people follows every change. Without this script the same buttons submit the form and the
// page comes back redrawn with the count (programs.views.catalogue).
(function () {
  "use strict";

  function init() {
    var box = document.querySelector(".rule-builder[data-count-url]");
    if (!box) { return; }
    var form = box.closest("form");
    var rows = box.querySelector(".rule-rows-box");
    var status = box.querySelector(".rule-count");
    var timer = null;
    var serial = 0;

    function body(action) {
      var data = new FormData(form);
      if (action) { data.set("rule_action", action); }
      return data;
    }

    function post(url, data) {
      return fetch(url, {
        method: "POST", body: data, credentials: "same-origin",
        headers: { "X-Requested-With": "fetch" }
      });
    }

    function count() {
      var mine = ++serial;
      post(box.dataset.countUrl, body("")).then(function (r) {
        return r.ok ? r.json() : Promise.reject(r.status);
      }).then(function (res) {
        if (mine !== serial) { return; }
        status.textContent = "";
        if (!res.ok) {
          status.textContent = "条件を直すと人数を数えます：" + res.errors.join(" ");
        } else if (res.empty) {
          status.textContent = "条件なし：推薦された方だけが候補になります（対象となる母集団 " +
            res.population + "人）。";
        } else {
          status.append("今日（" + res.as_of + "）の該当 ");
          var strong = document.createElement("strong");
          strong.textContent = res.count + "人";
          status.append(strong, "（対象となる母集団 " + res.population + "人）");
        }
      }).catch(function () {
        if (mine === serial) { status.textContent = "人数を数えられませんでした。「表示を更新して人数を数える」を押してください。"; }
      });
    }

    // With this script the count follows every change: the redraw-and-count button is not needed.
    function hideRefresh() {
      var refresh = rows.querySelector(".rule-refresh");
      if (refresh) { refresh.hidden = true; }
    }

    function later() {
      window.clearTimeout(timer);
      timer = window.setTimeout(count, 350);
    }

    function redraw(action, focusName) {
      post(box.dataset.rowsUrl, body(action)).then(function (r) {
        return r.ok ? r.text() : Promise.reject(r.status);
      }).then(function (html) {
        rows.innerHTML = html;
        hideRefresh();
        var target = focusName && rows.querySelector("[name='" + focusName + "']");
        if (!target) {
          var all = rows.querySelectorAll(".rule-row select[data-rule-redraw]");
          target = action && action.indexOf("remove") !== 0 && all.length ? all[all.length - 1] : null;
        }
        if (target) { target.focus(); }
        count();
      }).catch(function () {
        form.requestSubmit(form.querySelector("button[value='" + (action || "refresh") + "']"));
      });
    }

    box.addEventListener("click", function (ev) {
      var button = ev.target.closest("button[name=rule_action]");
      if (!button) { return; }
      ev.preventDefault();
      redraw(button.value, null);
    });
    box.addEventListener("change", function (ev) {
      if (ev.target.matches("[data-rule-redraw]")) {
        redraw("refresh", ev.target.name);
      } else {
        later();
      }
    });
    box.addEventListener("input", function (ev) {
      if (ev.target.matches("input[type=number], input[type=text]")) { later(); }
    });
    var nonRecipients = form.querySelector("[name=allows_non_recipients]");
    if (nonRecipients) { nonRecipients.addEventListener("change", count); }
    hideRefresh();
  }

  document.addEventListener("DOMContentLoaded", init);
})();
