// The essay's formatting toolbar. Bold, Italic, Heading, List and Quote write
// the marks the essay's renderer reads (**bold**, _italic_, "## ", "- ",
// "> ") around the selection or at the start of its lines, so a learner
// never needs to know them; pressed again, they take the marks off. Each
// change goes through the browser's own editing (so Undo works) and ends
// with an `input` event, so the word count and autosave see it. Without
// JavaScript the toolbar stays hidden and the box is a plain text box.
(function () {
  "use strict";

  var WRAP = { bold: "**", italic: "_" };
  var PREFIX = { heading: "## ", list: "- ", quote: "> " };
  // The mark a line already starts with, of each kind.
  var LINE_MARK = { heading: /^#{1,6} /, list: /^[-*+] /, quote: /^> ?/ };

  // Replace start..end of the box with text, then select selStart..selEnd.
  function replace(box, start, end, text, selStart, selEnd) {
    var before = box.value;
    box.focus();
    box.setSelectionRange(start, end);
    var done = false;
    try {
      done = document.execCommand("insertText", false, text);
    } catch (e) {
      done = false;
    }
    var expected = before.slice(0, start) + text + before.slice(end);
    if (!done || box.value !== expected) {
      // No editing command here: change the text directly, and say so.
      box.value = expected;
      box.dispatchEvent(new Event("input", { bubbles: true }));
    }
    box.setSelectionRange(selStart, selEnd);
  }

  function wrap(box, mark) {
    var value = box.value;
    var start = box.selectionStart;
    var end = box.selectionEnd;
    var n = mark.length;
    // Spaces at the ends of the selection stay outside the marks (a
    // double-click takes the space after a word): "**word** " is bold,
    // "**word **" is not.
    while (start < end && /\s/.test(value.charAt(start))) { start += 1; }
    while (end > start && /\s/.test(value.charAt(end - 1))) { end -= 1; }
    var inner = value.slice(start, end);
    // Marked already, just outside the selection or at its ends: unmark.
    if (value.slice(Math.max(start - n, 0), start) === mark && value.slice(end, end + n) === mark) {
      replace(box, start - n, end + n, inner, start - n, end - n);
      return;
    }
    if (inner.length >= 2 * n + 1 && inner.slice(0, n) === mark && inner.slice(-n) === mark) {
      var bare = inner.slice(n, -n);
      replace(box, start, end, bare, start, start + bare.length);
      return;
    }
    if (start === end) {
      // Nothing selected: the marks go around the caret, ready to type in.
      replace(box, start, end, mark + mark, start + n, start + n);
      return;
    }
    // A mark cannot run across lines: each line is marked on its own.
    var lines = inner.split("\n");
    var out = lines.map(function (line) {
      var parts = /^(\s*)([\s\S]*?)(\s*)$/.exec(line);
      return parts[2] ? parts[1] + mark + parts[2] + mark + parts[3] : line;
    }).join("\n");
    if (lines.length === 1) {
      replace(box, start, end, out, start + n, end + n);
    } else {
      replace(box, start, end, out, start, start + out.length);
    }
  }

  function isBlank(line) { return line.trim() === ""; }

  function prefixLines(box, kind) {
    var value = box.value;
    var start = box.selectionStart;
    var end = box.selectionEnd;
    var caretOnly = start === end;
    // A selection that ends at the start of a line does not take that line.
    if (end > start && value.charAt(end - 1) === "\n") { end -= 1; }
    var lineStart = value.lastIndexOf("\n", start - 1) + 1;
    var lineEnd = value.indexOf("\n", end);
    if (lineEnd === -1) { lineEnd = value.length; }
    var lines = value.slice(lineStart, lineEnd).split("\n");
    var mark = LINE_MARK[kind];
    var written = lines.filter(function (line) { return !isBlank(line); });
    // Every line has the mark already: the button takes it off.
    var removing = written.length > 0 && written.every(function (line) { return mark.test(line); });
    var out = lines.map(function (line) {
      if (removing) { return line.replace(mark, ""); }
      if (isBlank(line) && !caretOnly) { return line; }
      if (mark.test(line)) { return line; }
      // A heading has one mark: "# " or "### " becomes "## ".
      return PREFIX[kind] + (kind === "heading" ? line.replace(LINE_MARK.heading, "") : line);
    }).join("\n");
    // A list or a quote needs an empty line before and after it, or it runs
    // into the paragraph next to it.
    var lead = "";
    var trail = "";
    if (!removing && kind !== "heading") {
      var previous = value.slice(0, Math.max(lineStart - 1, 0)).split("\n").pop();
      if (lineStart > 0 && !isBlank(previous) && !mark.test(previous)) { lead = "\n"; }
      var next = value.slice(lineEnd + 1).split("\n")[0];
      if (lineEnd < value.length && !isBlank(next) && !mark.test(next)) { trail = "\n"; }
    }
    var from = lineStart + lead.length;
    if (caretOnly) {
      var caret = Math.max(start + lead.length + (out.length - (lineEnd - lineStart)), from);
      replace(box, lineStart, lineEnd, lead + out + trail, caret, caret);
    } else {
      replace(box, lineStart, lineEnd, lead + out + trail, from, from + out.length);
    }
  }

  function format(box, kind) {
    if (WRAP[kind]) { wrap(box, WRAP[kind]); } else if (PREFIX[kind]) { prefixLines(box, kind); }
  }

  function setUp(toolbar) {
    var box = document.getElementById(toolbar.getAttribute("aria-controls"));
    if (!box) { return; }
    var buttons = Array.prototype.slice.call(toolbar.querySelectorAll("button[data-format]"));
    // One Tab stop for the toolbar; the arrow keys move along it (the ARIA
    // toolbar pattern).
    buttons.forEach(function (button, index) {
      button.tabIndex = index === 0 ? 0 : -1;
      // Pressing a button leaves the focus, and the phone's keyboard, in the box.
      button.addEventListener("mousedown", function (event) { event.preventDefault(); });
      button.addEventListener("click", function () { format(box, button.dataset.format); });
    });
    toolbar.addEventListener("keydown", function (event) {
      var index = buttons.indexOf(document.activeElement);
      if (index === -1) { return; }
      var next = { ArrowRight: index + 1, ArrowLeft: index - 1, Home: 0, End: buttons.length - 1 }[event.key];
      if (next === undefined) { return; }
      event.preventDefault();
      next = (next + buttons.length) % buttons.length;
      buttons[index].tabIndex = -1;
      buttons[next].tabIndex = 0;
      buttons[next].focus();
    });
    box.addEventListener("keydown", function (event) {
      if (!(event.ctrlKey || event.metaKey) || event.altKey || event.shiftKey) { return; }
      var kind = { b: "bold", i: "italic" }[event.key.toLowerCase()];
      if (!kind) { return; }
      event.preventDefault();
      format(box, kind);
    });
    toolbar.hidden = false;
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-essay-toolbar]").forEach(setUp);
  });
})();
