from pathlib import Path

import pytest

from bot.settings import Settings, SettingsError


def test_defaults_without_env(tmp_path: Path) -> None:
    s = Settings.from_env({}, env_file=tmp_path / "missing.env")
    assert s.token is None
    assert s.db_path == Path("data/quotebot.db")
    assert s.dev_guild_id is None and s.owner_ids == frozenset()


def test_env_file_then_environment_wins(tmp_path: Path) -> None:
    env_file = tmp_path / ".env"
    env_file.write_text("DISCORD_TOKEN=from-file\nDEV_GUILD_ID=123\nOWNER_IDS=1, 2\n")
    s = Settings.from_env({"DEV_GUILD_ID": "456"}, env_file=env_file)
    assert s.token == "from-file"
    assert s.dev_guild_id == 456
    assert s.owner_ids == {1, 2}


def test_token_never_in_repr(tmp_path: Path) -> None:
    s = Settings.from_env({"DISCORD_TOKEN": "secret-token-value"}, env_file=None)
    assert "secret-token-value" not in repr(s)
    assert "secret-token-value" not in str(s)


def test_bad_id_is_a_clear_error() -> None:
    with pytest.raises(SettingsError, match="DEV_GUILD_ID"):
        Settings.from_env({"DEV_GUILD_ID": "my server"}, env_file=None)


def test_settings_are_frozen() -> None:
    s = Settings.from_env({}, env_file=None)
    with pytest.raises(AttributeError):
        s.token = "x"  # type: ignore[misc]


def test_quotebot_db_selects_the_backend(tmp_path: Path) -> None:
    url = "postgresql://bot:s3cret@db.example/quotebot"
    pg = Settings.from_env({"QUOTEBOT_DB": url}, env_file=None)
    assert (pg.db_url, pg.db_target, pg.db_path) == (url, url, Path("data/quotebot.db"))
    assert "s3cret" not in repr(pg)
    for value in (str(tmp_path / "q.db"), f"sqlite:///{tmp_path / 'q.db'}"):
        lite = Settings.from_env({"QUOTEBOT_DB": value}, env_file=None)
        assert (lite.db_url, lite.db_target) == (None, tmp_path / "q.db")


def test_search_workers_setting_and_its_default_per_share_of_the_shards() -> None:
    assert Settings().worker_count() == 0  # built in code (tests, the CLI): threads
    auto = Settings.from_env({}, env_file=None)
    assert auto.search_workers is None
    assert auto.worker_count(cores=2) == 2 and auto.worker_count(cores=16) == 4
    half = Settings.from_env({"SHARD_COUNT": "4", "SHARD_IDS": "0-1"}, env_file=None)
    assert half.worker_count(cores=4) == 2 and half.worker_count(cores=1) == 1
    assert Settings.from_env({"QUOTEBOT_SEARCH_WORKERS": "0"}, env_file=None).worker_count() == 0
    assert Settings.from_env({"QUOTEBOT_SEARCH_WORKERS": "3"}, env_file=None).worker_count() == 3
    for bad in ("two", "-1", "65"):
        with pytest.raises(SettingsError, match="QUOTEBOT_SEARCH_WORKERS"):
            Settings.from_env({"QUOTEBOT_SEARCH_WORKERS": bad}, env_file=None)
