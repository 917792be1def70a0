"""Regenerate rostersync/roster/compiled.py from the roster's models (rostersync.roster.compile).

    python scripts/compile_roster.py          # write it
    python scripts/compile_roster.py --check  # exit 1 if it is out of date
"""

from __future__ import annotations

import sys

from rostersync.roster.compile import COMPILED_PATH, compiled_module_text


def main(argv: list[str]) -> int:
    text = compiled_module_text()
    current = COMPILED_PATH.read_text(encoding="utf-8") if COMPILED_PATH.exists() else ""
    if text == current:
        return 0
    if "--check" in argv:
        print(f"{COMPILED_PATH} is out of date: run python scripts/compile_roster.py", file=sys.stderr)
        return 1
    COMPILED_PATH.write_text(text, encoding="utf-8")
    print(f"wrote {COMPILED_PATH}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
