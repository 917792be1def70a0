"""Smoke test of benchmarks/bench_sandbox_state.py: a --quick run in this process.

No timing is asserted (this machine's speed is not the test's business): only that
both applies run to the end with every change made, and that the table is printed.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

BENCH = Path(__file__).resolve().parents[2] / "benchmarks" / "bench_sandbox_state.py"


def test_quick_run_prints_the_table_and_the_ratio() -> None:
    spec = importlib.util.spec_from_file_location("rostersync_bench_sandbox_state", BENCH)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up by name
    try:
        spec.loader.exec_module(module)
        lines: list[str] = []
        ratio = module.main(["--quick"], out=lines.append)
    finally:
        sys.modules.pop(spec.name, None)
        sys.modules.pop("rostersync_bench_for_state", None)
    text = "\n".join(lines)
    assert ratio > 0
    assert "| whole run (start to stop) |" in text and "| apply (plan + writes) |" in text
    assert "changes planned per run: [30]; failed: 0" in text
    assert "target <= 1.5" in text
