// The essay editor: a live word count against the assignment's range, and a
// preview rendered by the server (the same renderer the tutor sees).
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

  document.addEventListener("DOMContentLoaded", function () {
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
