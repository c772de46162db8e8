"""How one transcript file was understood: `quotebot inspect FILE` and the import preview.

Plain module (no discord import): it reads the file with exactly the loader's rules
(`bot.loader.load_interview`, sidecar included) and describes the result: title and
layout, every speaker with their role and where the role came from, the first passages
with their questions, the debris kept out of quotes, and a sidecar that states the roles
as read, to correct and save beside the transcript when something was misread.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bot.errors import SourceError
from bot.loader import load_interview
from bot.models import Dropped, Interview, SpeakerInfo, SpeakerRole
from bot.textutil import one_line, toml_string, truncate

FIRST_PASSAGES = 5
_INITIALS = re.compile(r"[A-Z]{1,4}\.?|(?:[A-Z]\.){1,4}")
_GENERIC = frozenset(
    "a q answer question interviewee interviewer host guest speaker unknown".split()
)


@dataclass(frozen=True, slots=True)
class PassageLine:
    """One passage as the report shows it."""

    line: int
    speaker: str
    question: str | None
    text: str


@dataclass(frozen=True, slots=True)
class Inspection:
    """What `inspect_file` found; `interview` is None when the file could not be parsed."""

    path: str
    errors: tuple[SourceError, ...]
    interview: Interview | None = None
    speakers: tuple[SpeakerInfo, ...] = ()
    first: tuple[PassageLine, ...] = ()
    dropped: tuple[Dropped, ...] = ()
    sidecar_path: str = ""
    sidecar_exists: bool = False
    hint: str = ""  # the TOML to save as the sidecar to state the roles
    counts: dict[str, int] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        """The file would load (no problem in it or its sidecar)."""
        return self.interview is not None and not self.errors


def speaker_roles(interview: Interview) -> tuple[SpeakerInfo, ...]:
    """The parser's roles, or (from a parser that gives none) roles read off the passages."""
    if interview.roles:
        return interview.roles
    quoted = Counter(p.speaker for p in interview.passages if p.role == "interviewee")
    turns = Counter(
        p.speaker for p in interview.paragraphs if p.speaker and p.kind != "continuation"
    )
    stated = {interview.meta.interviewee, interview.meta.interviewer} - {None}
    infos = []
    for name in interview.speakers:
        role: SpeakerRole = "interviewee" if quoted[name] else "interviewer"
        source = "sidecar" if name in stated else "text"
        infos.append(SpeakerInfo(name, role, source, turns[name], quoted[name]))
    return tuple(infos)


def _names(infos: tuple[SpeakerInfo, ...], role: str) -> list[str]:
    return [s.name for s in infos if s.role == role]


def _toml_list(names: list[str]) -> str:
    return "[" + ", ".join(toml_string(n) for n in names) + "]"


def looks_unnamed(name: str) -> bool:
    """Initials ("JD", "J.D.") or a generic label ("Q", "Interviewee", "Speaker 2")."""
    bare = name.strip()
    words = bare.casefold().split()
    return bool(_INITIALS.fullmatch(bare)) or bool(words and words[0] in _GENERIC)


def sidecar_hint(interview: Interview, infos: tuple[SpeakerInfo, ...]) -> str:
    """A complete sidecar stating the roles as read: edit what is wrong, save it as the
    file's `.toml` (it replaces one that exists; its other keys are carried over)."""
    meta = interview.meta
    lines = [f"title = {toml_string(meta.title)}"]
    for key in ("publication", "date", "url"):
        value = getattr(meta, key)
        if value:
            lines.append(f"{key} = {toml_string(value)}")
    lines.append(f"interviewees = {_toml_list(_names(infos, 'interviewee'))}")
    lines.append(f"interviewers = {_toml_list(_names(infos, 'interviewer'))}")
    others = _names(infos, "other")
    if others:
        lines.append(f"# neither quoted nor asking: {', '.join(others)}")
    given = dict(getattr(meta, "aliases", ()))  # the sidecar's own, carried over
    if given:
        lines.append(f"aliases = {_toml_table(given)}")
    for info in infos:
        if info.name in given or not looks_unnamed(info.name):
            continue
        if _INITIALS.fullmatch(info.name):
            table = _toml_table({**given, info.name: "Full Name"})
            lines.append(f"# {info.name} is initials: name the person with aliases = {table}")
        else:
            lines.append(
                f"# {info.name} is a label, not a name: write the person's name in the list"
            )
    return "\n".join(lines) + "\n"


def _toml_table(pairs: dict[str, str]) -> str:
    return "{ " + ", ".join(f"{toml_string(k)} = {toml_string(v)}" for k, v in pairs.items()) + " }"


def inspect_file(path: Path, first: int = FIRST_PASSAGES) -> Inspection:
    """Read `path` (and its sidecar) as a load would, and describe what came out."""
    sidecar = path.with_suffix(".toml")
    if not path.is_file():
        missing = SourceError(str(path), None, "no such file")
        return Inspection(str(path), (missing,), sidecar_path=str(sidecar))
    interview, errors = load_interview(path)
    if interview is None:
        return Inspection(str(path), tuple(errors), sidecar_path=str(sidecar))
    infos = speaker_roles(interview)
    passages = interview.passages
    shown = tuple(
        PassageLine(p.line, p.speaker, p.question, " ".join(p.sentences) or p.text)
        for p in passages[:first]
    )
    counts = {
        "passages": len(passages),
        "with_question": sum(1 for p in passages if p.question),
        "dropped": len(interview.dropped),
    }
    return Inspection(
        str(path),
        tuple(errors),
        interview,
        infos,
        shown,
        interview.dropped,
        sidecar_path=str(sidecar),
        sidecar_exists=sidecar.is_file(),
        hint=sidecar_hint(interview, infos),
        counts=counts,
    )


def speaker_line(info: SpeakerInfo) -> str:
    """`Jane Doe: interviewee (sidecar), 12 turns, 11 passages`."""
    return (
        f"{info.name}: {info.role} ({info.source or 'text'}), "
        f"{info.turns} turn(s), {info.passages} passage(s)"
    )


DROPPED_LISTED = 40  # debris lines printed; a podcast drops hundreds of timestamps
# Bold or italic markers around labels and words are counted, not listed line by line.
_MARKERS = frozenset({"**", "*", "__", "_", "<tag>"})


def dropped_summary(dropped: tuple[Dropped, ...]) -> str:
    """`4 timestamp, 2 heading` — what kinds of debris, most common first."""
    kinds = Counter(d.kind for d in dropped)
    return ", ".join(f"{n} {kind}" for kind, n in kinds.most_common()) or "nothing"


def render_text(found: Inspection, *, width: int = 100) -> str:
    """The report as `quotebot inspect` prints it."""
    out: list[str] = []
    iv = found.interview
    if iv is not None:
        out.append(f"{found.path}")
        out.append(f"  title:  {iv.title}")
        out.append(f"  id:     {iv.id}")
        out.append(f"  layout: {iv.layout or 'not reported by the parser'}")
        c = found.counts
        out.append(
            f"  {c['passages']} quotable passage(s), {c['with_question']} with their question"
        )
        out.append("")
        out.append("Speakers (role, where the role came from):")
        out.extend(f"  {speaker_line(s)}" for s in found.speakers)
        out.append("")
        out.append(f"First {len(found.first)} passage(s):")
        for p in found.first:
            out.append(f"  line {p.line}, {p.speaker}:")
            question = one_line(p.question) if p.question else "(no question)"
            out.append(f"    Q: {truncate(question, width - 7)}")
            out.append(f"    A: {truncate(one_line(p.text), width - 7)}")
        out.append("")
        out.append(f"Dropped as debris: {dropped_summary(found.dropped)}")
        listed = [d for d in found.dropped if not (d.kind == "markup" and d.text in _MARKERS)]
        for d in listed[:DROPPED_LISTED]:
            out.append(f"  line {d.line} ({d.kind}): {truncate(one_line(d.text), width - 20)}")
        if len(listed) > DROPPED_LISTED:
            out.append(f"  … and {len(listed) - DROPPED_LISTED} more (--json lists every one)")
        out.append("")
        action = "replace" if found.sidecar_exists else "create"
        out.append(f"If a role or name is wrong, {action} {found.sidecar_path} with this, edited:")
        out.extend(f"  {line}" for line in found.hint.splitlines())
    if found.errors:
        if out:
            out.append("")
        out.append("Problems (the file will not load until they are fixed):")
        out.extend(f"  {e}" for e in found.errors)
    return "\n".join(out)


def as_json(found: Inspection) -> dict[str, Any]:
    """The report as `quotebot inspect --json` prints it."""
    iv = found.interview
    return {
        "file": found.path,
        "ok": found.ok,
        "errors": [{"file": e.path, "line": e.line, "message": e.message} for e in found.errors],
        "title": iv.title if iv else None,
        "id": iv.id if iv else None,
        "layout": (iv.layout or None) if iv else None,
        "counts": found.counts,
        "speakers": [
            {
                "name": s.name,
                "role": s.role,
                "source": s.source,
                "turns": s.turns,
                "passages": s.passages,
            }
            for s in found.speakers
        ],
        "passages": [
            {"line": p.line, "speaker": p.speaker, "question": p.question, "text": p.text}
            for p in found.first
        ],
        "dropped": [{"line": d.line, "kind": d.kind, "text": d.text} for d in found.dropped],
        "sidecar": {
            "path": found.sidecar_path,
            "exists": found.sidecar_exists,
            "hint": found.hint or None,
        },
    }
