"""Benchmark: rostersync's YAML loader vs PyYAML's C loader on a 10,000-operator roster.

Run with:  python benchmarks/bench_yaml.py [N_OPERATORS]
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from typing import Any

import yaml
from bench import make_roster_text  # the same hand-written-looking roster as bench.py

from rostersync.roster import yaml_source

_C_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # SafeLoader if PyYAML lacks libyaml

def best_of(repeat: int, func: Callable[[], Any]) -> float:
    """Best wall-clock time of `repeat` runs (the least disturbed by other processes).

    The result of a run is freed before the next one starts, outside the timing.
    """
    timings = []
    for _ in range(repeat):
        start = time.perf_counter()
        result = func()
        timings.append(time.perf_counter() - start)
        del result
    return min(timings)


def main() -> None:
    n_operators = int(sys.argv[1]) if len(sys.argv) > 1 else 10_000
    text = make_roster_text(n_operators)
    n_lines = text.count("\n")
    print(f"roster: {n_operators} operators, {n_lines} lines, {len(text) / 1e6:.1f} MB")

    # Raises FastPathUnsupported if the roster is not in the fast parser's subset.
    fast_result = yaml_source.load_yaml_fast(text, "bench.yaml")
    fallback_result = yaml_source.load_yaml_with_pyyaml(text, "bench.yaml")
    assert fast_result == fallback_result
    assert fast_result.data == yaml.load(text, Loader=_C_LOADER)
    del fast_result, fallback_result

    fast = best_of(5, lambda: yaml_source.load_yaml(text, "bench.yaml"))
    print(f"load_yaml (fast path, data + marks)  : {fast:.3f} s  (best of 5)")
    fallback = best_of(1, lambda: yaml_source.load_yaml_with_pyyaml(text, "bench.yaml"))
    print(f"fallback path (libyaml + marks)      : {fallback:.3f} s")
    c_loader = best_of(1, lambda: yaml.load(text, Loader=_C_LOADER))
    print(f"yaml.load(Loader={_C_LOADER.__name__})        : {c_loader:.3f} s")
    print(f"load_yaml speed-up vs CSafeLoader    : {c_loader / fast:.1f}x")


if __name__ == "__main__":
    main()
