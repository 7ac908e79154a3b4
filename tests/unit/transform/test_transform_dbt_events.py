"""dbt's events go through LevelFilteredEventManager: an event no logger writes is dropped before
dbt formats it; warnings, callbacks and a debug file log still get every event they would."""

from __future__ import annotations

from pathlib import Path

import pytest
from dbt.adapters.events.types import SQLQuery
from dbt_common.events.base_types import EventLevel, EventMsg
from dbt_common.events.event_manager_client import get_event_manager
from dbt_common.events.logger import LineFormat, LoggerConfig, _TextLogger
from dbt_common.events.types import Note
from dbt_common.exceptions.events import EventCompilationError

from careatlas.shared.settings import Settings
from careatlas.transform import dbt_events, dbt_runner


class _Recording(_TextLogger):
    """A real dbt text logger that also records every message handed to it."""

    def __init__(self, level: EventLevel, path: Path) -> None:
        super().__init__(LoggerConfig(name="recording", level=level, line_format=LineFormat.DebugText,
                                      output_file_name=str(path)))
        self.received: list[str] = []

    def write_line(self, msg: EventMsg) -> None:
        self.received.append(msg.info.name)
        super().write_line(msg)


def _manager(level: EventLevel, tmp_path: Path) -> tuple[dbt_events.LevelFilteredEventManager, _Recording]:
    manager, logger = dbt_events.LevelFilteredEventManager(), _Recording(level, tmp_path / "dbt.log")
    manager.loggers.append(logger)
    return manager, logger


def _sql() -> SQLQuery:
    return SQLQuery(conn_name="model.careatlas.x", sql="select 1", node_info={})


def test_an_event_below_every_loggers_level_is_dropped_before_formatting(tmp_path: Path) -> None:
    manager, logger = _manager(EventLevel.INFO, tmp_path)
    manager.fire_event(_sql())
    manager.fire_event(Note(msg="node finished"), level=EventLevel.INFO)
    assert logger.received == ["Note"]
    assert "node finished" in (tmp_path / "dbt.log").read_text()


def test_a_debug_logger_still_gets_every_event(tmp_path: Path) -> None:
    manager, logger = _manager(EventLevel.DEBUG, tmp_path)
    manager.fire_event(_sql())
    assert logger.received == ["SQLQuery"]
    assert "select 1" in (tmp_path / "dbt.log").read_text()


def test_warnings_reach_dbt_even_when_no_logger_writes_them(tmp_path: Path) -> None:
    manager, logger = _manager(EventLevel.ERROR, tmp_path)
    manager.require_warn_or_error_handling = True
    manager.warn_error = True  # --warn-error: a warning fails the invocation
    with pytest.raises(EventCompilationError, match="deprecated"):
        manager.fire_event(Note(msg="deprecated config"), level=EventLevel.WARN)


def test_a_callback_gets_every_event(tmp_path: Path) -> None:
    manager, logger = _manager(EventLevel.INFO, tmp_path)
    seen: list[str] = []
    manager.add_callback(lambda msg: seen.append(msg.info.name))
    manager.fire_event(_sql())
    assert seen == ["SQLQuery"]


def test_install_keeps_the_loggers_and_happens_once() -> None:
    dbt_events.install()
    manager = get_event_manager()
    loggers = list(manager.loggers)
    dbt_events.install()
    assert get_event_manager() is manager
    assert isinstance(manager, dbt_events.LevelFilteredEventManager) and manager.loggers == loggers


@pytest.mark.parametrize("level", ["info", "debug"])
def test_a_real_invocation_logs_at_the_configured_level(tmp_path: Path, level: str) -> None:
    settings = Settings(lake=str(tmp_path / "lake"), warehouse_path=tmp_path / "warehouse.duckdb",
                        dbt_log_level_file=level)
    config = dbt_runner.DbtConfig.from_settings(settings, lake_is_s3=False)
    assert dbt_runner.invoke(config, ["seed", "--select", "access_disciplines"]).success
    text = (config.target_path / "logs" / "dbt.log").read_text()
    assert "OK loaded seed file" in text
    assert ("SQL status" in text) == (level == "debug")
