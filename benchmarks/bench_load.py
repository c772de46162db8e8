"""Under load: many members at once against the real bot process, through the emulator.

Run: ``.venv/bin/python -m benchmarks.bench_load [--sizes 10000,100000] [--members 50]``.

For each size a fresh SQLite database is filled with that many synthetic answers, then
``python -m bot`` starts in its own process exactly as deployed (settings from the
environment, Discord = the loopback emulator running in this process), and ``--members``
members act at once, each waiting for its answer before sending the next:

* **floor**: ``/about``, a command that does no search, in the same bot under the same load:
  what discord.py, the gateway, the emulator and loopback HTTP cost by themselves;
* **/quote**: a half-remembered phrase of a stored answer; timed to the first response
  Discord receives (the 3-second deadline is on that response);
* **autocomplete**: typing a phrase into ``/quote``'s option, one request per word typed and
  one mid-word, sent every TYPING_PACE seconds without waiting for the answers (Discord's
  client sends while the member types and shows the newest answer); each is timed to its
  choices. "No embed or no choices" counts /quote replies that were not a quote (no match,
  cooldown, error) and phrases whose last keystroke got no choices.

Every member is a different user, and each concurrent worker rotates through several users,
so the bot's per-member cooldowns (5 ``/quote`` per 30 s) never refuse a request; a refusal
would be counted and reported, not timed as an answer.

Targets (issue #16): /quote first response p99 ≤ 2x the floor's p99, autocomplete p99 ≤ 250 ms
at 100k answers. Both processes share this machine's two cores, as a bot and its gateway
traffic would; figures are medians of the phase's requests, measured in one run.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import secrets
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from benchmarks.bench_store import interviews
from bot.emulator import DiscordEmulator, InteractionHandle, User, build_world
from bot.store import Store

ROOT = Path(__file__).resolve().parent.parent
USERS_PER_WORKER = 5  # rotating users keeps every member under the /quote cooldown (5 per 30 s)
READY_TIMEOUT = 900.0
BYSTANDERS = 5  # members using /about during the /quote phase
BYSTANDER_PACE = 0.5  # seconds each waits between two /about
TYPING_PACE = 0.3  # seconds between the autocomplete requests of a member typing  # a first start builds the index: minutes at 1M on a busy machine


@dataclass
class Phase:
    name: str
    seconds: list[float] = field(default_factory=list)
    refused: int = 0
    failed: int = 0
    requests: int = 0
    cpu: dict[str, float] = field(default_factory=dict)  # CPU seconds by process

    def p(self, q: float) -> float:
        ordered = sorted(self.seconds)
        if not ordered:
            return float("nan")
        return ordered[min(len(ordered) - 1, round(q / 100 * (len(ordered) - 1)))]


async def fill_database(path: Path, size: int) -> list[str]:
    """Store `size` synthetic answers; returns sentences to half-remember from them."""
    # Stored answers' ids are hex (buttons carry them in their custom_id): the synthetic
    # generator's "s0…" ids are renumbered.
    corpus = [
        replace(
            iv,
            passages=tuple(replace(p, id=f"{int(p.id[1:], 16):012x}") for p in iv.passages),
        )
        for iv in interviews(size)
    ]
    rng = random.Random(size)
    picked = rng.sample(range(len(corpus)), min(400, len(corpus)))
    sentences = [
        s for i in picked for s in corpus[i].passages[0].sentences[:1] if len(s.split()) >= 6
    ]
    store = await Store.open(path)
    try:
        await store.replace_corpus(corpus, [])
    finally:
        await store.close()
    return sentences


def remembered(sentence: str, rng: random.Random) -> str:
    """A phrase a member might type: 4-7 consecutive words of the sentence."""
    words = sentence.split()
    length = rng.randint(4, min(7, len(words)))
    start = rng.randint(0, len(words) - length)
    return " ".join(words[start : start + length])


def keystrokes(phrase: str) -> list[str]:
    """What Discord sends while the phrase is typed: each word done, and once mid-word."""
    words = phrase.split()
    typed = [" ".join(words[: i + 1]) for i in range(len(words))]
    last = words[-1]
    if len(last) > 3:
        typed.insert(-1, " ".join([*words[:-1], last[: len(last) // 2]]))
    return typed


async def start_bot(
    emu: DiscordEmulator, env: dict[str, str], cwd: Path, profile: Path | None = None
) -> tuple[asyncio.subprocess.Process, asyncio.Task[None]]:
    profiling = ["-m", "cProfile", "-o", str(profile)] if profile else []
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        *profiling,
        "-m",
        "bot",
        cwd=cwd,
        env=env,
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.PIPE,
        limit=16 * 2**20,
    )
    assert proc.stderr is not None

    async def until_ready() -> None:
        """Steady state: the catalog is ready, the trivia bank's warm-up (a worker thread
        that competes for the interpreter for a while after every start) has finished and
        the search worker processes (if any) are ready."""
        assert proc.stderr is not None
        waiting = [b"trivia bank built"]
        if env.get("QUOTEBOT_SEARCH_WORKERS", "auto") != "0":
            waiting.append(b"search worker process(es) ready")
        async for line in proc.stderr:
            waiting = [w for w in waiting if w not in line]
            if not waiting:
                return
        raise RuntimeError("the bot exited before it was ready")

    await asyncio.wait_for(until_ready(), READY_TIMEOUT)

    async def drain() -> None:  # keep reading the log so the bot never blocks on its pipe
        assert proc.stderr is not None
        with (cwd / "bot.log").open("wb") as log:
            async for line in proc.stderr:
                log.write(line)
                if b"Traceback" in line:
                    print(f"the bot logged an error: see {cwd / 'bot.log'}", file=sys.stderr)

    drained = asyncio.create_task(drain())
    await emu.wait_until(
        lambda: bool(emu.commands) and any(r.kind == "identify" for r in emu.gateway_log),
        60.0,
        what="the bot to sync its commands and connect",
    )
    return proc, drained


def _cpu(pid: int) -> float:
    """CPU seconds (user + system, every thread) process `pid` has used, 0 once gone."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _children(pid: int) -> list[int]:
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as f:
                    if int(f.read().rsplit(")", 1)[1].split()[1]) == pid:
                        found.append(int(entry))
            except (OSError, ValueError, IndexError):
                continue
    return found


class CpuMeter:
    """CPU used by the bot's process, its search worker processes and this one (the
    emulator and the members): where a request's work is done, whatever else the
    shared machine runs meanwhile. Linux only (/proc); elsewhere it shows nothing."""

    def __init__(self, bot_pid: int) -> None:
        self.bot_pid = bot_pid
        self.enabled = os.path.isdir(f"/proc/{bot_pid}")

    def snapshot(self) -> dict[str, float]:
        if not self.enabled:
            return {}
        return {
            "bot": _cpu(self.bot_pid),
            "search workers": sum(_cpu(c) for c in _children(self.bot_pid)),
            "emulator": time.process_time(),
        }


async def run_phase(
    phase: Phase,
    workers: Sequence[Sequence[User]],
    per_worker: int,
    request: Callable[[User], Awaitable[list[float] | None]],
    meter: CpuMeter | None = None,
) -> None:
    """Each worker sends `per_worker` requests, one after the other, all workers at once.

    `request` returns the seconds of what it timed, or None when the reply was not an
    answer (no match, a cooldown or an error: text instead of a quote embed)."""

    async def work(users: Sequence[User]) -> None:
        for i in range(per_worker):
            try:
                seconds = await request(users[i % len(users)])
            except TimeoutError:
                phase.failed += 1
                continue
            if seconds is None:
                phase.refused += 1
            else:
                phase.seconds.extend(seconds)

    before = meter.snapshot() if meter else {}
    await asyncio.gather(*(work(users) for users in workers))
    after = meter.snapshot() if meter else {}
    phase.requests = len(workers) * per_worker
    phase.cpu = {k: after[k] - before[k] for k in before}


async def measure(
    size: int,
    members: int,
    per_worker: int,
    profile: Path | None = None,
    search_workers: str | None = None,
) -> dict[str, Any]:
    rng = random.Random(20261203)
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp) if not os.environ.get("BENCH_KEEP") else Path(tempfile.mkdtemp())
        db = work / "load.db"
        sentences = await fill_database(db, size)
        (work / "seeds").mkdir()
        (work / "data").mkdir()
        token = "MTE" + secrets.token_urlsafe(56)
        async with DiscordEmulator(token=token) as emu:
            world = build_world(emu)
            workers = [
                [emu.create_user(f"m{w}-{u}") for u in range(USERS_PER_WORKER)]
                for w in range(members)
            ]
            for users in workers:
                for user in users:
                    emu.add_member(world.guild, user)
            env = {
                k: v for k, v in os.environ.items() if not k.startswith(("QUOTEBOT_", "DISCORD_"))
            }
            env.update(
                DISCORD_TOKEN=token,
                DISCORD_API_URL=emu.api_url,
                DISCORD_GATEWAY_URL=emu.gateway_url,
                DEV_GUILD_ID=str(world.guild.id),
                QUOTEBOT_DB=str(db),
                QUOTEBOT_SEEDS_DIR=str(work / "seeds"),
                QUOTEBOT_DATA_DIR=str(work / "data"),
                LOG_LEVEL="INFO",
            )
            if search_workers is not None:
                env["QUOTEBOT_SEARCH_WORKERS"] = search_workers
            print(f"{size:,} answers: the bot's log is {work / 'bot.log'}", file=sys.stderr)
            started = time.perf_counter()
            proc, drained = await start_bot(emu, env, work, profile)
            first_start = time.perf_counter() - started
            try:
                phases = await drive(emu, workers, per_worker, sentences, rng, CpuMeter(proc.pid))
            finally:
                proc.terminate()
                await proc.wait()
                drained.cancel()
            violations = emu.take_violations()
    kinds = Counter(f"{v.kind} {v.route}" for v in violations)
    for kind, count in kinds.most_common():  # what Discord would have refused, and where
        print(f"  refused {count}x: {kind}", file=sys.stderr)
    return {
        "size": size,
        "members": members,
        "first_start": first_start,
        "phases": phases,
        "violations": len(violations),
    }


async def drive(
    emu: DiscordEmulator,
    workers: Sequence[Sequence[User]],
    per_worker: int,
    sentences: Sequence[str],
    rng: random.Random,
    meter: CpuMeter | None = None,
) -> list[Phase]:
    measuring = False  # the /quote answers shown are collected outside the warm-up

    async def answered(handle: InteractionHandle) -> list[float] | None:
        callback = await handle.response(timeout=30.0)
        message = await handle.wait_original(timeout=30.0)
        if message.embed is None:  # a cooldown or an error: not an answer
            return None
        return [callback.seconds]

    async def about(user: User) -> list[float] | None:
        return await answered(await emu.slash("about", user=user))

    shown = Phase("/quote: the answer shown (after a defer, the follow-up)")

    async def quote(user: User) -> list[float] | None:
        phrase = remembered(rng.choice(sentences), rng)
        began = asyncio.get_running_loop().time()
        first = await answered(await emu.slash("quote", {"query": phrase}, user=user))
        if first is not None and measuring:
            shown.seconds.append(asyncio.get_running_loop().time() - began)
        return first

    async def complete(user: User) -> list[float] | None:
        """Type one phrase at TYPING_PACE, not waiting for answers, as Discord's client does;
        every keystroke's choices are timed, the last one's also on its own."""
        loop = asyncio.get_running_loop()

        async def keystroke(typed: str) -> tuple[float, int]:
            began = loop.time()
            choices = await emu.autocomplete("quote", {"query": typed}, focused="query", user=user)
            return loop.time() - began, len(choices)

        pending = []
        for typed in keystrokes(remembered(rng.choice(sentences), rng)):
            pending.append(asyncio.ensure_future(keystroke(typed)))
            await asyncio.sleep(TYPING_PACE)
        answers = await asyncio.gather(*pending)
        last.seconds.append(answers[-1][0])
        last.refused += answers[-1][1] == 0  # nothing shown for the finished phrase
        return [seconds for seconds, _ in answers]

    # Warm up the interpreter and caches, then measure; the floor runs first and last so a
    # machine that got busier in between shows as two different floors.
    await run_phase(Phase("warm-up"), workers[:4], 3, about)
    await run_phase(Phase("warm-up"), workers[:4], 2, quote)
    floor = Phase("floor: /about")
    await run_phase(floor, workers, per_worker, about, meter)
    quotes = Phase("/quote")
    beside = Phase(
        f"/about beside the /quote phase ({BYSTANDERS} members, one every {BYSTANDER_PACE} s)"
    )
    measuring = True
    searching = asyncio.Event()

    async def bystander(user: User) -> None:
        """A member using a command that does not search while the others search: does
        the bot stay responsive under the search load?"""
        while not searching.is_set():
            seconds = await about(user)
            beside.seconds.extend(seconds or [])
            await asyncio.sleep(BYSTANDER_PACE)

    aside = [asyncio.ensure_future(bystander(users[-1])) for users in workers[:BYSTANDERS]]
    await run_phase(quotes, workers, per_worker, quote, meter)
    searching.set()
    await asyncio.gather(*aside)
    autocomplete = Phase("autocomplete: every keystroke")
    last = Phase("autocomplete: the phrase's last keystroke")
    await run_phase(autocomplete, workers, max(1, per_worker // 3), complete, meter)
    floor_again = Phase("floor again: /about")
    await run_phase(floor_again, workers, per_worker, about, meter)
    return [floor, quotes, autocomplete, last, floor_again, shown, beside]


def render(results: Sequence[dict[str, Any]], command: str) -> str:
    lines = [
        f"`{command}` on {os.cpu_count()} cores, Python {sys.version.split()[0]}; "
        "first response seconds as Discord receives them.",
        "",
        "| answers | members | phase | timed | p50 | p99 | no embed or no choices | failed |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for result in results:
        for phase in result["phases"]:
            lines.append(
                f"| {result['size']:,} | {result['members']} | {phase.name} | "
                f"{len(phase.seconds)} | {phase.p(50) * 1000:.0f} ms | "
                f"{phase.p(99) * 1000:.0f} ms | {phase.refused} | {phase.failed} |"
            )
    lines += [
        "",
        "CPU milliseconds per request (per phrase typed, for autocomplete) by process, "
        "from /proc: what each request costs, however busy the machine was.",
        "",
        "| answers | phase | bot | search workers | emulator and members |",
        "|---|---|---|---|---|",
    ]
    for result in results:
        for phase in result["phases"]:
            if phase.cpu and phase.requests:
                ms = {k: v * 1000 / phase.requests for k, v in phase.cpu.items()}
                lines.append(
                    f"| {result['size']:,} | {phase.name} | {ms['bot']:.1f} | "
                    f"{ms['search workers']:.1f} | {ms['emulator']:.1f} |"
                )
    lines += ["", "| target | wanted | measured | result |", "|---|---|---|---|"]
    for result in results:
        floor, quotes, autocomplete, _, floor_again, *_ = result["phases"]
        floor_p99 = max(floor.p(99), floor_again.p(99))
        ratio = quotes.p(99) / floor_p99
        lines.append(
            f"| /quote p99 vs floor p99 @ {result['size']:,} | ≤ 2x | "
            f"{quotes.p(99) * 1000:.0f} / {floor_p99 * 1000:.0f} ms = {ratio:.2f}x | "
            f"{'PASS' if ratio <= 2 and not quotes.failed else 'GAP'} |"
        )
        lines.append(
            f"| autocomplete p99 @ {result['size']:,} | ≤ 250 ms | "
            f"{autocomplete.p(99) * 1000:.0f} ms (p50 {autocomplete.p(50) * 1000:.0f}) | "
            f"{'PASS' if autocomplete.p(99) <= 0.25 and not autocomplete.failed else 'GAP'} |"
        )
        lines.append(
            f"| payloads Discord would reject @ {result['size']:,} | 0 | "
            f"{result['violations']} | {'PASS' if not result['violations'] else 'GAP'} |"
        )
    lines.append("")
    lines.append(
        "The floor is the larger p99 of the two /about phases (before and after the others). "
        + "; ".join(
            f"start to steady state at {r['size']:,}: {r['first_start']:.1f} s (index built from the store, trivia bank warmed up)"
            for r in results
        )
    )
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default="10000,100000")
    parser.add_argument("--members", type=int, default=50)
    parser.add_argument("--per-member", type=int, default=12, help="requests per worker")
    parser.add_argument(
        "--profile", type=Path, help="write the bot process's cProfile stats here (last size)"
    )
    parser.add_argument(
        "--search-workers",
        help="QUOTEBOT_SEARCH_WORKERS for the bot (default: unset, i.e. auto, as deployed; "
        "0 searches in threads)",
    )
    args = parser.parse_args(argv)
    sizes = [int(s) for s in args.sizes.split(",")]
    results = [
        asyncio.run(measure(size, args.members, args.per_member, args.profile, args.search_workers))
        for size in sizes
    ]
    command = "python -m benchmarks.bench_load " + " ".join(argv or sys.argv[1:])
    print(render(results, command.strip()))


if __name__ == "__main__":
    main()
