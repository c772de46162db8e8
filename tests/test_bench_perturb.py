"""The perturbation generator of benchmarks/bench_perturb.py: deterministic, each kind does
what its name says, and it never hands back the query unchanged."""

from __future__ import annotations

import pytest

from benchmarks.bench_perturb import CUT_SHARE, FILLERS, PERTURBATIONS, perturb

QUERIES = [
    "the kitchen was always too loud for anyone to think",
    "we lost the mainsail somewhere off the Azores",
    "practice scales every single morning before breakfast",
    "nobody teaches you how to say goodbye to a patient",
    "deadline crunch broke the whole team",
    "seven knots",
]


def _letters_diff(a: str, b: str) -> bool:
    """`b` is `a` with one letter replaced, deleted or inserted."""
    if len(a) == len(b):
        return sum(x != y for x, y in zip(a, b, strict=True)) == 1
    short, long = sorted((a, b), key=len)
    if len(long) - len(short) != 1:
        return False
    return any(long[:i] + long[i + 1 :] == short for i in range(len(long)))


@pytest.mark.parametrize("kind", PERTURBATIONS)
def test_deterministic_and_never_unchanged(kind: str) -> None:
    for text in QUERIES:
        first = perturb(text, kind, 1)
        assert first == perturb(text, kind, 1)
        assert first is None or first != text
    if kind in ("drop_first", "cut"):  # one way to do these: the seed has no say
        return
    varied = {perturb(q, kind, s) for q in QUERIES[:4] for s in range(1, 6)}
    assert len(varied) > 4  # the seed matters: not one fixed variant per query


def _all(kind: str) -> list[tuple[list[str], list[str]]]:
    out = []
    for seed in (1, 2, 3):
        for text in QUERIES:
            new = perturb(text, kind, seed)
            if new is not None:
                out.append((text.split(), new.split()))
    assert out, kind
    return out


def test_typo_is_one_edit_inside_a_long_word() -> None:
    for old, new in _all("typo"):
        changed = [(a, b) for a, b in zip(old, new, strict=True) if a != b]
        assert len(changed) == 1
        a, b = changed[0]
        assert len(a) >= 5 and _letters_diff(a, b) and a[0] == b[0]


def test_first_letter_changes_the_first_letter() -> None:
    for old, new in _all("first_letter"):
        changed = [(a, b) for a, b in zip(old, new, strict=True) if a != b]
        assert len(changed) == 1
        a, b = changed[0]
        assert _letters_diff(a, b) and a[1:] in (b[1:], b, b[2:])
        assert a[0] != b[0] or len(b) == len(a) + 1


def test_transpose_swaps_two_neighbouring_letters() -> None:
    for old, new in _all("transpose"):
        changed = [(a, b) for a, b in zip(old, new, strict=True) if a != b]
        assert len(changed) == 1
        a, b = changed[0]
        at = next(i for i in range(len(a)) if a[i] != b[i])
        assert b == a[:at] + a[at + 1] + a[at] + a[at + 2 :]


def test_drop_leaves_out_one_word() -> None:
    for old, new in _all("drop"):
        assert len(new) == len(old) - 1
        assert any(old[:i] + old[i + 1 :] == new for i in range(len(old)))


def test_drop_first() -> None:
    for old, new in _all("drop_first"):
        assert new == old[1:]


def test_swap_exchanges_neighbouring_words() -> None:
    for old, new in _all("swap"):
        assert sorted(old) == sorted(new)
        diff = [i for i in range(len(old)) if old[i] != new[i]]
        assert len(diff) == 2 and diff[1] == diff[0] + 1


def test_cut_keeps_the_first_sixty_percent() -> None:
    for old, new in _all("cut"):
        assert new == old[: len(new)] and 2 <= len(new) < len(old)
        assert len(new) == max(2, round(len(old) * CUT_SHARE))


def test_filler_adds_one_filler_word() -> None:
    for old, new in _all("filler"):
        assert len(new) == len(old) + 1
        assert any(new[:i] + new[i + 1 :] == old and new[i] in FILLERS for i in range(len(new)))


def test_split_and_join() -> None:
    for old, new in _all("split"):
        assert len(new) == len(old) + 1
        assert any(
            [*new[:i], new[i] + new[i + 1], *new[i + 2 :]] == old for i in range(len(new) - 1)
        )
    for old, new in _all("join"):
        assert len(new) == len(old) - 1
        assert any(
            [*old[:i], old[i] + old[i + 1], *old[i + 2 :]] == new for i in range(len(old) - 1)
        )


def test_too_short_queries_are_skipped_not_returned() -> None:
    for kind in ("drop", "drop_first", "cut", "join"):
        assert perturb("seven knots", kind, 1) is None
    assert perturb("the cat sat", "typo", 1) is None  # no word of 5+ letters
