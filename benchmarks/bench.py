"""Benchmark: rostersync's plan and apply at scale, against the in-process sandbox.

rostersync's cost is set by the API's round trips: a plan needs ceil(N/100) list
requests, plus one listing per kind of resource the roster names (skills, groups,
websites: the roster here uses names and ids of all three), an apply one request per
change. This script measures that, and the CPU
cost of loading and planning a large roster, and checks the numbers against the
targets of the "Speed at scale" issue. It prints the machine, a Markdown table
(medians over the repeats) and one PASS / FAIL / SKIP line per target.

Run with:  python benchmarks/bench.py            (defaults: a few minutes)
           python benchmarks/bench.py --quick    (a smoke run, seconds)

The sandbox runs in this process: started on 127.0.0.1 (port 0) with the given
server-side latency per request (it is threaded, so parallel requests overlap),
seeded directly through ``store.bulk_add``, and stopped at the end. No request leaves
the machine. The library is driven as the CLI drives it: ``load_texts`` ->
``IAdvizeClient`` -> ``plan_roster`` -> ``apply_plan``, with
``page_workers = min(parallelism, 8)`` as ``rostersync apply`` does. Only the memory
measure of a real run starts a second, short-lived Python process (load + plan alone).

Sections:
  * CPU only (no latency): a generated ~15-line-per-operator roster (block style, flow
    lists, channel blocks, comments, defaults, profiles) of --cpu-operators operators
    (10,000: ~150,000 lines), loaded and planned against a sandbox that already
    matches it (plan: No changes); peak memory of that work.
  * plan / apply at --parallelism, then at parallelism 1 (page_workers 1 too): a roster
    of --operators operators against an account with --changes updates, plus creates
    and deletes (a tenth of --changes each). The parallelism-1 apply is sequential, about
    changes x latency each time (a minute at the defaults): it runs --serial-repeats
    times, 1 by default, to keep the whole run to a few minutes.
  * scaling: plan wall time for N = 1,000, 5,000, 20,000 at --latency-ms.
"""

from __future__ import annotations

import argparse
import contextlib
import functools
import gc
import json
import logging
import math
import os
import platform
import resource
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, TypeVar

import rostersync
from rostersync.api import IAdvizeClient
from rostersync.api.options import ClientOptions
from rostersync.plan.apply import apply_plan
from rostersync.plan.engine import build_plan, read_live, scope_fields
from rostersync.plan.references import resolve_references
from rostersync.plan.workflow import plan_roster
from rostersync.roster.loader import Roster, load_texts
from rostersync.roster.yaml_source import FastPathUnsupported, load_yaml, load_yaml_fast
from rostersync.sandbox import FaultConfig, Sandbox, start_sandbox
from rostersync.sandbox.catalog import DEMO_SKILLS, Catalog, CatalogSkill

API_KEY = "bench-key"
PAGE = 100  # the API's page size: a listing of N operators is ceil(N/100) requests
GROUP_ID = 7  # the roster's scope
WRITE_KINDS = ("POST /operator", "PUT /operator/{id}", "DELETE /operator/{id}")
LIST_KIND = "GET /operator"
ONE_KIND = "GET /operator/{id}"
# The listings that resolve the roster's skills, groups and websites: one each per plan.
REFERENCE_KINDS = ("GET /skill", "GET /group", "GET /website")
# The demo account's skills and the 50 the generated operators use (ids 200-249).
BENCH_CATALOG = Catalog(skills=(*DEMO_SKILLS, CatalogSkill(199, "Bench"),
                                *(CatalogSkill(200 + n, f"Bench skill {n}", 199) for n in range(50))))

# The targets of the issue.
CPU_TARGET_OPERATORS = 10_000
CPU_TARGET_S = 1.5
MEMORY_TARGET_MB = 200.0
WRITE_RATIO_TARGET = 0.2
LINEAR_TOLERANCE = 1.25  # the largest N may take this much more than the straight line says

T = TypeVar("T")


# --------------------------------------------------------------------------- options

@dataclass(frozen=True)
class Options:
    operators: int = 5000
    latency_ms: float = 100.0
    changes: int = 500  # updates; creates and deletes are a tenth of this each
    repeats: int = 3
    parallelism: int = 8
    serial_repeats: int = 1
    cpu_operators: int = CPU_TARGET_OPERATORS
    scale_sizes: tuple[int, ...] = (1_000, 5_000, 20_000)
    quick: bool = False

    @property
    def creates(self) -> int:
        return max(1, self.changes // 10) if self.changes else 0

    @property
    def latency_s(self) -> float:
        return self.latency_ms / 1000.0


QUICK = Options(operators=500, latency_ms=5.0, changes=50, repeats=1, parallelism=8, serial_repeats=1,
                cpu_operators=1_000, scale_sizes=(200, 500, 2_000), quick=True)


def parse_args(argv: Sequence[str] | None) -> Options:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true",
                        help="a fast smoke run: small sizes, 5 ms latency, 1 repeat (options given still win)")
    parser.add_argument("--operators", type=int, metavar="N", help="operators for plan/apply (default 5000)")
    parser.add_argument("--latency-ms", type=float, metavar="MS", help="server-side latency per request (default 100)")
    parser.add_argument("--changes", type=int, metavar="M",
                        help="updates in the apply, plus M/10 creates and M/10 deletes (default 500)")
    parser.add_argument("--repeats", type=int, metavar="R", help="repeats; medians are reported (default 3)")
    parser.add_argument("--parallelism", type=int, metavar="P", help="apply's thread pool (default 8)")
    parser.add_argument("--serial-repeats", type=int, metavar="R",
                        help="repeats of the parallelism-1 comparison, whose apply is sequential and "
                             "takes about changes x latency each time (default 1)")
    parser.add_argument("--cpu-operators", type=int, metavar="N",
                        help="operators of the CPU-only load + plan (default 10000)")
    parser.add_argument("--scale-sizes", type=str, metavar="N,N,N",
                        help="operator counts of the scaling runs (default 1000,5000,20000)")
    args = parser.parse_args(argv)
    base = QUICK if args.quick else Options()
    given: dict[str, Any] = {name: getattr(args, name) for name in
                             ("operators", "latency_ms", "changes", "repeats", "parallelism",
                              "serial_repeats", "cpu_operators") if getattr(args, name) is not None}
    if args.scale_sizes:
        given["scale_sizes"] = tuple(int(part) for part in args.scale_sizes.split(",") if part.strip())
    options = replace(base, **given)
    if options.operators < 2 or options.cpu_operators < 1 or options.repeats < 1 or options.serial_repeats < 1:
        parser.error("--operators must be >= 2, --cpu-operators and the repeats >= 1")
    if options.parallelism < 1 or options.latency_ms < 0 or options.changes < 0:
        parser.error("--parallelism must be >= 1, --latency-ms and --changes >= 0")
    if not options.scale_sizes or min(options.scale_sizes) < 1:
        parser.error("--scale-sizes needs positive operator counts")
    return options


# --------------------------------------------------------------------------- machine

def machine_description() -> list[str]:
    model = "unknown"
    with contextlib.suppress(OSError):
        with open("/proc/cpuinfo", encoding="utf-8") as stream:
            for line in stream:
                if line.lower().startswith("model name"):
                    model = line.split(":", 1)[1].strip()
                    break
    try:
        usable = len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        usable = os.cpu_count() or 0
    return [
        f"- CPU: {model}",
        f"- cores: {os.cpu_count()} logical ({usable} usable by this process)",
        f"- Python {platform.python_version()} ({platform.python_implementation()}) on {platform.system()} "
        f"{platform.release()}",
    ]


# --------------------------------------------------------------------------- the roster

_HEADER = """\
# yaml-language-server: $schema=../schema/roster.schema.json
#
# Benchmark roster: {n} operators, generated by benchmarks/bench.py.
# A field left out of an operator (after defaults and profiles) is not managed.
version: 1

# This roster owns the operators of group {group} and no one else.
scope:
  group_id: {group}

# Support staff of the vendor get accounts on ours now and then: leave them alone.
ignore:
  - "*@iadvize.com"

# Applied to every operator first, then its profiles, then its own fields.
defaults:
  roles: [operator]
  group: {group}
  language_admin: fr
  chat: {{enabled: true, max: 3, priority: 10}}
  call: {{enabled: false, priority: 0}}
  video: {{enabled: false, priority: 0}}
  chat_and_call: false
  chat_to_video: false

profiles:
  # Sales advisers on the French site (website 123).
  sales-fr:
    languages: [fr]
    websites: [Maison Lumiere FR]
    skills: [Lighting advice, orders]
    chat: {{max: 4}}
  # After-sales support on both sites, in French and English.
  support-bilingual:
    languages: [fr, en]
    websites: [Maison Lumiere FR, www.maison-lumiere.com]
    skills: [After-sales/Returns]
  # Takes calls on the desk as well as chats.
  phone-desk:
    call: {{enabled: true, priority: 10}}
    chat_and_call: true
    call_config: {{type: ANSWER_FROM_DESK}}

operators:
"""

# Four kinds of operator entries, 15 lines each with the blank line that follows.
_ENTRIES = (
    """\
  # Sales, team {team}
  - email: agent{i:06d}@maison-bench.example
    external_id: HR-{i:06d}
    first_name: First{i}
    name: Last{i}
    pseudo: "Agent {i}"
    profile: sales-fr
    languages: [fr, en]         # bilingual desk
    chat:
      enabled: true
      max: {chat_max}
      priority: 10
    skills: [101, 102, {skill}]
    websites: [123]

""",
    """\
  - email: agent{i:06d}@maison-bench.example
    external_id: HR-{i:06d}
    first_name: First{i}
    name: Last{i}
    pseudo: 'Agent {i}'
    roles: [manager, operator]
    profile: [support-bilingual, phone-desk]
    chat: {{max: 2}}              # supervises: fewer parallel chats
    call_config:
      type: ANSWER_FROM_PHONE   # picks up on the mobile when away
      phone_number: "+336{i:08d}"
      ask_phone_number_at_every_connection: false
    language_admin: en
    skills: [103, {skill}]

""",
    """\
  - email: agent{i:06d}@maison-bench.example
    external_id: HR-{i:06d}
    first_name: First{i}
    name: Last{i}
    pseudo: Agent {i}
    roles: [operator, expert]   # product expert: receives escalations
    profile: sales-fr
    video:
      enabled: true
      priority: 10
    chat_to_video: true
    languages: [fr, en, de]
    skills: [101, {skill}]
    # showroom tours on Fridays

""",
    """\
  - email: agent{i:06d}@maison-bench.example
    external_id: HR-{i:06d}
    first_name: First{i}
    name: Last{i}
    pseudo: Agent {i}
    profile: support-bilingual
    chat:
      max: {chat_max}
      priority: 0
    call: {{enabled: true, priority: 0}}
    call_config: {{type: ANSWER_FROM_DESK, ask_phone_number_at_every_connection: false}}
    websites: [123, 456, 789]
    skills: [103, {skill}]

""",
)


def make_roster_text(n_operators: int) -> str:
    """A roster of `n_operators` operators, about 15 lines each, like a hand-written one."""
    parts = [_HEADER.format(n=n_operators, group=GROUP_ID)]
    for i in range(n_operators):
        parts.append(_ENTRIES[i % len(_ENTRIES)].format(
            i=i, team=i // 50, chat_max=2 + i % 4, skill=200 + i % 50))
    return "".join(parts)


def load_roster_text(text: str, name: str = "bench.yaml") -> Roster:
    return load_texts([(name, text)])


@dataclass
class Account:
    """What to seed in the sandbox, and the changes a plan should then find."""

    seeds: list[dict[str, Any]]
    updates: int = 0
    creates: int = 0
    deletes: int = 0

    @property
    def changes(self) -> int:
        return self.updates + self.creates + self.deletes

    @property
    def live(self) -> int:
        return len(self.seeds)


class _BenchCatalog:
    """The bench account's skills, groups and websites without HTTP, to seed it."""

    def list_skills(self) -> Any:
        return BENCH_CATALOG.skills

    def list_groups(self) -> Any:
        return BENCH_CATALOG.groups

    def list_websites(self) -> Any:
        return BENCH_CATALOG.websites


def matching_account(roster: Roster, *, updates: int = 0, creates: int = 0, deletes: int = 0) -> Account:
    """The live operators for `roster`: all of them as the roster wants them, except
    the last `creates` (missing), `updates` spread over the others (two fields off),
    and `deletes` extra operators in scope that the roster does not list."""
    roster, _ = resolve_references(_BenchCatalog(), roster)  # the account holds ids, not names
    operators = roster.operators
    kept = len(operators) - creates
    updates = min(updates, kept)
    step = kept / updates if updates else 0.0
    changed = {int(n * step) for n in range(updates)}
    seeds: list[dict[str, Any]] = []
    for index, wanted in enumerate(operators[:kept]):
        fields = scope_fields(roster.scope, wanted.fields)
        if index in changed:
            fields = {**fields, "first_name": f"Old{fields.get('first_name', '')}",
                      "chat_max_number": int(fields.get("chat_max_number", 3)) + 1}
        seeds.append(fields)
    for n in range(deletes):
        seeds.append({"email": f"gone{n:06d}@maison-bench.example", "first_name": "Gone", "name": f"Gone{n}",
                      "group_id": GROUP_ID, "website_list": [123], "roles": ["operator"]})
    return Account(seeds, updates=len(changed), creates=creates, deletes=deletes)


def reseed(sandbox: Sandbox, account: Account) -> None:
    sandbox.store.clear()
    sandbox.store.bulk_add(account.seeds)
    sandbox.reset_counts()


# --------------------------------------------------------------------------- measuring

@contextlib.contextmanager
def running_sandbox(latency_ms: float) -> Iterator[Sandbox]:
    sandbox = start_sandbox(host="127.0.0.1", port=0, api_key=API_KEY, faults=FaultConfig(latency_ms=latency_ms))
    try:
        if sandbox.host != "127.0.0.1":  # the benchmark talks to this machine only
            raise RuntimeError(f"the sandbox is bound to {sandbox.host}, not 127.0.0.1")
        sandbox.store.catalog = BENCH_CATALOG
        yield sandbox
    finally:
        sandbox.stop()


@contextlib.contextmanager
def no_proxy_for_loopback() -> Iterator[None]:
    """requests honours *_proxy variables: make sure 127.0.0.1 never goes through one."""
    saved = {name: os.environ.get(name) for name in ("NO_PROXY", "no_proxy")}
    for name, value in saved.items():
        os.environ[name] = ",".join(part for part in (value, "127.0.0.1") if part)
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


class PoolWarnings(logging.Handler):
    """Counts urllib3's connection-pool warnings ("Connection pool is full, discarding
    connection"): a pool smaller than the threads using it opens a new connection
    per request beyond its size."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.count = 0

    def emit(self, record: logging.LogRecord) -> None:
        if "pool" in record.getMessage().lower():
            self.count += 1


@contextlib.contextmanager
def watching_pool_warnings() -> Iterator[PoolWarnings]:
    handler = PoolWarnings()
    pool_logger = logging.getLogger("urllib3.connectionpool")
    pool_logger.addHandler(handler)
    try:
        yield handler
    finally:
        pool_logger.removeHandler(handler)


def make_client(sandbox: Sandbox, parallelism: int) -> IAdvizeClient:
    # As `rostersync apply --parallelism P` does: page_workers = min(P, 8).
    return IAdvizeClient(sandbox.url, sandbox.api_key, ClientOptions(page_workers=min(parallelism, 8)))


def timed(func: Callable[[], T]) -> tuple[float, T]:
    start = time.perf_counter()
    result = func()
    return time.perf_counter() - start, result


def median(values: Sequence[float]) -> float:
    return float(statistics.median(values)) if values else math.nan


@dataclass
class PlanApplyResult:
    parallelism: int
    page_workers: int
    repeats: int
    operators: int  # in the roster
    live: int  # live operators read by the plan
    changes: int
    phases: tuple[int, int, int]  # creates, updates, deletes: apply runs them one after the other
    plan_s: list[float] = field(default_factory=list)
    write_s: list[float] = field(default_factory=list)
    list_requests: list[int] = field(default_factory=list)
    one_requests: list[int] = field(default_factory=list)  # GET /operator/{id} during the plan
    plan_other_requests: list[int] = field(default_factory=list)
    write_requests: list[int] = field(default_factory=list)
    write_other_requests: list[int] = field(default_factory=list)  # anything but writes during apply
    client_write_requests: list[int] = field(default_factory=list)
    planned_changes: list[int] = field(default_factory=list)
    failed: list[int] = field(default_factory=list)
    pool_warnings: int = 0

    @property
    def apply_s(self) -> list[float]:
        return [p + w for p, w in zip(self.plan_s, self.write_s, strict=True)]


def run_plan_apply(options: Options, roster: Roster, account: Account, parallelism: int,
                   repeats: int) -> PlanApplyResult:
    result = PlanApplyResult(parallelism, min(parallelism, 8), repeats, len(roster.operators), account.live,
                             account.changes, (account.creates, account.updates, account.deletes))
    with running_sandbox(options.latency_ms) as sandbox, watching_pool_warnings() as warnings:
        for _ in range(repeats):
            reseed(sandbox, account)
            with make_client(sandbox, parallelism) as client:
                plan_s, plan = timed(functools.partial(plan_roster, client, roster))
                counts = sandbox.request_counts()
                result.plan_s.append(plan_s)
                result.list_requests.append(listed(counts))
                result.one_requests.append(counts.get(ONE_KIND, 0))
                result.plan_other_requests.append(sum(counts.values()) - listed(counts))
                result.planned_changes.append(len(plan.changes))

                sandbox.reset_counts()
                before = client.request_count
                write_s, report = timed(functools.partial(apply_plan, client, plan, parallelism=parallelism))
                counts = sandbox.request_counts()
                writes = sum(counts.get(kind, 0) for kind in WRITE_KINDS)
                result.write_s.append(write_s)
                result.write_requests.append(writes)
                result.write_other_requests.append(sum(counts.values()) - writes)
                result.client_write_requests.append(client.request_count - before)
                result.failed.append(len(report.with_status("failed")) + len(report.with_status("not started")))
        result.pool_warnings = warnings.count
    return result


@dataclass
class CpuResult:
    operators: int
    lines: int
    megabytes: float
    fast_path: bool
    parse_s: list[float] = field(default_factory=list)
    load_s: list[float] = field(default_factory=list)
    total_s: list[float] = field(default_factory=list)  # load + validate + read + plan
    read_s: list[float] = field(default_factory=list)
    build_s: list[float] = field(default_factory=list)
    list_requests: list[int] = field(default_factory=list)
    other_requests: list[int] = field(default_factory=list)  # anything but the listing's pages
    plan_changes: list[int] = field(default_factory=list)
    tracemalloc_peak_mb: float = math.nan
    maxrss_mb: float = math.nan  # this process: sandbox, benchmark scaffolding and all
    fresh_maxrss_mb: float = math.nan  # a fresh process doing only load + validate + plan
    fresh_s: float = math.nan
    fresh_changes: int = -1
    fresh_list_requests: int = -1


def run_cpu(options: Options) -> CpuResult:
    text = make_roster_text(options.cpu_operators)
    try:
        load_yaml_fast(text, "bench.yaml")
        fast = True
    except FastPathUnsupported:
        fast = False
    result = CpuResult(options.cpu_operators, text.count("\n"), len(text.encode()) / 1e6, fast)
    roster = load_roster_text(text)
    account = matching_account(roster)
    del roster
    with running_sandbox(0.0) as sandbox:
        reseed(sandbox, account)
        del account  # the store holds its own copy: keep the heap as the CLI's would be
        with make_client(sandbox, options.parallelism) as client:
            plan_roster(client, load_roster_text(text))  # warm-up: imports, connections, caches
            for _ in range(options.repeats):
                gc.collect()
                result.parse_s.append(timed(lambda: load_yaml(text, "bench.yaml"))[0])
                gc.collect()
                result.load_s.append(timed(lambda: load_roster_text(text))[0])
                gc.collect()
                sandbox.reset_counts()
                start = time.perf_counter()
                roster = load_roster_text(text)
                loaded = time.perf_counter()
                # plan_roster's two halves, timed apart: the listings (names resolved,
                # then the operators), then the diff.
                roster, _ = resolve_references(client, roster)
                live = read_live(client, roster.scope, roster.ignore)
                read = time.perf_counter()
                plan = build_plan(roster, live)
                end = time.perf_counter()
                result.total_s.append(end - start)
                result.read_s.append(read - loaded)
                result.build_s.append(end - read)
                counts = sandbox.request_counts()
                result.list_requests.append(listed(counts))
                result.other_requests.append(sum(counts.values()) - listed(counts))
                result.plan_changes.append(len(plan.changes))
                del roster, live, plan
            # ru_maxrss now, before tracemalloc: its own bookkeeping (a trace per live
            # block) would add tens of MB to the process's resident set.
            result.maxrss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux
            # Memory: a separate, untimed pass (tracemalloc slows everything down).
            gc.collect()
            tracemalloc.start()
            try:
                plan_roster(client, load_roster_text(text))
                result.tracemalloc_peak_mb = tracemalloc.get_traced_memory()[1] / 2**20
            finally:
                tracemalloc.stop()
            sandbox.reset_counts()
            fresh = run_fresh_process(sandbox, text, options.parallelism)
            counts = sandbox.request_counts()
            result.fresh_list_requests = listed(counts)
            result.other_requests.append(sum(counts.values()) - listed(counts))
            result.fresh_maxrss_mb = fresh["peak_kib"] / 1024
            result.fresh_s = fresh["seconds"]
            result.fresh_changes = fresh["changes"]
    return result


# What `rostersync plan` does, alone in a new interpreter: its ru_maxrss is the memory
# a real run needs, without the in-process sandbox and this script's own data.
_FRESH_PROCESS = '''
import json, resource, sys, time
from rostersync.api import IAdvizeClient
from rostersync.api.options import ClientOptions
from rostersync.plan.workflow import plan_roster
from rostersync.roster.loader import load_texts
url, key, path, workers = sys.argv[1:5]
with open(path, encoding="utf-8") as stream:
    text = stream.read()
start = time.perf_counter()
roster = load_texts([("bench.yaml", text)])
with IAdvizeClient(url, key, ClientOptions(page_workers=int(workers))) as client:
    plan = plan_roster(client, roster)
seconds = time.perf_counter() - start
# VmHWM, not ru_maxrss: Linux keeps ru_maxrss across fork + exec, so a child's starts
# at its parent's resident set; VmHWM belongs to the new address space.
try:
    with open("/proc/self/status", encoding="ascii") as status:
        peak_kib = next(int(line.split()[1]) for line in status if line.startswith("VmHWM:"))
except (OSError, StopIteration):
    peak_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(json.dumps({"seconds": seconds, "changes": len(plan.changes), "peak_kib": peak_kib}))
'''


def run_fresh_process(sandbox: Sandbox, text: str, parallelism: int) -> dict[str, Any]:
    package_root = str(Path(rostersync.__file__).resolve().parents[1])  # the same rostersync as here
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(p for p in (package_root, os.environ.get("PYTHONPATH")) if p)}
    with tempfile.TemporaryDirectory(prefix="rostersync-bench-") as folder:
        path = Path(folder) / "bench.yaml"
        path.write_text(text, encoding="utf-8")
        done = subprocess.run(
            [sys.executable, "-c", _FRESH_PROCESS, sandbox.url, sandbox.api_key, str(path), str(min(parallelism, 8))],
            capture_output=True, text=True, timeout=300, env=env, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"the fresh load + plan process failed:\n{done.stderr}")
    return dict(json.loads(done.stdout.strip().splitlines()[-1]))


@dataclass
class ScaleResult:
    operators: int
    live: int
    plan_s: list[float] = field(default_factory=list)
    list_requests: list[int] = field(default_factory=list)
    one_requests: list[int] = field(default_factory=list)


def run_scaling(options: Options) -> list[ScaleResult]:
    results = []
    with running_sandbox(options.latency_ms) as sandbox:
        for size in options.scale_sizes:
            roster = load_roster_text(make_roster_text(size))
            account = matching_account(roster)
            reseed(sandbox, account)
            result = ScaleResult(size, account.live)
            for _ in range(options.repeats):
                with make_client(sandbox, options.parallelism) as client:
                    sandbox.reset_counts()
                    result.plan_s.append(timed(functools.partial(plan_roster, client, roster))[0])
                    counts = sandbox.request_counts()
                    result.list_requests.append(listed(counts))
                    result.one_requests.append(counts.get(ONE_KIND, 0))
            results.append(result)
            del roster, account
    return results


# --------------------------------------------------------------------------- reporting

def fmt_s(seconds: float) -> str:
    if math.isnan(seconds):
        return "-"
    return f"{seconds * 1000:.0f} ms" if seconds < 1 else f"{seconds:.2f} s"


def fmt_n(values: Sequence[int]) -> str:
    """The count, or min-max when repeats disagree."""
    low, high = min(values), max(values)
    return f"{low}" if low == high else f"{low}-{high}"


def pages(n: int) -> int:
    """The request floor of a plan of `n` operators: their pages, and one listing per
    kind of resource the roster names."""
    return max(1, math.ceil(n / PAGE)) + len(REFERENCE_KINDS)


def listed(counts: Mapping[str, int]) -> int:
    """The listing requests of a plan: the operators' pages and the reference listings."""
    return counts.get(LIST_KIND, 0) + sum(counts.get(kind, 0) for kind in REFERENCE_KINDS)


@dataclass
class Target:
    name: str
    status: str  # PASS, FAIL or SKIP
    detail: str

    def line(self) -> str:
        return f"- {self.status}: {self.name} — {self.detail}"


def table_rows(options: Options, cpu: CpuResult, runs: list[PlanApplyResult],
               scaling: list[ScaleResult]) -> list[list[str]]:
    rows: list[list[str]] = []
    n = cpu.operators
    rows.append([f"CPU: YAML parse only ({cpu.lines:,} lines, {cpu.megabytes:.1f} MB)", f"{n:,}", "-",
                 fmt_s(median(cpu.parse_s)), "0", "-", "-",
                 "fast parser" if cpu.fast_path else "PyYAML fallback (fast parser refused the text)"])
    rows.append(["CPU: load (parse + validate + merge)", f"{n:,}", "-", fmt_s(median(cpu.load_s)), "0", "-", "-",
                 "load_texts"])
    rows.append(["CPU: load + validate + plan, no latency", f"{n:,}", str(min(options.parallelism, 8)),
                 fmt_s(median(cpu.total_s)), fmt_n(cpu.list_requests), str(pages(n)), "-",
                 f"read_live {fmt_s(median(cpu.read_s))} + build_plan {fmt_s(median(cpu.build_s))}; "
                 f"plan: {'No changes' if set(cpu.plan_changes) == {0} else f'{max(cpu.plan_changes)} changes'}"])
    rows.append(["CPU: peak memory, tracemalloc", f"{n:,}", "-", f"{cpu.tracemalloc_peak_mb:.0f} MB", "-", "-", "-",
                 "peak traced Python allocations during one load + validate + plan (all threads, the "
                 "in-process sandbox serving the pages included)"])
    rows.append(["CPU: peak memory, peak RSS (VmHWM) of a fresh process", f"{n:,}", str(min(options.parallelism, 8)),
                 f"{cpu.fresh_maxrss_mb:.0f} MB", str(cpu.fresh_list_requests), str(pages(n)), "-",
                 f"a new interpreter doing only load + validate + plan, as `rostersync plan` would (imports "
                 f"included; the sandbox stays in this process). VmHWM, as its ru_maxrss would start at this "
                 f"process's RSS (Linux keeps it across fork + exec). It took {fmt_s(cpu.fresh_s)}, plan: "
                 f"{'No changes' if cpu.fresh_changes == 0 else f'{cpu.fresh_changes} changes'}"])
    rows.append(["CPU: peak memory, ru_maxrss of this process", f"{n:,}", "-", f"{cpu.maxrss_mb:.0f} MB", "-", "-",
                 "-", "informational: the benchmark process after the timed runs of this section, before "
                 "tracemalloc starts; adds the in-process sandbox holding the operators and the scaffolding"])
    for run in runs:
        tag = f"p={run.parallelism}, page_workers={run.page_workers}"
        seq_floor = run.changes * options.latency_s
        rows.append([f"plan (read + build_plan), {tag}", f"{run.live:,} live", str(run.page_workers),
                     fmt_s(median(run.plan_s)), fmt_n(run.list_requests), f"{pages(run.live)} requests", "-",
                     f"{fmt_n(run.one_requests)} GET /operator/{{id}}; "
                     f"{fmt_n(run.planned_changes)} changes planned; {run.repeats} repeat(s)"])
        rows.append([f"apply total (plan + writes), {tag}", f"{run.changes} changes", str(run.parallelism),
                     fmt_s(median(run.apply_s)),
                     fmt_n([a + b for a, b in zip(run.list_requests, run.write_requests, strict=True)]),
                     f"{fmt_s(seq_floor)} (M x latency)",
                     _ratio(median(run.apply_s), seq_floor), "-"])
        rows.append([f"apply write phase (apply_plan only), {tag}", f"{run.changes} changes", str(run.parallelism),
                     fmt_s(median(run.write_s)), fmt_n(run.write_requests), f"{fmt_s(seq_floor)} (M x latency)",
                     _ratio(median(run.write_s), seq_floor),
                     f"ideal 1/{run.parallelism} = {1 / run.parallelism:.3f}, "
                     f"{_phase_ideal(run):.3f} with apply's phases (creates, then updates, then deletes); "
                     f"{fmt_n(run.write_other_requests)} non-write requests; "
                     f"{fmt_n(run.failed)} failed; {run.pool_warnings} urllib3 pool warnings"])
    for scale in scaling:
        seconds = median(scale.plan_s)
        rows.append([f"scaling: plan at {options.latency_ms:g} ms latency", f"{scale.live:,} live",
                     str(min(options.parallelism, 8)), fmt_s(seconds), fmt_n(scale.list_requests),
                     f"{pages(scale.live)} requests", "-",
                     f"{seconds / scale.live * 1e6:.0f} µs per operator"])
    return rows


def _phase_ideal(run: PlanApplyResult) -> float:
    """The best ratio to the floor when each phase waits for the previous one: every
    phase takes ceil(its changes / parallelism) rounds of one latency."""
    rounds = sum(math.ceil(n / run.parallelism) for n in run.phases if n > 0)
    return rounds / run.changes if run.changes else math.nan


def _ratio(value: float, floor: float) -> str:
    return f"{value / floor:.3f}" if floor > 0 else "-"


def render_table(rows: list[list[str]]) -> list[str]:
    header = ["Measurement", "N", "Workers", "Wall (median)", "Requests", "Floor", "Ratio to floor", "Notes"]
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    lines.extend("| " + " | ".join(row) + " |" for row in rows)
    return lines


def evaluate(options: Options, cpu: CpuResult, runs: list[PlanApplyResult],
             scaling: list[ScaleResult]) -> list[Target]:
    targets: list[Target] = []

    # 1. plan requests <= ceil(N/100) + one per resource kind named + 1, and no per-operator GET.
    plans = [(f"p={r.parallelism}, N={r.live}", r.live, r.list_requests, r.one_requests, r.plan_other_requests)
             for r in runs]
    plans += [(f"scaling N={s.live}", s.live, s.list_requests, s.one_requests, [0]) for s in scaling]
    plans.append((f"CPU N={cpu.operators}", cpu.operators, [*cpu.list_requests, cpu.fresh_list_requests], [0],
                  cpu.other_requests))
    bad = [f"{name}: {max(lists)} lists (limit {pages(live) + 1}), {max(ones)} GET /operator/{{id}}, "
           f"{max(others)} other" for name, live, lists, ones, others in plans
           if max(lists) > pages(live) + 1 or max(ones) or max(others)]
    targets.append(Target("plan requests <= ceil(N/100) + one per resource kind + 1, no per-operator GET",
                          "FAIL" if bad else "PASS",
                          "; ".join(bad) if bad else
                          ", ".join(f"{name}: {fmt_n(lists)}/{pages(live) + 1}" for name, live, lists, _, _ in plans)))

    # 2. apply requests == number of changes, writes only.
    bad = [f"p={r.parallelism}: {fmt_n(r.write_requests)} writes (client counted {fmt_n(r.client_write_requests)}) "
           f"and {fmt_n(r.write_other_requests)} other requests for {r.changes} changes, {fmt_n(r.failed)} failed"
           for r in runs
           if set(r.write_requests) != {r.changes} or set(r.client_write_requests) != {r.changes}
           or max(r.write_other_requests) or max(r.failed) or set(r.planned_changes) != {r.changes}]
    targets.append(Target("apply requests == number of changes (writes only)", "FAIL" if bad else "PASS",
                          "; ".join(bad) if bad else
                          ", ".join(f"p={r.parallelism}: {r.changes} writes for {r.changes} changes" for r in runs)))

    # 3. write phase <= 0.2 x the sequential floor at the given parallelism.
    main_run = runs[0]
    floor = main_run.changes * options.latency_s
    if floor <= 0 or options.quick:
        targets.append(Target(f"apply write phase <= {WRITE_RATIO_TARGET} x sequential floor", "SKIP",
                              "a --quick run, or no latency or no changes: no floor worth comparing with"))
    else:
        ratio = median(main_run.write_s) / floor
        targets.append(Target(
            f"apply write phase <= {WRITE_RATIO_TARGET} x sequential floor (p={main_run.parallelism})",
            "PASS" if ratio <= WRITE_RATIO_TARGET else "FAIL",
            f"{fmt_s(median(main_run.write_s))} / {fmt_s(floor)} = {ratio:.3f} "
            f"(ideal {1 / main_run.parallelism:.3f}; {_phase_ideal(main_run):.3f} with apply's phases)"))

    # 4. load + plan of 10,000 operators without latency <= 1.5 s; peak memory <= 200 MB.
    total = median(cpu.total_s)
    if cpu.operators != CPU_TARGET_OPERATORS:
        targets.append(Target(f"load + plan of {CPU_TARGET_OPERATORS:,} operators <= {CPU_TARGET_S} s", "SKIP",
                              f"ran {cpu.operators:,} operators ({fmt_s(total)}), not the target's size"))
    else:
        targets.append(Target(f"load + plan of {CPU_TARGET_OPERATORS:,} operators <= {CPU_TARGET_S} s",
                              "PASS" if total <= CPU_TARGET_S else "FAIL", f"{fmt_s(total)} (median)"))
    memory_ok = cpu.tracemalloc_peak_mb <= MEMORY_TARGET_MB and cpu.fresh_maxrss_mb <= MEMORY_TARGET_MB
    targets.append(Target(f"peak memory <= {MEMORY_TARGET_MB:.0f} MB", "PASS" if memory_ok else "FAIL",
                          f"tracemalloc peak {cpu.tracemalloc_peak_mb:.0f} MB and peak RSS of a fresh load + plan "
                          f"process {cpu.fresh_maxrss_mb:.0f} MB ({cpu.operators:,} operators; both must pass; "
                          f"ru_maxrss of this whole benchmark process: {cpu.maxrss_mb:.0f} MB)"))

    # 5. plan wall time grows linearly with N.
    targets.append(_linearity(options, scaling))
    return targets


def _linearity(options: Options, scaling: list[ScaleResult]) -> Target:
    name = "plan wall time grows linearly with N"
    points = sorted((s.live, median(s.plan_s)) for s in scaling)
    if len(points) < 3 or options.quick or options.latency_ms <= 0:
        return Target(name, "SKIP", "needs 3 sizes, latency, and a full run (not --quick)")
    (n1, t1), (n2, t2), (n3, t3) = points[0], points[1], points[-1]
    slope = (t2 - t1) / (n2 - n1) if n2 != n1 else 0.0
    predicted = t2 + slope * (n3 - n2)
    status = "PASS" if t3 <= predicted * LINEAR_TOLERANCE else "FAIL"
    per_op = ", ".join(f"N={n}: {t / n * 1e6:.0f} µs/op" for n, t in points)
    return Target(name, status, f"N={n3}: {fmt_s(t3)}, the line through N={n1} and N={n2} predicts "
                                f"{fmt_s(predicted)} (allowed x{LINEAR_TOLERANCE}); {per_op}")


# --------------------------------------------------------------------------- main

def main(argv: Sequence[str] | None = None) -> int:
    options = parse_args(argv)
    started = time.perf_counter()
    out = sys.stdout
    print("# rostersync benchmark" + (" (--quick)" if options.quick else ""), file=out)
    print(file=out)
    for line in machine_description():
        print(line, file=out)
    print(f"- settings: operators={options.operators}, latency={options.latency_ms:g} ms, "
          f"changes={options.changes} updates + {options.creates} creates + {options.creates} deletes, "
          f"repeats={options.repeats} (parallelism-1 runs: {options.serial_repeats}), "
          f"parallelism={options.parallelism}, cpu-operators={options.cpu_operators}, "
          f"scale-sizes={','.join(str(n) for n in options.scale_sizes)}", file=out)
    out.flush()

    with no_proxy_for_loopback():
        # CPU first: ru_maxrss is a high-water mark, so it then reflects that section.
        cpu = run_cpu(options)
        roster = load_roster_text(make_roster_text(options.operators))
        account = matching_account(roster, updates=options.changes, creates=options.creates,
                                   deletes=options.creates)
        runs = [run_plan_apply(options, roster, account, options.parallelism, options.repeats)]
        if options.parallelism != 1:
            runs.append(run_plan_apply(options, roster, account, 1, options.serial_repeats))
        del roster, account
        scaling = run_scaling(options)

    print(file=out)
    for line in render_table(table_rows(options, cpu, runs, scaling)):
        print(line, file=out)
    print(file=out)
    print("Targets:", file=out)
    targets = evaluate(options, cpu, runs, scaling)
    for target in targets:
        print(target.line(), file=out)
    print(file=out)
    print(f"Benchmark ran in {time.perf_counter() - started:.0f} s.", file=out)
    out.flush()
    return 1 if any(t.status == "FAIL" for t in targets) else 0


if __name__ == "__main__":
    sys.exit(main())
