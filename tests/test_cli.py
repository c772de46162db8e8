"""The `quotebot` CLI end to end, in a temporary directory, as a user runs it: in process
(tests/clirun.py), and as a real `python -m bot.cli` process where the process is the point."""

import json
import subprocess
from pathlib import Path

import pytest
from clirun import clean_env, run_cli, spawn_cli

ROOT = Path(__file__).resolve().parents[1]


def env_for(tmp_path: Path) -> dict[str, str]:
    return clean_env(
        QUOTEBOT_SEEDS_DIR=str(ROOT / "seeds"),
        QUOTEBOT_DATA_DIR=str(ROOT / "data"),
        QUOTEBOT_DB=str(tmp_path / "q.db"),
    )


def run(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return run_cli(args, cwd=tmp_path, env=env_for(tmp_path))


def spawn(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return spawn_cli(args, cwd=tmp_path, env=env_for(tmp_path))


@pytest.fixture(scope="module")
def loaded(tmp_path_factory: pytest.TempPathFactory) -> Path:
    tmp = tmp_path_factory.mktemp("cli")
    first = run(tmp, "load")
    assert first.returncode == 0, first.stderr
    assert "interviews +1 added" in first.stdout
    return tmp


def test_reload_same_files_changes_nothing(loaded: Path) -> None:
    again = run(loaded, "load")
    assert again.returncode == 0
    assert "nothing changed" in again.stdout


def test_quote_done_when(loaded: Path) -> None:
    out = spawn(loaded, "quote", "put the money on screen")  # the process, end to end
    assert out.returncode == 0, out.stderr
    first = out.stdout.split("\n\n")[0]
    assert "money on the screen" in first
    assert "Sean Baker" in first
    assert "Q: A lot of your movies touch on class" in first


def test_quote_json_shape(loaded: Path) -> None:
    out = run(loaded, "quote", "tinsel in her hair", "--json", "--limit", "3")
    rows = json.loads(out.stdout)
    assert 1 <= len(rows) <= 3
    assert {"id", "text", "speaker", "interview", "question", "score"} <= rows[0].keys()
    assert "tinsel" in rows[0]["text"]
    assert rows[0]["interview"] == "Sean Baker on making “Anora”"
    assert [r["score"] for r in rows] == sorted((r["score"] for r in rows), reverse=True)


def test_no_match_is_empty_json_and_friendly_text(loaded: Path) -> None:
    out = run(loaded, "quote", "quantum chromodynamics lattice", "--json")
    assert json.loads(out.stdout) == []
    human = run(loaded, "quote", "quantum chromodynamics lattice")
    assert "No quote matches" in human.stdout


def test_random_is_an_interviewee_answer(loaded: Path) -> None:
    rows = json.loads(run(loaded, "random", "--json").stdout)
    assert len(rows) == 1 and rows[0]["speaker"] == "Sean Baker"
    assert rows[0]["question"]


def test_topics_and_topic(loaded: Path) -> None:
    topics = json.loads(run(loaded, "topics", "--json").stdout)
    names = {t["name"]: t["quotes"] for t in topics}
    assert names["Casting"] >= 1 and names["The tinsel"] == 1
    assert len(json.loads(run(loaded, "topics", "cas", "--json").stdout)) >= 1
    rows = json.loads(run(loaded, "topic", "tinsel", "--json").stdout)
    assert len(rows) == 1 and "tinsel" in rows[0]["answer"]


def test_unknown_topic_and_bad_limit_fail_clearly(loaded: Path) -> None:
    out = run(loaded, "topic", "zzzz-nothing")
    assert out.returncode == 1 and "no topic called" in out.stderr
    bad = spawn(loaded, "quote", "money", "--limit", "0")  # an exit status from a process
    assert bad.returncode == 1 and "--limit" in bad.stderr


GOOD = "What do you make?\nAnn Lee: I make films about the harbour. Small ones.\n"


def test_bad_file_is_skipped_the_rest_loads_and_strict_loads_nothing(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "good.txt").write_text(GOOD, encoding="utf-8")
    (folder / "broken.txt").write_bytes(b"Question?\nAnn Lee: \xff\xfe bad\n")

    strict = run(tmp_path, "load", "--strict", str(folder))
    assert strict.returncode == 1
    assert "Nothing was changed" in strict.stderr and "broken.txt:2" in strict.stderr
    assert harbour_quotes(tmp_path) == []

    out = run(tmp_path, "load", str(folder))
    assert out.returncode == 3, out.stderr
    assert "interviews +1 added" in out.stdout
    lines = out.stderr.splitlines()
    assert lines[0] == "1 problem(s); everything else loaded:"
    assert lines[1] == "  Skipped, new and not loaded (fix the file, then load again):"
    assert lines[2].startswith("    ") and "broken.txt:2: not UTF-8" in lines[2]
    assert len(harbour_quotes(tmp_path)) == 1

    # A loaded file that breaks keeps its previous version.
    (folder / "good.txt").write_bytes(GOOD.encode() + b"Ann Lee: caf\xe9\n")
    again = run(tmp_path, "load", str(folder))
    assert again.returncode == 3 and "nothing changed" in again.stdout
    assert "Kept at the version loaded before" in again.stderr
    assert "good.txt:3: not UTF-8" in again.stderr
    assert len(harbour_quotes(tmp_path)) == 1


def harbour_quotes(tmp_path: Path) -> list[str]:
    rows = json.loads(run(tmp_path, "quote", "films about the harbour", "--json").stdout)
    return [r["text"] for r in rows if "harbour" in r["text"]]


def test_a_missing_folder_loads_nothing(tmp_path: Path) -> None:
    out = run(tmp_path, "load", str(tmp_path / "nope"))
    assert out.returncode == 1
    assert "Nothing was changed" in out.stderr and "no such file or directory" in out.stderr


def test_run_without_token_explains(tmp_path: Path) -> None:
    out = spawn(tmp_path, "run")
    assert out.returncode == 2
    assert "DISCORD_TOKEN" in out.stderr and "quotebot try" in out.stderr


def test_foreign_db_is_a_clear_error(tmp_path: Path) -> None:
    (tmp_path / "q.db").write_bytes(b"not sqlite" * 200)
    out = run(tmp_path, "quote", "money")
    assert out.returncode == 1
    assert "quotebot load" in out.stderr and "Traceback" not in out.stderr
