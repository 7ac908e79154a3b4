"""Per-node times of a (possibly still running) transform bench build against a finished one.

    uv run python bench/transform_nodes.py /work/bench/x10 /work/bench/x1 [top]

The running build's finished nodes come from its dbt.log (<workdir>/dbt-target/logs/dbt.log);
the baseline's from its full build's run_results.json (<workdir>/lake/runs/bench-full/dbt/).
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

FINISHED = re.compile(r"\d+ of \d+ (?:OK created \S+ \S+ model |PASS |OK loaded seed file )(\S+)\s.*in (\d+\.\d+)s")


def main() -> None:
    running, baseline = Path(sys.argv[1]), Path(sys.argv[2])
    top = int(sys.argv[3]) if len(sys.argv) > 3 else 15
    results = json.loads((baseline / "lake/runs/bench-full/dbt/run_results.json").read_text())["results"]
    before = {r["unique_id"].split(".")[2]: r["execution_time"] for r in results}
    done: dict[str, float] = {}
    for line in (running / "dbt-target/logs/dbt.log").read_text().splitlines():
        if match := FINISHED.search(line):
            done[match.group(1).split(".")[-1]] = float(match.group(2))
    rows = sorted(((name, seconds, before.get(name)) for name, seconds in done.items()), key=lambda r: -r[1])
    print(f"{len(done)} nodes finished: {sum(s for _, s, _ in rows):.0f} s of node time; "
          f"the same nodes in the baseline {sum(b or 0 for _, _, b in rows):.0f} s")
    for name, seconds, base in rows[:top]:
        ratio = f"{seconds / base:.1f}x" if base else ""
        print(f"{name[:70]:70s} {seconds:9.1f} {base or 0:9.1f} {ratio}")


if __name__ == "__main__":
    main()
