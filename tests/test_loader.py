"""Finding and validating input files: sidecars, defaults, every error with file and line."""

from pathlib import Path

from bot.loader import load_corpus

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


def test_duplicate_interview_ids_are_refused(tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    (tmp_path / "a" / "same.txt").write_text(GOOD, encoding="utf-8")
    (tmp_path / "b" / "same.txt").write_text(GOOD, encoding="utf-8")
    corpus = load_corpus([tmp_path])
    assert any("also used by" in str(e) for e in corpus.errors)


def test_sidecar_change_changes_the_content_hash(tmp_path: Path) -> None:
    (tmp_path / "x.txt").write_text(GOOD, encoding="utf-8")
    (tmp_path / "x.toml").write_text('title = "One"\n', encoding="utf-8")
    first = load_corpus([tmp_path]).interviews[0]
    (tmp_path / "x.toml").write_text('title = "Two"\n', encoding="utf-8")
    second = load_corpus([tmp_path]).interviews[0]
    assert first.content_hash != second.content_hash
    assert [p.id for p in first.passages] == [p.id for p in second.passages]
