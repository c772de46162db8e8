"""The admin core without Discord: upload checks, preview, naming, atomic files, reports, audit."""

from __future__ import annotations

import tomllib
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot import admin
from bot.admin import (
    Existing,
    ImportRejected,
    check_upload,
    check_utf8,
    diff_lines,
    error_lines,
    existing_from,
    import_paths,
    prepare_import,
    remove_files,
    safe_slug,
    save_import,
    toml_string,
    unique_slug,
    write_atomic,
)
from bot.loader import LoadError, load_corpus
from bot.store import Change, LoadReport, Store

INTERVIEW = """\
Jane Doe on making quiet films
Jane Doe has made six films. We spoke in March.
What drew you to the story?
Jane Doe: I grew up in that town. The river was the whole world to us, and I wanted to film it.
How did you cast it?
Doe: We cast locals. Nobody had acted before, and that was the point.
Most of them still live there.
"""


def test_check_upload_refuses_wrong_kind_oversize_and_empty() -> None:
    check_upload("talk.txt", 10)
    check_upload("Talk.MD", admin.MAX_IMPORT_BYTES)
    with pytest.raises(ImportRejected, match="not a transcript"):
        check_upload("photo.png", 10)
    with pytest.raises(ImportRejected, match=r"the limit is 1\.0 MB"):
        check_upload("big.txt", admin.MAX_IMPORT_BYTES + 1)
    with pytest.raises(ImportRejected, match="empty"):
        check_upload("none.txt", 0)


def test_utf8_check_names_the_line_of_the_bad_byte() -> None:
    assert check_utf8("\ufeffhé".encode(), "a.txt") == "hé"
    with pytest.raises(ImportRejected) as info:
        check_utf8(b"one\ntwo\nth\xffree\n", "a.txt")
    assert "line 3" in str(info.value) and "0xff" in str(info.value)
    assert info.value.errors == (LoadError("a.txt", 3, "not UTF-8 (bad byte 0xff)"),)
    with pytest.raises(ImportRejected, match="UTF-16"):
        check_utf8("Q: hi".encode("utf-16"), "a.txt")


def test_preview_describes_the_interview_as_the_loader_will_store_it() -> None:
    prepared = prepare_import(INTERVIEW.encode(), "jane_doe.txt")
    p = prepared.preview
    assert p.title == "Jane Doe on making quiet films" and p.title_guessed
    assert p.slug == "jane-doe"
    assert p.speakers[0] == "Jane Doe"
    assert (p.questions, p.answers) == (2, 2)
    assert p.first_speaker == "Jane Doe"
    assert p.first_quote.startswith("I grew up in that town.")
    assert tomllib.loads(prepared.sidecar) == {"title": p.title}
    assert prepared.transcript == INTERVIEW.encode()


def test_given_title_wins_and_is_cleaned() -> None:
    prepared = prepare_import(INTERVIEW.encode(), "x.md", title='  A "new"\n  title\\ ')
    assert prepared.preview.title == 'A "new" title\\'
    assert not prepared.preview.title_guessed
    assert tomllib.loads(prepared.sidecar)["title"] == 'A "new" title\\'


def test_title_guess_without_headline_uses_the_file_name_or_the_speaker() -> None:
    body = INTERVIEW.split("\n", 2)[2].encode()  # no headline, no lede
    assert prepare_import(body, "river_talk.txt").preview.title == "River Talk"
    assert prepare_import(body, "0a1b2c3d.txt").preview.title == "Interview with Jane Doe"


def test_unparseable_upload_lists_errors_with_the_upload_name() -> None:
    with pytest.raises(ImportRejected) as info:
        prepare_import(b"Just some prose.\nNo speakers at all.\n", "notes.txt")
    (err,) = info.value.errors
    assert err.path == "notes.txt" and err.line == 1
    assert "no speaker lines" in err.message
    with pytest.raises(ImportRejected, match="line 2"):
        prepare_import(b"Q: fine\nA: \xc3\x28 broken\n", "bad.txt")


def test_duplicate_of_a_loaded_interview_is_refused() -> None:
    prepared = prepare_import(INTERVIEW.encode(), "jane.txt")
    answers = {
        "jane": admin.answer_set(
            [
                "I grew up in that town. The river was the whole world "
                "to us, and I wanted to film it.",
                "We cast locals. Nobody had acted before, and that was "
                "the point.\n\nMost of them still live there.",
            ]
        )
    }
    existing = Existing(taken=frozenset({"jane"}), answers=answers, titles={"jane": "Jane"})
    with pytest.raises(ImportRejected, match=r"already loaded.*Jane"):
        prepare_import(INTERVIEW.encode(), "other-name.txt", existing=existing)
    assert prepared.slug == "jane"


def test_names_are_safe_and_unique() -> None:
    assert safe_slug("../../etc/passwd") == "etc-passwd"
    assert safe_slug("Café Talk 2") == "cafe-talk-2"
    assert safe_slug("日本語") == ""
    assert safe_slug("a" * 200) == "a" * admin.SLUG_MAX
    assert unique_slug("talk", {"talk", "talk-2"}) == "talk-3"
    assert unique_slug("", set()) == "interview"
    assert len(unique_slug("a" * 60, {"a" * 60})) == admin.SLUG_MAX
    prepared = prepare_import(INTERVIEW.encode(), "../../evil\\..\\x.txt")
    assert prepared.slug == "x"
    prepared = prepare_import(
        INTERVIEW.encode(),
        "日本語.txt",
        existing=Existing(taken=frozenset({"jane-doe-on-making-quiet-films"})),
    )
    assert prepared.slug == "jane-doe-on-making-quiet-films-2"
    with pytest.raises(ValueError):
        import_paths(Path("data"), "../x")


@pytest.mark.parametrize("title", ['q"uote', "back\\slash", "tab\there", "del\x7f", "é—“”", "a\nb"])
def test_toml_string_round_trips(title: str) -> None:
    assert tomllib.loads(f"t = {toml_string(title)}")["t"] == title


def test_saved_import_is_loaded_identically_and_can_be_removed(tmp_path: Path) -> None:
    data = tmp_path / "data"
    prepared = prepare_import(INTERVIEW.encode(), "jane_doe.txt", title="Jane Doe, in her words")
    paths = save_import(prepared, data)
    assert [p.name for p in paths] == ["jane-doe.txt", "jane-doe.toml"]
    assert not [p for p in (data / "interviews").iterdir() if p.name.startswith(".")]
    corpus = load_corpus([data])
    assert corpus.ok, corpus.errors
    (iv,) = corpus.interviews
    assert iv.id == prepared.slug and iv.meta.title == "Jane Doe, in her words"
    assert len(iv.passages) == prepared.preview.answers
    with pytest.raises(FileExistsError):
        save_import(prepared, data)
    remove_files(paths)
    assert list((data / "interviews").iterdir()) == []
    # A sidecar left alone by a crash between the two writes does not block the name.
    paths[1].write_text('title = "stale"\n', encoding="utf-8")
    save_import(prepared, data)
    assert load_corpus([data]).interviews[0].meta.title == "Jane Doe, in her words"


def test_an_import_keeps_its_kind_of_file(tmp_path: Path) -> None:
    data = tmp_path / "data"
    prepared = prepare_import(INTERVIEW.encode(), "Jane Doe.MD")
    assert prepared.suffix == ".md"
    paths = save_import(prepared, data)
    assert [p.name for p in paths] == ["jane-doe.md", "jane-doe.toml"]
    (iv,) = load_corpus([data]).interviews
    assert (iv.source, len(iv.passages)) == (str(paths[0]), prepared.preview.answers)
    remove_files(reversed(paths))
    assert list((data / "interviews").iterdir()) == []
    with pytest.raises(ValueError):
        import_paths(data, "x", ".exe")


def test_existing_from_collects_ids_titles_and_file_stems(tmp_path: Path) -> None:
    (tmp_path / "seeds").mkdir()
    (tmp_path / "seeds" / "Old_Talk.txt").write_text(INTERVIEW)
    existing = existing_from({"a": "A"}, {"a": ["x"]}, [tmp_path / "seeds", tmp_path / "gone"])
    assert existing.taken == {"a", "old-talk"}
    assert existing.titles == {"a": "A"}


def test_write_atomic_replaces_whole_file_and_leaves_no_temp(tmp_path: Path) -> None:
    target = tmp_path / "sub" / "f.txt"
    write_atomic(target, b"one")
    write_atomic(target, b"two")
    assert target.read_bytes() == b"two"
    assert [p.name for p in target.parent.iterdir()] == ["f.txt"]


def test_write_atomic_failure_keeps_old_content(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "f.txt"
    target.write_bytes(b"old")

    def boom(src: object, dst: object) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(admin.os, "replace", boom)
    with pytest.raises(OSError):
        write_atomic(target, b"new")
    assert target.read_bytes() == b"old"
    assert [p.name for p in tmp_path.iterdir()] == ["f.txt"]


def test_diff_lines_cover_every_kind_including_extra() -> None:
    report = LoadReport(
        interviews=Change(1, 0, 0),
        quotes=Change(12, 3, 2),
        topics=Change(0, 0, 0),
        extra={"trivia": Change(4, 1, 0)},
    )
    assert diff_lines(report) == [
        "Interviews: +1 added, −0 removed, ~0 changed",
        "Quotes: +12 added, −3 removed, ~2 changed",
        "Topics: +0 added, −0 removed, ~0 changed",
        "Trivia: +4 added, −1 removed, ~0 changed",
    ]


def test_error_lines_show_file_and_line_and_fit(tmp_path: Path) -> None:
    errors = [
        LoadError(str(tmp_path / "data" / "a.txt"), 7, "no answers"),
        LoadError("b.toml", None, "bad"),
    ]
    assert error_lines(errors, tmp_path) == ["data/a.txt:7: no answers", "b.toml: bad"]
    many = [LoadError(f"f{n}.txt", n + 1, "x" * 50) for n in range(200)]
    lines = error_lines(many, None, limit=1000)
    assert sum(len(line) + 1 for line in lines) <= 1000
    assert lines[-1].startswith("…and ") and lines[0] == "f0.txt:1: " + "x" * 50


def test_format_duration_and_bytes() -> None:
    assert admin.format_duration(59) == "59s"
    assert admin.format_duration(3 * 86400 + 7200 + 60) == "3d 2h 1m"
    assert admin.human_bytes(2048) == "2 KB"


# --- store: audit trail and pending uploads --------------------------------------------


# `store`: tests/storefixtures.py, on SQLite and on PostgreSQL


async def test_audit_trail_newest_first_and_filtered(store: Store) -> None:
    t0 = datetime(2025, 1, 2, 3, 4, 5, tzinfo=UTC)
    await store.record_admin_action(user_id=1, action="reload", result="ok", message="+1", at=t0)
    await store.record_admin_action(user_id=2, action="reload", result="denied", at=t0)
    await store.record_admin_action(
        user_id=1, user_name="ann", guild_id=9, action="import", detail="a.txt", result="ok", at=t0
    )
    rows = await store.admin_actions()
    assert [(r.action, r.result) for r in rows] == [
        ("import", "ok"),
        ("reload", "denied"),
        ("reload", "ok"),
    ]
    assert rows[0].at == t0 and rows[0].guild_id == 9 and rows[0].user_name == "ann"
    last = await store.admin_actions(limit=1, actions=["reload"], results=["ok", "failed"])
    assert [(r.user_id, r.message) for r in last] == [(1, "+1")]


async def test_pending_import_is_taken_once_by_its_uploader_only(store: Store) -> None:
    now = datetime(2025, 1, 1, tzinfo=UTC)
    await store.save_pending_import(
        token="ab" * 8, user_id=5, filename="a.txt", title="A", content=b"\xff\x00", at=now
    )
    assert await store.pending_import_owner("ab" * 8) == 5
    assert await store.take_pending_import("ab" * 8, user_id=6) is None
    taken = await store.take_pending_import("ab" * 8, user_id=5)
    assert taken is not None and taken.content == b"\xff\x00" and taken.created_at == now
    assert await store.take_pending_import("ab" * 8, user_id=5) is None


async def test_pending_imports_expire(store: Store) -> None:
    now = datetime(2025, 1, 1, tzinfo=UTC)
    for n, age in enumerate((0, 10, 30)):
        await store.save_pending_import(
            token=f"{n:016x}",
            user_id=1,
            filename="a",
            title="A",
            content=b"x",
            at=now - timedelta(minutes=age),
        )
    assert await store.purge_pending_imports(now - timedelta(minutes=15)) == 1
    assert await store.pending_import_owner(f"{2:016x}") is None
    assert await store.pending_import_owner(f"{1:016x}") == 1
