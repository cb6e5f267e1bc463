// Qiyue's one script for every page (linked from viewflow/base_page.html, loaded with defer).
// Pages are swapped by Hotwire Turbo: listen on `document` (event delegation) or on
// "turbo:load", never run once at load time only. No inline scripts in templates.
(function () {
  "use strict";

  // == forms and pickers ==============================================================


  // == phone layout ===================================================================


  // == approvals, panel and people pickers ============================================


  // == home page and notifications ====================================================


  // == error pages, verify, chart and shared page chrome ==============================

})();
