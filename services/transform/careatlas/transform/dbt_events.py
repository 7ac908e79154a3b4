"""dbt's event manager without the work on events that no logger writes.

dbt-core 1.11 turns every event it fires into a protobuf message, then has each of its loggers
format a line (and scrub it of secrets) before Python's logging drops it by level: ~110 us of
GIL-held work for a one-line statement, more for a model's SQL. A national weekly build fires
~3,300 events, ~280 of them at ``info`` or above; the debug rest (each SQL statement, its status,
connection hand-overs), which neither the file log at ``info`` nor ``--quiet``'s console writes,
cost 1.7-1.9 s of Python the build's threads waited on (bench/RESULTS.md "Session 9").

``LevelFilteredEventManager`` passes an event on only when some logger writes its level, when
it is a warning or an error (``--warn-error`` turns warnings into failures: dbt must see them), or
when a callback other than dbt's own behaviour-change tracker is registered (a callback may want
every event). ``CAREATLAS_DBT_LOG_LEVEL_FILE=debug`` therefore still logs every SQL statement.
"""

from __future__ import annotations

from typing import Any

from dbt_common.events.base_types import BaseEvent, EventLevel
from dbt_common.events.event_manager import EventManager
from dbt_common.events.event_manager_client import ctx_set_event_manager, get_event_manager

_RANK = {EventLevel.DEBUG: 0, EventLevel.TEST: 0, EventLevel.INFO: 1, EventLevel.WARN: 2, EventLevel.ERROR: 3}
_ALWAYS = _RANK[EventLevel.WARN]
_KNOWN_CALLBACKS = frozenset({"track_behavior_change_warn"})  # dbt's: reads warnings only


class LevelFilteredEventManager(EventManager):
    def fire_event(self, e: BaseEvent, level: EventLevel | None = None, node: Any = None,
                   force_warn_or_error_handling: bool = False) -> None:
        if force_warn_or_error_handling or self._written(level or e.level_tag()):
            super().fire_event(e, level, node, force_warn_or_error_handling)

    def _written(self, level: EventLevel) -> bool:
        rank = _RANK.get(level, 0)
        if rank >= _ALWAYS or any(getattr(c, "__name__", "") not in _KNOWN_CALLBACKS for c in self.callbacks):
            return True
        return any(rank >= _RANK.get(logger.level, 0) for logger in self.loggers)


def install() -> None:
    """Make dbt fire its events through LevelFilteredEventManager (once per process; dbt's
    set-up at each invocation clears and re-adds the loggers of whichever manager is current)."""
    current = get_event_manager()
    if isinstance(current, LevelFilteredEventManager):
        return
    manager = LevelFilteredEventManager()
    manager.loggers, manager.callbacks = current.loggers, current.callbacks
    ctx_set_event_manager(manager)
