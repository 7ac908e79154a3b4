"""File locks and environment save/restore, shared by the warehouse, release and census locks."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from careatlas.shared import host

HOLD = "import sys, time; from pathlib import Path; from careatlas.shared import host\n" \
       "with host.file_lock(Path(sys.argv[1])):\n    print('held', flush=True); time.sleep(30)"


def test_a_lock_another_process_holds_is_busy_then_free_when_it_dies(tmp_path: Path) -> None:
    path = tmp_path / "locks" / "x.lock"
    holder = subprocess.Popen([sys.executable, "-c", HOLD, str(path)], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "held"
        started = time.monotonic()
        with pytest.raises(host.FileLockBusy, match="x.lock is locked"), host.file_lock(path, wait_s=0.3):
            pass
        assert time.monotonic() - started >= 0.3  # it waited as asked
        with pytest.raises(KeyError, match="mine"), host.file_lock(path, busy=lambda: KeyError("mine")):
            pass
    finally:
        holder.kill()
        holder.wait()
    with host.file_lock(path):  # the kernel released the dead holder's lock
        pass


def test_an_error_inside_the_block_is_not_taken_for_a_busy_lock(tmp_path: Path) -> None:
    with pytest.raises(host.FileLockBusy, match="from the block"), host.file_lock(tmp_path / "y.lock",
                                                                                   busy=lambda: KeyError()):
        raise host.FileLockBusy("from the block")


def test_environment_is_restored(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CAREATLAS_TEST_KEPT", "before")
    monkeypatch.delenv("CAREATLAS_TEST_NEW", raising=False)
    with host.environment({"CAREATLAS_TEST_KEPT": "during", "CAREATLAS_TEST_NEW": "x"}):
        assert os.environ["CAREATLAS_TEST_KEPT"] == "during" and os.environ["CAREATLAS_TEST_NEW"] == "x"
    assert os.environ["CAREATLAS_TEST_KEPT"] == "before" and "CAREATLAS_TEST_NEW" not in os.environ
