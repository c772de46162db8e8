"""Transcripts copied from a web page's source: paragraphs and line breaks are tags, not
blank lines.  `html_to_markdown` turns them into the markdown the layout stage reads."""

from __future__ import annotations

import re

__all__ = ["html_to_markdown"]

_SCAN = 20_000  # characters looked at to tell HTML (as the markdown check does)
_HTML_BREAKS = re.compile(r"(?i)</p\s*>|<br\s*/?>|</div\s*>|</h[1-6]\s*>|</li\s*>")
_HTML_BLOCK = re.compile(
    r"(?i)</?(?:p|div|section|article|blockquote|ul|ol|li|table|tr)\b[^<>]{0,300}>"
)
_HTML_HEADING = re.compile(r"(?i)<h([1-6])\b[^<>]{0,300}>")
_HTML_STRONG = re.compile(r"(?i)</?(?:strong|b)\s*>")
_HTML_EM = re.compile(r"(?i)</?(?:em|i)\s*>")
_HTML_MIN_BREAKS = 3


def html_to_markdown(text: str) -> str | None:
    """Markdown for text that is a web page's HTML (three or more paragraph or line-break
    tags in its first part): "<p>" opens a paragraph, "<br>" a line, "<strong>" is bold;
    other tags are left for the line cleaner. None when the text is not HTML."""
    if len(_HTML_BREAKS.findall(text[:_SCAN])) < _HTML_MIN_BREAKS:
        return None
    text = re.sub(r"(?i)<br\s*/?>", "\n", text)
    text = _HTML_HEADING.sub(lambda m: "\n\n" + "#" * int(m.group(1)) + " ", text)
    text = re.sub(r"(?i)</h[1-6]\s*>", "\n\n", text)
    text = _HTML_BLOCK.sub("\n\n", text)
    text = _HTML_EM.sub("*", _HTML_STRONG.sub("**", text))
    return "\n".join(line.strip() for line in text.split("\n"))
