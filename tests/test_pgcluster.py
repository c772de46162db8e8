"""The throwaway PostgreSQL fixture itself: a real server, isolated databases, templates."""

from __future__ import annotations

import os
from urllib.parse import urlparse

from pgcluster import PgCluster, require_pg_bin


def test_fresh_database_per_test_is_real_and_writable(pg_cluster: PgCluster, pg_url: str) -> None:
    url = urlparse(pg_url)
    assert url.scheme == "postgresql" and url.hostname == "127.0.0.1"
    name = url.path.lstrip("/")
    pg_cluster.psql("CREATE TABLE t (id int PRIMARY KEY, v text)", name)
    pg_cluster.psql("INSERT INTO t VALUES (1, 'één'), (2, 'two')", name)
    assert pg_cluster.psql("SELECT v FROM t ORDER BY id", name).splitlines() == ["één", "two"]
    assert pg_cluster.psql("SHOW server_encoding", name) == "UTF8"
    assert pg_cluster.psql("SELECT count(*) FROM pg_tables WHERE schemaname='public'", name) == "1"


def test_databases_are_isolated(pg_cluster: PgCluster, pg_url: str) -> None:
    # The previous test's table is not here: each test gets its own copy of the template.
    name = urlparse(pg_url).path.lstrip("/")
    assert pg_cluster.psql("SELECT count(*) FROM pg_tables WHERE schemaname='public'", name) == "0"


def test_template_copies_schema_and_rows(pg_cluster: PgCluster) -> None:
    template = pg_cluster.create_database()
    pg_cluster.psql("CREATE TABLE seed (k text UNIQUE); INSERT INTO seed VALUES ('a')", template)
    copies = [pg_cluster.create_database(template=template) for _ in range(2)]
    pg_cluster.psql("INSERT INTO seed VALUES ('b')", copies[0])
    assert pg_cluster.psql("SELECT string_agg(k, ',' ORDER BY k) FROM seed", copies[0]) == "a,b"
    assert pg_cluster.psql("SELECT string_agg(k, ',' ORDER BY k) FROM seed", copies[1]) == "a"
    for name in [*copies, template]:
        pg_cluster.drop_database(name)
    assert template not in pg_cluster.psql("SELECT datname FROM pg_database").splitlines()


def test_server_runs_unprivileged(pg_cluster: PgCluster) -> None:
    # PostgreSQL refuses root; under root the fixture runs it as another user.
    owner = pg_cluster.psql("SELECT current_setting('data_directory')")
    assert owner == str(pg_cluster.data)
    if os.geteuid() == 0:
        assert pg_cluster.run_as not in (None, "root")
        assert pg_cluster.data.stat().st_uid != 0


def test_stop_removes_the_cluster() -> None:
    cluster = PgCluster(require_pg_bin())
    cluster.start()
    assert cluster.psql("SELECT 1") == "1"
    cluster.stop()
    assert not cluster.root.exists()
    cluster.stop()  # twice is harmless (atexit calls it again)
