"""Messages between the ingest steps: the plan, one chunk's work, one chunk's result.

They travel as JSON (Celery arguments and lake files), so they are plain pydantic models.
"""

from __future__ import annotations

# the models live with the lake contract (careatlas.shared.documents)
from careatlas.shared.documents import ChunkResult, ChunkSpec, IngestPlan, Manifest  # noqa: F401
