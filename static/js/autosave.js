// Autosave for learners' writing (journal answers; later, essay drafts).
//
// Every form marked data-autosave is saved as the learner types (after a
// pause), when they leave a field, and when they leave the page. Until the
// server confirms a save, a copy stays in this browser (localStorage, under
// the form's data-autosave-key, which names the user), so a lost connection
// or an expired login loses nothing: after logging in again, the page puts
// the text back and saves it. The copy is removed as soon as it is saved.
//
// Each save says which version of the stored text the page started from
// (the hidden "version" field). If another tab or device saved in between,
// the server refuses with both versions, and the page shows them side by
// side with "Keep this tab's version" and "Keep the other version"; nothing
// is sent, and the browser copy stays, until the learner chooses.
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
    this.version = form.querySelector("[data-autosave-version]");
    this.conflictBox = null;
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
    // Saved against the version it was written from: if the server's has
    // moved on since (another device), both are shown.
    if (this.version && copy.version !== undefined) { this.version.value = String(copy.version); }
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
    if (this.version) { copy.version = parseInt(this.version.value || "0", 10); }
    writeCopy(this.key, copy);
    if (this.conflictBox) { return; }  // waiting for the learner to choose
    this.say("Not saved yet", "body-secondary");
    clearTimeout(this.timer);
    this.timer = setTimeout(function () { self.save(); }, PAUSE_MS);
  };

  Autosave.prototype.save = function (options) {
    var self = this;
    clearTimeout(this.timer);
    if (this.conflictBox) { return; }
    if (this.saving) { this.again = true; return; }
    var sent = this.snapshot();
    this.saving = true;
    this.say("Saving…", "body-secondary");
    var body = new FormData(this.form);
    // A NUL character (it can come with text pasted from some programs) is
    // invisible and can't be stored: it is left out, rather than every save
    // being refused for a character the learner cannot see.
    if (sent.text.indexOf("\u0000") !== -1) { body.set("text", sent.text.replace(/\u0000/g, "")); }
    window.peerSupportHttp.post(this.form.action, body, {
      keepalive: Boolean(options && options.leaving)
    }).then(function (response) {
      if (response.type === "opaqueredirect" || response.status === 0 || response.status === 403) {
        self.signedOut();
        return null;
      }
      return response.json().then(function (data) {
        if (data.conflict) { throw { kind: "conflict", theirs: data.conflict, errors: data.errors || [] }; }
        if (!response.ok) { throw { kind: "refused", errors: data.errors || [] }; }
        return data;
      }, function () { throw { kind: "server", status: response.status }; });
    }).then(function (data) {
      if (!data) { return; }
      self.lastSaved = sent;
      if (self.version && data.version !== undefined) { self.version.value = String(data.version); }
      var copy = readCopy(self.key);
      if (copy && copy.text === sent.text && copy.shared === sent.shared) { dropCopy(self.key); }
      self.form.dataset.updatedAt = String(data.updated_at);
      document.dispatchEvent(new CustomEvent("peersupport:saved"));
      var sharing = self.share ? (data.shared ? " · shared with your tutor" : " · private") : "";
      self.say("Saved at " + data.saved_at + sharing, "success");
    }).catch(function (problem) {
      if (problem && problem.kind === "conflict") {
        self.showConflict(problem.theirs, problem.errors.join(" "));
      } else if (problem && problem.kind === "refused") {
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

  function element(tag, className, text) {
    var node = document.createElement(tag);
    if (className) { node.className = className; }
    if (text) { node.textContent = text; }
    return node;
  }

  // Both versions, and a one-click way to keep either. Until then nothing
  // is saved from this form, and the browser copy of this tab's text stays.
  Autosave.prototype.showConflict = function (theirs, message) {
    var self = this;
    this.say("Not saved: there are two versions. Choose one below.", "danger");
    if (this.conflictBox) { this.conflictBox.remove(); }
    var box = element("div", "writing-conflict alert alert-warning mt-3");
    box.setAttribute("role", "group");
    box.setAttribute("aria-label", "Two versions: choose one to keep");
    box.appendChild(element("p", "mb-2", message));
    var id = this.text.id + "-theirs";
    var label = element("label", "form-label fw-semibold", "The other version, saved at " + theirs.saved_at + " (read only)");
    label.htmlFor = id;
    box.appendChild(label);
    var other = element("textarea", "form-control");
    other.id = id;
    other.readOnly = true;
    other.rows = 6;
    other.value = theirs.text;
    box.appendChild(other);
    if (this.share && theirs.shared !== null && theirs.shared !== undefined) {
      box.appendChild(element("p", "small mt-1 mb-0", theirs.shared ? "That version is shared with your tutor." : "That version is private."));
    }
    box.appendChild(element("p", "small mt-2", "This tab's version is still in the box above."));
    var buttons = element("div", "d-flex flex-wrap gap-2");
    var keepMine = element("button", "btn btn-primary btn-sm", "Keep this tab's version");
    keepMine.type = "button";
    keepMine.dataset.keep = "mine";
    var keepTheirs = element("button", "btn btn-outline-primary btn-sm", "Keep the other version");
    keepTheirs.type = "button";
    keepTheirs.dataset.keep = "theirs";
    buttons.appendChild(keepMine);
    buttons.appendChild(keepTheirs);
    box.appendChild(buttons);
    keepMine.addEventListener("click", function () { self.resolve(theirs, false); });
    keepTheirs.addEventListener("click", function () { self.resolve(theirs, true); });
    this.conflictBox = box;
    this.form.appendChild(box);
  };

  Autosave.prototype.resolve = function (theirs, keepTheirs) {
    this.conflictBox.remove();
    this.conflictBox = null;
    if (this.version) { this.version.value = String(theirs.version); }
    if (keepTheirs) {
      this.text.value = theirs.text;
      if (this.share && theirs.shared !== null && theirs.shared !== undefined) { this.share.checked = theirs.shared; }
      this.text.dispatchEvent(new Event("input"));  // the word count follows
      clearTimeout(this.timer);  // nothing to save: the server has this version
      this.lastSaved = this.snapshot();
      dropCopy(this.key);
      this.say("Kept the version saved at " + theirs.saved_at + ".", "success");
      this.text.focus();
      return;
    }
    this.save();  // from the version now stored: it replaces it
    this.text.focus();
  };

  Autosave.prototype.signedOut = function () {
    var fragment = document.createDocumentFragment();
    fragment.appendChild(document.createTextNode(
      "You have been logged out, so this could not be saved yet. Your text is kept in this browser: "));
    var link = document.createElement("a");
    link.href = document.body.dataset.loginUrl + "?next=" + encodeURIComponent(window.location.pathname);
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
