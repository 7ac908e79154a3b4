"""Moved to ``careatlas.runs`` (one home for runs); kept so existing imports keep working."""

from careatlas.runs.live import KEY_TTL_S, RunStore
from careatlas.runs.model import (
                                  RunManifest,
                                  RunStatus,
                                  TaskRecord,
                                  TaskState,
                                  attempt_of,
                                  list_manifests,
                                  load_manifest,
                                  load_tasks,
                                  new_run_id,
                                  save_manifest,
                                  save_task,
                                  summarize,
)

__all__ = ["KEY_TTL_S", "RunManifest", "RunStatus", "RunStore", "TaskRecord", "TaskState", "attempt_of",
           "list_manifests", "load_manifest", "load_tasks", "new_run_id", "save_manifest", "save_task",
           "summarize"]
