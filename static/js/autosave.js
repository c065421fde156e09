// Autosave for learners' writing (journal answers; later, essay drafts).
//
// Every form marked data-autosave is saved as the learner types (after a
// pause), when they leave a field, and when they leave the page. Until the
// server confirms a save, a copy stays in this browser (localStorage, under
// the form's data-autosave-key, which names the user), so a lost connection
// or an expired login loses nothing: after logging in again, the page puts
// the text back and saves it. The copy is removed as soon as it is saved.
(function () {
  "use strict";
  var PAUSE_MS = 1500;
  var RETRY_MS = 15000;

  function now() { return Date.now(); }

  function readCopy(key) {
    try { return JSON.parse(window.localStorage.getItem(key)); } catch (e) { return null; }
  }
  function writeCopy(key, copy) {
    try { window.localStorage.setItem(key, JSON.stringify(copy)); } catch (e) { /* full or off */ }
  }
  function dropCopy(key) {
    try { window.localStorage.removeItem(key); } catch (e) { /* off */ }
  }

  function Autosave(form) {
    this.form = form;
    this.key = form.dataset.autosaveKey;
    this.text = form.querySelector("textarea");
    this.share = form.querySelector("input[type=checkbox]");
    this.status = form.querySelector("[data-autosave-status]");
    this.timer = null;
    this.saving = false;
    this.again = false;
    this.lastSaved = this.snapshot();
    this.restore();
    this.bind();
  }

  Autosave.prototype.snapshot = function () {
    return { text: this.text.value, shared: this.share ? this.share.checked : false };
  };

  Autosave.prototype.dirty = function () {
    var now = this.snapshot();
    return now.text !== this.lastSaved.text || now.shared !== this.lastSaved.shared;
  };

  Autosave.prototype.say = function (message, kind) {
    if (!this.status) { return; }
    this.status.textContent = "";
    this.status.className = "autosave-status small mb-0" + (kind ? " text-" + kind : "");
    if (message.nodeType) { this.status.appendChild(message); } else { this.status.textContent = message; }
  };

  // A copy newer than what the server has goes back into the box, and is saved.
  Autosave.prototype.restore = function () {
    var copy = readCopy(this.key);
    if (!copy) { return; }
    var serverTime = parseInt(this.form.dataset.updatedAt || "0", 10);
    if (copy.text === this.text.value && (!this.share || copy.shared === this.share.checked)) {
      dropCopy(this.key);
      return;
    }
    if (copy.at <= serverTime) { dropCopy(this.key); return; }
    this.text.value = copy.text;
    if (this.share) { this.share.checked = copy.shared; }
    this.say("We put back text you had not saved yet. Saving it now…", "body-secondary");
    this.save();
  };

  Autosave.prototype.bind = function () {
    var self = this;
    this.text.addEventListener("input", function () { self.changed(); });
    this.text.addEventListener("blur", function () { if (self.dirty()) { self.save(); } });
    if (this.share) { this.share.addEventListener("change", function () { self.changed(); self.save(); }); }
    this.form.addEventListener("submit", function (event) { event.preventDefault(); self.save(); });
  };

  Autosave.prototype.changed = function () {
    var self = this;
    var copy = this.snapshot();
    copy.at = now();
    writeCopy(this.key, copy);
    this.say("Not saved yet", "body-secondary");
    clearTimeout(this.timer);
    this.timer = setTimeout(function () { self.save(); }, PAUSE_MS);
  };

  Autosave.prototype.save = function (options) {
    var self = this;
    clearTimeout(this.timer);
    if (this.saving) { this.again = true; return; }
    var sent = this.snapshot();
    this.saving = true;
    this.say("Saving…", "body-secondary");
    fetch(this.form.action, {
      method: "POST",
      body: new FormData(this.form),
      credentials: "same-origin",
      redirect: "manual",
      keepalive: Boolean(options && options.leaving),
      headers: { "X-Requested-With": "fetch", "Accept": "application/json" }
    }).then(function (response) {
      if (response.type === "opaqueredirect" || response.status === 0 || response.status === 403) {
        self.signedOut();
        return null;
      }
      return response.json().then(function (data) {
        if (!response.ok) { throw { kind: "refused", errors: data.errors || [] }; }
        return data;
      }, function () { throw { kind: "server", status: response.status }; });
    }).then(function (data) {
      if (!data) { return; }
      self.lastSaved = sent;
      var copy = readCopy(self.key);
      if (copy && copy.text === sent.text && copy.shared === sent.shared) { dropCopy(self.key); }
      self.form.dataset.updatedAt = String(data.updated_at);
      document.dispatchEvent(new CustomEvent("peersupport:saved"));
      var sharing = self.share ? (data.shared ? " · shared with your tutor" : " · private") : "";
      self.say("Saved at " + data.saved_at + sharing, "success");
    }).catch(function (problem) {
      if (problem && problem.kind === "refused") {
        self.say("Not saved: " + problem.errors.join(" "), "danger");
      } else {
        self.say("Not saved yet: the connection failed. Your text is kept in this browser, and we will try again.", "danger");
        setTimeout(function () { if (self.dirty()) { self.save(); } }, RETRY_MS);
      }
    }).finally(function () {
      self.saving = false;
      if (self.again) { self.again = false; if (self.dirty()) { self.save(); } }
    });
  };

  Autosave.prototype.signedOut = function () {
    var fragment = document.createDocumentFragment();
    fragment.appendChild(document.createTextNode(
      "You have been logged out, so this could not be saved yet. Your text is kept in this browser: "));
    var link = document.createElement("a");
    link.href = "/accounts/login/?next=" + encodeURIComponent(window.location.pathname);
    link.textContent = "log in again";
    fragment.appendChild(link);
    fragment.appendChild(document.createTextNode(" and it will be saved."));
    this.say(fragment, "danger");
  };

  var forms = [];
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("form[data-autosave]").forEach(function (form) {
      forms.push(new Autosave(form));
    });
  });
  // Leaving the page: save what is unsaved while the page can still send.
  window.addEventListener("pagehide", function () {
    forms.forEach(function (autosave) { if (autosave.dirty()) { autosave.save({ leaving: true }); } });
  });
  window.addEventListener("online", function () {
    forms.forEach(function (autosave) { if (autosave.dirty()) { autosave.save(); } });
  });
})();
