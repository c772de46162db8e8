"""Which guilds a process serves when the bot's shards are split across processes.

Discord routes a guild's events to shard ``(guild_id >> 22) % shard_count``. A process given
``SHARD_COUNT`` and ``SHARD_IDS`` connects only those shards, so it must also do the guild work
nobody asked for over the gateway (the daily posts, resuming trivia rounds) only for the
guilds of its shards; the other processes do the rest.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["ShardPlan", "parse_shard_count", "parse_shard_ids", "shard_for"]


def shard_for(guild_id: int, shard_count: int) -> int:
    """The shard that receives ``guild_id``'s events (Discord's sharding formula)."""
    return (guild_id >> 22) % shard_count


def parse_shard_count(text: str) -> int:
    """``"4"`` -> 4; raises ValueError with a message for anything but a whole number >= 1."""
    try:
        count = int(text.strip())
    except ValueError:
        raise ValueError(f"must be a whole number of shards (1 or more), got {text!r}") from None
    if count < 1:
        raise ValueError(f"must be 1 or more, got {count}")
    return count


def parse_shard_ids(text: str, shard_count: int) -> tuple[int, ...]:
    """``"0-3"``, ``"0,2"``, ``"0-1, 4"`` -> sorted shard ids, each in ``[0, shard_count)``.

    Raises ValueError (the message says what is wrong) on a malformed item, a range that runs
    backwards, an id out of range, an id listed twice, or an empty list.
    """
    ids: list[int] = []
    for raw in text.split(","):
        item = raw.strip()
        if not item:
            continue
        low_text, dash, high_text = item.partition("-")
        try:
            low = int(low_text)
            high = int(high_text) if dash else low
        except ValueError:
            raise ValueError(
                f"{item!r} is not a shard id or a range like 0-3 (write e.g. '0-3' or '0,2')"
            ) from None
        if high < low:
            raise ValueError(f"the range {item!r} runs backwards; write {high}-{low}")
        for shard_id in (low, high):
            if not 0 <= shard_id < shard_count:
                raise ValueError(
                    f"shard {shard_id} does not exist: with SHARD_COUNT={shard_count} the ids "
                    f"go from 0 to {shard_count - 1}"
                )
        ids.extend(range(low, high + 1))
    if not ids:
        raise ValueError("lists no shard; write e.g. '0-3' or '0,2'")
    doubled = sorted({i for i in ids if ids.count(i) > 1})
    if doubled:
        raise ValueError(f"lists shard(s) {doubled} more than once")
    return tuple(sorted(ids))


@dataclass(frozen=True, slots=True)
class ShardPlan:
    """This process's share: ``count`` shards in all (None: Discord's recommendation), of which
    it runs ``ids`` (None: every one)."""

    count: int | None = None
    ids: tuple[int, ...] | None = None

    def __post_init__(self) -> None:
        if self.ids is not None and self.count is None:
            raise ValueError("shard ids need a shard count")

    def owns(self, guild_id: int) -> bool:
        """Whether this process serves ``guild_id`` (always, when it runs every shard)."""
        if self.ids is None or self.count is None:
            return True
        return shard_for(guild_id, self.count) in self.ids

    def describe(self) -> str:
        if self.count is None:
            return "all shards (Discord's recommended count)"
        if self.ids is None:
            return f"all {self.count} shard(s)"
        return f"shard(s) {', '.join(map(str, self.ids))} of {self.count}"
