// Small progressive enhancements for the learner site.
(function () {
  "use strict";
  document.addEventListener("DOMContentLoaded", function () {
    // The menu and the course outline are <details> that a wide screen shows
    // open: CSS does it with ::details-content; where a browser does not
    // know it, open them here.
    var wide = window.matchMedia("(min-width: 992px)");
    if (!CSS.supports("selector(::details-content)")) {
      document.querySelectorAll("[data-open-when-wide]").forEach(function (details) {
        var follow = function () { details.open = wide.matches; };
        follow();
        wide.addEventListener("change", follow);
      });
    }

    // On a phone the menu closes on Escape and on a tap elsewhere.
    var menu = document.querySelector("[data-site-menu]");
    if (menu) {
      document.addEventListener("keydown", function (event) {
        if (event.key === "Escape" && menu.open && !wide.matches) {
          menu.open = false;
          menu.querySelector("summary").focus();
        }
      });
      document.addEventListener("click", function (event) {
        if (menu.open && !wide.matches && !menu.contains(event.target)) { menu.open = false; }
      });
    }

    // "Print my journal": shown only where JavaScript can print.
    document.querySelectorAll("[data-print]").forEach(function (button) {
      button.hidden = false;
      button.addEventListener("click", function () { window.print(); });
    });
  });
})();

// The idle-logout warning. Logins end after DJANGO_SESSION_IDLE_MINUTES
// without a request; every page load and autosave restarts the clock. Five
// minutes before the end, say so, with a button that keeps the login alive.
(function () {
  "use strict";
  var WARN_BEFORE_MS = 5 * 60 * 1000;
  var warnTimer = null;
  var lastActivity = Date.now();

  function schedule() {
    var body = document.body;
    var seconds = parseInt(body.dataset.idleSeconds || "0", 10);
    if (!seconds) { return; }
    clearTimeout(warnTimer);
    lastActivity = Date.now();
    var wait = Math.max(seconds * 1000 - WARN_BEFORE_MS, 0);
    warnTimer = setTimeout(warn, wait);
  }

  function warn() {
    var box = document.querySelector("[data-idle-warning]");
    if (!box) { return; }
    var seconds = parseInt(document.body.dataset.idleSeconds, 10);
    var left = Math.max(Math.round((lastActivity + seconds * 1000 - Date.now()) / 60000), 0);
    box.querySelector("[data-idle-minutes]").textContent = String(left);
    box.hidden = false;
    box.querySelector("[data-idle-stay]").focus();
  }

  function stay() {
    var box = document.querySelector("[data-idle-warning]");
    window.peerSupportHttp.post(document.body.dataset.keepAliveUrl).then(function (response) {
      if (response.ok) { box.hidden = true; schedule(); }
    });
  }

  // Any save counts as activity: autosave.js announces each one.
  document.addEventListener("peersupport:saved", schedule);
  document.addEventListener("DOMContentLoaded", function () {
    var button = document.querySelector("[data-idle-stay]");
    if (button) { button.addEventListener("click", stay); }
    schedule();
  });
})();
