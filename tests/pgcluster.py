"""A throwaway PostgreSQL cluster for the tests: real server, temp dir, gone at the end.

``pg_cluster`` (session scope) runs ``initdb`` and ``pg_ctl`` from Debian's
``/usr/lib/postgresql/*/bin`` (newest version; ``QUOTEBOT_PG_BIN`` overrides) in a fresh temp
dir, listening on a free loopback port and a unix socket in that dir. The server refuses to run
as root, so under root it runs as an unprivileged system user (``QUOTEBOT_PG_USER``, else
``postgres`` when the package made it, else ``nobody``) that owns the temp dir. It is tuned for
throwaway data (no fsync) and stopped, and its dir removed, at the end of the session, also
when tests failed or the run was interrupted.

``pg_url`` (function scope) is a fresh, empty database per test, copied from a template (a
file copy on the server, a few ms), as a ``postgresql://`` URL (trust auth, no password).
``cluster.create_database(template=...)`` copies any database, e.g. one migrated once per
session, so per-test schemas cost a copy rather than a migration.

Without the binaries: locally the PostgreSQL tests are skipped with a reason saying how to get
them (``-ra`` lists it and the report header says so); with ``CI=true`` they fail, so CI can
never pass by skipping them.
"""

from __future__ import annotations

import atexit
import itertools
import os
import pwd
import re
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

SUPERUSER = "quotebot"
PG_BIN_ENV = "QUOTEBOT_PG_BIN"
PG_USER_ENV = "QUOTEBOT_PG_USER"
INSTALL_HINT = (
    "install Debian's `postgresql` package (`apt-get install -y postgresql`, as .ci/run does) "
    f"or set {PG_BIN_ENV} to a directory holding initdb and pg_ctl"
)
# Throwaway data: durability off, small memory, enough connections for multi-process tests.
SERVER_OPTIONS = (
    "fsync=off",
    "synchronous_commit=off",
    "full_page_writes=off",
    "shared_buffers=32MB",
    "max_connections=200",
)


def find_pg_bin() -> Path | None:
    """The directory with initdb/pg_ctl/psql: $QUOTEBOT_PG_BIN, else the newest Debian one."""
    explicit = os.environ.get(PG_BIN_ENV, "").strip()
    candidates = [Path(explicit)] if explicit else []
    if not explicit:

        def version(path: Path) -> tuple[int, ...]:
            return tuple(int(n) for n in re.findall(r"\d+", path.parent.name))

        candidates = sorted(Path("/usr/lib/postgresql").glob("*/bin"), key=version, reverse=True)
        on_path = shutil.which("pg_ctl")
        if on_path:
            candidates.append(Path(on_path).resolve().parent)
    for bin_dir in candidates:
        if all((bin_dir / tool).is_file() for tool in ("initdb", "pg_ctl", "psql")):
            return bin_dir
    return None


def _unprivileged_user() -> str | None:
    """Who runs the server: None (ourselves) unless we are root, which PostgreSQL refuses."""
    if os.geteuid() != 0:
        return None
    wanted = os.environ.get(PG_USER_ENV, "").strip()
    for name in [wanted] if wanted else ["postgres", "nobody"]:
        try:
            pwd.getpwnam(name)
        except KeyError:
            continue
        return name
    raise RuntimeError(f"running as root and no unprivileged user to run PostgreSQL ({wanted!r})")


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class PgCluster:
    """One initdb'd, running PostgreSQL server in ``root``; see the module docstring."""

    def __init__(self, bin_dir: Path) -> None:
        self.bin_dir = bin_dir
        self.run_as = _unprivileged_user()
        self.root = Path(tempfile.mkdtemp(prefix="quotebot-pg-"))
        self.data = self.root / "data"
        self.log = self.root / "server.log"
        self.port = 0
        self._names = itertools.count(1)
        self._running = False
        if self.run_as is not None:
            entry = pwd.getpwnam(self.run_as)
            os.chown(self.root, entry.pw_uid, entry.pw_gid)

    # --- lifecycle -------------------------------------------------------------------------

    def _server_cmd(self, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        """Run initdb/pg_ctl as the server's user, in a dir it can read, without stdin."""
        env = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "LC_ALL": "C",
            "HOME": str(self.root),
        }
        return subprocess.run(
            args,
            cwd=self.root,
            env=env,
            user=self.run_as,
            group=None if self.run_as is None else pwd.getpwnam(self.run_as).pw_gid,
            extra_groups=None if self.run_as is None else [],
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            check=check,
            timeout=120,
        )

    def start(self) -> None:
        self._server_cmd(
            str(self.bin_dir / "initdb"),
            "--pgdata",
            str(self.data),
            "--username",
            SUPERUSER,
            "--auth",
            "trust",
            "--encoding",
            "UTF8",
            "--no-locale",
            "--no-sync",
        )
        for _attempt in range(5):  # the free port can be taken between the probe and the bind
            self.port = _free_port()
            options = " ".join(
                [
                    "-c listen_addresses=127.0.0.1",
                    f"-p {self.port}",
                    f"-c unix_socket_directories={self.root}",
                    *(f"-c {opt}" for opt in SERVER_OPTIONS),
                ]
            )
            started = self._server_cmd(
                str(self.bin_dir / "pg_ctl"),
                "start",
                "--wait",
                "--timeout",
                "90",
                "--pgdata",
                str(self.data),
                "--log",
                str(self.log),
                "--options",
                options,
                check=False,
            )
            if started.returncode == 0:
                self._running = True
                atexit.register(self.stop)  # also when the session is torn down abruptly
                return
        raise RuntimeError(f"PostgreSQL did not start:\n{started.stderr}\n{self.log_tail()}")

    def stop(self) -> None:
        """Stop the server (fast, then immediate) and remove its dir. Safe to call twice."""
        if self._running:
            for mode in ("fast", "immediate"):
                done = self._server_cmd(
                    str(self.bin_dir / "pg_ctl"),
                    "stop",
                    "--pgdata",
                    str(self.data),
                    "--mode",
                    mode,
                    "--wait",
                    "--timeout",
                    "30",
                    check=False,
                )
                if done.returncode == 0:
                    break
            self._running = False
        shutil.rmtree(self.root, ignore_errors=True)

    def log_tail(self, lines: int = 30) -> str:
        try:
            return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return "(no server log)"

    # --- databases ---------------------------------------------------------------------------

    def url(self, dbname: str = "postgres") -> str:
        return f"postgresql://{SUPERUSER}@127.0.0.1:{self.port}/{dbname}"

    def psql(self, sql: str, dbname: str = "postgres") -> str:
        """Run SQL with psql (no driver needed); returns unaligned, tuples-only output."""
        done = subprocess.run(
            [
                str(self.bin_dir / "psql"),
                "--no-psqlrc",
                "--quiet",
                "--tuples-only",
                "--no-align",
                "--set",
                "ON_ERROR_STOP=1",
                "--dbname",
                self.url(dbname),
                "--command",
                sql,
            ],
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            timeout=60,
        )
        if done.returncode != 0:
            raise RuntimeError(f"psql failed on {sql!r}: {done.stderr.strip()}")
        return done.stdout.strip()

    def create_database(self, name: str | None = None, template: str = "template1") -> str:
        """A new database copied from ``template`` (which must have no open connections)."""
        name = name or f"test_{next(self._names)}"
        self.psql(f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
        return name

    def drop_database(self, name: str) -> None:
        """Drop ``name`` even if a test left connections open (PostgreSQL 13+)."""
        self.psql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def report_header() -> str:
    bin_dir = find_pg_bin()
    if bin_dir is not None:
        return f"postgresql: {bin_dir} (throwaway cluster per session)"
    if os.environ.get("CI") == "true":
        return "postgresql: NOT FOUND -- the PostgreSQL tests will FAIL (CI=true)"
    return f"postgresql: NOT FOUND -- the PostgreSQL tests will be SKIPPED; {INSTALL_HINT}"


def require_pg_bin() -> Path:
    """The binaries' dir; else skip the test locally, or fail it when CI=true."""
    bin_dir = find_pg_bin()
    if bin_dir is None:
        reason = f"PostgreSQL not found: {INSTALL_HINT}"
        if os.environ.get("CI") == "true":
            pytest.fail(f"{reason} (CI must run the PostgreSQL tests)", pytrace=False)
        pytest.skip(f"{reason} (skipped locally; CI=true fails instead)")
    return bin_dir


@pytest.fixture(scope="session")
def pg_cluster() -> Iterator[PgCluster]:
    cluster = PgCluster(require_pg_bin())
    try:
        cluster.start()
        yield cluster
    finally:
        cluster.stop()


@pytest.fixture
def pg_url(pg_cluster: PgCluster) -> Iterator[str]:
    """A fresh, empty database for this test as a ``postgresql://`` URL."""
    name = pg_cluster.create_database()
    yield pg_cluster.url(name)
    pg_cluster.drop_database(name)
