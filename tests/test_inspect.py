"""`quotebot inspect`: the report module on its own, and the CLI as a user runs it."""

from __future__ import annotations

import json
import subprocess
import tomllib
from dataclasses import replace
from pathlib import Path

from clirun import clean_env, run_cli, spawn_cli

from bot.inspection import (
    DROPPED_LISTED,
    as_json,
    inspect_file,
    looks_unnamed,
    render_text,
    sidecar_hint,
    speaker_roles,
)
from bot.models import Dropped, SpeakerInfo

ROOT = Path(__file__).resolve().parents[1]
PODCAST = """\
Sam Host: Welcome back to the show. Today my guest is Jane Doe, who builds boats.
Jane Doe: Thanks for having me, Sam.
Sam Host: How did you start building boats?
Jane Doe: My father had a small yard on the coast. I swept floors there every summer, and one \
year he let me plank a dinghy. I never stopped.
Sam Host: What is the hardest part?
Jane Doe: Patience. Wood moves, glue cures slowly, and you cannot rush a hull.
Sam Host: Thanks, Jane.
"""


def write(folder: Path, name: str, text: str | bytes) -> Path:
    path = folder / name
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


def test_report_names_roles_passages_questions_and_a_sidecar_that_parses(tmp_path: Path) -> None:
    path = write(tmp_path, "boats.txt", PODCAST)
    found = inspect_file(path, first=2)
    assert found.ok and found.interview is not None
    roles = {s.name: (s.role, s.passages) for s in found.speakers}
    assert roles == {"Jane Doe": ("interviewee", 3), "Sam Host": ("interviewer", 0)}
    assert [(p.line, p.speaker) for p in found.first] == [(2, "Jane Doe"), (4, "Jane Doe")]
    assert found.first[1].question == "How did you start building boats?"
    hint = tomllib.loads(found.hint)
    assert hint == {
        "title": "Boats",
        "interviewees": ["Jane Doe"],
        "interviewers": ["Sam Host"],
    }
    text = render_text(found)
    (jane,) = [s for s in found.speakers if s.name == "Jane Doe"]
    assert jane.source  # where the parser took the role from ("text", "intro", …)
    assert f"Jane Doe: interviewee ({jane.source}), 3 turn(s), 3 passage(s)" in text
    assert "Q: How did you start building boats?" in text
    assert f"create {tmp_path / 'boats.toml'} with this" in text
    assert 'interviewers = ["Sam Host"]' in text


def test_the_hint_carries_the_sidecar_keys_and_names_unnamed_labels(tmp_path: Path) -> None:
    path = write(tmp_path, "apples.txt", "Q: What do you do?\nA: I grow apples.\n")
    write(tmp_path, "apples.toml", 'title = "Apples"\ndate = "2024-05-01"\n')
    found = inspect_file(path)
    assert found.ok and found.sidecar_exists
    (speaker,) = found.speakers
    doc = tomllib.loads(found.hint)
    assert (doc["title"], doc["date"]) == ("Apples", "2024-05-01")
    assert doc["interviewees"] == [speaker.name]
    assert f"# {speaker.name} is a label, not a name" in found.hint
    assert f"replace {tmp_path / 'apples.toml'}" in render_text(found)
    # The hint, edited as it says, names the person.
    edited = found.hint.replace(f'["{speaker.name}"]', '["Ann Apple"]')
    write(tmp_path, "apples.toml", edited)
    again = inspect_file(path)
    assert again.ok and [(s.name, s.role) for s in again.speakers] == [("Ann Apple", "interviewee")]


def test_the_hint_keeps_the_sidecar_aliases_and_suggests_one_for_initials() -> None:
    bakery = ROOT / "tests" / "fixtures" / "transcripts" / "initials_sidecar_bakery.txt"
    found = inspect_file(bakery)
    assert found.ok
    doc = tomllib.loads(found.hint)
    assert doc["aliases"] == {"TO": "Tomas Oyelaran", "RM": "Rosa Molina"}
    assert doc["interviewees"] == ["Tomas Oyelaran"] and doc["interviewers"] == ["Rosa Molina"]
    interview = found.interview
    assert interview is not None
    initials = (SpeakerInfo("JD", "interviewee", "text", 2, 2),)
    hint = sidecar_hint(replace(interview, meta=replace(interview.meta, aliases=())), initials)
    assert '# JD is initials: name the person with aliases = { "JD" = "Full Name" }' in hint


def test_roles_from_the_parser_are_shown_as_given_with_other_and_debris(tmp_path: Path) -> None:
    found = inspect_file(write(tmp_path, "boats.txt", PODCAST))
    assert found.interview is not None
    given = (
        SpeakerInfo("Jane Doe", "interviewee", "front matter", 3, 3),
        SpeakerInfo("Sam Host", "interviewer", "sidecar", 4, 0),
        SpeakerInfo("Audience", "other", "text", 1, 0),
    )
    dropped = (Dropped(3, "timestamp", "00:01:02"), Dropped(9, "heading", "## Part two"))
    interview = replace(found.interview, roles=given, dropped=dropped, layout="plain")
    assert speaker_roles(interview) == given
    hint = sidecar_hint(interview, given)
    assert "# neither quoted nor asking: Audience" in hint
    shown = render_text(replace(found, interview=interview, speakers=given, dropped=dropped))
    assert "Jane Doe: interviewee (front matter)" in shown
    assert "Sam Host: interviewer (sidecar)" in shown
    assert "Dropped as debris: 1 timestamp, 1 heading" in shown
    assert "  line 9 (heading): ## Part two" in shown
    assert "layout: plain" in shown


def test_looks_unnamed() -> None:
    for label in ("JD", "J.D.", "Q", "A", "Interviewee", "Speaker 2"):
        assert looks_unnamed(label), label
    for name in ("Jane Doe", "Baker", "Anna"):
        assert not looks_unnamed(name), name


# --- the CLI --------------------------------------------------------------------------


def cli(tmp_path: Path, *args: str, process: bool = False) -> subprocess.CompletedProcess[str]:
    """`quotebot inspect ARGS`, in this process or (`process`) as `python -m bot.cli`."""
    run = spawn_cli if process else run_cli
    return run(["inspect", *args], cwd=tmp_path, env=clean_env(QUOTEBOT_DB=str(tmp_path / "q.db")))


def test_cli_json_report_of_a_good_file(tmp_path: Path) -> None:
    path = write(tmp_path, "boats.txt", PODCAST)
    out = cli(tmp_path, str(path), "--json", "--passages", "1")
    assert out.returncode == 0, out.stderr
    doc = json.loads(out.stdout)
    assert doc == as_json(inspect_file(path, first=1))
    assert doc["ok"] and doc["title"] == "Boats" and doc["errors"] == []
    assert [s["name"] for s in doc["speakers"]] == ["Jane Doe", "Sam Host"]
    assert doc["passages"][0]["question"].startswith("Welcome back")
    assert doc["sidecar"]["path"] == str(tmp_path / "boats.toml")
    assert not (tmp_path / "q.db").exists()  # inspecting touches no database


def test_cli_seed_parses_as_before(tmp_path: Path) -> None:
    seed = next((ROOT / "seeds").glob("*.txt"))
    out = cli(tmp_path, str(seed), process=True)  # the real process, once
    assert out.returncode == 0, out.stderr
    assert "title:  Sean Baker on making “Anora”" in out.stdout
    assert "Sean Baker: interviewee (sidecar)" in out.stdout


def test_cli_unreadable_file_says_where_and_fails(tmp_path: Path) -> None:
    path = write(tmp_path, "bad.txt", b"Question?\nAnn Lee: caf\xe9\n")
    out = cli(tmp_path, str(path))
    assert out.returncode == 1 and out.stdout == ""
    assert f"{path}:2: not UTF-8" in out.stderr and "Traceback" not in out.stderr
    doc = json.loads(cli(tmp_path, str(path), "--json").stdout)
    assert doc["ok"] is False and doc["errors"][0]["line"] == 2
    missing = cli(tmp_path, str(tmp_path / "nope.txt"))
    assert missing.returncode == 1 and "no such file" in missing.stderr


def test_cli_bad_sidecar_shows_the_report_and_the_problem(tmp_path: Path) -> None:
    path = write(tmp_path, "boats.txt", PODCAST)
    write(tmp_path, "boats.toml", 'title = "Boats"\nrating = 5\n')
    out = cli(tmp_path, str(path))
    assert out.returncode == 1
    assert "Problems (the file will not load until they are fixed):" in out.stdout
    assert "boats.toml: unknown key 'rating'" in out.stdout
    assert "Jane Doe: interviewee" in out.stdout


def test_label_markup_is_counted_not_listed_and_a_long_debris_list_is_cut(tmp_path: Path) -> None:
    found = inspect_file(write(tmp_path, "boats.txt", PODCAST))
    assert found.interview is not None
    dropped = tuple(Dropped(n, "markup", "**") for n in range(1, 200)) + tuple(
        Dropped(n, "timestamp", f"00:{n:02d}:00") for n in range(1, 60)
    )
    shown = render_text(replace(found, dropped=dropped))
    assert "Dropped as debris: 199 markup, 59 timestamp" in shown
    assert "(markup)" not in shown
    listed = [line for line in shown.splitlines() if "(timestamp):" in line]
    assert len(listed) == DROPPED_LISTED
    assert f"… and {59 - DROPPED_LISTED} more (--json lists every one)" in shown
