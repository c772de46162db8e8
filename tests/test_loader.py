"""Finding and validating input files: sidecars, defaults, every error with file and line."""

from pathlib import Path

from bot.loader import (
    KEPT_PREVIOUS,
    NOTHING_LOADED,
    SKIPPED_NEW,
    TOPICS_KEPT,
    assemble,
    load_corpus,
    load_interview,
    parse_inputs,
)
from bot.models import Interview, Topic

ROOT = Path(__file__).resolve().parents[1]
GOOD = "Intro paragraph about the guest.\nWhat do you do?\nAnn Lee: I make films. Small ones.\n"


def test_seed_loads_with_sidecar_title() -> None:
    corpus = load_corpus([ROOT / "seeds"])
    assert corpus.ok
    (interview,) = corpus.interviews
    assert interview.title == "Sean Baker on making “Anora”"
    assert interview.meta.interviewee == "Sean Baker"


def test_transcript_without_sidecar_gets_title_from_file_name(tmp_path: Path) -> None:
    (tmp_path / "ann_lee-on-films.txt").write_text(GOOD, encoding="utf-8")
    corpus = load_corpus([tmp_path])
    assert corpus.ok
    assert corpus.interviews[0].title == "Ann Lee On Films"


def test_errors_are_collected_with_file_and_line(tmp_path: Path) -> None:
    (tmp_path / "good.txt").write_text(GOOD, encoding="utf-8")
    (tmp_path / "latin1.txt").write_bytes("Question?\nAnn Lee: caf\xe9\n".encode("latin-1"))
    (tmp_path / "empty.txt").write_text("   \n", encoding="utf-8")
    (tmp_path / "bad.toml").write_text('title = "x"\nrating = 5\n', encoding="utf-8")
    (tmp_path / "bad.txt").write_text(GOOD, encoding="utf-8")
    corpus = load_corpus([tmp_path])
    rendered = sorted(str(e) for e in corpus.errors)
    assert any("latin1.txt:2" in r for r in rendered), rendered
    assert any("empty.txt" in r for r in rendered), rendered
    assert any("bad.toml" in r and "rating" in r for r in rendered), rendered
    assert not corpus.ok


def test_missing_path_and_no_transcripts(tmp_path: Path) -> None:
    assert "no such file" in str(load_corpus([tmp_path / "nope"]).errors[0])
    assert "no transcripts" in str(load_corpus([tmp_path]).errors[0])


def test_duplicate_interview_ids_fail_both_files(tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    (tmp_path / "a" / "same.txt").write_text(GOOD, encoding="utf-8")
    (tmp_path / "b" / "same.md").write_text(GOOD, encoding="utf-8")
    (tmp_path / "other.txt").write_text(GOOD, encoding="utf-8")
    corpus = load_corpus([tmp_path])
    assert sorted(e.path for e in corpus.errors) == [
        str(tmp_path / "a" / "same.txt"),
        str(tmp_path / "b" / "same.md"),
    ]
    assert all("used by 2 files" in e.message and "rename one" in e.message for e in corpus.errors)
    # Per file, neither wins: the id is failed, the other file loads.
    parsed = parse_inputs([tmp_path])
    assert list(parsed.failed) == ["same"]
    assert [iv.id for iv in parsed.interviews] == ["other"]


def test_per_file_load_keeps_stored_versions_and_skips_new_failures(tmp_path: Path) -> None:
    (tmp_path / "good.txt").write_text(GOOD, encoding="utf-8")
    (tmp_path / "was-good.txt").write_bytes(b"Question?\nAnn Lee: caf\xe9\n")
    (tmp_path / "new.txt").write_text("   \n", encoding="utf-8")
    (tmp_path / "topics.toml").write_text("[[topic]]\nname = \n", encoding="utf-8")
    previous = load_interview_text(tmp_path / "prev", "was-good", GOOD.replace("films", "plays"))
    curated = [Topic("plays", "Plays", keywords=("plays",), curated=True)]
    parsed = parse_inputs([tmp_path])
    corpus = assemble(parsed, [previous], curated)
    assert [iv.id for iv in corpus.interviews] == ["good", "was-good"]
    assert corpus.interviews[1] is previous
    assert (corpus.kept, corpus.skipped) == (("was-good",), ("new",))
    effects = {(Path(p.error.path).name, p.effect) for p in corpus.problems}
    assert effects == {
        ("was-good.txt", KEPT_PREVIOUS),
        ("new.txt", SKIPPED_NEW),
        ("topics.toml", TOPICS_KEPT),
    }
    assert corpus.topics_kept and not corpus.trivia_kept
    (plays,) = [t for t in corpus.topics if t.curated]
    assert plays.passage_ids == (previous.passages[0].id,)  # the kept answers still link
    # All or nothing: the same problems, each "nothing was loaded".
    strict = assemble(parsed)
    assert {p.effect for p in strict.problems} == {NOTHING_LOADED}
    assert not strict.ok and len(strict.problems) == len(corpus.problems)


def test_a_missing_input_path_refuses_the_whole_load(tmp_path: Path) -> None:
    (tmp_path / "good.txt").write_text(GOOD, encoding="utf-8")
    parsed = parse_inputs([tmp_path, tmp_path / "gone"])
    assert [str(e) for e in parsed.fatal] == [f"{tmp_path / 'gone'}: no such file or directory"]
    corpus = assemble(parsed, [], [])
    assert {p.effect for p in corpus.problems} == {NOTHING_LOADED}


def load_interview_text(folder: Path, stem: str, text: str) -> Interview:
    folder.mkdir()
    (folder / f"{stem}.txt").write_text(text, encoding="utf-8")
    interview, errors = load_interview(folder / f"{stem}.txt")
    assert interview is not None and not errors
    return interview


def test_sidecar_change_changes_the_content_hash(tmp_path: Path) -> None:
    (tmp_path / "x.txt").write_text(GOOD, encoding="utf-8")
    (tmp_path / "x.toml").write_text('title = "One"\n', encoding="utf-8")
    first = load_corpus([tmp_path]).interviews[0]
    (tmp_path / "x.toml").write_text('title = "Two"\n', encoding="utf-8")
    second = load_corpus([tmp_path]).interviews[0]
    assert first.content_hash != second.content_hash
    assert [p.id for p in first.passages] == [p.id for p in second.passages]
