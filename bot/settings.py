"""Settings read once from the environment (and `.env`), frozen for the life of the process."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from dotenv import dotenv_values

from bot.shards import ShardPlan, parse_shard_count, parse_shard_ids

DEFAULT_DB = Path("data/quotebot.db")


class SettingsError(ValueError):
    """A setting has a value that cannot be used; the message names the setting."""


def _int_or_none(name: str, raw: str | None) -> int | None:
    if raw is None or raw.strip() == "":
        return None
    try:
        return int(raw.strip())
    except ValueError as exc:
        raise SettingsError(f"{name} must be a Discord ID (digits only), got {raw!r}") from exc


def _id_set(name: str, raw: str | None) -> frozenset[int]:
    if not raw:
        return frozenset()
    ids = set()
    for part in raw.replace(";", ",").split(","):
        value = _int_or_none(name, part)
        if value is not None:
            ids.add(value)
    return frozenset(ids)


def parse_db(raw: str) -> tuple[Path, str | None]:
    """QUOTEBOT_DB: ``postgresql://user:pass@host/db`` selects PostgreSQL (local caches stay
    beside the default file); a path or ``sqlite:///path`` is the SQLite file."""
    if raw.startswith(("postgresql://", "postgres://", "postgresql+asyncpg://")):
        return DEFAULT_DB, raw
    raw = raw.removeprefix("sqlite:///")
    return (Path(raw) if raw else DEFAULT_DB), None


def _shard_plan(count_raw: str | None, ids_raw: str | None) -> ShardPlan:
    count_text = (count_raw or "").strip()
    ids_text = (ids_raw or "").strip()
    if not count_text:
        if ids_text:
            raise SettingsError(
                "SHARD_IDS needs SHARD_COUNT, the number of shards across all processes "
                "(e.g. SHARD_COUNT=4 SHARD_IDS=0-1 here and SHARD_IDS=2-3 in the other process)"
            )
        return ShardPlan()
    try:
        count = parse_shard_count(count_text)
    except ValueError as exc:
        raise SettingsError(f"SHARD_COUNT {exc}") from exc
    if not ids_text:
        return ShardPlan(count)
    try:
        return ShardPlan(count, parse_shard_ids(ids_text, count))
    except ValueError as exc:
        raise SettingsError(f"SHARD_IDS {ids_text!r}: {exc}") from exc


def _workers(raw: str | None) -> int | None:
    text = (raw or "").strip().lower()
    if text in ("", "auto"):
        return None
    try:
        count = int(text)
    except ValueError:
        count = -1
    if not 0 <= count <= 64:
        raise SettingsError(
            f"QUOTEBOT_SEARCH_WORKERS must be 'auto' or a number of processes from 0 "
            f"(search in threads) to 64, got {raw!r}"
        )
    return count


@dataclass(frozen=True, slots=True)
class Settings:
    """Everything configurable. The token never appears in repr() or logs."""

    token: str | None = field(default=None, repr=False)
    db_path: Path = DEFAULT_DB  # the SQLite file; with db_url, where local caches go (its folder)
    db_url: str | None = field(default=None, repr=False)  # QUOTEBOT_DB=postgresql://...
    seeds_dir: Path = Path("seeds")
    data_dir: Path = Path("data")
    dev_guild_id: int | None = None
    owner_ids: frozenset[int] = frozenset()
    api_url: str | None = None
    gateway_url: str | None = None
    log_level: str = "INFO"
    shards: ShardPlan = field(default_factory=ShardPlan)
    """SHARD_COUNT/SHARD_IDS: the shards this process runs and the guilds it serves."""
    card_fonts: tuple[Path, ...] = ()
    """QUOTEBOT_CARD_FONTS: extra font files or folders for quote cards (after the shipped)."""
    search_workers: int | None = 0
    """QUOTEBOT_SEARCH_WORKERS: search worker processes (0: search in threads; None, the
    default of `from_env`: one per core this process's share of the shards may use)."""

    @classmethod
    def from_env(
        cls, env: Mapping[str, str] | None = None, env_file: Path | None = Path(".env")
    ) -> Settings:
        """Read settings from `env` (default: os.environ) over the values in `env_file`.

        The process environment wins over `.env`, so a deployment can override a file.
        """
        values: dict[str, str] = {}
        if env_file is not None and env_file.is_file():
            values.update({k: v for k, v in dotenv_values(env_file).items() if v is not None})
        values.update(os.environ if env is None else env)
        token = (values.get("DISCORD_TOKEN") or "").strip() or None
        db_path, db_url = parse_db((values.get("QUOTEBOT_DB") or "").strip())
        return cls(
            token=token,
            db_path=db_path,
            db_url=db_url,
            seeds_dir=Path(values.get("QUOTEBOT_SEEDS_DIR") or "seeds"),
            data_dir=Path(values.get("QUOTEBOT_DATA_DIR") or "data"),
            dev_guild_id=_int_or_none("DEV_GUILD_ID", values.get("DEV_GUILD_ID")),
            owner_ids=_id_set("OWNER_IDS", values.get("OWNER_IDS")),
            api_url=(values.get("DISCORD_API_URL") or "").strip() or None,
            gateway_url=(values.get("DISCORD_GATEWAY_URL") or "").strip() or None,
            log_level=(values.get("LOG_LEVEL") or "INFO").upper(),
            shards=_shard_plan(values.get("SHARD_COUNT"), values.get("SHARD_IDS")),
            card_fonts=tuple(
                Path(p) for p in (values.get("QUOTEBOT_CARD_FONTS") or "").split(os.pathsep) if p
            ),
            search_workers=_workers(values.get("QUOTEBOT_SEARCH_WORKERS")),
        )

    def worker_count(self, cores: int | None = None) -> int:
        """How many search worker processes to start: the setting, or with `auto` one per
        core of this process's share of the shards (its SHARD_IDS of SHARD_COUNT), 1 to 4."""
        if self.search_workers is not None:
            return self.search_workers
        cores = cores or os.cpu_count() or 1
        share = 1.0
        if self.shards.ids is not None and self.shards.count:
            share = len(self.shards.ids) / self.shards.count
        return max(1, min(4, round(cores * share)))

    @property
    def db_target(self) -> Path | str:
        """What `Store.open` opens: the PostgreSQL URL, else the SQLite file."""
        return self.db_url or self.db_path

    @property
    def input_paths(self) -> tuple[Path, ...]:
        """Where transcripts and curated data are read from, in load order."""
        return (self.seeds_dir, self.data_dir)
