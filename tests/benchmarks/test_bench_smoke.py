"""Smoke test of benchmarks/bench.py: a tiny --quick run, in this process.

No timing is asserted (this machine's speed is not the test's business): only that
the run completes, prints its table (every section, the ones that start processes
too: cold commands, a sandbox process, startup), and that the request-count targets pass.
"""

from __future__ import annotations

import importlib.util
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import pytest

BENCH = Path(__file__).resolve().parents[2] / "benchmarks" / "bench.py"


def load_bench() -> ModuleType:
    spec = importlib.util.spec_from_file_location("rostersync_bench", BENCH)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up by name
    try:
        spec.loader.exec_module(module)
    except BaseException:
        del sys.modules[spec.name]
        raise
    return module


@pytest.fixture(scope="module")
def bench() -> Iterator[ModuleType]:
    module = load_bench()
    yield module
    sys.modules.pop("rostersync_bench", None)


def test_quick_run_prints_the_table_and_passes_the_request_targets(
        bench: ModuleType, capsys: pytest.CaptureFixture[str]) -> None:
    bench.main(["--quick", "--operators", "300", "--latency-ms", "0", "--changes", "30", "--repeats", "1",
                "--cpu-operators", "300", "--scale-sizes", "100,200,300", "--startup-repeats", "1",
                "--diff-operators", "100", "--diff-changes", "50", "--diff-repeats", "1",
                "--command-operators", "200", "--command-changes", "10", "--command-repeats", "1",
                "--memory-operators", "300"])
    out = capsys.readouterr().out

    assert "| Measurement | N |" in out
    assert "|---|" in out
    for row in ("CPU: load + validate + plan, no latency", "plan (read + build_plan), p=8",
                "apply write phase (apply_plan only), p=8", "apply write phase (apply_plan only), p=1",
                "scaling: plan", "startup: `rostersync validate`", "startup: `rostersync --version`",
                "diff cost: plan (read + build_plan), 50 changed operators",
                "commands: cold `rostersync plan` --parallelism 8", "commands: cold `rostersync apply --yes`",
                "memory: peak RSS (VmHWM) of a fresh `rostersync plan`"):
        assert row in out, row
    assert "Python " in out and "cores:" in out
    targets = [line for line in out.split("Targets:", 1)[1].splitlines() if line.startswith("- ")]
    status = {line.split(" — ")[0].split(": ", 1)[1]: line[2:6] for line in targets}
    assert status["plan requests <= ceil(N/100) + one per resource kind + 1, no per-operator GET"] == "PASS", out
    assert status["apply requests == number of changes (writes only)"] == "PASS", out
    assert len(targets) == 12  # every target has its line, whatever its status
    # The YAML stage is judged at 10,000 operators only; a smoke run prints its ratio.
    assert status["YAML stage <= 1.6 x libyaml's bare compose"] == "SKIP", out


def test_sections_can_be_chosen_and_the_others_are_skipped(
        bench: ModuleType, capsys: pytest.CaptureFixture[str]) -> None:
    bench.main(["--quick", "--sections", "diff", "--diff-operators", "50", "--diff-changes", "10",
                "--diff-repeats", "1"])
    out = capsys.readouterr().out
    assert "diff cost: plan (read + build_plan), 10 changed operators" in out
    assert "CPU: load" not in out and "startup:" not in out
    targets = [line for line in out.split("Targets:", 1)[1].splitlines() if line.startswith("- ")]
    assert len(targets) == 12  # every target has its line, the YAML stage's too
    assert sum("section was not run" in line for line in targets) == 11
    assert any(line.startswith("- SKIP: YAML stage <= ") for line in targets)


def test_the_roster_it_generates_is_a_real_one(bench: ModuleType) -> None:
    text = bench.make_roster_text(40)
    assert 40 * 14 < text.count("\n") < 40 * 16 + 60  # about 15 lines an operator
    roster = bench.load_roster_text(text)
    assert len(roster.operators) == 40
    assert roster.profiles == ("sales-fr", "support-bilingual", "phone-desk")
    account = bench.matching_account(roster, updates=10, creates=4, deletes=3)
    assert (account.updates, account.creates, account.deletes, account.live) == (10, 4, 3, 39)
