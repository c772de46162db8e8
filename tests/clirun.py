"""Running `quotebot` in the tests: in this process (the CLI's `main`, as the console script
calls it, with its own environment, working directory, stdout and stderr), or as a real
subprocess for what only a process shows (the `python -m bot.cli` entry, its exit status).

Each subprocess costs a Python start and the bot's imports (~1 s on a busy machine), so the
CLI tests run in process and keep a few subprocess runs for the entry point itself.
"""

from __future__ import annotations

import contextlib
import io
import os
import subprocess
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from unittest import mock

from bot.cli import main

__all__ = ["clean_env", "run_cli", "spawn_cli"]


def clean_env(**settings: str) -> dict[str, str]:
    """This process's environment without any QUOTEBOT_ or DISCORD_ setting, plus `settings`."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("QUOTEBOT_", "DISCORD_"))}
    env.update(settings)
    return env


def run_cli(
    args: Sequence[str], *, cwd: Path, env: Mapping[str, str]
) -> subprocess.CompletedProcess[str]:
    """`quotebot ARGS` in this process; the result as `subprocess.run` gives it."""
    out, err = io.StringIO(), io.StringIO()
    with (
        mock.patch.dict(os.environ, env, clear=True),
        contextlib.chdir(cwd),
        contextlib.redirect_stdout(out),
        contextlib.redirect_stderr(err),
    ):
        try:
            code = main(list(args))
        except SystemExit as exc:  # argparse's usage errors exit, as in a process
            code = exc.code if isinstance(exc.code, int) else 1
    return subprocess.CompletedProcess(["quotebot", *args], code, out.getvalue(), err.getvalue())


def spawn_cli(
    args: Sequence[str], *, cwd: Path, env: Mapping[str, str]
) -> subprocess.CompletedProcess[str]:
    """`python -m bot.cli ARGS` as a real process."""
    return subprocess.run(
        [sys.executable, "-m", "bot.cli", *args],
        cwd=cwd,
        env=dict(env),
        capture_output=True,
        text=True,
        timeout=60,
    )
