"""Shard settings and ownership: which guilds a process with SHARD_COUNT/SHARD_IDS serves."""

from __future__ import annotations

import random

import pytest

from bot.emulator import shard_of
from bot.settings import Settings, SettingsError
from bot.shards import ShardPlan, parse_shard_ids, shard_for


def settings(**env: str) -> Settings:
    return Settings.from_env(env, env_file=None)


def test_without_shard_settings_one_process_serves_everything() -> None:
    plan = settings().shards
    assert plan == ShardPlan() and plan.count is None and plan.ids is None
    assert all(plan.owns(random.getrandbits(63)) for _ in range(100))


@pytest.mark.parametrize(
    ("count", "ids", "expected"),
    [
        ("4", "0-3", (0, 1, 2, 3)),
        ("4", "0,2", (0, 2)),
        ("8", " 6-7, 0 ,2-3", (0, 2, 3, 6, 7)),
        ("4", "3", (3,)),
        ("1", "0", (0,)),
        ("4", "1,", (1,)),
    ],
)
def test_shard_ids_forms(count: str, ids: str, expected: tuple[int, ...]) -> None:
    plan = settings(SHARD_COUNT=count, SHARD_IDS=ids).shards
    assert plan.count == int(count) and plan.ids == expected


def test_count_alone_runs_every_shard() -> None:
    plan = settings(SHARD_COUNT="3").shards
    assert plan == ShardPlan(3, None)
    assert plan.owns(123 << 22) and plan.describe() == "all 3 shard(s)"


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"SHARD_IDS": "0-1"}, "SHARD_IDS needs SHARD_COUNT"),
        ({"SHARD_COUNT": "four"}, "SHARD_COUNT must be a whole number"),
        ({"SHARD_COUNT": "0"}, "SHARD_COUNT must be 1 or more"),
        ({"SHARD_COUNT": "-2"}, "SHARD_COUNT must be 1 or more"),
        ({"SHARD_COUNT": "4", "SHARD_IDS": "0-4"}, "shard 4 does not exist.*0 to 3"),
        ({"SHARD_COUNT": "4", "SHARD_IDS": "3-1"}, "runs backwards; write 1-3"),
        ({"SHARD_COUNT": "4", "SHARD_IDS": "0,0-1"}, r"shard\(s\) \[0\] more than once"),
        ({"SHARD_COUNT": "4", "SHARD_IDS": "a-b"}, "not a shard id or a range"),
        ({"SHARD_COUNT": "4", "SHARD_IDS": "0..3"}, "not a shard id or a range"),
        ({"SHARD_COUNT": "4", "SHARD_IDS": ","}, "lists no shard"),
        ({"SHARD_COUNT": "4", "SHARD_IDS": "-1"}, "not a shard id or a range"),
    ],
)
def test_bad_shard_settings_are_clear_errors(env: dict[str, str], message: str) -> None:
    with pytest.raises(SettingsError, match=message):
        settings(**env)


def test_processes_partition_the_guilds() -> None:
    """SHARD_IDS 0-1, 2 and 3 of 4: every guild is served by exactly one process, the one
    whose shard Discord sends its events on (the emulator's own formula)."""
    plans = [settings(SHARD_COUNT="4", SHARD_IDS=ids).shards for ids in ("0-1", "2", "3")]
    rng = random.Random(5)
    for _ in range(2000):
        guild_id = rng.getrandbits(63)
        owners = [i for i, plan in enumerate(plans) if plan.owns(guild_id)]
        assert len(owners) == 1
        assert shard_for(guild_id, 4) == shard_of(guild_id, 4)
        assert shard_for(guild_id, 4) in plans[owners[0]].ids  # type: ignore[operator]


def test_shard_for_uses_the_timestamp_bits() -> None:
    # The low 22 bits (worker, process, increment) never move a guild to another shard.
    base = 41944705796 << 22
    assert {shard_for(base + low, 7) for low in range(0, 1 << 22, 4099)} == {shard_for(base, 7)}
    assert shard_for(5 << 22, 4) == 1 and shard_for(8 << 22, 4) == 0


def test_ids_without_count_are_refused() -> None:
    with pytest.raises(ValueError):
        ShardPlan(None, (0,))
    assert parse_shard_ids("0-2", 3) == (0, 1, 2)
