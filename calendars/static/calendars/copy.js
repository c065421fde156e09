// The account page's "Copy" button for the calendar's address. Without
// JavaScript the button stays hidden; the address can be selected and copied.
(function () {
  "use strict";

  function setUp() {
    var input = document.querySelector("[data-calendar-address]");
    var button = document.querySelector("[data-copy-calendar-address]");
    var status = document.querySelector("[data-copy-status]");
    if (!input || !button || !navigator.clipboard) {
      return;
    }
    button.hidden = false;
    input.addEventListener("focus", function () {
      input.select();
    });
    button.addEventListener("click", function () {
      navigator.clipboard.writeText(input.value).then(
        function () {
          status.textContent = "Copied.";
        },
        function () {
          input.select();
          status.textContent = "Select the address and copy it.";
        }
      );
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", setUp);
  } else {
    setUp();
  }
})();
