// The essay editor: a live word count against the assignment's range, a
// preview rendered by the server (the same renderer the tutor sees), and the
// error summary at the top of the page (focused on arrival; its links move
// the focus to the field they name).
// countWords() must agree with assessments.models.count_words: a word is
// anything between white space with at least one letter or digit in it.
(function () {
  "use strict";

  function countWords(text) {
    return text.split(/\s+/).filter(function (token) {
      return /[\p{L}\p{N}]/u.test(token);
    }).length;
  }
  window.peerSupportCountWords = countWords;  // for the browser tests

  // The GOV.UK error summary: read out first, and each link takes the
  // learner to its field, with the field's label in view.
  function setUpErrorSummary(summary) {
    summary.focus();
    summary.addEventListener("click", function (event) {
      var link = event.target.closest("a[href^='#']");
      var field = link && document.getElementById(link.getAttribute("href").slice(1));
      if (!field) { return; }
      event.preventDefault();
      var label = document.querySelector("label[for='" + field.id + "']");
      var group = field.closest(".tick-group") || (label && label.closest("h2")) || label || field;
      group.scrollIntoView({ block: "start" });
      field.focus({ preventScroll: true });
    });
  }

  // "Submit my essay" belongs to the essay's form, so the text goes with it.
  // Autosave turns that form's submits into saves; this one must go through,
  // so it is stopped on its way down (capture) before autosave hears it.
  var lastPressed = null;
  document.addEventListener("click", function (event) {
    lastPressed = event.target.closest ? event.target.closest("button[type=submit]") : null;
  }, true);
  document.addEventListener("submit", function (event) {
    var button = event.submitter || lastPressed;
    if (button && button.hasAttribute("data-submit-essay")) { event.stopPropagation(); }
  }, true);

  // A submitted attempt never changes: any copy of it this browser still
  // keeps (autosave's, when the page went before a save came back) goes.
  function forgetSubmittedCopies() {
    var page = document.querySelector("[data-submitted-copies]");
    if (!page) { return; }
    page.dataset.submittedCopies.split(" ").forEach(function (key) {
      if (!key) { return; }
      try { window.localStorage.removeItem(key); } catch (e) { /* storage off */ }
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    forgetSubmittedCopies();
    var summary = document.querySelector("[data-error-summary]");
    if (summary) { setUpErrorSummary(summary); }
    var box = document.querySelector("textarea.essay-text");
    if (!box) { return; }
    var form = box.form;
    var counter = document.querySelector("[data-word-count]");
    var line = document.getElementById("word-count");
    var low = parseInt(box.dataset.minWords, 10);
    var high = parseInt(box.dataset.maxWords, 10);

    function update() {
      var words = countWords(box.value);
      counter.textContent = String(words);
      line.classList.toggle("text-danger", words > high);
      line.classList.toggle("text-body-secondary", words < low);
    }
    box.addEventListener("input", update);
    update();

    var button = form.querySelector("[data-preview-url]");
    var target = form.querySelector("[data-preview-target]");
    if (!button || !target) { return; }
    button.hidden = false;
    button.addEventListener("click", function () {
      var body = new URLSearchParams();
      body.set("text", box.value);
      window.peerSupportHttp.post(button.dataset.previewUrl, body).then(function (response) {
        if (!response.ok) { throw new Error(String(response.status)); }
        return response.json();
      }).then(function (data) {
        target.innerHTML = data.html;  // sanitised by the server's renderer
        target.hidden = false;
        target.focus();
      }).catch(function () {
        target.textContent = "The preview could not be shown just now. Your essay is not affected.";
        target.hidden = false;
      });
    });
  });
})();
