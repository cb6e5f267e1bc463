// Qiyue's one script for every page (linked from viewflow/base_page.html, loaded with defer).
// Pages are swapped by Hotwire Turbo: listen on `document` (event delegation) or on
// "turbo:load", never run once at load time only. No inline scripts in templates.
(function () {
  "use strict";

  // == forms and pickers ==============================================================
  // workflow/widgets.py ChoiceTable: the search box hides the rows that do not match.
  function filterChoiceTable(search) {
    var table = search.closest("[data-qy-choice-table]");
    var query = search.value.trim().toLowerCase();
    var shown = 0;
    table.querySelectorAll("tbody tr").forEach(function (row) {
      var match = !query || (row.getAttribute("data-search") || "").indexOf(query) !== -1;
      row.hidden = !match;
      if (match) shown += 1;
    });
    var none = table.querySelector(".qy-choice-table__nomatch");
    if (none) none.hidden = shown > 0;
  }
  document.addEventListener("input", function (event) {
    if (event.target.matches && event.target.matches(".qy-choice-table__search")) {
      filterChoiceTable(event.target);
    }
  });
  // Enter in the search box searches; it must not submit the task form.
  document.addEventListener("keydown", function (event) {
    if (event.key === "Enter" && event.target.matches && event.target.matches(".qy-choice-table__search")) {
      event.preventDefault();
    }
  });


  // == phone layout ===================================================================


  // == approvals, panel and people pickers ============================================


  // == home page and notifications ====================================================
  // Papers being produced in the background ([data-qy-pending] on the project page): look
  // again every few seconds until they are ready, without losing the scroll position.
  var pendingTimer = null;
  function watchPendingPapers() {
    clearTimeout(pendingTimer);
    if (!document.querySelector("[data-qy-pending]")) return;
    pendingTimer = setTimeout(function () {
      if (window.Turbo) {
        window.Turbo.visit(window.location.href, { action: "replace" });
      } else {
        window.location.reload();
      }
    }, 4000);
  }
  document.addEventListener("turbo:load", watchPendingPapers);
  document.addEventListener("DOMContentLoaded", watchPendingPapers);
  document.addEventListener("turbo:before-visit", function () { clearTimeout(pendingTimer); });


  // == error pages, verify, chart and shared page chrome ==============================


  // == CSP: what used to be inline script ============================================
  // A "Back" link ([data-qy-back]; viewflow's pages had onclick="window.history.back(-1)"):
  // go back; "reload" also redraws the list after a bulk assign, as viewflow's handler did.
  document.addEventListener("click", function (event) {
    var link = event.target.closest && event.target.closest("[data-qy-back]");
    if (!link) return;
    event.preventDefault();
    window.history.back();
    if (link.getAttribute("data-qy-back") === "reload" && window.Turbo) {
      setTimeout(function () { window.Turbo.visit("."); }, 100);
    }
  });

})();
