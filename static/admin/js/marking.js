// The marking page (templates/admin/assessments/submission/review.html).
// Everything here adds to a page that works without it:
//
// * Comments on passages: selecting words in the essay offers "Comment on
//   this passage" (the button in the panel, "Comment on the selected words",
//   does the same from the keyboard). A new comment form is added to the
//   formset with the passage's offsets, counted as the server counts them
//   (assessments/passages.py): Unicode code points of the essay's text,
//   leaving out the numbers and notes that mark saved passages (every
//   element with data-passage-extra). New passages are highlighted with the
//   CSS Custom Highlight API where the browser has it.
// * The outcome follows the criteria (all met: Pass; any not yet: Refer)
//   until the tutor chooses one by hand; the "Reason for this outcome" box
//   shows when the outcome differs from the suggestion.
// * Snippets are inserted where the tutor was last typing, and saved
//   without leaving the page.
// * Leaving the page with unsaved changes asks first.
(function () {
  "use strict";

  var form = document.querySelector("[data-marking-form]");
  var essay = document.querySelector("[data-essay]");
  if (!essay) { return; }

  document.querySelectorAll("[data-js-only]").forEach(function (element) {
    element.hidden = false;
  });

  // ------------------------------------------------------------ the essay's text

  function isExtra(node) {
    var element = node.nodeType === Node.ELEMENT_NODE ? node : node.parentElement;
    return Boolean(element && element.closest("[data-passage-extra]"));
  }

  // The essay's own text nodes, in order, without the marks' numbers and notes.
  function textNodes() {
    var nodes = [];
    var walker = document.createTreeWalker(essay, NodeFilter.SHOW_TEXT, {
      acceptNode: function (node) {
        return isExtra(node) ? NodeFilter.FILTER_REJECT : NodeFilter.FILTER_ACCEPT;
      }
    });
    while (walker.nextNode()) { nodes.push(walker.currentNode); }
    return nodes;
  }

  function codePoints(text) { return Array.from(text).length; }

  // Code points of essay text before the point (container, offset).
  function offsetOf(container, offset) {
    var boundary = document.createRange();
    boundary.setStart(container, offset);
    boundary.collapse(true);
    var count = 0;
    var nodes = textNodes();
    for (var i = 0; i < nodes.length; i++) {
      var node = nodes[i];
      if (node === container) { return count + codePoints(node.data.slice(0, offset)); }
      if (boundary.comparePoint(node, node.length) > 0) { return count; }
      count += codePoints(node.data);
    }
    return count;
  }

  // The point in the DOM at code point ``position`` of the essay's text.
  function pointAt(position, preferNext) {
    var count = 0;
    var nodes = textNodes();
    for (var i = 0; i < nodes.length; i++) {
      var characters = Array.from(nodes[i].data);
      var inside = preferNext ? position < count + characters.length
        : position <= count + characters.length;
      if (inside) {
        return { node: nodes[i], offset: characters.slice(0, position - count).join("").length };
      }
      count += characters.length;
    }
    var last = nodes[nodes.length - 1];
    return last ? { node: last, offset: last.length } : null;
  }

  function rangeOf(start, end) {
    var from = pointAt(start, true);
    var to = pointAt(end, false);
    if (!from || !to) { return null; }
    var range = document.createRange();
    range.setStart(from.node, from.offset);
    range.setEnd(to.node, to.offset);
    return range;
  }

  // The selection inside the essay as {start, end, words}, trimmed of spaces.
  function selectedPassage() {
    var selection = window.getSelection();
    if (!selection || selection.rangeCount === 0 || selection.isCollapsed) { return null; }
    var range = selection.getRangeAt(0);
    if (!essay.contains(range.commonAncestorContainer)) { return null; }
    var characters = Array.from(textNodes().map(function (n) { return n.data; }).join(""));
    var start = offsetOf(range.startContainer, range.startOffset);
    var end = offsetOf(range.endContainer, range.endOffset);
    while (start < end && /\s/.test(characters[start])) { start++; }
    while (end > start && /\s/.test(characters[end - 1])) { end--; }
    if (start >= end) { return null; }
    return { start: start, end: end, words: characters.slice(start, end).join("") };
  }

  // ------------------------------------------------------------ highlights

  var added = new Map(); // list item -> Range of its new passage
  function highlight() {
    if (!window.CSS || !CSS.highlights || typeof Highlight === "undefined") { return; }
    CSS.highlights.set("marking-new", new Highlight(...added.values()));
  }

  // ------------------------------------------------------------ the review form

  if (!form) { return; }
  var dirty = false;
  var submitting = false;
  function changed(event) {
    if (!event || !event.target || event.target.form === form) { dirty = true; }
  }
  form.addEventListener("input", changed);
  form.addEventListener("change", changed);
  form.addEventListener("submit", function () { submitting = true; });
  window.addEventListener("beforeunload", function (event) {
    if (dirty && !submitting) {
      event.preventDefault();
      event.returnValue = "";
    }
  });

  // ------------------------------------------------------------ comments on passages

  var list = form.querySelector("[data-passage-list]");
  var template = form.querySelector("[data-passage-template]");
  var total = form.querySelector("input[name$='-TOTAL_FORMS']");
  var status = form.querySelector("[data-passage-status]");
  var floating = document.querySelector("[data-comment-float]");
  var remembered = null; // the last passage selected in the essay

  function say(text) { if (status) { status.textContent = text; } }

  function items() {
    return Array.from(list.querySelectorAll("[data-passage-item]"));
  }

  // Number the comments in the essay's order, and the saved marks to match.
  function renumber() {
    var renamed = {};
    items().forEach(function (item, index) {
      var badge = item.querySelector("[data-passage-number]");
      if (item.dataset.savedNumber) { renamed[item.dataset.savedNumber] = String(index + 1); }
      if (badge) { badge.textContent = String(index + 1); }
    });
    essay.querySelectorAll("mark.passage").forEach(function (mark) {
      if (!mark.dataset.savedPassage) { mark.dataset.savedPassage = mark.dataset.passage; }
      mark.dataset.passage = mark.dataset.savedPassage.split(" ").map(function (n) {
        return renamed[n] || n;
      }).join(" ");
    });
    essay.querySelectorAll(".passage-number").forEach(function (number) {
      if (!number.dataset.savedNumber) { number.dataset.savedNumber = number.textContent; }
      number.textContent = renamed[number.dataset.savedNumber] || number.dataset.savedNumber;
    });
  }

  items().forEach(function (item) {
    var badge = item.querySelector("[data-passage-number]");
    if (badge) { item.dataset.savedNumber = badge.textContent.trim(); }
  });

  function addPassage(passage, range) {
    var index = parseInt(total.value, 10);
    var fragment = template.content.cloneNode(true);
    fragment.querySelectorAll("[name], [id], [for]").forEach(function (element) {
      ["name", "id", "for"].forEach(function (attribute) {
        var value = element.getAttribute(attribute);
        if (value) { element.setAttribute(attribute, value.replace(/__prefix__/g, index)); }
      });
    });
    var item = fragment.querySelector("[data-passage-item]");
    item.dataset.start = passage.start;
    item.dataset.end = passage.end;
    item.querySelector("[data-field=start]").value = passage.start;
    item.querySelector("[data-field=end]").value = passage.end;
    item.querySelector("[data-field=passage]").value = passage.words;
    var shown = passage.words.length > 240 ? passage.words.slice(0, 240) + "…" : passage.words;
    item.querySelector("[data-field=words]").textContent = shown;
    var before = items().find(function (other) {
      var start = parseInt(other.dataset.start, 10);
      var end = parseInt(other.dataset.end, 10);
      return start > passage.start || (start === passage.start && end > passage.end);
    });
    list.insertBefore(fragment, before || null);
    total.value = String(index + 1);
    added.set(item, range || rangeOf(passage.start, passage.end));
    highlight();
    renumber();
    dirty = true;
    var comment = item.querySelector("textarea");
    comment.focus();
    say("Comment " + item.querySelector("[data-passage-number]").textContent + " added: write it below the quoted words.");
    return item;
  }

  function commentOnSelection() {
    var passage = selectedPassage() || remembered;
    if (!passage) {
      say("Select some words in the essay first, then choose this again.");
      return;
    }
    var selection = window.getSelection();
    var range = rangeOf(passage.start, passage.end);
    if (selection) { selection.removeAllRanges(); }
    remembered = null;
    if (floating) { floating.hidden = true; }
    addPassage(passage, range);
  }

  list.addEventListener("click", function (event) {
    var discard = event.target.closest("[data-passage-discard]");
    if (!discard) { return; }
    var item = discard.closest("[data-passage-item]");
    added.delete(item);
    item.remove();
    highlight();
    renumber();
    dirty = true;
    say("Comment removed.");
  });

  var fromPanel = form.querySelector("[data-comment-selection]");
  if (fromPanel) {
    // Pressing the button must not lose the selection it acts on.
    fromPanel.addEventListener("mousedown", function (event) { event.preventDefault(); });
    fromPanel.addEventListener("click", commentOnSelection);
  }
  if (floating) {
    floating.addEventListener("mousedown", function (event) { event.preventDefault(); });
    floating.addEventListener("click", commentOnSelection);
  }

  document.addEventListener("selectionchange", function () {
    var passage = selectedPassage();
    if (passage) { remembered = passage; }
    if (!floating) { return; }
    if (!passage) { floating.hidden = true; return; }
    var rect = window.getSelection().getRangeAt(0).getBoundingClientRect();
    floating.hidden = false;
    var box = (floating.offsetParent || essay).getBoundingClientRect();
    floating.style.top = (rect.bottom - box.top + 6) + "px";
    floating.style.left = Math.max(0, rect.left - box.left) + "px";
  });

  // A mark in the essay leads to its comment in the panel.
  essay.addEventListener("click", function (event) {
    var mark = event.target.closest("mark.passage");
    if (!mark || !window.getSelection().isCollapsed) { return; }
    var number = parseInt(mark.dataset.passage.split(" ")[0], 10);
    var item = items()[number - 1];
    if (!item) { return; }
    item.scrollIntoView({ block: "nearest" });
    var comment = item.querySelector("textarea");
    if (comment) { comment.focus({ preventScroll: true }); }
  });

  // ------------------------------------------------------------ the outcome

  var outcome = form.querySelector("select[name=outcome]");
  var outcomeRow = form.querySelector(".field-outcome");
  var reasonRow = form.querySelector("[data-reason-row]");
  var reason = reasonRow && reasonRow.querySelector("textarea");
  var suggestionText = form.querySelector("[data-suggestion]");
  var criteria = Array.from(form.querySelectorAll("[data-criterion]"));
  var follows = !outcomeRow || outcomeRow.dataset.outcomeFollows !== "false";

  function suggestion() {
    if (criteria.length === 0) { return ""; }
    var values = criteria.map(function (fieldset) {
      var checked = fieldset.querySelector("input[type=radio]:checked");
      return checked ? checked.value : "";
    });
    if (values.indexOf("") !== -1) { return ""; }
    return values.every(function (v) { return v === "met"; }) ? "pass" : "refer";
  }

  function showSuggestion(suggested) {
    if (!suggestionText || criteria.length === 0) { return; }
    suggestionText.textContent = "";
    if (!suggested) {
      suggestionText.textContent = "Judge every criterion to see the outcome they suggest.";
      return;
    }
    var strong = document.createElement("strong");
    strong.textContent = suggested === "pass" ? "Pass" : "Refer";
    suggestionText.append("The criteria suggest: ", strong, ".");
  }

  function updateReason() {
    if (!reasonRow || !outcome) { return; }
    var suggested = suggestion();
    var differs = Boolean(suggested && outcome.value && outcome.value !== suggested);
    var hasError = Boolean(reasonRow.querySelector(".errorlist"));
    reasonRow.hidden = !(differs || hasError || (reason && reason.value.trim()));
  }

  if (outcome) {
    criteria.forEach(function (fieldset) {
      fieldset.addEventListener("change", function () {
        var suggested = suggestion();
        showSuggestion(suggested);
        if (follows && suggested) { outcome.value = suggested; }
        updateReason();
      });
    });
    outcome.addEventListener("change", function () {
      // Chosen by hand: from now on the criteria no longer change it.
      follows = outcome.value === "" || outcome.value === suggestion();
      updateReason();
    });
    updateReason();
  }

  // ------------------------------------------------------------ snippets

  var lastBox = form.querySelector("textarea[name=feedback]");
  form.addEventListener("focusin", function (event) {
    var target = event.target;
    if (target.matches && target.matches("textarea[data-snippet-target]") && target.form === form) {
      lastBox = target;
    }
  });

  function insert(text) {
    if (!lastBox) { return; }
    var start = lastBox.selectionStart;
    var end = lastBox.selectionEnd;
    lastBox.focus();
    lastBox.setRangeText(text, start, end, "end");
    lastBox.dispatchEvent(new Event("input", { bubbles: true }));
  }

  var snippetList = form.querySelector("[data-snippet-list]");
  function enableInsert(item) {
    var button = item.querySelector("[data-snippet-insert]");
    if (button) { button.hidden = false; }
  }
  if (snippetList) {
    snippetList.querySelectorAll(".snippet").forEach(enableInsert);
    snippetList.addEventListener("mousedown", function (event) {
      // Keep the cursor where it is in the box the snippet goes into.
      if (event.target.closest("[data-snippet-insert]")) { event.preventDefault(); }
    });
    snippetList.addEventListener("click", function (event) {
      var button = event.target.closest("[data-snippet-insert]");
      if (!button) { return; }
      insert(button.closest(".snippet").querySelector("[data-snippet-text]").textContent);
    });
  }

  var snippetForm = document.querySelector("[data-snippet-form]");
  var snippetStatus = form.querySelector("[data-snippet-status]");
  var fromSelection = form.querySelector("[data-snippet-from-selection]");
  if (fromSelection && snippetForm) {
    fromSelection.addEventListener("mousedown", function (event) { event.preventDefault(); });
    fromSelection.addEventListener("click", function () {
      var text = lastBox ? lastBox.value.slice(lastBox.selectionStart, lastBox.selectionEnd) : "";
      var target = snippetForm.elements.namedItem("snippet-text");
      if (!text) {
        snippetStatus.textContent = "Select some words in a feedback box first.";
        return;
      }
      target.value = text;
      snippetForm.elements.namedItem("snippet-title").focus();
    });
  }
  if (snippetForm && window.peerSupportHttp) {
    snippetForm.addEventListener("submit", function (event) {
      event.preventDefault();
      var body = new FormData(snippetForm);
      snippetStatus.textContent = "Saving…";
      window.peerSupportHttp.post(snippetForm.action, body).then(function (response) {
        return response.json().then(function (data) { return { ok: response.ok, data: data }; });
      }).then(function (answer) {
        if (!answer.ok) {
          snippetStatus.textContent = "Not saved: " + (answer.data.errors || []).join(" ");
          return;
        }
        var item = document.createElement("li");
        item.className = "snippet";
        var title = document.createElement("span");
        title.className = "snippet-title";
        title.textContent = answer.data.title;
        var button = document.createElement("button");
        button.type = "button";
        button.className = "button";
        button.dataset.snippetInsert = "";
        button.setAttribute("aria-label", "Insert “" + answer.data.title + "”");
        button.textContent = "Insert";
        var text = document.createElement("div");
        text.className = "snippet-text";
        text.dataset.snippetText = "";
        text.textContent = answer.data.text;
        item.append(title, " ", button, text);
        var none = snippetList.querySelector("[data-snippet-none]");
        if (none) { none.remove(); }
        snippetList.append(item);
        snippetForm.elements.namedItem("snippet-title").value = "";
        snippetForm.elements.namedItem("snippet-text").value = "";
        snippetStatus.textContent = "Saved “" + answer.data.title + "”.";
      }).catch(function () {
        snippetStatus.textContent = "Not saved: the connection failed. Please try again.";
      });
    });
  }
})();
