"""Benchmark: rostersync's startup, plan and apply at scale, against the sandbox.

rostersync's cost is set by the API's round trips: a plan needs ceil(N/100) list
requests, plus one listing per kind of resource the roster names (skills, groups,
websites: the roster here uses names and ids of all three), an apply one request per
change. This script measures that, the CPU cost
of loading and planning a large roster, what a command costs to start, and the
commands as users run them, and checks the numbers against the targets of the
"Speed at scale" issue and of issue 17 ("Instant at the prompt, cheap at scale"). It
prints the machine, a Markdown table (medians over the repeats; ratios taken in the
same run) and one PASS / FAIL / SKIP line per target.

Run with:  python benchmarks/bench.py                       (defaults: several minutes)
           python benchmarks/bench.py --quick               (a smoke run, seconds)
           python benchmarks/bench.py --sections startup,diff   (some sections only)

No request leaves the machine: every sandbox listens on 127.0.0.1. Most sections run
the sandbox in this process (threaded, so parallel requests overlap, with the given
server-side latency per request), seeded through ``store.bulk_add``, and drive the
library as the CLI drives it: ``load_texts`` -> ``IAdvizeClient`` -> ``plan_roster``
-> ``apply_plan``, with ``page_workers = parallelism`` as ``rostersync plan/apply
--parallelism`` do. The "startup", "commands" and "memory" sections run the commands
themselves, each in a new process (the `rostersync` console script next to this
interpreter); "commands" also runs ``rostersync sandbox`` in a process of its own.

Sections (--sections, default all, run in this order):
  * startup: `python -c pass`, `python -c "import click"`, `python -c "import pydantic,
    yaml, click"`, `rostersync validate examples/operators.yaml` and `rostersync
    --version`, --startup-repeats times each, interleaved; wall time, and the CPU time
    the kernel accounts to each child.
  * cpu (no latency): a generated ~15-line-per-operator roster (block style, flow
    lists, channel blocks, comments, defaults, profiles) of --cpu-operators operators
    (10,000: ~150,000 lines), loaded and planned against a sandbox that already
    matches it (plan: No changes); peak memory of that work.
  * diff (no latency): one roster of --diff-operators operators planned against an
    account that matches it and one where --diff-changes of them differ, interleaved:
    what a plan's changes cost beyond its reading.
  * plan-apply at --parallelism, then at parallelism 1: a roster of --operators
    operators against an account with --changes updates, plus creates and deletes (a
    tenth of --changes each). The parallelism-1 apply is sequential, about changes x
    latency each time (a minute at the defaults): it runs --serial-repeats times, 1 by
    default, to keep the whole run to several minutes.
  * scaling: plan wall time for N = 1,000, 5,000, 20,000 at --latency-ms.
  * commands: cold `rostersync plan` (--parallelism 8, and 4 as it read before) and
    `rostersync apply --yes` of --command-operators operators with --command-changes
    updates (and a tenth in creates and deletes), against `rostersync sandbox
    --latency-ms` in its own process; requests counted from `-v`.
  * memory: peak RSS (VmHWM) of one fresh `rostersync plan` of --memory-operators
    operators (50,000) against an in-process sandbox without latency.
"""

from __future__ import annotations

import argparse
import contextlib
import functools
import gc
import importlib.metadata
import itertools
import json
import logging
import math
import os
import platform
import re
import resource
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import tracemalloc
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, TypeVar

import yaml

import rostersync
from rostersync.api import IAdvizeClient
from rostersync.api.options import ClientOptions
from rostersync.plan.apply import apply_plan
from rostersync.plan.engine import build_plan, read_live, scope_fields
from rostersync.plan.references import resolve_references
from rostersync.plan.workflow import plan_roster
from rostersync.roster.compiled import ROSTER_PLACE
from rostersync.roster.gc_pause import gc_paused
from rostersync.roster.loader import Roster, load_texts
from rostersync.roster.yaml_source import load_yaml
from rostersync.sandbox import FaultConfig, OperatorStore, Sandbox, start_sandbox
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

# The targets of the issues ("Speed at scale"; 17, "Instant at the prompt, cheap at scale").
CPU_TARGET_OPERATORS = 10_000
CPU_TARGET_S = 3.0  # issue 12, with the YAML read on PyYAML (the hand-written parser met an earlier 1.5 s)
MEMORY_TARGET_MB = 200.0
YAML_TARGET_RATIO = 1.6  # load_yaml of the CPU roster / libyaml's bare yaml.compose of it
BARE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # (SafeLoader: a PyYAML built without libyaml)
WRITE_RATIO_TARGET = 0.2
LINEAR_TOLERANCE = 1.25  # the largest N may take this much more than the straight line says
VALIDATE_TARGET_RATIO = 1.6  # `rostersync validate` of a small roster / importing pydantic, PyYAML, click
VERSION_TARGET_RATIO = 4.0  # `rostersync --version` / a bare interpreter start
DIFF_TARGET_OPERATORS, DIFF_TARGET_CHANGES = 2_000, 1_000
DIFF_TARGET_RATIO = 1.3  # a plan with 1,000 changed operators of 2,000 / the same plan with none
COMMAND_TARGET_OPERATORS = 20_000
COMMAND_TARGET_LATENCY_MS = 100.0
COMMAND_TARGET_RATIO = 0.3  # a cold `rostersync plan` / its sequential page floor (pages x latency)
SCALE_MEMORY_TARGET_OPERATORS = 50_000
SCALE_MEMORY_TARGET_MB = 320.0  # peak RSS of a fresh 50,000-operator `rostersync plan`
LINEAR_MEMORY_RATIO = 1.25  # what each 1,000 operators cost above a 5th of N / below it

SECTIONS = ("startup", "cpu", "diff", "plan-apply", "scaling", "commands", "memory")
SMALL_ROSTER = Path(__file__).resolve().parents[1] / "examples" / "operators.yaml"  # 9 operators

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
    sections: tuple[str, ...] = SECTIONS
    startup_repeats: int = 20
    diff_operators: int = DIFF_TARGET_OPERATORS
    diff_changes: int = DIFF_TARGET_CHANGES
    diff_repeats: int = 9
    command_operators: int = COMMAND_TARGET_OPERATORS
    command_changes: int = 200  # updates; creates and deletes are a tenth of this each
    command_repeats: int = 5
    memory_operators: int = SCALE_MEMORY_TARGET_OPERATORS
    quick: bool = False

    @property
    def creates(self) -> int:
        return max(1, self.changes // 10) if self.changes else 0

    @property
    def latency_s(self) -> float:
        return self.latency_ms / 1000.0


QUICK = Options(operators=500, latency_ms=5.0, changes=50, repeats=1, parallelism=8, serial_repeats=1,
                cpu_operators=1_000, scale_sizes=(200, 500, 2_000), startup_repeats=2, diff_operators=200,
                diff_changes=100, diff_repeats=3, command_operators=500, command_changes=20, command_repeats=1,
                memory_operators=1_000, quick=True)

_INT_OPTIONS = ("operators", "changes", "repeats", "parallelism", "serial_repeats", "cpu_operators",
                "startup_repeats", "diff_operators", "diff_changes", "diff_repeats", "command_operators",
                "command_changes", "command_repeats", "memory_operators")


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
    parser.add_argument("--sections", type=str, metavar="NAME,NAME",
                        help=f"the sections to run, of {','.join(SECTIONS)} (default all)")
    parser.add_argument("--startup-repeats", type=int, metavar="R",
                        help="runs of each startup command, interleaved (default 20)")
    parser.add_argument("--diff-operators", type=int, metavar="N",
                        help="operators of the diff-cost plans (default 2000)")
    parser.add_argument("--diff-changes", type=int, metavar="M",
                        help="changed operators in the diff-cost plan with changes (default 1000)")
    parser.add_argument("--diff-repeats", type=int, metavar="R", help="repeats of the diff-cost plans (default 9)")
    parser.add_argument("--command-operators", type=int, metavar="N",
                        help="operators of the cold `rostersync plan` / `apply` runs (default 20000)")
    parser.add_argument("--command-changes", type=int, metavar="M",
                        help="updates those find, plus M/10 creates and M/10 deletes (default 200)")
    parser.add_argument("--command-repeats", type=int, metavar="R", help="repeats of each cold command (default 5)")
    parser.add_argument("--memory-operators", type=int, metavar="N",
                        help="operators of the fresh `rostersync plan` whose peak RSS is measured (default 50000)")
    args = parser.parse_args(argv)
    base = QUICK if args.quick else Options()
    given: dict[str, Any] = {name: getattr(args, name) for name in (*_INT_OPTIONS, "latency_ms")
                             if getattr(args, name) is not None}
    if args.scale_sizes:
        given["scale_sizes"] = tuple(int(part) for part in args.scale_sizes.split(",") if part.strip())
    if args.sections:
        given["sections"] = tuple(part.strip() for part in args.sections.split(",") if part.strip())
        unknown = sorted(set(given["sections"]) - set(SECTIONS))
        if unknown:
            parser.error(f"--sections: unknown {', '.join(unknown)}; choose among {', '.join(SECTIONS)}")
    options = replace(base, **given)
    if options.operators < 2 or options.cpu_operators < 1 or options.repeats < 1 or options.serial_repeats < 1:
        parser.error("--operators must be >= 2, --cpu-operators and the repeats >= 1")
    if min(options.startup_repeats, options.diff_repeats, options.command_repeats) < 1:
        parser.error("the repeats must be >= 1")
    if options.diff_operators < 2 or not 0 < options.diff_changes <= options.diff_operators:
        parser.error("--diff-operators must be >= 2 and --diff-changes between 1 and --diff-operators")
    if options.command_operators < 2 or options.command_changes < 0 or options.memory_operators < 2:
        parser.error("--command-operators and --memory-operators must be >= 2, --command-changes >= 0")
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
  group: {group}

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


# The skills the generated operators use besides the named ones: BENCH_CATALOG's, or,
# against a `rostersync sandbox` process (which serves the demo catalog), demo ones.
BENCH_SKILL_IDS = tuple(range(200, 250))
DEMO_SKILL_IDS = (102, 104, 105, 106)


def make_roster_text(n_operators: int, skill_ids: Sequence[int] = BENCH_SKILL_IDS) -> str:
    """A roster of `n_operators` operators, about 15 lines each, like a hand-written one."""
    parts = [_HEADER.format(n=n_operators, group=GROUP_ID)]
    for i in range(n_operators):
        parts.append(_ENTRIES[i % len(_ENTRIES)].format(
            i=i, team=i // 50, chat_max=2 + i % 4, skill=skill_ids[i % len(skill_ids)]))
    return "".join(parts)


MAX_OPERATORS_PER_FILE = 10_000  # a roster file may be at most 16 MiB (roster/limits.py): 10,000 is about 4 MiB


def make_roster_files(n_operators: int) -> list[tuple[str, str]]:
    """The roster of `make_roster_text` as a directory would hold it: files of at most
    MAX_OPERATORS_PER_FILE operators, the profiles in the first one only (they are
    shared by every file), the scope and defaults in each."""
    text = make_roster_text(n_operators)
    head, body = text.split("operators:\n", 1)
    before_profiles = head.split("profiles:\n", 1)[0]
    entries = body.split("\n\n")  # (each generated entry ends with a blank line)
    files = []
    for start in range(0, n_operators, MAX_OPERATORS_PER_FILE):
        part = "\n\n".join(entries[start:start + MAX_OPERATORS_PER_FILE])
        header = head if start == 0 else before_profiles
        files.append((f"team-{start // MAX_OPERATORS_PER_FILE:02d}.yaml", f"{header}operators:\n{part.rstrip()}\n"))
    return files


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
    # As `rostersync plan/apply --parallelism P` do: the pages are read P at a time too.
    return IAdvizeClient(sandbox.url, sandbox.api_key, ClientOptions(page_workers=parallelism))


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
    result = PlanApplyResult(parallelism, parallelism, repeats, len(roster.operators), account.live,
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
    # The YAML stage (load_yaml: compose + the one walk) and libyaml's bare compose of the
    # same text, timed side by side with the GC paused, as a roster load pauses it.
    parse_s: list[float] = field(default_factory=list)
    compose_s: list[float] = field(default_factory=list)
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

    @property
    def yaml_ratio(self) -> float:
        return median(self.parse_s) / median(self.compose_s)


def run_cpu(options: Options) -> CpuResult:
    text = make_roster_text(options.cpu_operators)
    result = CpuResult(options.cpu_operators, text.count("\n"), len(text.encode()) / 1e6)
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
                with gc_paused():
                    result.compose_s.append(timed(lambda: yaml.compose(text, Loader=BARE_LOADER))[0])
                gc.collect()
                with gc_paused():
                    result.parse_s.append(timed(lambda: load_yaml(text, "bench.yaml", place=ROSTER_PLACE))[0])
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
            [sys.executable, "-c", _FRESH_PROCESS, sandbox.url, sandbox.api_key, str(path), str(parallelism)],
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


# --------------------------------------------------------------------------- startup

# Each startup measurement: a label and the command line, run as a user's shell runs it.
def startup_commands() -> dict[str, list[str]]:
    python = sys.executable
    return {
        "bare": [python, "-c", "pass"],
        "click": [python, "-c", "import click"],
        "deps": [python, "-c", "import pydantic, yaml, click"],
        "validate": [*rostersync_command(), "validate", str(SMALL_ROSTER)],
        "version": [*rostersync_command(), "--version"],
    }


def rostersync_command() -> list[str]:
    """`rostersync` as installed next to this interpreter (the console script users run),
    or ``python -m rostersync`` when there is none."""
    script = shutil.which("rostersync", path=str(Path(sys.executable).parent))
    return [script] if script else [sys.executable, "-m", "rostersync"]


def install_kind() -> str:
    """How rostersync is installed here: an editable install makes every interpreter of
    the environment start slower (its import finder), the bare start included."""
    try:
        text = importlib.metadata.distribution("rostersync").read_text("direct_url.json")
    except importlib.metadata.PackageNotFoundError:
        return "not installed (run from the source tree)"
    if text and json.loads(text).get("dir_info", {}).get("editable"):
        return "editable install (pip install -e)"
    return "regular install"


@dataclass
class ProcessRun:
    wall_s: float
    cpu_s: float  # user + system of the child
    returncode: int
    stdout: str
    stderr: str


def run_process(argv: Sequence[str], env: dict[str, str] | None = None, *, timeout: float = 600) -> ProcessRun:
    """Run `argv` to its end: its wall time, and its CPU time from the kernel's account of it."""
    with tempfile.TemporaryFile("w+", encoding="utf-8") as out, tempfile.TemporaryFile("w+", encoding="utf-8") as err:
        start = time.perf_counter()
        process = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=out, stderr=err, env=env)
        deadline = start + timeout
        while True:  # os.wait4 for the child's own rusage; polled, to honour the timeout
            pid, status, usage = os.wait4(process.pid, os.WNOHANG)
            if pid:
                break
            if time.perf_counter() > deadline:
                process.kill()
                process.wait()
                raise RuntimeError(f"{' '.join(argv[:3])} ... took more than {timeout:.0f} s")
            time.sleep(0.002)
        wall = time.perf_counter() - start
        process.returncode = os.waitstatus_to_exitcode(status)  # reaped here, not by Popen
        out.seek(0)
        err.seek(0)
        return ProcessRun(wall, usage.ru_utime + usage.ru_stime, process.returncode, out.read(), err.read())


@dataclass
class StartupResult:
    repeats: int
    install: str
    wall_s: dict[str, list[float]] = field(default_factory=dict)
    cpu_s: dict[str, list[float]] = field(default_factory=dict)

    def ratio(self, label: str, reference: str, *, cpu: bool = False) -> float:
        values = self.cpu_s if cpu else self.wall_s
        return median(values[label]) / median(values[reference])


def run_startup(options: Options) -> StartupResult:
    """Each command `startup_repeats` times, interleaved (every round runs each once, in
    a rotating order), so that the machine's load weighs on all of them alike."""
    commands = startup_commands()
    result = StartupResult(options.startup_repeats, install_kind())
    # The warm-up writes the .pyc files (even where PYTHONDONTWRITEBYTECODE is set, as in
    # some CI and container images: an installed package has them, and without them
    # rostersync's modules would be compiled in every run while the dependencies'
    # are not), warms the page cache, and checks the output.
    warm_up_env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    for label, argv in commands.items():
        run = run_process(argv, warm_up_env)
        if run.returncode != 0:
            raise RuntimeError(f"startup command {label} failed ({run.returncode}):\n{run.stderr}")
        result.wall_s[label], result.cpu_s[label] = [], []
    if "valid, 9 operators" not in run_process(commands["validate"]).stdout:
        raise RuntimeError("`rostersync validate` did not validate the example roster")
    labels = list(commands)
    for round_number in range(options.startup_repeats):
        shift = round_number % len(labels)
        for label in labels[shift:] + labels[:shift]:
            run = run_process(commands[label])
            result.wall_s[label].append(run.wall_s)
            result.cpu_s[label].append(run.cpu_s)
    return result


# --------------------------------------------------------------------------- diff cost

@dataclass
class DiffResult:
    operators: int
    changes: int
    repeats: int
    plan_none_s: list[float] = field(default_factory=list)  # plan_roster: read + build_plan
    plan_changed_s: list[float] = field(default_factory=list)
    build_none_s: list[float] = field(default_factory=list)  # build_plan alone, on the same listings
    build_changed_s: list[float] = field(default_factory=list)
    planned: list[int] = field(default_factory=list)  # changes found in the plan with changes

    @property
    def plan_ratio(self) -> float:
        return median(self.plan_changed_s) / median(self.plan_none_s)

    @property
    def build_ratio(self) -> float:
        return median(self.build_changed_s) / median(self.build_none_s)


def run_diff(options: Options) -> DiffResult:
    """The same roster planned against two accounts, without latency: one that matches
    it, one where `diff_changes` of its operators differ (two fields each). Interleaved,
    in this process: the ratio of the two is what the changes cost."""
    roster = load_roster_text(make_roster_text(options.diff_operators))
    matching = matching_account(roster)
    changed = matching_account(roster, updates=options.diff_changes)
    result = DiffResult(options.diff_operators, changed.updates, options.diff_repeats)
    with running_sandbox(0.0) as same, running_sandbox(0.0) as differing:
        reseed(same, matching)
        reseed(differing, changed)
        with make_client(same, options.parallelism) as same_client, \
                make_client(differing, options.parallelism) as differing_client:
            plan_roster(same_client, roster)  # warm-up: connections, caches
            plan_roster(differing_client, roster)
            same_live = read_live(same_client, roster.scope, roster.ignore)
            differing_live = read_live(differing_client, roster.scope, roster.ignore)
            for _ in range(options.diff_repeats):
                gc.collect()
                result.plan_none_s.append(timed(functools.partial(plan_roster, same_client, roster))[0])
                gc.collect()
                seconds, plan = timed(functools.partial(plan_roster, differing_client, roster))
                result.plan_changed_s.append(seconds)
                result.planned.append(len(plan.changes))
                gc.collect()
                result.build_none_s.append(timed(functools.partial(build_plan, roster, same_live))[0])
                gc.collect()
                result.build_changed_s.append(timed(functools.partial(build_plan, roster, differing_live))[0])
    return result


# --------------------------------------------------------------------------- cold commands

SERVING = re.compile(r"Sandbox serving (\S+) ")
REQUEST_LINE = re.compile(r"^(GET|POST|PUT|DELETE) (/\S*) -> ", re.MULTILINE)


def write_state(path: Path, seeds: list[dict[str, Any]]) -> None:
    """The account as a sandbox state file, as an earlier `rostersync sandbox --state` run leaves it."""
    store = OperatorStore(path)
    try:
        store.bulk_add(seeds)
    finally:
        store.close()


@contextlib.contextmanager
def sandbox_process(state: Path, latency_ms: float) -> Iterator[str]:
    """`rostersync sandbox` in a process of its own, as a user starts it; yields its URL."""
    process = subprocess.Popen(
        [*rostersync_command(), "sandbox", "--host", "127.0.0.1", "--port", "0", "--state", str(state),
         "--latency-ms", f"{latency_ms:g}", "--api-key", API_KEY],
        stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    assert process.stderr is not None
    drain: threading.Thread | None = None
    try:
        url = None
        for line in process.stderr:  # its first line says where it serves
            match = SERVING.search(line)
            if match:
                url = match.group(1)
                break
        if url is None or not url.startswith("http://127.0.0.1:"):
            raise RuntimeError(f"`rostersync sandbox` did not start (exit {process.poll()})")
        # Keep reading what it writes, so that a full pipe never blocks it.
        drain = threading.Thread(target=process.stderr.read, daemon=True)
        drain.start()
        yield url
    finally:
        process.send_signal(signal.SIGINT)  # Ctrl-C: it stops and writes its state
        try:
            process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        if drain is not None:
            drain.join(timeout=10)
        process.stderr.close()


@dataclass
class CommandResult:
    command: str  # plan or apply
    parallelism: int
    operators: int
    live: int
    changes: int
    repeats: int
    wall_s: list[float] = field(default_factory=list)
    cpu_s: list[float] = field(default_factory=list)
    list_requests: list[int] = field(default_factory=list)
    write_requests: list[int] = field(default_factory=list)
    other_requests: list[int] = field(default_factory=list)


def count_requests(stderr: str) -> tuple[int, int, int]:
    """Listing pages (the operators' and the skills', groups' and websites' that resolve
    the roster's references), writes and other requests, from the `-v` lines (one per
    HTTP request)."""
    lists = writes = other = 0
    for method, path in REQUEST_LINE.findall(stderr):
        if method == "GET" and path.startswith(("/operator?", "/skill", "/group", "/website")):
            lists += 1
        elif method in ("POST", "PUT", "DELETE"):
            writes += 1
        else:
            other += 1
    return lists, writes, other


def run_commands(options: Options) -> list[CommandResult]:
    """`rostersync plan` and `rostersync apply --yes` as users run them: each a new
    process, against `rostersync sandbox --latency-ms` running in a process of its own,
    on an account where the roster finds `command_changes` updates and a tenth of that
    in creates and in deletes. Plans at --parallelism 8 (the default) and 4 (what `plan`
    read with before the option reached it) alternate, on one sandbox; every apply gets
    a sandbox started afresh on the same account."""
    text = make_roster_text(options.command_operators, DEMO_SKILL_IDS)  # a sandbox process: the demo catalog
    roster = load_roster_text(text)
    tenth = max(1, options.command_changes // 10) if options.command_changes else 0
    account = matching_account(roster, updates=options.command_changes, creates=tenth, deletes=tenth)
    expected = (f"Plan: {account.creates} to create, {account.updates} to update, {account.deletes} to delete."
                if account.changes else "No changes.")
    del roster
    env = {**os.environ, "IADVIZE_API_KEY": API_KEY, "NO_COLOR": "1"}
    results = [CommandResult("plan", p, options.command_operators, account.live, account.changes,
                             options.command_repeats) for p in (options.parallelism, 4)]
    applies = CommandResult("apply", options.parallelism, options.command_operators, account.live, account.changes,
                            options.command_repeats)
    with tempfile.TemporaryDirectory(prefix="rostersync-bench-") as folder:
        roster_path = Path(folder) / "roster.yaml"
        roster_path.write_text(text, encoding="utf-8")
        pristine = Path(folder) / "account.json"
        write_state(pristine, account.seeds)
        del account

        def run(result: CommandResult, url: str, *extra: str, record: bool = True) -> None:
            done = run_process([*rostersync_command(), result.command, "-v", "--base-url", url,
                                "--parallelism", str(result.parallelism), *extra, str(roster_path)], env)
            if done.returncode != 0:
                raise RuntimeError(f"`rostersync {result.command}` exited {done.returncode}:\n{done.stderr[-2000:]}")
            summary = next((line for line in done.stdout.splitlines() if line.startswith(("Plan:", "No changes"))),
                           "(no plan line)")
            if summary != expected:
                raise RuntimeError(f"`rostersync {result.command}` printed {summary!r}, expected {expected!r}")
            if record:
                lists, writes, other = count_requests(done.stderr)
                result.wall_s.append(done.wall_s)
                result.cpu_s.append(done.cpu_s)
                result.list_requests.append(lists)
                result.write_requests.append(writes)
                result.other_requests.append(other)

        planned = Path(folder) / "plans" / "account.json"
        planned.parent.mkdir()
        shutil.copyfile(pristine, planned)
        with sandbox_process(planned, options.latency_ms) as url:
            for result in results:  # warm-up, untimed: .pyc files, the page cache
                run(result, url, record=False)
            for round_number in range(options.command_repeats):
                for result in results[round_number % 2:] + results[:round_number % 2]:
                    run(result, url)
        for repeat in range(options.command_repeats):
            applied = Path(folder) / f"apply-{repeat}" / "account.json"
            applied.parent.mkdir()
            shutil.copyfile(pristine, applied)
            with sandbox_process(applied, options.latency_ms) as url:
                run(applies, url, "--yes")
    return [*results, applies]


# --------------------------------------------------------------------------- memory at scale

# `rostersync plan ARGS...` run in this new interpreter as the console script runs it;
# then its peak resident set, written to the file named first. VmHWM, not ru_maxrss:
# Linux keeps ru_maxrss across fork + exec, so a child's starts at its parent's; VmHWM
# belongs to the new address space.
_MEASURED_COMMAND = '''
import json, sys
from rostersync.cli.main import cli
report, args = sys.argv[1], sys.argv[2:]
try:
    cli(args, prog_name="rostersync")
    code = 0
except SystemExit as stop:
    code = stop.code if isinstance(stop.code, int) else 1
try:
    with open("/proc/self/status", encoding="ascii") as status:
        peak_kib = next(int(line.split()[1]) for line in status if line.startswith("VmHWM:"))
except (OSError, StopIteration):
    peak_kib = None
with open(report, "w", encoding="utf-8") as out:
    json.dump({"peak_kib": peak_kib, "exit": code}, out)
'''


@dataclass
class ScaleMemoryResult:
    operators: int
    lines: int
    files: int  # a directory of files of at most MAX_OPERATORS_PER_FILE operators (a file is at most 16 MiB)
    peak_mb: float = math.nan  # nan: no /proc here
    wall_s: float = math.nan
    summary: str = ""
    smaller: list[ScaleMemoryResult] = field(default_factory=list)  # the same at a 25th and a 5th of the size

    def slopes(self) -> list[float]:
        """MB per 1,000 operators between each size measured and the next."""
        points = sorted([(m.operators, m.peak_mb) for m in [*self.smaller, self]])
        return [(b - a) / (m - n) * 1000 for (n, a), (m, b) in itertools.pairwise(points)]


def run_scale_memory(options: Options) -> ScaleMemoryResult:
    """Peak RSS of one `rostersync plan` of `memory_operators` operators in a new
    process, imports included, against an in-process sandbox without latency holding
    the matching account but for a hundredth of updates (and a thousandth in creates and
    deletes). Only the new process is measured; this one holds the sandbox. The same at
    a 25th and a 5th of the size, to see that the memory grows linearly."""
    result = measure_plan_memory(options.memory_operators, options.parallelism)
    for divisor in (25, 5):
        if options.memory_operators // divisor >= 2:
            result.smaller.append(measure_plan_memory(options.memory_operators // divisor, options.parallelism))
    return result


def measure_plan_memory(operators: int, parallelism: int) -> ScaleMemoryResult:
    files = make_roster_files(operators)
    roster = load_texts(files)
    few = max(1, operators // 1000)
    account = matching_account(roster, updates=max(1, operators // 100), creates=few, deletes=few)
    del roster
    result = ScaleMemoryResult(operators, sum(text.count("\n") for _, text in files), len(files))
    env = {**os.environ, "IADVIZE_API_KEY": API_KEY, "NO_COLOR": "1"}
    with running_sandbox(0.0) as sandbox, tempfile.TemporaryDirectory(prefix="rostersync-bench-") as folder:
        reseed(sandbox, account)
        del account
        gc.collect()
        roster_path = Path(folder) / "roster"
        roster_path.mkdir()
        for name, text in files:
            (roster_path / name).write_text(text, encoding="utf-8")
        del files
        report = Path(folder) / "peak.json"
        done = run_process([sys.executable, "-c", _MEASURED_COMMAND, str(report), "plan", "-q", "--base-url",
                            sandbox.url, "--parallelism", str(parallelism), str(roster_path)], env)
        measured = json.loads(report.read_text(encoding="utf-8")) if report.exists() else {}
        if done.returncode != 0 or measured.get("exit") != 0:
            raise RuntimeError(f"the measured `rostersync plan` failed:\n{done.stderr[-2000:]}")
        if measured.get("peak_kib") is not None:
            result.peak_mb = measured["peak_kib"] / 1024
        result.wall_s = done.wall_s
        result.summary = next((line for line in done.stdout.splitlines() if line.startswith(("Plan:", "No change"))),
                              "")
    return result


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


@dataclass
class Results:
    """What the sections measured; None (or empty) for a section not run."""

    startup: StartupResult | None = None
    cpu: CpuResult | None = None
    diff: DiffResult | None = None
    runs: list[PlanApplyResult] = field(default_factory=list)
    scaling: list[ScaleResult] = field(default_factory=list)
    commands: list[CommandResult] = field(default_factory=list)
    memory: ScaleMemoryResult | None = None


def table_rows(options: Options, results: Results) -> list[list[str]]:
    rows: list[list[str]] = []
    if results.startup is not None:
        rows.extend(startup_rows(results.startup))
    if results.cpu is not None:
        rows.extend(cpu_rows(options, results.cpu))
    if results.diff is not None:
        rows.extend(diff_rows(options, results.diff))
    for run in results.runs:
        rows.extend(plan_apply_rows(options, run))
    for scale in results.scaling:
        seconds = median(scale.plan_s)
        rows.append([f"scaling: plan at {options.latency_ms:g} ms latency", f"{scale.live:,} live",
                     str(options.parallelism), fmt_s(seconds), fmt_n(scale.list_requests),
                     f"{pages(scale.live)} requests", "-",
                     f"{seconds / scale.live * 1e6:.0f} µs per operator"])
    rows.extend(command_rows(options, results.commands))
    if results.memory is not None:
        memory = results.memory
        rows.append([f"memory: peak RSS (VmHWM) of a fresh `rostersync plan` ({memory.lines:,} lines in "
                     f"{memory.files} files)",
                     f"{memory.operators:,}", str(options.parallelism), f"{memory.peak_mb:.0f} MB", "-",
                     f"target {SCALE_MEMORY_TARGET_MB:.0f} MB", _ratio(memory.peak_mb, SCALE_MEMORY_TARGET_MB),
                     f"the command in a new interpreter, imports included; no latency; it took "
                     f"{fmt_s(memory.wall_s)}; {memory.summary}"])
    return rows


def startup_rows(startup: StartupResult) -> list[list[str]]:
    wall, cpu = startup.wall_s, startup.cpu_s
    described = {
        "bare": ("startup: `python -c pass` (a bare interpreter)", "bare", "the reference of `--version`"),
        "click": ("startup: `python -c 'import click'`", "bare", "informational: what any click command pays"),
        "deps": ("startup: `python -c 'import pydantic, yaml, click'`", "bare", "the reference of `validate`"),
        "validate": ("startup: `rostersync validate` of examples/operators.yaml (9 operators)", "deps",
                     f"target <= {VALIDATE_TARGET_RATIO} x `import pydantic, yaml, click`"),
        "version": ("startup: `rostersync --version`", "bare",
                    f"target <= {VERSION_TARGET_RATIO} x a bare interpreter"),
    }
    rows = []
    for label, (name, reference, note) in described.items():
        ratio = "-" if label == "bare" else f"{startup.ratio(label, reference):.2f}"
        rows.append([name, "-", "-", fmt_s(median(wall[label])), "-",
                     "-" if label == "bare" else f"{fmt_s(median(wall[reference]))} ({reference})", ratio,
                     f"{note}; CPU (user + system) {fmt_s(median(cpu[label]))}"
                     + ("" if label == "bare" else f", ratio {startup.ratio(label, reference, cpu=True):.2f}")
                     + f"; {startup.repeats} interleaved runs; {startup.install}"])
    return rows


def cpu_rows(options: Options, cpu: CpuResult) -> list[list[str]]:
    rows: list[list[str]] = []
    n = cpu.operators
    rows.append([f"CPU: YAML stage ({cpu.lines:,} lines, {cpu.megabytes:.1f} MB)", f"{n:,}", "-",
                 fmt_s(median(cpu.parse_s)), "0", "-", f"{cpu.yaml_ratio:.2f}",
                 f"load_yaml (compose + one walk: data, marks, duplicate keys) / {BARE_LOADER.__name__}'s bare "
                 f"yaml.compose of the same text, {fmt_s(median(cpu.compose_s))}, timed in the same loop; "
                 f"target <= {YAML_TARGET_RATIO}"])
    rows.append(["CPU: load (parse + validate + merge)", f"{n:,}", "-", fmt_s(median(cpu.load_s)), "0", "-", "-",
                 "load_texts"])
    rows.append(["CPU: load + validate + plan, no latency", f"{n:,}", str(options.parallelism),
                 fmt_s(median(cpu.total_s)), fmt_n(cpu.list_requests), str(pages(n)), "-",
                 f"read_live {fmt_s(median(cpu.read_s))} + build_plan {fmt_s(median(cpu.build_s))}; "
                 f"plan: {'No changes' if set(cpu.plan_changes) == {0} else f'{max(cpu.plan_changes)} changes'}"])
    rows.append(["CPU: peak memory, tracemalloc", f"{n:,}", "-", f"{cpu.tracemalloc_peak_mb:.0f} MB", "-", "-", "-",
                 "peak traced Python allocations during one load + validate + plan (all threads, the "
                 "in-process sandbox serving the pages included)"])
    rows.append(["CPU: peak memory, peak RSS (VmHWM) of a fresh process", f"{n:,}", str(options.parallelism),
                 f"{cpu.fresh_maxrss_mb:.0f} MB", str(cpu.fresh_list_requests), str(pages(n)), "-",
                 f"a new interpreter doing only load + validate + plan, as `rostersync plan` would (imports "
                 f"included; the sandbox stays in this process). VmHWM, as its ru_maxrss would start at this "
                 f"process's RSS (Linux keeps it across fork + exec). It took {fmt_s(cpu.fresh_s)}, plan: "
                 f"{'No changes' if cpu.fresh_changes == 0 else f'{cpu.fresh_changes} changes'}"])
    rows.append(["CPU: peak memory, ru_maxrss of this process", f"{n:,}", "-", f"{cpu.maxrss_mb:.0f} MB", "-", "-",
                 "-", "informational: the benchmark process after the timed runs of this section, before "
                 "tracemalloc starts; adds the in-process sandbox holding the operators and the scaffolding"])
    return rows


def diff_rows(options: Options, diff: DiffResult) -> list[list[str]]:
    n = f"{diff.operators:,}"
    note = f"no latency; {diff.repeats} interleaved runs"
    return [
        ["diff cost: plan (read + build_plan), no changes", n, str(options.parallelism),
         fmt_s(median(diff.plan_none_s)), "-", "-", "-", note],
        [f"diff cost: plan (read + build_plan), {diff.changes:,} changed operators", n, str(options.parallelism),
         fmt_s(median(diff.plan_changed_s)), "-", f"{fmt_s(median(diff.plan_none_s))} (no changes)",
         f"{diff.plan_ratio:.2f}", f"target <= {DIFF_TARGET_RATIO}; {fmt_n(diff.planned)} changes planned; {note}"],
        [f"diff cost: build_plan alone, {diff.changes:,} changed operators", n, "-",
         fmt_s(median(diff.build_changed_s)), "-", f"{fmt_s(median(diff.build_none_s))} (no changes)",
         f"{diff.build_ratio:.2f}",
         "informational: what remains per change is its values and the fingerprint a saved plan checks"],
    ]


def plan_apply_rows(options: Options, run: PlanApplyResult) -> list[list[str]]:
    tag = f"p={run.parallelism}, page_workers={run.page_workers}"
    seq_floor = run.changes * options.latency_s
    return [
        [f"plan (read + build_plan), {tag}", f"{run.live:,} live", str(run.page_workers),
         fmt_s(median(run.plan_s)), fmt_n(run.list_requests), f"{pages(run.live)} requests", "-",
         f"{fmt_n(run.one_requests)} GET /operator/{{id}}; "
         f"{fmt_n(run.planned_changes)} changes planned; {run.repeats} repeat(s)"],
        [f"apply total (plan + writes), {tag}", f"{run.changes} changes", str(run.parallelism),
         fmt_s(median(run.apply_s)),
         fmt_n([a + b for a, b in zip(run.list_requests, run.write_requests, strict=True)]),
         f"{fmt_s(seq_floor)} (M x latency)",
         _ratio(median(run.apply_s), seq_floor), "-"],
        [f"apply write phase (apply_plan only), {tag}", f"{run.changes} changes", str(run.parallelism),
         fmt_s(median(run.write_s)), fmt_n(run.write_requests), f"{fmt_s(seq_floor)} (M x latency)",
         _ratio(median(run.write_s), seq_floor),
         f"ideal 1/{run.parallelism} = {1 / run.parallelism:.3f}, "
         f"{_phase_ideal(run):.3f} with apply's phases (creates, then updates, then deletes); "
         f"{fmt_n(run.write_other_requests)} non-write requests; "
         f"{fmt_n(run.failed)} failed; {run.pool_warnings} urllib3 pool warnings"],
    ]


def command_rows(options: Options, commands: list[CommandResult]) -> list[list[str]]:
    rows = []
    for result in commands:
        page_floor = pages(result.live) * options.latency_s
        floor = page_floor + (result.changes * options.latency_s if result.command == "apply" else 0.0)
        what = ("cold `rostersync plan`" if result.command == "plan" else "cold `rostersync apply --yes`")
        requests = fmt_n([a + b for a, b in zip(result.list_requests, result.write_requests, strict=True)])
        rows.append([
            f"commands: {what} --parallelism {result.parallelism}, sandbox process at {options.latency_ms:g} ms",
            f"{result.operators:,}", str(result.parallelism), fmt_s(median(result.wall_s)), requests,
            f"{fmt_s(floor)} ({'pages' if result.command == 'plan' else 'pages + writes'} x latency)",
            _ratio(median(result.wall_s), floor),
            f"{result.changes} changes; {fmt_n(result.list_requests)} pages, {fmt_n(result.write_requests)} writes, "
            f"{fmt_n(result.other_requests)} other requests; CPU of the command {fmt_s(median(result.cpu_s))}; "
            f"{result.repeats} repeat(s)"
            + (f"; target <= {COMMAND_TARGET_RATIO} x the page floor" if result.command == "plan"
               and result.parallelism == options.parallelism else "")])
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


def not_run(name: str, section: str) -> Target:
    return Target(name, "SKIP", f"the {section} section was not run")


def evaluate(options: Options, results: Results) -> list[Target]:
    targets: list[Target] = []
    cpu, runs, scaling = results.cpu, results.runs, results.scaling

    # 1. plan requests <= ceil(N/100) + one per resource kind named + 1, and no per-operator GET.
    name = "plan requests <= ceil(N/100) + one per resource kind + 1, no per-operator GET"
    plans = [(f"p={r.parallelism}, N={r.live}", r.live, r.list_requests, r.one_requests, r.plan_other_requests)
             for r in runs]
    plans += [(f"scaling N={s.live}", s.live, s.list_requests, s.one_requests, [0]) for s in scaling]
    if cpu is not None:
        plans.append((f"CPU N={cpu.operators}", cpu.operators, [*cpu.list_requests, cpu.fresh_list_requests], [0],
                      cpu.other_requests))
    plans += [(f"cold {c.command} p={c.parallelism}, N={c.live}", c.live, c.list_requests, [0], c.other_requests)
              for c in results.commands]
    bad = [f"{name}: {max(lists)} lists (limit {pages(live) + 1}), {max(ones)} GET /operator/{{id}}, "
           f"{max(others)} other" for name, live, lists, ones, others in plans
           if max(lists) > pages(live) + 1 or max(ones) or max(others)]
    if not plans:
        targets.append(not_run(name, "cpu, plan-apply, scaling or commands"))
    else:
        targets.append(Target(name, "FAIL" if bad else "PASS", "; ".join(bad) if bad else ", ".join(
            f"{name}: {fmt_n(lists)}/{pages(live) + 1}" for name, live, lists, _, _ in plans)))

    # 2. apply requests == number of changes, writes only.
    name = "apply requests == number of changes (writes only)"
    bad = [f"p={r.parallelism}: {fmt_n(r.write_requests)} writes (client counted {fmt_n(r.client_write_requests)}) "
           f"and {fmt_n(r.write_other_requests)} other requests for {r.changes} changes, {fmt_n(r.failed)} failed"
           for r in runs
           if set(r.write_requests) != {r.changes} or set(r.client_write_requests) != {r.changes}
           or max(r.write_other_requests) or max(r.failed) or set(r.planned_changes) != {r.changes}]
    bad += [f"cold apply: {fmt_n(c.write_requests)} writes for {c.changes} changes" for c in results.commands
            if c.command == "apply" and set(c.write_requests) != {c.changes}]
    if not runs:
        targets.append(not_run(name, "plan-apply"))
    else:
        targets.append(Target(name, "FAIL" if bad else "PASS", "; ".join(bad) if bad else ", ".join(
            [f"p={r.parallelism}: {r.changes} writes for {r.changes} changes" for r in runs]
            + [f"cold apply p={c.parallelism}: {c.changes} writes for {c.changes} changes" for c in results.commands
               if c.command == "apply"])))

    # 3. write phase <= 0.2 x the sequential floor at the given parallelism.
    name = f"apply write phase <= {WRITE_RATIO_TARGET} x sequential floor"
    if not runs:
        targets.append(not_run(name, "plan-apply"))
    elif runs[0].changes * options.latency_s <= 0 or options.quick:
        targets.append(Target(name, "SKIP",
                              "a --quick run, or no latency or no changes: no floor worth comparing with"))
    else:
        main_run = runs[0]
        floor = main_run.changes * options.latency_s
        ratio = median(main_run.write_s) / floor
        targets.append(Target(
            f"{name} (p={main_run.parallelism})", "PASS" if ratio <= WRITE_RATIO_TARGET else "FAIL",
            f"{fmt_s(median(main_run.write_s))} / {fmt_s(floor)} = {ratio:.3f} "
            f"(ideal {1 / main_run.parallelism:.3f}; {_phase_ideal(main_run):.3f} with apply's phases)"))

    # 4. load + plan of 10,000 operators without latency <= 3 s; peak memory <= 200 MB.
    name = f"load + plan of {CPU_TARGET_OPERATORS:,} operators <= {CPU_TARGET_S} s"
    memory_name = f"peak memory <= {MEMORY_TARGET_MB:.0f} MB"
    yaml_name = f"YAML stage <= {YAML_TARGET_RATIO} x libyaml's bare compose"
    if cpu is None:
        targets += [not_run(name, "cpu"), not_run(yaml_name, "cpu"), not_run(memory_name, "cpu")]
    else:
        total = median(cpu.total_s)
        if cpu.operators != CPU_TARGET_OPERATORS:
            targets.append(Target(name, "SKIP", f"ran {cpu.operators:,} operators ({fmt_s(total)}), "
                                                "not the target's size"))
        else:
            targets.append(Target(name, "PASS" if total <= CPU_TARGET_S else "FAIL", f"{fmt_s(total)} (median)"))
        # Judged at the target's size only: on a small roster the walk's fixed costs and a
        # single repeat (--quick) move the ratio by more than the target's margin.
        ratio = cpu.yaml_ratio
        detail = (f"{fmt_s(median(cpu.parse_s))} / {fmt_s(median(cpu.compose_s))} = {ratio:.2f} "
                  f"({cpu.operators:,} operators, medians of the same loop)")
        if cpu.operators != CPU_TARGET_OPERATORS:
            targets.append(Target(yaml_name, "SKIP", f"not the target's size ({CPU_TARGET_OPERATORS:,}): {detail}"))
        else:
            targets.append(Target(yaml_name, "PASS" if ratio <= YAML_TARGET_RATIO else "FAIL", detail))
        memory_ok = cpu.tracemalloc_peak_mb <= MEMORY_TARGET_MB and cpu.fresh_maxrss_mb <= MEMORY_TARGET_MB
        targets.append(Target(memory_name, "PASS" if memory_ok else "FAIL",
                              f"tracemalloc peak {cpu.tracemalloc_peak_mb:.0f} MB and peak RSS of a fresh load + "
                              f"plan process {cpu.fresh_maxrss_mb:.0f} MB ({cpu.operators:,} operators; both must "
                              f"pass; ru_maxrss of this whole benchmark process: {cpu.maxrss_mb:.0f} MB)"))

    # 5. plan wall time grows linearly with N.
    targets.append(_linearity(options, scaling) if scaling else not_run("plan wall time grows linearly with N",
                                                                        "scaling"))
    targets.extend(startup_targets(options, results.startup))
    targets.append(diff_target(options, results.diff))
    targets.append(command_target(options, results.commands))
    targets.append(scale_memory_target(options, results.memory))
    return targets


def startup_targets(options: Options, startup: StartupResult | None) -> list[Target]:
    checks = [("validate", "deps", VALIDATE_TARGET_RATIO,
               f"`rostersync validate` of a small roster <= {VALIDATE_TARGET_RATIO} x importing pydantic, PyYAML "
               "and click"),
              ("version", "bare", VERSION_TARGET_RATIO,
               f"`rostersync --version` <= {VERSION_TARGET_RATIO} x a bare interpreter start")]
    targets = []
    for label, reference, limit, name in checks:
        if startup is None:
            targets.append(not_run(name, "startup"))
            continue
        ratio = startup.ratio(label, reference)
        detail = (f"{fmt_s(median(startup.wall_s[label]))} / {fmt_s(median(startup.wall_s[reference]))} = "
                  f"{ratio:.2f} (CPU time: {startup.ratio(label, reference, cpu=True):.2f}); medians of "
                  f"{startup.repeats} interleaved runs; {startup.install}")
        if options.quick:
            targets.append(Target(name, "SKIP", f"a --quick run: {detail}"))
        else:
            targets.append(Target(name, "PASS" if ratio <= limit else "FAIL", detail))
    return targets


def diff_target(options: Options, diff: DiffResult | None) -> Target:
    name = (f"a plan with {DIFF_TARGET_CHANGES:,} changed operators (of {DIFF_TARGET_OPERATORS:,}) <= "
            f"{DIFF_TARGET_RATIO} x the same plan with none")
    if diff is None:
        return not_run(name, "diff")
    detail = (f"{fmt_s(median(diff.plan_changed_s))} / {fmt_s(median(diff.plan_none_s))} = {diff.plan_ratio:.2f} "
              f"(build_plan alone: {diff.build_ratio:.2f}); {diff.changes:,} of {diff.operators:,}, medians of "
              f"{diff.repeats} interleaved runs")
    if options.quick or (diff.operators, diff.changes) != (DIFF_TARGET_OPERATORS, DIFF_TARGET_CHANGES):
        return Target(name, "SKIP", f"not the target's sizes, or a --quick run: {detail}")
    return Target(name, "PASS" if diff.plan_ratio <= DIFF_TARGET_RATIO else "FAIL", detail)


def command_target(options: Options, commands: list[CommandResult]) -> Target:
    name = (f"a cold `rostersync plan` of {COMMAND_TARGET_OPERATORS:,} operators at {COMMAND_TARGET_LATENCY_MS:g} ms "
            f"<= {COMMAND_TARGET_RATIO} x the sequential page floor")
    plans = [c for c in commands if c.command == "plan" and c.parallelism == options.parallelism]
    if not plans:
        return not_run(name, "commands")
    run = plans[0]
    floor = pages(run.live) * options.latency_s
    ratio = median(run.wall_s) / floor if floor > 0 else math.nan
    detail = (f"{fmt_s(median(run.wall_s))} / {fmt_s(floor)} ({pages(run.live)} pages x {options.latency_ms:g} ms) "
              f"= {ratio:.3f}, --parallelism {run.parallelism}, {run.changes} changes, median of {run.repeats}")
    if options.quick or run.operators != COMMAND_TARGET_OPERATORS or options.latency_ms != COMMAND_TARGET_LATENCY_MS:
        return Target(name, "SKIP", f"not the target's size or latency, or a --quick run: {detail}")
    return Target(name, "PASS" if ratio <= COMMAND_TARGET_RATIO else "FAIL", detail)


def scale_memory_target(options: Options, memory: ScaleMemoryResult | None) -> Target:
    name = (f"peak RSS of a {SCALE_MEMORY_TARGET_OPERATORS:,}-operator `rostersync plan` <= "
            f"{SCALE_MEMORY_TARGET_MB:.0f} MB")
    if memory is None:
        return not_run(name, "memory")
    name += f", linear in N (the MB per 1,000 operators above a 5th of N at most {LINEAR_MEMORY_RATIO} x below it)"
    sizes = ", ".join(f"{m.peak_mb:.0f} MB at {m.operators:,}" for m in [*memory.smaller, memory])
    slopes = memory.slopes()
    detail = (f"{sizes} (VmHWM of a fresh process); " + " then ".join(f"{slope:.2f}" for slope in slopes)
              + " MB per 1,000 operators")
    if math.isnan(memory.peak_mb):
        return Target(name, "SKIP", "no /proc/self/status here: VmHWM cannot be read")
    if options.quick or memory.operators != SCALE_MEMORY_TARGET_OPERATORS:
        return Target(name, "SKIP", f"not the target's size, or a --quick run: {detail}")
    linear = len(slopes) == 2 and slopes[1] <= LINEAR_MEMORY_RATIO * slopes[0]
    return Target(name, "PASS" if memory.peak_mb <= SCALE_MEMORY_TARGET_MB and linear else "FAIL", detail)


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
    print(f"- settings: sections={','.join(options.sections)}; operators={options.operators}, "
          f"latency={options.latency_ms:g} ms, "
          f"changes={options.changes} updates + {options.creates} creates + {options.creates} deletes, "
          f"repeats={options.repeats} (parallelism-1 runs: {options.serial_repeats}), "
          f"parallelism={options.parallelism}, cpu-operators={options.cpu_operators}, "
          f"scale-sizes={','.join(str(n) for n in options.scale_sizes)}; startup-repeats={options.startup_repeats}; "
          f"diff: {options.diff_changes} of {options.diff_operators}, {options.diff_repeats} repeats; "
          f"commands: {options.command_operators} operators, {options.command_changes} updates, "
          f"{options.command_repeats} repeats; memory-operators={options.memory_operators}", file=out)
    out.flush()

    results = Results()
    run = set(options.sections)
    with no_proxy_for_loopback():
        if "startup" in run:  # other processes only: nothing of this one's memory
            results.startup = run_startup(options)
        # CPU next: ru_maxrss is a high-water mark, so it then reflects that section.
        if "cpu" in run:
            results.cpu = run_cpu(options)
        if "diff" in run:
            results.diff = run_diff(options)
        if "plan-apply" in run:
            roster = load_roster_text(make_roster_text(options.operators))
            account = matching_account(roster, updates=options.changes, creates=options.creates,
                                       deletes=options.creates)
            results.runs = [run_plan_apply(options, roster, account, options.parallelism, options.repeats)]
            if options.parallelism != 1:
                results.runs.append(run_plan_apply(options, roster, account, 1, options.serial_repeats))
            del roster, account
        if "scaling" in run:
            results.scaling = run_scaling(options)
        if "commands" in run:
            results.commands = run_commands(options)
        if "memory" in run:
            results.memory = run_scale_memory(options)

    print(file=out)
    for line in render_table(table_rows(options, results)):
        print(line, file=out)
    print(file=out)
    print("Targets:", file=out)
    targets = evaluate(options, results)
    for target in targets:
        print(target.line(), file=out)
    print(file=out)
    print(f"Benchmark ran in {time.perf_counter() - started:.0f} s.", file=out)
    out.flush()
    return 1 if any(t.status == "FAIL" for t in targets) else 0


if __name__ == "__main__":
    sys.exit(main())
