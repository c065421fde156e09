"""Checks that HTML can run no script, used by the rendering and XSS tests."""

import re
from html.parser import HTMLParser

FORBIDDEN_TAGS = {
    "script", "svg", "math", "iframe", "frame", "style", "object", "embed", "form",
    "base", "link", "meta", "input", "button", "textarea",
}  # fmt: skip
URL_ATTRIBUTES = {"href", "src", "action", "formaction", "xlink:href", "data", "srcset"}
_INVISIBLE = re.compile(r"[\x00-\x20\x7f]+")


class _Audit(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.problems = []

    def handle_starttag(self, tag, attrs):
        if tag in FORBIDDEN_TAGS:
            self.problems.append(f"<{tag}>")
        for name, value in attrs:
            if name.startswith("on") or name == "style":
                self.problems.append(f"{tag}[{name}]")
            if name in URL_ATTRIBUTES and value:
                scheme = _INVISIBLE.sub("", value).lower().split(":", 1)
                # tel: too: bleach reads "word:digits" as host and port (harmless).
                if len(scheme) == 2 and scheme[0] not in {"http", "https", "mailto", "tel"}:
                    self.problems.append(f"{tag}[{name}={value!r}]")

    handle_startendtag = handle_starttag

    def handle_comment(self, data):
        self.problems.append("<!-- comment -->")


def script_problems(html: str) -> list[str]:
    audit = _Audit()
    audit.feed(html)
    audit.close()
    return audit.problems


def assert_script_free(html: str) -> None:
    problems = script_problems(html)
    assert not problems, (problems, html)
