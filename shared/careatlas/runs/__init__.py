"""One home for runs: a run of the pipeline from its NPPES file to the marts, and every rule of
its lifecycle.

- ``model``: the run manifest and task records, kept in the lake (``runs/<run_id>/``);
- ``live``: Redis state (task records, status, delivery counts) and the release lock;
- ``lifecycle``: the run API (start, retry, cancel, fail, complete, snapshot) that the CLI, the
  tasks and the embedded default all call;
- ``guard``: ``RunTask``, the base of every Celery task (delivery cap, cancellation, lock
  renewal, the explicit fail step, redacted errors);
- ``recorder``: worker signals that record task progress (observability only);
- ``tasks``: the coordinator tasks and the run's canvas (registered by the ingest worker).

docs/architecture.md ("Runs") and docs/runbook.md describe the states and the faults.
"""
