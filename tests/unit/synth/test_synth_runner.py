from __future__ import annotations

from datetime import date

from careatlas.synth.runner import Plan, run


def _bytes(plan: Plan, workers: int) -> bytes:
    parts: list[bytes] = []
    run(plan, lambda batch: parts.append(batch.main), workers=workers)
    return b"".join(parts)


def test_worker_processes_give_the_same_bytes_in_order() -> None:
    plan = Plan(rows=2500, seed=9, release=date(2025, 1, 5), batch_rows=500)
    inline = _bytes(plan, workers=1)
    assert inline.count(b"\n") == 2500
    assert _bytes(plan, workers=2) == inline
