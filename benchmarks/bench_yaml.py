"""Benchmark: rostersync's YAML stage against PyYAML on a 10,000-operator roster.

rostersync's loader (`load_yaml`) reads PyYAML's parser events (libyaml's) and builds
data, positions and duplicate-key problems in one walk. It is compared with libyaml's
bare `yaml.compose` (the target of issue 12: at most 1.6 times it), with
`yaml.load(Loader=CSafeLoader)`, and with PyYAML's own (pure-Python) parser. Every
run pauses the cyclic GC, as a roster load does (``gc_paused``).

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
from rostersync.roster.compiled import ROSTER_PLACE
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

    loaded = yaml_source.load_yaml(text, "bench.yaml", place=ROSTER_PLACE)
    assert len(loaded.data["operators"]) == n_operators
    del loaded

    ours = best_of(5, lambda: yaml_source.load_yaml(text, "bench.yaml", place=ROSTER_PLACE))
    compose = best_of(5, lambda: yaml.compose(text, Loader=_C_LOADER))
    c_loader = best_of(5, lambda: yaml.load(text, Loader=_C_LOADER))
    pure = best_of(1, lambda: yaml.load(text, Loader=yaml.SafeLoader))
    print("best of 5 each (PyYAML's own parser: one run); the GC paused, as a roster load pauses it")
    rows = [("load_yaml (data + positions + duplicates)", ours),
            (f"yaml.compose(Loader={_C_LOADER.__name__})", compose),
            (f"yaml.load(Loader={_C_LOADER.__name__})", c_loader), ("yaml.load(Loader=SafeLoader)", pure)]
    for label, seconds in rows:
        print(f"{label:<44}: {seconds:.3f} s")
    print(f"load_yaml / bare compose: {ours / compose:.2f} (target <= 1.6)")


if __name__ == "__main__":
    main()
