// The register: each tap is saved at once, without reloading the page. The
// forms work without this script too (each button posts its row's form).
(function () {
  "use strict";

  function show(row, data) {
    row.querySelector("[data-state]").textContent = data.label;
    row.querySelectorAll("button[name=mark]").forEach(function (button) {
      button.setAttribute("aria-pressed", String(button.value.split(":")[1] === data.status));
    });
    var error = row.querySelector("[data-error]");
    error.hidden = true;
    error.textContent = "";
  }

  function countUnmarked() {
    var unmarked = Array.prototype.filter.call(
      document.querySelectorAll(".register-row [data-state]"),
      function (state) { return state.textContent === "Not marked"; }
    ).length;
    var counter = document.querySelector("[data-unmarked-count]");
    if (counter) { counter.textContent = unmarked + " not marked yet"; }
  }

  function showError(form, message) {
    var box = form.querySelector("[data-error]");
    box.textContent = message + " Nothing was changed.";
    box.hidden = false;
  }

  function send(form, submitter) {
    var body = new FormData(form);
    if (submitter && submitter.name) { body.set(submitter.name, submitter.value); }
    return window.peerSupportHttp.post(window.location.pathname, body).then(function (response) {
      if (response.type === "opaqueredirect" || response.status === 0) {
        throw new Error("Your login has ended: log in again, then take the register.");
      }
      return response.json().then(function (data) {
        if (!response.ok) { throw new Error((data.errors || ["Not saved."]).join(" ")); }
        return data;
      });
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("form[data-register-row]").forEach(function (form) {
      form.addEventListener("submit", function (event) {
        event.preventDefault();
        var row = form.closest(".register-row");
        send(form, event.submitter).then(function (data) {
          show(row, data);
          if (data.status !== "caught_up") { form.querySelector("details").open = false; }
          countUnmarked();
        }).catch(function (error) { showError(form, error.message); });
      });
    });
    var everyone = document.querySelector("form[data-register-everyone]");
    if (everyone) {
      everyone.addEventListener("submit", function (event) {
        event.preventDefault();
        send(everyone, event.submitter).then(function (data) {
          data.marked.forEach(function (id) {
            var row = document.getElementById("learner-" + id);
            if (row) { show(row, { label: data.label, status: "present" }); }
          });
          everyone.querySelector("[data-error]").hidden = true;
          countUnmarked();
        }).catch(function (error) { showError(everyone, error.message); });
      });
    }
  });
})();
