"""The bot's search worker processes: started, fed, replaced when they die, stopped.

Each worker is ``python -m bot.search_worker`` with a private pipe on its stdin and stdout
(see that module for the protocol). A request goes to an idle worker; a worker that dies,
or does not answer within `timeout`, is killed and replaced, and its caller gets
:class:`WorkerFailed` at once (the member is told, nobody waits forever). Replacements are
rate limited (RESTARTS_PER_MINUTE) so a query that kills workers cannot spin the machine;
while no worker is alive the lane searches in threads, as before there were workers.

Workers never outlive the bot: :meth:`SearchPool.close` closes their pipes and waits
for them (killing any that linger), and if the bot dies without closing, the end of input
on their pipe ends them.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import pickle
import sys
import time
from collections import deque
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import bot
from bot.search_worker import HEADER, MAX_FRAME, IndexFile, frame

log = logging.getLogger(__name__)

__all__ = ["SearchPool", "WorkerFailed", "index_file"]

REPLY_TIMEOUT = 20.0  # seconds a search may take in a worker before it counts as hung
START_TIMEOUT = 60.0  # seconds for a new worker to import and say it is ready
STOP_GRACE = 3.0  # seconds workers get to exit once their pipe is closed
RESTARTS_PER_MINUTE = 5
PIPELINE = 2  # requests a worker may hold at once (the rest wait in the bot, skippable)


class WorkerFailed(RuntimeError):
    """The worker searching died or hung; it is being replaced."""


def index_file(path: Path | None, fingerprint: str) -> IndexFile | None:
    """What names the index file at `path` for a worker, or None when there is none."""
    if path is None:
        return None
    try:
        st = os.stat(path)
    except OSError:
        return None
    return (str(path), fingerprint, st.st_ino, st.st_mtime_ns, st.st_size)


ROOT = str(Path(bot.__file__).resolve().parent.parent)  # `bot` is importable from here


class _Worker:
    """One worker process. Up to PIPELINE requests may be in its pipe at once (it answers
    them in order): it starts the next search as soon as it has written a reply, instead
    of waiting for the bot's process to be scheduled again to send one."""

    def __init__(self, proc: asyncio.subprocess.Process) -> None:
        self.proc = proc
        self.pid = proc.pid
        self.broken = False
        self.pending: deque[asyncio.Future[Any]] = deque()
        self._reader: asyncio.Task[None] | None = None

    async def read(self) -> Any:
        assert self.proc.stdout is not None
        head = await self.proc.stdout.readexactly(HEADER.size)
        (size,) = HEADER.unpack(head)
        if size > MAX_FRAME:
            raise ValueError(f"a worker sent a frame of {size} bytes")
        return pickle.loads(await self.proc.stdout.readexactly(size))

    def start_reading(self) -> None:
        self._reader = asyncio.ensure_future(self._replies())

    async def _replies(self) -> None:
        """Each reply to the oldest request waiting (a cancelled one's is dropped)."""
        try:
            while True:
                reply = await self.read()
                if not self.pending:
                    raise ValueError("a reply to no request")
                waiter = self.pending.popleft()
                if not waiter.done():
                    waiter.set_result(reply)
        except asyncio.CancelledError:
            self.fail("stopped")
        except Exception as exc:  # end of output (it died), a bad frame
            self.fail(type(exc).__name__)

    def fail(self, why: str) -> None:
        """Broken for good: killed, and every request in its pipe fails."""
        self.broken = True
        self.kill()
        while self.pending:
            waiter = self.pending.popleft()
            if not waiter.done():
                waiter.set_exception(WorkerFailed(f"search worker {self.pid}: {why}"))

    async def call(self, request: tuple[str, IndexFile, tuple[Any, ...]], limit: float) -> Any:
        """One request's reply. No reply within `limit` seconds, or a write that fails,
        breaks the worker (a hung search); a caller cancelled meanwhile does not."""
        if self.broken:
            raise WorkerFailed(f"search worker {self.pid}: broken")
        assert self.proc.stdin is not None
        waiter: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        self.pending.append(waiter)
        try:
            self.proc.stdin.write(frame(request))
            async with asyncio.timeout(limit):
                await self.proc.stdin.drain()
                return await waiter
        except (TimeoutError, OSError) as exc:
            self.fail(type(exc).__name__)
            raise WorkerFailed(f"search worker {self.pid}: {type(exc).__name__}") from exc

    def kill(self) -> None:
        with contextlib.suppress(ProcessLookupError):
            self.proc.kill()


class SearchPool:
    """`size` worker processes answering index requests (PIPELINE at a time each)."""

    def __init__(self, size: int, *, timeout: float = REPLY_TIMEOUT, nice: int = 0) -> None:
        self.size = size
        self.timeout = timeout
        self.nice = nice
        self._idle: list[_Worker] = []
        self._waiters: deque[asyncio.Future[_Worker]] = deque()
        self._alive: set[_Worker] = set()
        self._restarts: deque[float] = deque()
        self._replacing: set[asyncio.Future[Any]] = set()
        self.closed = False
        self.deaths = 0  # workers that died or hung (for logs and tests)
        self.busy = 0  # requests being answered
        self.starting: set[int] = set()  # pids of workers not yet ready
        self._spawning: set[_Worker] = set()

    @property
    def available(self) -> int:
        """Workers alive and ready (busy or idle)."""
        return len(self._alive)

    @property
    def pids(self) -> list[int]:
        return sorted(w.pid for w in self._alive)

    async def start(self) -> None:
        """Start the workers (at once) and wait until each is ready or failed."""
        await asyncio.gather(*(self._add() for _ in range(self.size)), return_exceptions=True)

    async def _spawn(self) -> _Worker:
        env = dict(os.environ)
        env["PYTHONPATH"] = os.pathsep.join(p for p in (ROOT, env.get("PYTHONPATH")) if p)
        proc = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "bot.search_worker",
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
            env=env,
            preexec_fn=(lambda: os.nice(self.nice)) if self.nice else None,
        )
        worker = _Worker(proc)
        self.starting.add(worker.pid)
        self._spawning.add(worker)
        try:
            async with asyncio.timeout(START_TIMEOUT):
                hello = await worker.read()
            if not (isinstance(hello, tuple) and hello[0] == "ready"):
                raise ValueError(f"unexpected first frame {hello!r}")
        except BaseException:
            worker.kill()
            await proc.wait()
            raise
        finally:
            self.starting.discard(worker.pid)
            self._spawning.discard(worker)
        return worker

    async def _add(self) -> None:
        try:
            worker = await self._spawn()
        except Exception:
            if not self.closed:  # else: stopped while starting, on purpose
                log.warning("a search worker did not start", exc_info=True)
            raise
        if self.closed:
            await self._stop(worker)
            return
        self._alive.add(worker)
        worker.start_reading()
        for _ in range(PIPELINE):
            self._release(worker)
        watch = asyncio.ensure_future(self._watch(worker))
        self._replacing.add(watch)
        watch.add_done_callback(self._replacing.discard)
        log.info("search worker %s ready (%d of %d)", worker.pid, len(self._alive), self.size)

    async def _watch(self, worker: _Worker) -> None:
        """A worker that exits (killed, out of memory) is replaced, busy or idle."""
        await worker.proc.wait()
        if not self.closed:
            self._lost(worker, f"exited (status {worker.proc.returncode})")

    def _lost(self, worker: _Worker, why: str) -> None:
        """Forget a dead or hung worker and start its replacement (rate limited)."""
        if worker not in self._alive:
            return
        self._alive.discard(worker)
        self.deaths += 1
        log.warning("search worker %s %s; replacing it", worker.pid, why)
        if self.closed:
            return
        task = asyncio.ensure_future(self._replace())
        self._replacing.add(task)
        task.add_done_callback(self._replacing.discard)

    async def _replace(self) -> None:
        now = time.monotonic()
        while self._restarts and now - self._restarts[0] > 60:
            self._restarts.popleft()
        if len(self._restarts) >= RESTARTS_PER_MINUTE:
            delay = 60 - (now - self._restarts[0])
            log.warning("search workers keep dying: the next one starts in %.0f s", delay)
            await asyncio.sleep(delay)
        self._restarts.append(time.monotonic())
        with contextlib.suppress(Exception):  # logged by _add; the next death tries again
            await self._add()

    def _release(self, worker: _Worker) -> None:
        """Hand `worker` to the longest waiting request, or keep it idle."""
        while self._waiters:
            waiter = self._waiters.popleft()
            if not waiter.done():
                waiter.set_result(worker)
                return
        self._idle.append(worker)

    async def _acquire(self) -> _Worker:
        """An idle worker, first come first served: a request that just finished cannot
        take the worker ahead of one that has been waiting (with asyncio.Queue it did,
        and a few members waited seconds while the others were answered at once)."""
        while True:
            if self._idle and not self._waiters:
                worker = min(self._idle, key=lambda w: len(w.pending))  # the least busy
                self._idle.remove(worker)
            else:
                waiter = asyncio.get_running_loop().create_future()
                self._waiters.append(waiter)
                try:
                    async with asyncio.timeout(self.timeout):
                        worker = await waiter
                except BaseException as exc:
                    if waiter.done() and not waiter.cancelled():
                        self._release(waiter.result())  # handed over as we gave up: pass on
                    if isinstance(exc, TimeoutError):
                        raise WorkerFailed("no search worker was free in time") from exc
                    raise
            if worker in self._alive and not worker.broken:
                return worker

    @contextlib.asynccontextmanager
    async def worker(self) -> AsyncIterator[_Worker]:
        """An idle worker for one request (waits for one); back in the pool afterwards."""
        worker = await self._acquire()
        self.busy += 1
        try:
            yield worker
        finally:
            self.busy -= 1
            if worker.broken:
                self._lost(worker, "died or hung during a search")
            elif worker in self._alive:
                self._release(worker)

    async def call(self, worker: _Worker, op: str, file: IndexFile, *args: Any) -> Any:
        """Ask `worker`; ``("stale", None)`` when it cannot map `file`. Raises WorkerFailed."""
        reply = await worker.call((op, file, args), self.timeout)
        if reply[0] == "error":
            raise RuntimeError(f"search worker {worker.pid}: {reply[1]}")
        return reply

    async def _stop(self, worker: _Worker) -> None:
        if worker.proc.stdin is not None:
            worker.proc.stdin.close()  # end of input: the worker exits
        try:
            async with asyncio.timeout(STOP_GRACE):
                await worker.proc.wait()
        except TimeoutError:
            worker.kill()
            await worker.proc.wait()

    async def close(self) -> None:
        """Stop every worker and wait for them; no process is left behind."""
        self.closed = True
        for task in list(self._replacing):
            task.cancel()
        await asyncio.gather(*self._replacing, return_exceptions=True)
        workers, self._alive = list(self._alive), set()
        starting = list(self._spawning)  # a close during start-up: not ready, not waited for
        for worker in starting:
            worker.kill()
        await asyncio.gather(
            *(self._stop(w) for w in workers),
            *(w.proc.wait() for w in starting),
            return_exceptions=True,
        )
