"""The pure core of the admin commands (no discord import).

* Import: check an uploaded transcript (size, extension, UTF-8), parse it with exactly the
  loader's rules (it is staged under its final name with its sidecar and read back through
  `bot.loader.load_interview`), guess a title, refuse duplicates, pick a safe file name and
  write the transcript and its sidecar atomically into ``<data dir>/interviews/``.
* Reports: the diff of a reload and its errors (file:line), shaped for a reply.
"""

from __future__ import annotations

import codecs
import contextlib
import os
import re
import secrets
import tempfile
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from bot.errors import UserError
from bot.inspection import dropped_summary, sidecar_hint, speaker_roles
from bot.loader import (
    KEPT_PREVIOUS,
    NOTHING_LOADED,
    SKIPPED_NEW,
    TOPICS_KEPT,
    TRANSCRIPT_SUFFIXES,
    TRIVIA_KEPT,
    LoadError,
    Problem,
    discover,
    load_interview,
    title_from_stem,
)
from bot.models import Interview, SpeakerInfo
from bot.store import Change, LoadReport
from bot.textutil import one_line, toml_string, truncate
from bot.transcript import slugify

if TYPE_CHECKING:
    from bot.library import ReloadOutcome

PENDING_TTL = timedelta(minutes=15)  # how long an import preview's Confirm/Cancel stay usable
MAX_IMPORT_BYTES = 1024 * 1024  # 1 MiB: a long interview is ~100 KB; Discord allows far more
IMPORT_SUFFIXES = TRANSCRIPT_SUFFIXES  # whatever the loader reads; saved under the same suffix
IMPORTS_DIR = "interviews"
SLUG_MAX = 60
TITLE_MAX = 200
DUPLICATE_OVERLAP = 0.8  # share of the upload's answers already in one interview
_SAFE_SLUG = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")


class ImportRejected(UserError):
    """The upload cannot be imported; `errors` lists each problem with its line."""

    def __init__(self, message: str, errors: Sequence[LoadError] = ()) -> None:
        super().__init__(message)
        self.errors = tuple(errors)


@dataclass(frozen=True, slots=True)
class ImportPreview:
    """What an admin sees before confirming an import."""

    filename: str  # as uploaded (display only, never used as a path)
    slug: str  # interview id and file stem
    title: str
    title_guessed: bool
    speakers: tuple[str, ...]  # interviewee(s) first
    questions: int
    answers: int
    first_speaker: str
    first_quote: str
    size: int
    roles: tuple[SpeakerInfo, ...] = ()  # every speaker with role and passage count
    layout: str = ""
    dropped: str = "nothing"  # what was kept out of quotes, by kind ("4 timestamp, …")
    hint: str = ""  # the sidecar that states the roles (see `bot.inspection.sidecar_hint`)


@dataclass(frozen=True, slots=True)
class PreparedImport:
    """A validated upload, ready to be written: the bytes as uploaded plus its sidecar."""

    preview: ImportPreview
    transcript: bytes
    sidecar: str

    @property
    def slug(self) -> str:
        return self.preview.slug

    @property
    def suffix(self) -> str:
        return import_suffix(self.preview.filename)


@dataclass(frozen=True, slots=True)
class Existing:
    """What an upload is checked against: ids and file stems in use, and each interview's answers."""

    taken: frozenset[str] = frozenset()
    answers: Mapping[str, frozenset[str]] = field(default_factory=dict)
    titles: Mapping[str, str] = field(default_factory=dict)


# --------------------------------------------------------------------------- checks


def imports_dir(data_dir: Path) -> Path:
    return data_dir / IMPORTS_DIR


def check_upload(filename: str, size: int, limit: int = MAX_IMPORT_BYTES) -> None:
    """Refuse by name and declared size, before anything is downloaded."""
    suffix = Path(filename).suffix.lower()
    if suffix not in IMPORT_SUFFIXES:
        raise ImportRejected(
            f"{display_name(filename)} is not a transcript: upload a UTF-8 text file "
            f"ending in {' or '.join(IMPORT_SUFFIXES)}."
        )
    if size > limit:
        raise ImportRejected(
            f"{display_name(filename)} is {human_bytes(size)}; the limit is {human_bytes(limit)}."
        )
    if size == 0:
        raise ImportRejected(f"{display_name(filename)} is empty.")


def check_utf8(data: bytes, filename: str) -> str:
    """The upload as text, or a rejection naming the line of the first bad byte."""
    name = display_name(filename)
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise ImportRejected(
            f"{name} is UTF-16, not UTF-8: save it as UTF-8 and upload it again.",
            [LoadError(name, 1, "not UTF-8 (the file is UTF-16)")],
        )
    body = data.removeprefix(codecs.BOM_UTF8)
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = _line_of(body[: exc.start].decode("utf-8", errors="replace"))
        raise ImportRejected(
            f"{name} is not UTF-8 text (bad byte 0x{body[exc.start]:02x} on line {line}): "
            "save it as UTF-8 and upload it again.",
            [LoadError(name, line, f"not UTF-8 (bad byte 0x{body[exc.start]:02x})")],
        ) from None


def _line_of(text_before: str) -> int:
    return text_before.replace("\r\n", "\n").replace("\r", "\n").count("\n") + 1


def display_name(filename: str) -> str:
    """An uploaded file's name, reduced to something safe to show (no paths, no controls)."""
    base = filename.replace("\\", "/").rsplit("/", 1)[-1]
    cleaned = "".join(ch for ch in base if unicodedata.category(ch)[0] != "C")
    return truncate(one_line(cleaned), 80) or "upload"


def human_bytes(size: int) -> str:
    if size < 1024:
        return f"{size} bytes"
    if size < 1024 * 1024:
        return f"{size / 1024:.0f} KB"
    return f"{size / (1024 * 1024):.1f} MB"


# --------------------------------------------------------------------------- naming


def safe_slug(text: str) -> str:
    """An ASCII file stem that the loader maps to itself (its interview id), or ''."""
    ascii_only = slugify(text).encode("ascii", "ignore").decode()
    slug = "-".join(_SAFE_SLUG.findall(ascii_only))[:SLUG_MAX].strip("-")
    return slug if slug and slugify(slug) == slug else ""


def unique_slug(base: str, taken: Iterable[str]) -> str:
    """`base`, or `base-2`, `base-3`… when that id or file stem is already in use."""
    used = set(taken)
    base = base or "interview"
    if base not in used:
        return base
    n = 2
    while True:
        suffix = f"-{n}"
        candidate = base[: SLUG_MAX - len(suffix)].rstrip("-") + suffix
        if candidate not in used:
            return candidate
        n += 1


def clean_title(title: str) -> str:
    cleaned = "".join(ch for ch in title if unicodedata.category(ch)[0] != "C" or ch == " ")
    return truncate(one_line(cleaned), TITLE_MAX)


def sidecar_text(title: str) -> str:
    return f"# Imported with /admin import.\ntitle = {toml_string(title)}\n"


def guess_title(interview: Interview, filename: str) -> str:
    """A headline-like first line, else a wordy file name, else "Interview with <speaker>"."""
    ledes = [p for p in interview.paragraphs if p.kind == "lede"]
    if ledes:
        first = one_line(ledes[0].text)
        if 3 <= len(first) <= 120 and not first.endswith((".", ",", ";", ":")):
            return clean_title(first)
    stem = Path(display_name(filename)).stem
    words = re.findall(r"[^\W\d_]{3,}", stem)
    if words and not re.fullmatch(r"[0-9a-fA-F_\-\s]+", stem):
        return clean_title(title_from_stem(stem))
    named = [p.speaker for p in interview.passages if p.speaker != "Interviewee"]
    if named:
        return clean_title(f"Interview with {named[0]}")
    return "Imported interview"


# --------------------------------------------------------------------------- import


def _normal(text: str) -> str:
    return " ".join(unicodedata.normalize("NFC", text).split()).casefold()


def answer_set(texts: Iterable[str]) -> frozenset[str]:
    return frozenset(_normal(t) for t in texts)


def _parse_staged(data: bytes, slug: str, sidecar: str | None, filename: str) -> Interview:
    """Parse with the loader's own rules by staging the files under their final names."""
    with tempfile.TemporaryDirectory(prefix="quotebot-import-") as tmp:
        path = Path(tmp) / f"{slug}{import_suffix(filename)}"
        path.write_bytes(data)
        if sidecar is not None:
            path.with_suffix(".toml").write_text(sidecar, encoding="utf-8")
        interview, problems = load_interview(path)
    name = display_name(filename)
    errors = [
        LoadError(name if e.path.startswith(tmp) else e.path, e.line, e.message) for e in problems
    ]
    if errors or interview is None:
        first = errors[0] if errors else LoadError(name, None, "could not be parsed")
        raise ImportRejected(f"{name} cannot be imported: {first}", errors)
    return interview


def prepare_import(
    data: bytes,
    filename: str,
    *,
    title: str | None = None,
    existing: Existing | None = None,
    limit: int = MAX_IMPORT_BYTES,
) -> PreparedImport:
    """Validate an upload exactly as a reload would, and describe it. Raises ImportRejected."""
    existing = existing or Existing()
    check_upload(filename, len(data), limit)
    check_utf8(data, filename)
    name = display_name(filename)
    wanted = clean_title(title) if title else ""
    draft = _parse_staged(data, "upload", None, filename)
    guessed = not wanted
    final_title = wanted or guess_title(draft, filename)
    base = safe_slug(Path(name).stem) or safe_slug(final_title) or "interview"
    slug = unique_slug(base, existing.taken)
    sidecar = sidecar_text(final_title)
    interview = _parse_staged(data, slug, sidecar, filename)

    answers = answer_set(p.text for p in interview.passages)
    for iid, known in existing.answers.items():
        if answers and len(answers & known) >= DUPLICATE_OVERLAP * len(answers):
            shown = existing.titles.get(iid, iid)
            raise ImportRejected(
                f"{name} is already loaded: its answers match the interview “{shown}” ({iid})."
            )
    first = interview.passages[0]
    roles = speaker_roles(interview)
    preview = ImportPreview(
        filename=name,
        slug=slug,
        title=final_title,
        title_guessed=guessed,
        speakers=interview.speakers,
        questions=sum(1 for p in interview.passages if p.question),
        answers=len(interview.passages),
        first_speaker=first.speaker,
        first_quote=truncate(" ".join(first.sentences[:3]) or first.text, 300),
        size=len(data),
        roles=roles,
        layout=interview.layout,
        dropped=dropped_summary(interview.dropped),
        hint=sidecar_hint(interview, roles),
    )
    return PreparedImport(preview, data, sidecar)


def existing_from(
    interviews: Mapping[str, str],
    answers: Mapping[str, Iterable[str]],
    input_paths: Sequence[Path],
) -> Existing:
    """Build the `Existing` check from the catalog (id -> title, id -> answers) and the files."""
    transcripts, _, _ = discover([p for p in input_paths if p.exists()])
    taken = {*interviews, *(slugify(p.stem) for p in transcripts)}
    return Existing(
        taken=frozenset(taken),
        answers={iid: answer_set(texts) for iid, texts in answers.items()},
        titles=dict(interviews),
    )


# --------------------------------------------------------------------------- files


def write_atomic(path: Path, data: bytes) -> None:
    """Write `data` to `path` so readers see the old file or the whole new one, never a part.

    The temporary file starts with a dot, so a loader scanning the directory ignores it.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{secrets.token_hex(4)}.tmp")
    try:
        with open(tmp, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise
    _fsync_dir(path.parent)


def _fsync_dir(directory: Path) -> None:
    with contextlib.suppress(OSError):  # not every platform can fsync a directory
        fd = os.open(directory, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def import_suffix(filename: str) -> str:
    """The suffix an upload is parsed and saved under: its own (`.md`, …) when the loader
    reads that kind, so the preview and every later load read it the same way."""
    suffix = Path(display_name(filename)).suffix.lower()
    return suffix if suffix in TRANSCRIPT_SUFFIXES else ".txt"


def import_paths(data_dir: Path, slug: str, suffix: str = ".txt") -> tuple[Path, Path]:
    """The transcript and sidecar paths for `slug`, checked to stay inside the imports dir."""
    if not _SAFE_SLUG.fullmatch(slug) or len(slug) > SLUG_MAX:
        raise ValueError(f"unsafe interview file name {slug!r}")
    if suffix not in TRANSCRIPT_SUFFIXES:
        raise ValueError(f"not a transcript suffix {suffix!r}")
    folder = imports_dir(data_dir)
    transcript = folder / f"{slug}{suffix}"
    if transcript.resolve().parent != folder.resolve():
        raise ValueError(f"{slug!r} would be written outside {folder}")
    return transcript, transcript.with_suffix(".toml")


def save_import(prepared: PreparedImport, data_dir: Path) -> tuple[Path, ...]:
    """Write the sidecar, then the transcript (a reload in between sees nothing or both).

    Refuses to overwrite a transcript: an existing one is an error, never a silent
    replacement. A sidecar without its transcript (left by a crash between the two writes)
    is replaced.
    """
    transcript, sidecar = import_paths(data_dir, prepared.slug, prepared.suffix)
    if transcript.exists():
        raise FileExistsError(f"{transcript} already exists")
    write_atomic(sidecar, prepared.sidecar.encode("utf-8"))
    try:
        write_atomic(transcript, prepared.transcript)
    except BaseException:
        with contextlib.suppress(OSError):
            sidecar.unlink()
        raise
    return transcript, sidecar


def remove_files(paths: Iterable[Path]) -> None:
    """Undo `save_import` (transcript first, so no reload sees a sidecar-less transcript)."""
    for path in sorted(paths, key=lambda p: p.suffix == ".toml"):
        with contextlib.suppress(FileNotFoundError):
            path.unlink()


# --------------------------------------------------------------------------- reports


def diff_lines(report: LoadReport) -> list[str]:
    """One line per kind of data: added, removed and changed counts; unchanged kinds too."""
    parts: dict[str, Change] = {
        "Interviews": report.interviews,
        "Quotes": report.quotes,
        "Topics": report.topics,
    }
    parts.update({kind.replace("_", " ").capitalize(): c for kind, c in report.extra.items()})
    return [
        f"{kind}: +{c.added} added, −{c.removed} removed, ~{c.changed} changed"
        for kind, c in parts.items()
    ]


def relative(path: str, base: Path | None) -> str:
    if base is None:
        return path
    try:
        return str(Path(path).resolve().relative_to(base.resolve()))
    except (ValueError, OSError):
        return path


def error_lines(
    errors: Sequence[LoadError], base: Path | None = None, limit: int = 3800
) -> list[str]:
    """Each error as `file:line message`, within `limit` characters (then "…and N more")."""
    lines: list[str] = []
    used = 0
    for n, err in enumerate(errors):
        where = relative(err.path, base)
        if err.line:
            where += f":{err.line}"
        line = truncate(f"{where}: {one_line(err.message)}", 300)
        rest = len(errors) - n - 1
        reserve = len(f"…and {rest} more problem(s)") + 1 if rest else 0
        if used + len(line) + 1 + reserve > limit:
            lines.append(f"…and {len(errors) - n} more problem(s)")
            break
        lines.append(line)
        used += len(line) + 1
    return lines


EFFECT_HEADINGS = {
    NOTHING_LOADED: "Nothing was loaded",
    KEPT_PREVIOUS: "Kept at the version loaded before (fix the file, then load again)",
    SKIPPED_NEW: "Skipped, new and not loaded (fix the file, then load again)",
    TOPICS_KEPT: "Curated topics: the ones loaded before stay",
    TRIVIA_KEPT: "Trivia questions: the ones loaded before stay",
}


def problem_groups(
    problems: Sequence[Problem], base: Path | None = None, limit: int = 3000
) -> list[tuple[str, list[str]]]:
    """Problems grouped by what the load did about them: (heading, `file:line` lines).

    The lines of all groups together stay within `limit` characters (each group gets an
    equal share; a group cut short ends with "…and N more").
    """
    grouped: dict[str, list[LoadError]] = {}
    for problem in problems:
        grouped.setdefault(problem.effect, []).append(problem.error)
    share = limit // max(1, len(grouped))
    return [
        (EFFECT_HEADINGS.get(effect, effect), error_lines(errors, base, limit=share))
        for effect, errors in grouped.items()
    ]


def format_duration(seconds: float) -> str:
    seconds = max(0, int(seconds))
    days, rest = divmod(seconds, 86400)
    hours, rest = divmod(rest, 3600)
    minutes, secs = divmod(rest, 60)
    if days:
        return f"{days}d {hours}h {minutes}m"
    if hours:
        return f"{hours}h {minutes}m"
    if minutes:
        return f"{minutes}m {secs}s"
    return f"{secs}s"


def base_dir(paths: Sequence[Path]) -> Path | None:
    """The common parent of the inputs, so errors read `seeds/x.txt:3`, not absolute paths."""
    roots = [p.resolve() for p in paths]
    try:
        common = Path(os.path.commonpath(roots))
    except ValueError:
        return None
    return common.parent if common in roots else common


def reload_summary(outcome: ReloadOutcome, base: Path | None) -> tuple[str, str]:
    """(result, message) of a reload for the audit trail: ok (the message names any file
    kept at its previous version or skipped) or failed (nothing changed)."""
    if not outcome.applied:
        return "failed", "; ".join(error_lines(outcome.errors, base, limit=900))
    assert outcome.report is not None
    report = outcome.report
    done = "nothing changed" if report.unchanged else "; ".join(diff_lines(report))
    if not outcome.problems:
        return "ok", done
    groups = problem_groups(outcome.problems, base, limit=600)
    problems = " | ".join(f"{heading}: {'; '.join(lines)}" for heading, lines in groups)
    return "ok", truncate(f"{len(outcome.problems)} problem(s): {done} | {problems}", 1000)
