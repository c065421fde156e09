// Small progressive enhancements for the learner site.
(function () {
  "use strict";
  document.addEventListener("DOMContentLoaded", function () {
    // "Print my journal": shown only where JavaScript can print.
    document.querySelectorAll("[data-print]").forEach(function (button) {
      button.hidden = false;
      button.addEventListener("click", function () { window.print(); });
    });
  });
})();
