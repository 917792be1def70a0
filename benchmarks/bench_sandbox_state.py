"""Benchmark: what the sandbox's state file costs a 300-change apply.

The target (issue 11, "The built-in sandbox"): an apply of 300 changes against the
sandbox with its state file costs at most 1.5 times the same apply against a sandbox
that keeps its state in memory only.

Each repeat runs the same apply twice, in alternating order, against an in-process
sandbox on 127.0.0.1 without latency (latency would hide the cost of persisting):

  * memory: ``start_sandbox()``, the account seeded with ``store.bulk_add``;
  * file:   ``start_sandbox(state_path=...)``, the account loaded from a state file
    written beforehand (untimed) with the same operators.

The account has --operators operators in scope (default 5,000) and the roster asks
for --changes changes (default 300: 80 % updates, 10 % creates, 10 % deletes). Timed
phases: start (bind, and either seed in memory or load the file), plan (list the
account, diff), writes (``apply_plan``, --parallelism 8) and stop (for the file: the
state made durable on disk). The library is driven as ``rostersync apply --sandbox``
drives it. The target is checked on the whole run (start to stop, what a user waits
for) and shown for the apply alone (plan + writes).

Run with:  python benchmarks/bench_sandbox_state.py           (about a minute)
           python benchmarks/bench_sandbox_state.py --quick   (a smoke run, seconds)
"""

from __future__ import annotations

import argparse
import importlib.util
import math
import platform
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any

from rostersync.api import IAdvizeClient
from rostersync.api.options import ClientOptions
from rostersync.plan.apply import apply_plan
from rostersync.plan.workflow import plan_roster
from rostersync.sandbox import OperatorStore, start_sandbox

TARGET_RATIO = 1.5
API_KEY = "bench-key"
PHASES = ("start", "plan", "writes", "stop")


def load_bench() -> ModuleType:
    """benchmarks/bench.py, for its roster generator and account builder."""
    path = Path(__file__).resolve().with_name("bench.py")
    spec = importlib.util.spec_from_file_location("rostersync_bench_for_state", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up by name
    spec.loader.exec_module(module)
    return module


@dataclass
class Timings:
    """Seconds per phase, one entry per repeat."""

    phases: dict[str, list[float]] = field(default_factory=lambda: {name: [] for name in PHASES})
    changes: list[int] = field(default_factory=list)
    failed: list[int] = field(default_factory=list)

    def median(self, *names: str) -> float:
        runs = [sum(self.phases[name][i] for name in names) for i in range(len(self.phases["start"]))]
        return float(statistics.median(runs)) if runs else math.nan


def run_once(seeds: list[dict[str, Any]], roster: Any, state: Path | None, parallelism: int,
             timings: Timings, catalog: Any = None) -> None:
    clock = time.perf_counter
    started = clock()
    sandbox = start_sandbox(api_key=API_KEY, state_path=state)
    if catalog is not None:
        sandbox.store.catalog = catalog  # the skills, groups and websites the roster names
    try:
        if state is None:
            sandbox.store.bulk_add(seeds)
        loaded = clock()
        with IAdvizeClient(sandbox.url, API_KEY, ClientOptions(page_workers=min(parallelism, 8))) as client:
            plan = plan_roster(client, roster)
            planned = clock()
            report = apply_plan(client, plan, parallelism=parallelism)
            written = clock()
    finally:
        sandbox.stop()
    stopped = clock()
    spans = (loaded - started, planned - loaded, written - planned, stopped - written)
    for name, seconds in zip(PHASES, spans, strict=True):
        timings.phases[name].append(seconds)
    timings.changes.append(len(plan.changes))
    timings.failed.append(len(report.with_status("failed")) + len(report.with_status("not started")))


def write_state(path: Path, seeds: list[dict[str, Any]]) -> None:
    """The account as a state file, as an earlier sandbox run would have left it."""
    for leftover in path.parent.glob(path.name + "*"):
        leftover.unlink()
    store = OperatorStore(path)
    try:
        store.bulk_add(seeds)
    finally:
        close = getattr(store, "close", None)
        if close is not None:
            close()


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="500 operators, 30 changes, 1 repeat")
    parser.add_argument("--operators", type=int, default=None, help="operators in scope (default 5000)")
    parser.add_argument("--changes", type=int, default=None, help="changes in the apply (default 300)")
    parser.add_argument("--repeats", type=int, default=None, help="repeats; medians reported (default 5)")
    parser.add_argument("--parallelism", type=int, default=8, help="apply's thread pool (default 8)")
    args = parser.parse_args(argv)
    quick = {"operators": 500, "changes": 30, "repeats": 1}
    normal = {"operators": 5000, "changes": 300, "repeats": 5}
    for name, value in (quick if args.quick else normal).items():
        if getattr(args, name) is None:
            setattr(args, name, value)
    if args.operators < 2 or args.changes < 1 or args.repeats < 1 or args.parallelism < 1:
        parser.error("--operators must be >= 2, --changes, --repeats and --parallelism >= 1")
    return args


def main(argv: Sequence[str] | None = None, out: Callable[[str], None] = print) -> float:
    """Run the benchmark, print the table; return the whole-run ratio (file / memory)."""
    args = parse_args(argv)
    bench = load_bench()
    creates = deletes = max(1, args.changes // 10)
    updates = args.changes - creates - deletes
    roster = bench.load_roster_text(bench.make_roster_text(args.operators - deletes + creates))
    account = bench.matching_account(roster, updates=updates, creates=creates, deletes=deletes)
    memory, on_file = Timings(), Timings()
    with tempfile.TemporaryDirectory(prefix="rostersync-bench-state-") as folder, \
            bench.no_proxy_for_loopback():
        state = Path(folder) / ".rostersync" / "sandbox.json"
        for repeat in range(args.repeats):
            runs: list[tuple[Path | None, Timings]] = [(None, memory), (state, on_file)]
            for path, timings in runs if repeat % 2 == 0 else reversed(runs):
                if path is not None:
                    write_state(path, account.seeds)
                run_once(account.seeds, roster, path, args.parallelism, timings, bench.BENCH_CATALOG)

    out(f"# Sandbox state file: {account.changes}-change apply, {account.live} operators in scope")
    out("")
    out(f"Python {platform.python_version()} on {platform.system()} {platform.machine()}, "
        f"{args.repeats} repeats (medians), --parallelism {args.parallelism}, no latency; "
        f"{creates} creates, {account.updates} updates, {deletes} deletes.")
    out("")
    out("| phase | memory only | with state file | ratio |")
    out("|---|---|---|---|")
    rows = [(name, (name,)) for name in PHASES]
    rows += [("apply (plan + writes)", ("plan", "writes")), ("whole run (start to stop)", PHASES)]
    for label, names in rows:
        base, with_file = memory.median(*names), on_file.median(*names)
        ratio = with_file / base if base > 0 else math.nan
        out(f"| {label} | {base:.3f} s | {with_file:.3f} s | {ratio:.2f} |")
    whole = on_file.median(*PHASES) / memory.median(*PHASES)
    apply_only = on_file.median("plan", "writes") / memory.median("plan", "writes")
    out("")
    out(f"changes planned per run: {sorted(set(memory.changes + on_file.changes))}; "
        f"failed: {sum(memory.failed) + sum(on_file.failed)}")
    verdict = "PASS" if whole <= TARGET_RATIO else "FAIL"
    out(f"{verdict}: whole run with the state file is {whole:.2f}x the memory-only run "
        f"(target <= {TARGET_RATIO}); apply alone {apply_only:.2f}x")
    return whole


if __name__ == "__main__":
    sys.exit(0 if main() <= TARGET_RATIO else 1)
