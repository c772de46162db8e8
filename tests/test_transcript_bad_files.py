"""Transcript parser: files it must refuse with the line at fault, labels alone, and its speed
on large and pathological input."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from longmode import budget
from transcript_helpers import SEED, parse, write

from bot.models import InterviewMeta
from bot.transcript import TranscriptError, read_transcript

# --------------------------------------------------------------------------- bad files


def error_for(path: Path, meta: InterviewMeta | None = None) -> TranscriptError:
    with pytest.raises(TranscriptError) as info:
        read_transcript(path, meta)
    return info.value


def test_error_format(tmp_path: Path) -> None:
    path = write(tmp_path, "")
    err = error_for(path)
    assert (err.path, err.line) == (str(path), 1)
    assert str(err) == f"{path}:1: {err.message}"
    assert "empty" in err.message
    assert str(TranscriptError("f.txt", None, "gone")) == "f.txt: gone"


def test_not_utf8_points_at_line(tmp_path: Path) -> None:
    path = tmp_path / "latin1.txt"
    path.write_bytes("Q?\nBaker: fine\nBaker: caf\u00e9 ok\n".encode("latin-1"))
    err = error_for(path)
    assert err.line == 3
    assert "UTF-8" in err.message


def test_utf16_is_not_utf8(tmp_path: Path) -> None:
    path = tmp_path / "wide.txt"
    path.write_bytes("Q: Hi?\nA: Hello.\n".encode("utf-16"))
    err = error_for(path)
    assert err.line == 1 and "UTF-8" in err.message


@pytest.mark.parametrize("content", ["", "   \n\n\t \n"])
def test_empty_or_whitespace_only(tmp_path: Path, content: str) -> None:
    err = error_for(write(tmp_path, content))
    assert err.line == 1 and "empty" in err.message


def test_binary_nul_bytes(tmp_path: Path) -> None:
    path = tmp_path / "bin.txt"
    path.write_bytes(b"Q: hi?\nA: ok\x00\x00\x01\x02\n")
    err = error_for(path)
    assert err.line == 2 and "binary" in err.message


def test_binary_control_characters(tmp_path: Path) -> None:
    path = tmp_path / "ctl.txt"
    path.write_bytes(b"Q: hi?\nA: ok\nA: \x01\x02\x03\x04\x05\x06\x07\x08\n")
    err = error_for(path)
    assert err.line == 3 and "binary" in err.message


def test_no_speakers(tmp_path: Path) -> None:
    err = error_for(write(tmp_path, "\n\nJust some prose.\nMore prose: with a colon.\n"))
    assert err.line == 3 and "no speaker" in err.message


def test_only_interviewer_turns_has_no_answers(tmp_path: Path) -> None:
    err = error_for(write(tmp_path, "Q: Anyone there?\nQ: Hello?\n"))
    assert err.line == 1 and "no interviewee answers" in err.message


@pytest.mark.parametrize("alone", ["Baker:", "**Baker:**", "Sean Baker:   ", "A:"])
def test_speaker_label_alone_labels_the_next_paragraph(tmp_path: Path, alone: str) -> None:
    # Once a fatal "speaker line has no text": a label alone on its line (oral histories,
    # "Q:" then the question below it) labels the words that follow it.
    text = f"Lede.\nWhat first?\nSean Baker: One.\n\nWhat next?\n{alone}\nMore.\n"
    interview = read_transcript(write(tmp_path, text))
    assert [(p.line, p.kind) for p in interview.paragraphs][-2:] == [
        (5, "question"),
        (7, "answer"),
    ]
    assert interview.passages[-1].paragraphs == ("More.",)
    assert interview.passages[-1].question == "What next?"
    assert all(alone.strip("* ") not in p.text for p in interview.paragraphs)


def test_label_alone_at_the_end_is_dropped_not_fatal(tmp_path: Path) -> None:
    interview = read_transcript(write(tmp_path, "What first?\nSean Baker: One.\nBaker:\n"))
    assert [p.text for p in interview.passages] == ["One."]
    assert [(d.kind, d.text) for d in interview.dropped] == [("empty label", "Baker:")]


def test_seed_with_a_speaker_label_alone_on_its_line(tmp_path: Path) -> None:
    lines = SEED.read_text(encoding="utf-8").split("\n")
    lines[19] = "Baker:"  # line 20: its answer now belongs to the question below it
    interview = read_transcript(write(tmp_path, "\n".join(lines)))
    colors = next(p for p in interview.passages if p.line == 21)
    assert colors.paragraphs[0].startswith("A lot of your films are extremely colorful")
    assert colors.question is not None and colors.question.startswith("Yeah, the first")


# --------------------------------------------------------------------------- speed


def test_a_large_transcript_is_fast() -> None:
    """Parsing is linear: 3 s of CPU a megabyte at most. 2 MB in the default run, the full
    10 MB with QUOTEBOT_FUZZ=long (tests/longmode.py)."""
    size = budget(2_000_000, 10_000_000)
    seed = SEED.read_text(encoding="utf-8")
    body = seed.split("clarity.\n", 1)[1]
    text = seed + body * (size // len(body))
    started = time.process_time()  # CPU time: a busy machine does not count against it
    interview = parse(text)
    elapsed = time.process_time() - started
    assert len(interview.passages) == 9 * (1 + size // len(body))
    assert elapsed < 3 * size / 1_000_000


def test_pathological_lines_are_fast() -> None:
    nasty = "\n".join(["." * 200_000 + "x", "*" * 200_000, ":" * 200_000, "A. " * 100_000])
    started = time.process_time()  # CPU time: a busy machine does not count against it
    interview = parse("Q?\nBaker: Hi.\n" + nasty, InterviewMeta(title="T", interviewee="Baker"))
    assert time.process_time() - started < 10
    assert len(interview.passages[0].paragraphs) == 5
