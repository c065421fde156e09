"""Passages of an essay that a tutor comments on, and how they are found again.

A passage is a span of the essay's *plain text*: the text of its rendered
HTML (``Submission.text_html``) with the tags taken out, exactly what a
browser's ``textContent`` gives for the element holding it. Offsets count
Unicode code points (Python's ``str`` indexing); the marking page's script
converts from the browser's UTF-16 offsets (static/admin/js/marking.js).

A submitted essay never changes, so a passage's offsets never move. The words
are kept too (``PassageComment.passage``): the data download shows them, and a
passage whose words no longer match its offsets is refused, never guessed at.

``mark_passages`` shows the passages in the essay: each highlighted, with its
number and comment after it. Everything it adds that has text of its own
carries the attribute ``data-passage-extra``, so that ``plain_text(...,
skip_extras=True)`` and the marking page's script read the essay's own text,
at the same offsets, from the marked HTML too.
"""

import logging
from bisect import bisect_left, bisect_right
from collections import defaultdict
from dataclasses import dataclass
from html import escape
from html.parser import HTMLParser
from itertools import pairwise

logger = logging.getLogger(__name__)

EXTRA = "data-passage-extra"

# Elements with no end tag.
VOID_ELEMENTS = frozenset(
    {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "wbr"}
)
# A note goes inside the innermost of these around its passage's end, once
# every inline element around the end (a link above all) has closed. A <pre>
# is not one: a note inside it would be shown as preformatted text.
NOTE_BLOCKS = frozenset(
    {"p", "li", "h1", "h2", "h3", "h4", "h5", "h6", "td", "th", "dd", "dt", "caption", "blockquote"}
)
# Containers whose own whitespace is layout between their children, not
# words: a mark there would be out of place (a table even moves it out).
STRUCTURAL = frozenset({"ul", "ol", "dl", "table", "thead", "tbody", "tfoot", "tr", "blockquote"})


class PassageNotFound(ValueError):
    """The passage is not in the essay; the message says so kindly."""


class _Tokens(HTMLParser):
    """The HTML as tokens, and its text as a browser reads it.

    Tokens are ("start", tag, attrs), ("end", tag), ("void", tag, attrs) and
    ("text", text, offset), where offset is where the text starts in the
    plain text. As a browser does, line breaks are LF whatever they were
    typed as, and a line break straight after <pre> is not text.
    """

    def __init__(self, skip_extras: bool = False):
        super().__init__(convert_charrefs=True)
        self.tokens: list[tuple] = []
        self.parts: list[str] = []
        self.length = 0
        self._skip_extras = skip_extras
        self._extra_depth = 0  # > 0: inside an element that data-passage-extra marks
        self._after_pre = False

    def read(self, html: str):
        # What a browser does to its input before it parses it.
        self.feed(html.replace("\r\n", "\n").replace("\r", "\n"))
        self.close()
        return self

    def handle_starttag(self, tag, attrs):
        self._after_pre = tag == "pre"
        void = tag in VOID_ELEMENTS
        if self._extra_depth:
            self._extra_depth += 0 if void else 1
            return
        if self._skip_extras and any(name == EXTRA for name, _ in attrs):
            self._extra_depth = 0 if void else 1
            return
        self.tokens.append(("void" if void else "start", tag, attrs))

    def handle_startendtag(self, tag, attrs):
        self._after_pre = False
        if self._extra_depth or (self._skip_extras and any(name == EXTRA for name, _ in attrs)):
            return
        self.tokens.append(("void", tag, attrs))

    def handle_endtag(self, tag):
        self._after_pre = False
        if self._extra_depth:
            self._extra_depth -= 0 if tag in VOID_ELEMENTS else 1
            return
        if tag not in VOID_ELEMENTS:
            self.tokens.append(("end", tag))

    def handle_data(self, data):
        if self._after_pre and data.startswith("\n"):
            data = data[1:]
        self._after_pre = False
        if self._extra_depth or not data:
            return
        self.tokens.append(("text", data, self.length))
        self.parts.append(data)
        self.length += len(data)


def plain_text(html: str, *, skip_extras: bool = False) -> str:
    """The text of ``html`` as a browser's ``textContent`` reads it.

    With ``skip_extras``, without the text of elements carrying the
    ``data-passage-extra`` attribute (the numbers and comments that
    ``mark_passages`` adds): the essay's own text, from marked HTML."""
    return "".join(_Tokens(skip_extras).read(html).parts)


def locate(plain: str, words: str, start: int | None = None, end: int | None = None):
    """The (start, end) of a passage in ``plain``, trimmed of surrounding space.

    With offsets (chosen by selecting text on the marking page), they must
    give exactly ``words``. Without them (no JavaScript: the tutor copies the
    words into a box), the words' first occurrence is used; spaces and line
    breaks inside them may differ from the essay's.
    """
    if start is not None and end is not None:
        if not 0 <= start < end <= len(plain) or _squash(plain[start:end]) != _squash(words):
            raise PassageNotFound(
                "That passage could not be found in the essay as selected. Please select it again."
            )
    else:
        start, end = _find(plain, words)
    while start < end and plain[start].isspace():
        start += 1
    while end > start and plain[end - 1].isspace():
        end -= 1
    if start == end:
        raise PassageNotFound("Please choose some words of the essay to comment on.")
    return start, end


def _squash(text: str) -> str:
    return " ".join(text.split())


def _find(plain: str, words: str) -> tuple[int, int]:
    wanted = words.split()
    if not wanted:
        raise PassageNotFound("Please copy the words of the essay you are commenting on.")
    # Match word by word, so a line break in the essay matches a space in
    # the copied words and the other way round.
    tokens = []  # (start, end) of each run of non-space characters
    position = 0
    for token in plain.split():
        position = plain.index(token, position)
        tokens.append((position, position + len(token)))
        position += len(token)
    count = len(wanted)
    for first in range(len(tokens) - count + 1):
        window = tokens[first : first + count]
        if all(plain[s:e] == w for (s, e), w in zip(window, wanted, strict=True)):
            return tokens[first][0], tokens[first + count - 1][1]
    # The copied words may start or end in the middle of a word.
    squashed = _squash(words)
    index = plain.find(squashed)
    if index >= 0:
        return index, index + len(squashed)
    raise PassageNotFound(
        "Those words are not in the essay. Please copy them from the essay exactly."
    )


@dataclass(frozen=True)
class Marked:
    """An essay's HTML with its passages marked, and the numbers of the
    comments that could not be placed (shown apart, never lost)."""

    html: str
    skipped: tuple[int, ...] = ()


def mark_passages(html: str, comments, id_prefix: str = "passage") -> str:
    """The essay ``html`` with each comment's passage highlighted and, after
    it, the comment's number and text. See ``marked``."""
    return marked(html, comments, id_prefix).html


def marked(html: str, comments, id_prefix: str = "passage") -> Marked:
    """The essay ``html`` (sanitised, as peersupport/rendering.py gives it)
    with the passages of ``comments`` (objects with ``start``, ``end``,
    ``comment`` and, to check the words still match, ``passage``) marked.
    A comment's number is its position in ``comments``, from 1.

    * A passage's text is wrapped in ``<mark class="passage"
      data-passage="N">``, in pieces wherever it crosses a tag, so the HTML
      stays well-formed. A piece under several passages is one mark whose
      ``data-passage`` lists their numbers: ``data-passage="1 2"``. Space
      that only lays out blocks (between list items, table rows,
      paragraphs) is left unmarked: a mark there would be out of place.
    * After the passage's end (and the rest of the word it ends in), once
      every inline element around the end has closed (so never inside a
      link), inside its paragraph, list item, heading or cell::

        <sup class="passage-number" aria-hidden="true" data-passage-extra>N</sup>
        <span class="passage-note" id="{id_prefix}-note-N" role="note" data-passage-extra>
          <span class="visually-hidden">Tutor’s comment </span>
          <span class="passage-note-number">N.</span> {comment, escaped, <br> for line breaks}
        </span>

      (on one line, without the spaces between tags). A passage ending in
      preformatted code has its note after the ``</pre>``. Notes at the same
      point follow each other in the order their passages end, then by
      number.

    A comment whose offsets are outside the essay, or whose words no longer
    match them, is left out (and logged, without its words): its number is
    in ``skipped``.
    """
    parsed = _Tokens().read(html)
    plain = "".join(parsed.parts)
    placed, skipped = [], []
    for number, comment in enumerate(comments, start=1):
        if _fits(comment, plain):
            placed.append((number, comment.start, comment.end, comment.comment))
        else:
            logger.warning("Passage comment %s not shown: its passage is not in the essay", number)
            skipped.append(number)
    if not placed:
        return Marked(html, tuple(skipped))
    return Marked(_Marker(placed, id_prefix).write(parsed.tokens), tuple(skipped))


def _fits(comment, plain: str) -> bool:
    start, end = comment.start, comment.end
    if not (isinstance(start, int) and isinstance(end, int) and 0 <= start < end <= len(plain)):
        return False
    words = getattr(comment, "passage", None)
    return words is None or _squash(plain[start:end]) == _squash(words)


def note_html(number: int, comment: str, id_prefix: str = "passage") -> str:
    """A comment's number and note, as ``marked`` places them after its passage."""
    text = escape(comment.replace("\r\n", "\n").replace("\r", "\n").strip()).replace("\n", "<br>")
    return (
        f'<sup class="passage-number" aria-hidden="true" {EXTRA}>{number}</sup>'
        f'<span class="passage-note" id="{escape(id_prefix)}-note-{number}" role="note" {EXTRA}>'
        f'<span class="visually-hidden">Tutor’s comment </span>'
        f'<span class="passage-note-number">{number}.</span> {text}</span>'
    )


def _start_tag(tag: str, attrs) -> str:
    parts = [tag]
    for name, value in attrs:
        parts.append(name if value is None else f'{name}="{escape(value)}"')
    return "<" + " ".join(parts) + ">"


def _note_target(stack: list[str]) -> int:
    """How deep the open elements may be where a note goes: inside the
    innermost block around the passage's end, outside any link."""
    target = 0
    for index, tag in enumerate(stack):
        if tag == "a":
            break
        if tag in NOTE_BLOCKS:
            target = index + 1
    return target


def _word_end(text: str, index: int) -> int:
    """Where the run of non-space characters at ``text[index:]`` ends."""
    while index < len(text) and not text[index].isspace():
        index += 1
    return index


class _Marker:
    def __init__(self, placed, id_prefix: str):
        # Where some passage starts or ends, and which passages cover the text
        # from each such point to the next ("1 2"; "" for none).
        self.cuts = sorted({start for _, start, _, _ in placed} | {end for _, _, end, _ in placed})
        self.labels = [
            " ".join(str(number) for number, start, end, _ in placed if start <= cut < end)
            for cut in self.cuts
        ]
        self.ends: dict[int, list[int]] = defaultdict(list)  # end -> numbers
        for number, _, end, _ in placed:
            self.ends[end].append(number)
        self.end_offsets = sorted(self.ends)
        self.notes = {number: note_html(number, text, id_prefix) for number, _, _, text in placed}
        self.out: list[str] = []
        self.stack: list[str] = []
        self.pending: list[tuple[int, int]] = []  # (target depth, number): notes to place

    def write(self, tokens) -> str:
        out = self.out
        for token in tokens:
            kind = token[0]
            if kind == "text":
                self._text(token[1], token[2])
            elif kind == "end":
                tag = token[1]
                if tag in self.stack:
                    depth = len(self.stack) - 1 - self.stack[::-1].index(tag)
                    self._place(closing_to=depth)
                    del self.stack[depth:]
                out.append(f"</{tag}>")
            else:
                self._place()
                out.append(_start_tag(token[1], token[2]))
                if kind == "start":
                    self.stack.append(token[1])
                    if token[1] == "pre":
                        # The browser drops a line break straight after <pre>:
                        # this one, so the essay's own first line break stays.
                        out.append("\n")
        self._place(closing_to=-1)
        return "".join(out)

    def _place(self, closing_to: int | None = None):
        """Write the notes whose inline elements have closed, and those whose
        block is about to close (``closing_to``: the depth after an end tag)
        while they still wait, which well-formed HTML never leaves."""
        still = []
        for target, number in self.pending:
            if len(self.stack) <= target or (closing_to is not None and target > closing_to):
                self.out.append(self.notes[number])
            else:
                still.append((target, number))
        self.pending = still

    def _text(self, text: str, offset: int):
        stop = offset + len(text)
        first_cut = bisect_right(self.cuts, offset)
        if (
            not self.pending
            and (first_cut == len(self.cuts) or self.cuts[first_cut] > stop)
            and not self._label(offset)
        ):
            # No passage here (most of an essay): the text as it was.
            self.out.append(escape(text, quote=False))
            return
        notes_at: dict[int, list[int]] = defaultdict(list)
        # Notes waiting for an inline element to close: after the rest of the
        # word ("hope</em>." puts the number after the full stop).
        still = []
        for target, number in self.pending:
            if len(self.stack) <= target:
                notes_at[offset + _word_end(text, 0)].append(number)
            else:
                still.append((target, number))
        self.pending = still
        target = None
        first = bisect_right(self.end_offsets, offset)
        for end in self.end_offsets[first : bisect_right(self.end_offsets, stop)]:
            if target is None:
                target = _note_target(self.stack)
            for number in self.ends[end]:
                if len(self.stack) <= target:
                    notes_at[offset + _word_end(text, end - offset)].append(number)
                else:
                    self.pending.append((target, number))
        cuts = self.cuts[first_cut : bisect_left(self.cuts, stop)]
        points = sorted({offset, *cuts, *notes_at, stop})
        out = self.out
        for number in notes_at.get(offset, ()):
            out.append(self.notes[number])
        for begin, finish in pairwise(points):
            piece = text[begin - offset : finish - offset]
            label = self._label(begin)
            if label and (not piece.isspace() or self._marks_space(piece)):
                piece = escape(piece, quote=False)
                out.append(f'<mark class="passage" data-passage="{label}">{piece}</mark>')
            else:
                out.append(escape(piece, quote=False))
            for number in notes_at.get(finish, ()):
                out.append(self.notes[number])

    def _label(self, position: int) -> str:
        """The numbers of the passages covering the character at ``position``."""
        index = bisect_right(self.cuts, position) - 1
        return self.labels[index] if index >= 0 else ""

    def _marks_space(self, piece: str) -> bool:
        parent = self.stack[-1] if self.stack else None
        if parent is None or parent in STRUCTURAL:
            return False
        # In a list item, a line break is the layout between a nested list
        # or paragraph and the item's own words.
        return parent != "li" or "\n" not in piece
