"""The blocks a transcript's layout is read into, shared by the line and cue readers."""

from __future__ import annotations

from dataclasses import dataclass, field

from bot.models import Dropped

__all__ = ["UNKNOWN_SPEAKER", "Block", "Layout", "record"]

UNKNOWN_SPEAKER = "Unidentified speaker"  # a caption's ">>" with no name after it


@dataclass(slots=True)
class Block:
    """One paragraph of speech (or of lede) after debris removal."""

    line: int  # 1-based line of its first line
    raw: str  # its first line as written
    text: str  # the words, label and debris removed
    label: str | None = None  # speaker label as written (markup removed)
    label_note: str | None = None  # "(host)" after a label
    note: bool = False  # an editorial note
    stamp: str | None = None  # first timestamp seen for it
    emphasis: bool = False  # wholly italic (an aside in markdown)
    strong: bool = False  # wholly bold
    section_start: bool = False  # first block after a heading or a rule
    labelled_alone: bool = False  # its label stood alone on the line above
    quoted: bool = False  # a markdown blockquote (not a pull quote)
    dashed: bool = False  # opened by a dialogue dash ("— Where were you?")
    header: bool = False  # a header field whose label was taken off ("Narrator: Jane Doe")


@dataclass(slots=True)
class Layout:
    kind: str
    blocks: list[Block] = field(default_factory=list)
    dropped: list[Dropped] = field(default_factory=list)
    front: dict[str, list[str]] = field(default_factory=dict)
    headings: list[str] = field(default_factory=list)
    intro: list[str] = field(default_factory=list)  # lines before the first label, one each


def record(layout: Layout, number: int, removed: list[tuple[str, str]]) -> None:
    for kind, what in removed:
        if kind != "markup" or not any(
            d.line == number and d.kind == "markup" for d in layout.dropped[-3:]
        ):
            layout.dropped.append(Dropped(number, kind, what))
