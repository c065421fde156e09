// Live preview of Markdown fields in the admin: as a coordinator types, the
// "as learners see it" box beside the field shows the result. The server
// renders and sanitises (the same renderer as on save), so the preview is
// exactly what learners will see.
(function () {
  "use strict";
  var DELAY_MS = 400;

  function previewBox(textarea) {
    var row = document.querySelector(".field-" + textarea.dataset.markdownPreview);
    if (!row) { return null; }
    var box = row.querySelector(".markdown-preview");
    if (!box) {
      var readonly = row.querySelector(".readonly") || row;
      readonly.textContent = "";
      box = document.createElement("div");
      box.className = "markdown-preview";
      readonly.appendChild(box);
    }
    box.setAttribute("aria-live", "polite");
    return box;
  }

  function attach(textarea) {
    var box = previewBox(textarea);
    if (!box) { return; }
    var timer = null;
    var url = textarea.dataset.markdownPreviewUrl;  // set by the form (the admin's preview view)
    textarea.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(function () {
        var body = new URLSearchParams();
        body.set("text", textarea.value);
        // The renderer's profile the text is stored with (tutors' feedback: "learner").
        body.set("profile", textarea.dataset.markdownProfile || "content");
        window.peerSupportHttp.post(url, body).then(function (response) {
          if (!response.ok) { throw new Error(response.status); }
          return response.json();
        }).then(function (data) {
          box.innerHTML = data.html;  // sanitised by the server's renderer
          box.classList.remove("preview-failed");
        }).catch(function () {
          box.classList.add("preview-failed");
        });
      }, DELAY_MS);
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("textarea[data-markdown-preview]").forEach(attach);
  });
})();
