"""What the transcript parser's tests share: the seed interview, and short ways to parse text
and to look at what the parse made."""

from __future__ import annotations

from pathlib import Path

from bot.models import Interview, InterviewMeta
from bot.transcript import parse_transcript

SEED = Path(__file__).resolve().parents[1] / "seeds" / "000_61add2952afc7ee4.txt"
SEED_META = InterviewMeta(title="Sean Baker on making “Anora”", interviewee="Sean Baker")


def write(tmp_path: Path, text: str, name: str = "talk.txt") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def parse(text: str, meta: InterviewMeta | None = None, source: str = "t.txt") -> Interview:
    return parse_transcript(
        text, interview_id="t", source=source, meta=meta or InterviewMeta(title="T")
    )


def answered(interview: Interview) -> list[tuple[str, str, str | None]]:
    """(speaker, answer, question) of every passage."""
    return [(p.speaker, p.text, p.question) for p in interview.passages]


said = answered  # the name the layout rounds' tests use


def roles(interview: Interview) -> dict[str, str]:
    """Each speaker's role."""
    return {r.name: r.role for r in interview.roles}


def kinds(interview: Interview) -> list[tuple[str, str | None]]:
    return [(p.kind, p.speaker) for p in interview.paragraphs]
