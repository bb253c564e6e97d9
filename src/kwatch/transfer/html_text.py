"""Letterboxd writes reviews in a little HTML (<p>, <br>, <i>, <b>, <a href>, <blockquote>):
readable text for people, the original kept beside it for the way back out."""

from __future__ import annotations

from html.parser import HTMLParser

_BLOCKS = {"p", "div", "blockquote", "li", "ul", "ol"}


class _Text(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.out: list[str] = []
        self.quote = 0
        self.href: list[str | None] = []

    def _newline(self, count: int = 2) -> None:
        text = "".join(self.out).rstrip(" ")
        ends = len(text) - len(text.rstrip("\n"))
        if text and ends < count:
            self.out.append("\n" * (count - ends))

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "br":
            self.out.append("\n")
        elif tag in _BLOCKS:
            self._newline()
            if tag == "blockquote":
                self.quote += 1
                self.out.append("> ")
            elif tag == "li":
                self.out.append("- ")
        elif tag == "a":
            self.href.append(dict(attrs).get("href"))

    def handle_endtag(self, tag: str) -> None:
        if tag in _BLOCKS:
            if tag == "blockquote":
                self.quote = max(0, self.quote - 1)
            self._newline()
        elif tag == "a" and self.href:
            href = self.href.pop()
            if href and href not in "".join(self.out[-1:]):
                self.out.append(f" ({href})")

    def handle_data(self, data: str) -> None:
        if self.quote:
            data = data.replace("\n", "\n> ")
        self.out.append(data)


def looks_like_html(text: str) -> bool:
    return ("<" in text and ">" in text) or "&" in text


def readable(text: str) -> str:
    """The review as plain text: paragraphs and line breaks kept, tags gone, entities read,
    links written out after their words, quotations marked with "> "."""
    if not looks_like_html(text):
        return text
    parser = _Text()
    parser.feed(text)
    parser.close()
    lines = "".join(parser.out).split("\n")
    return "\n".join(line.rstrip() for line in lines).strip("\n")
