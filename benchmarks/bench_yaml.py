"""Benchmark: rostersync's YAML loader vs PyYAML's C loader on a 10,000-operator roster.

The fast parser always runs with the cyclic GC paused (``gc_paused``), and so does
every YAML parse of a roster load (``load_texts``). The comparison that counts is
therefore at equal settings: every loader timed with the GC paused. PyYAML's C loader
with the GC on is shown too, as the unequal comparison it is (it made the fast parser
look 8 to 11 times faster than it is).

Run with:  python benchmarks/bench_yaml.py [N_OPERATORS]
"""

from __future__ import annotations

import contextlib
import gc
import sys
import time
from collections.abc import Callable
from typing import Any

import yaml
from bench import make_roster_text  # the same hand-written-looking roster as bench.py

from rostersync.roster import yaml_source
from rostersync.roster.gc_pause import gc_paused

_C_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # SafeLoader if PyYAML lacks libyaml

def best_of(repeat: int, func: Callable[[], Any], *, gc_off: bool = True) -> float:
    """Best wall-clock time of `repeat` runs (the least disturbed by other processes),
    with the GC paused as a roster load pauses it (or not, with ``gc_off=False``).

    The result of a run is freed before the next one starts, outside the timing.
    """
    timings = []
    for _ in range(repeat):
        gc.collect()
        pause = gc_paused() if gc_off else contextlib.nullcontext()
        with pause:
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
    fallback = best_of(5, lambda: yaml_source.load_yaml_with_pyyaml(text, "bench.yaml"))
    c_loader = best_of(5, lambda: yaml.load(text, Loader=_C_LOADER))
    c_loader_gc_on = best_of(5, lambda: yaml.load(text, Loader=_C_LOADER), gc_off=False)
    name = f"yaml.load(Loader={_C_LOADER.__name__})"
    print("best of 5 each; the GC paused, as a roster load pauses it, unless said otherwise")
    print(f"{'load_yaml (fast path, data + marks)':<44}: {fast:.3f} s")
    print(f"{'fallback path (libyaml + marks)':<44}: {fallback:.3f} s")
    print(f"{name:<44}: {c_loader:.3f} s")
    print(f"{name + ', GC on':<44}: {c_loader_gc_on:.3f} s")
    print(f"load_yaml speed-up vs {_C_LOADER.__name__}, both GC paused: {c_loader / fast:.1f}x")
    print(f"  (vs {_C_LOADER.__name__} with the GC on, an unequal comparison: {c_loader_gc_on / fast:.1f}x)")


if __name__ == "__main__":
    main()
