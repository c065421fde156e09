"""Passages of an essay: its plain text, finding a passage in it, and showing
the tutor's comments on passages in the essay (assessments/passages.py)."""

import logging
import time
from dataclasses import dataclass
from html.parser import HTMLParser

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from assessments.passages import (
    VOID_ELEMENTS,
    PassageNotFound,
    locate,
    mark_passages,
    marked,
    plain_text,
)
from peersupport.rendering import render_learner_markdown
from tests.html_audit import script_problems
from tests.xss_payloads import PAYLOADS

tinyhtml5 = pytest.importorskip("tinyhtml5")  # an HTML5 parser, as browsers parse


@dataclass
class Comment:
    """What mark_passages reads of a PassageComment."""

    start: int
    end: int
    comment: str
    passage: str | None = None


def comment_on(plain: str, words: str, comment: str = "A comment", occurrence: int = 0):
    start = -1
    for _ in range(occurrence + 1):
        start = plain.index(words, start + 1)
    return Comment(start, start + len(words), comment, words)


# ------------------------------------------------------------- the checks


XHTML = "{http://www.w3.org/1999/xhtml}"


def browser_text(html: str, skip_extras: bool = False) -> str:
    """The textContent of an element holding ``html``, parsed as a browser
    parses it (tables move stray content out, and so on)."""
    root = tinyhtml5.parse(f'<!doctype html><body><div id="essay">{html}</div>')
    essay = next(e for e in root.iter(XHTML + "div") if e.get("id") == "essay")
    parts = []

    def walk(element):
        if skip_extras and "data-passage-extra" in element.attrib:
            return
        parts.append(element.text or "")
        for child in element:
            walk(child)
            parts.append(child.tail or "")

    walk(essay)
    return "".join(parts)


# Where a mark or note would be out of place: a list holds only items, and a
# browser moves anything but cells out of a table.
LAYOUT_ONLY = {"ul", "ol", "table", "thead", "tbody", "tr"}


class Structure(HTMLParser):
    """Reads marked HTML and lists what is wrong with its structure: tags
    that do not nest, a mark holding anything but text, a mark or note
    where a browser would move it, a note inside a link; and collects the
    text of each passage's marks and each note's text."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.stack: list[tuple[str, dict]] = []
        self.problems: list[str] = []
        self.marked: dict[str, list[str]] = {}  # number -> texts of its marks
        self.notes: list[str] = []  # ids, in the order they come
        self.note_text: dict[str, str] = {}

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        tags = [t for t, _ in self.stack]
        if tags and tags[-1] == "mark":
            self.problems.append(f"<{tag}> inside a mark")
        if (tag == "mark" or "data-passage-extra" in attrs) and tags and tags[-1] in LAYOUT_ONLY:
            self.problems.append(f"<{tag}> straight inside <{tags[-1]}>")
        if "data-passage-extra" in attrs and "a" in tags:
            self.problems.append("a note inside a link")
        if attrs.get("role") == "note":
            self.notes.append(attrs["id"])
            self.note_text[attrs["id"]] = ""
        if tag not in VOID_ELEMENTS:
            self.stack.append((tag, attrs))

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)

    def handle_endtag(self, tag):
        if tag in VOID_ELEMENTS:
            return
        if not self.stack or self.stack[-1][0] != tag:
            self.problems.append(f"</{tag}> does not close the open <{self.stack[-1][0]}>")
            return
        self.stack.pop()

    def handle_data(self, data):
        if self.stack and self.stack[-1][0] == "mark":
            for number in self.stack[-1][1]["data-passage"].split():
                self.marked.setdefault(number, []).append(data)
        for _, attrs in self.stack:
            if attrs.get("role") == "note":
                self.note_text[attrs["id"]] += data

    def check(self, html: str) -> "Structure":
        self.feed(html)
        self.close()
        if self.stack:
            self.problems.append(f"left open: {[t for t, _ in self.stack]}")
        return self


def check_marked(html: str, comments) -> Structure:
    """Mark ``comments`` in ``html`` and check everything that must hold."""
    out = mark_passages(html, comments)
    plain = plain_text(html)
    structure = Structure().check(out)
    assert structure.problems == []
    # The essay's own text, read past the numbers and notes, is unchanged:
    # the same offsets mean the same words, on the server and in a browser.
    assert plain_text(out, skip_extras=True) == plain
    assert browser_text(out, skip_extras=True) == browser_text(html) == plain
    assert script_problems(out) == script_problems(html)
    for number, comment in enumerate(comments, start=1):
        words = plain[comment.start : comment.end]
        # Only whitespace between blocks is left unmarked.
        assert "".join("".join(structure.marked[str(number)]).split()) == "".join(words.split())
        assert structure.notes.count(f"passage-note-{number}") == 1
        note = structure.note_text[f"passage-note-{number}"]
        assert note == f"Tutor’s comment {number}. {comment.comment.strip()}".replace("\n", "")
    return structure


# -------------------------------------------------------------- plain_text


@pytest.mark.parametrize(
    ("html", "text"),
    [
        (
            "<p>Fish &amp; chips &lt;b&gt; &quot;ok&quot; &copy; a&nbsp;b</p>",
            'Fish & chips <b> "ok" © a\xa0b',
        ),
        (
            "<p>One <em>two <strong>three</strong></em> four</p>\n<p>Five</p>",
            "One two three four\nFive",
        ),
        ("<ul>\n<li>a</li>\n<li>b<br>\nc</li>\n</ul>", "\na\nb\nc\n"),
        # As a browser reads its input: CRLF and CR are line feeds...
        ("<p>a\r\nb\rc</p>", "a\nb\nc"),
        # ... and a line break straight after <pre> is not text.
        ("<pre>\ncode\n</pre>", "code\n"),
        ("<pre><code>\ncode</code></pre>", "\ncode"),
    ],
)
def test_plain_text_is_what_a_browser_reads(html, text):
    assert plain_text(html) == text
    assert browser_text(html) == text


def test_offsets_count_unicode_code_points():
    html = render_learner_markdown("Café 👩🏽‍🚀 we cafe\u0301 *hope*")
    plain = plain_text(html)
    assert plain == "Café 👩🏽‍🚀 we cafe\u0301 hope"
    # The astronaut is four code points, the combining accent one.
    assert locate(plain, "we") == (10, 12)
    assert locate(plain, "hope") == (19, 23)
    assert plain[locate(plain, "cafe\u0301")[0] :].startswith("cafe\u0301")


def test_plain_text_can_skip_what_mark_passages_adds():
    html = (
        "<p>a<sup data-passage-extra>1</sup><span data-passage-extra>"
        "<span>note</span> on<br>two lines</span>b<br/>c</p>"
    )
    assert plain_text(html) == "a1note ontwo linesbc"
    assert plain_text(html, skip_extras=True) == "abc"


# ------------------------------------------------------------------ locate


def test_locate_checks_offsets_against_the_words():
    plain = "Peer support is hope.\nIt is listening."
    assert locate(plain, "support is hope", 5, 20) == (5, 20)
    # Space around a selection is trimmed off.
    assert locate(plain, " support ", 4, 13) == (5, 12)
    with pytest.raises(PassageNotFound, match="select it again"):
        locate(plain, "support is hope", 4, 19)
    with pytest.raises(PassageNotFound, match="select it again"):
        locate(plain, "listening.", 30, 99)


def test_locate_finds_copied_words_across_line_breaks():
    plain = "Peer support is hope.\nIt is listening."
    # Copied with a space where the essay breaks the line, and the other way.
    assert locate(plain, "hope. It is") == (16, 27)
    assert locate(plain, "support\nis") == (5, 15)
    # The first occurrence; part words too.
    assert locate(plain, "is") == (13, 15)
    assert locate(plain, "isten") == (29, 34)


@pytest.mark.parametrize(
    ("words", "message"),
    [
        ("support is despair", "Those words are not in the essay"),
        ("   ", "Please copy the words"),
    ],
)
def test_locate_says_kindly_when_the_words_are_not_there(words, message):
    with pytest.raises(PassageNotFound, match=message):
        locate("Peer support is hope.", words)


# ----------------------------------------------------------- mark_passages


ESSAY = """\
## Why peer support

Peer support is *hope made visible*. It is [listening without judging](https://example.org/a)
and sharing what helped.

- It builds **trust**
- It reduces isolation

> Nothing about us without us.

| Who | What |
|-----|------|
| Peers | Listen |

    code & <b>not bold</b>

Last paragraph: café 👩🏽‍🚀 done.
"""


@pytest.fixture
def essay():
    html = render_learner_markdown(ESSAY)
    return html, plain_text(html)


def test_a_passage_is_marked_and_its_comment_follows_it(essay):
    html, plain = essay
    comments = [comment_on(plain, "Peer support is", "Good start.\nSay more.")]
    out = mark_passages(html, comments)
    check_marked(html, comments)
    assert (
        '<p><mark class="passage" data-passage="1">Peer support is</mark>'
        '<sup class="passage-number" aria-hidden="true" data-passage-extra>1</sup>'
        '<span class="passage-note" id="passage-note-1" role="note" data-passage-extra>'
        '<span class="visually-hidden">Tutor’s comment </span>'
        '<span class="passage-note-number">1.</span> Good start.<br>Say more.</span> <em>hope'
    ) in out


def test_the_note_comes_after_the_rest_of_the_word_and_outside_inline_elements(essay):
    html, plain = essay
    comments = [comment_on(plain, "hope made"), comment_on(plain, "visibl")]
    out = mark_passages(html, comments)
    check_marked(html, comments)
    # Both inside <em>: the notes wait for it to close, then for the full stop.
    assert (
        '<em><mark class="passage" data-passage="1">hope made</mark> '
        '<mark class="passage" data-passage="2">visibl</mark>e</em>.<sup'
    ) in out
    assert out.index('id="passage-note-1"') < out.index('id="passage-note-2"')


def test_a_note_is_never_part_of_a_link(essay):
    html, plain = essay
    comments = [comment_on(plain, "without")]
    out = mark_passages(html, comments)
    check_marked(html, comments)
    assert 'without</mark> judging</a><sup class="passage-number"' in out


def test_a_passage_across_paragraphs_is_marked_in_each(essay):
    html, plain = essay
    start = plain.index("helped.")
    end = plain.index("isolation") + len("isolation")
    comments = [Comment(start, end, "Across", plain[start:end])]
    structure = check_marked(html, comments)
    out = mark_passages(html, comments)
    assert out.count('data-passage="1"') == 4  # helped. / It builds / trust / It reduces isolation
    # The note once, at the end, inside the list item.
    assert "isolation</mark><sup" in out and structure.notes == ["passage-note-1"]
    assert out.index('id="passage-note-1"') < out.index("</li>\n</ul>")


def test_overlapping_passages_share_one_mark_with_both_numbers(essay):
    html, plain = essay
    comments = [
        comment_on(plain, "Peer support is hope"),
        comment_on(plain, "support is hope made"),
    ]
    out = mark_passages(html, comments)
    check_marked(html, comments)
    assert '<mark class="passage" data-passage="1">Peer </mark>' in out
    assert '<mark class="passage" data-passage="1 2">support is </mark>' in out
    assert '<mark class="passage" data-passage="1 2">hope</mark>' in out
    assert '<mark class="passage" data-passage="2"> made</mark>' in out


def test_passages_in_tables_quotes_code_and_headings(essay):
    html, plain = essay
    comments = sorted(
        [
            comment_on(plain, "Why peer"),
            comment_on(plain, "Nothing about"),
            comment_on(plain, "Peers"),
            comment_on(plain, "<b>not"),
            comment_on(plain, "👩🏽‍🚀 done"),
        ],
        key=lambda c: c.start,
    )
    out = mark_passages(html, comments)
    check_marked(html, comments)
    # In code, the note comes after the whole code block.
    assert '&lt;b&gt;not</mark> bold&lt;/b&gt;\n</code></pre><sup class="passage-number"' in out
    assert "<td><mark" in out and "Peers</mark><sup" in out


def test_comments_and_passages_with_markup_stay_text(essay):
    html, plain = essay
    comments = [
        comment_on(plain, "<b>not bold</b>", '<script>alert("x")</script> <b>bold?</b> & <i'),
    ]
    out = mark_passages(html, comments)
    check_marked(html, comments)
    assert "<script" not in out and "<b>" not in out and "<i" not in out.replace("<img", "")
    assert (
        "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &lt;b&gt;bold?&lt;/b&gt; &amp; &lt;i"
        in out
    )
    assert "&lt;b&gt;not bold&lt;/b&gt;</mark>" in out


def test_comments_are_numbered_by_their_position(essay):
    html, plain = essay
    comments = [comment_on(plain, w, f"Comment {w}") for w in ["Peer", "trust", "Last"]]
    out = mark_passages(html, comments, id_prefix="attempt-2")
    structure = Structure().check(out)
    assert structure.notes == ["attempt-2-note-1", "attempt-2-note-2", "attempt-2-note-3"]
    assert ">3</sup>" in out and "Comment Last" in out.split('id="attempt-2-note-3"')[1]


def test_a_comment_that_does_not_fit_the_essay_is_left_out_and_logged(essay, caplog):
    html, plain = essay
    comments = [
        Comment(len(plain) - 2, len(plain) + 5, "Beyond the end"),
        comment_on(plain, "Peer support", "Fits"),
        Comment(0, 4, "Words changed", passage="Something else"),
        Comment(5, 5, "Empty"),
    ]
    with caplog.at_level(logging.WARNING, logger="assessments.passages"):
        result = marked(html, comments)
    assert result.skipped == (1, 3, 4)
    assert 'data-passage="2"' in result.html and "Fits" in result.html
    assert "Beyond" not in result.html and "Words changed" not in result.html
    assert len(caplog.records) == 3
    assert "Something else" not in caplog.text  # no words of the essay in the log


def test_no_comments_leave_the_essay_as_it_was(essay):
    html, _ = essay
    assert mark_passages(html, []) == html


def test_marking_a_long_essay_takes_a_few_milliseconds():
    paragraphs = [
        " ".join(f"word{i}{'*' if i % 17 == 0 else ''} hope *peer* support," for i in range(40))
        for _ in range(19)
    ]
    html = render_learner_markdown("\n\n".join(paragraphs))
    plain = plain_text(html)
    assert len(plain.split()) >= 3000
    comments = [Comment(i * 300, i * 300 + 120, f"Comment {i}") for i in range(50)]
    check_marked(html, comments[:5])
    timings = []
    for _ in range(5):
        began = time.perf_counter()
        mark_passages(html, comments)
        timings.append(time.perf_counter() - began)
    # About 3 ms on the development machine; the margin is for a busy CPU.
    assert min(timings) < 0.05


# ------------------------------------------ the properties, on many essays


def passages_of(plain: str, cuts: list[int]) -> list[Comment]:
    """Passages from pairs of cut points, trimmed as locate trims them."""
    comments = []
    for first, second in zip(cuts[::2], cuts[1::2], strict=False):
        start, end = sorted((first % (len(plain) + 1), second % (len(plain) + 1)))
        while start < end and plain[start].isspace():
            start += 1
        while end > start and plain[end - 1].isspace():
            end -= 1
        if start < end:
            comments.append(Comment(start, end, f"Note <b>{len(comments)}</b>", plain[start:end]))
    return sorted(comments, key=lambda c: (c.start, c.end))


@pytest.mark.parametrize("payload", PAYLOADS)
def test_marking_keeps_hostile_essays_harmless_and_their_text_unchanged(payload):
    html = render_learner_markdown(f"Before it: {payload}\n\n*After* it, {payload} [x](y)")
    plain = plain_text(html)
    if not plain.strip():
        return
    step = max(1, len(plain) // 7)
    check_marked(html, passages_of(plain, list(range(0, len(plain) + step, step))))
    check_marked(html, passages_of(plain, [0, len(plain)]))


INLINE = st.sampled_from(
    [
        "hope", "peer", "support,", "*em*", "**strong**", "`code <b>`", "[a link](https://x.org)",
        "[**bold link**](https://x.org)", "~~no~~", "&amp;", "<b>", "café", "cafe\u0301", "👩🏽‍🚀",
        "x^2", "line  \nbreak", "***both***", "a_b", "'quoted'", "--", "\t",
    ]
)  # fmt: skip
LINE = st.lists(INLINE, min_size=1, max_size=8).map(" ".join)
BLOCK = st.one_of(
    LINE,
    LINE.map(lambda line: "## " + line),
    st.lists(LINE, min_size=1, max_size=3).map(lambda lines: "\n".join("- " + x for x in lines)),
    st.lists(LINE, min_size=1, max_size=3).map(
        lambda lines: "\n\n".join(f"{i + 1}. {x}" for i, x in enumerate(lines))
    ),
    LINE.map(lambda line: "> " + line),
    LINE.map(lambda line: "    " + line.replace("\n", "\n    ")),
    st.tuples(LINE, LINE).map(
        lambda cells: (
            f"| a | b |\n|---|---|\n| {cells[0].replace(chr(10), ' ')} "
            f"| {cells[1].replace(chr(10), ' ')} |"
        )
    ),
)
ESSAYS = st.lists(BLOCK, min_size=1, max_size=6).map("\n\n".join)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=ESSAYS, cuts=st.lists(st.integers(min_value=0, max_value=10_000), max_size=12))
def test_marked_essays_are_well_formed_and_keep_their_text(text, cuts):
    html = render_learner_markdown(text)
    plain = plain_text(html)
    if not plain.strip():
        return
    check_marked(html, passages_of(plain, cuts))
