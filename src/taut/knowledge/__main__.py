"""``python -m taut.knowledge [--partial]``: check the data files and print each problem as file:line."""

from __future__ import annotations

import sys

from taut.knowledge.loader import KnowledgeError, load


def main(argv: list[str]) -> int:
    try:
        kb = load(complete="--partial" not in argv)
    except KnowledgeError as e:
        print(e)
        return 1
    tps = sum(len(m.trigger_points) for m in kb.muscles.values())
    print(
        f"ok: {len(kb.muscles)} muscles, {tps} trigger points, {len(kb.conditions)} conditions, {len(kb.rules)} rules"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
