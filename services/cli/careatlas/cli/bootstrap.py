"""Process set-up for CLI commands: options become settings, logging is configured once."""

from __future__ import annotations

from pathlib import Path

from careatlas.shared.logging import configure_logging, register_settings
from careatlas.shared.settings import Settings, override_settings


def configure(lake: str | None = None, reference: Path | None = None, *, warehouse_in_lake: bool = False) -> Settings:
    """The command's settings: ``--lake`` and ``--reference`` win over CAREATLAS_LAKE and
    CAREATLAS_REFERENCE_DIR. They become this process's settings (``get_settings()``), so code
    reading the settings later, such as the report's comparisons or the in-process workers, sees
    them.

    With ``warehouse_in_lake`` a local lake keeps its DuckDB warehouse inside it
    (``<lake>/_warehouse/``) unless CAREATLAS_WAREHOUSE_PATH is set, so runs of the demo and
    ``careatlas transform`` on the same lake continue each other's incremental state.

    Nothing is written to ``os.environ``: the spawned ingest processes are handed the lake root,
    and dbt's environment is built from these settings (``careatlas.transform.dbt_runner.profile_env``).
    """
    settings = override_settings(lake=lake, reference_dir=reference)
    if warehouse_in_lake and "://" not in settings.lake and "warehouse_path" not in settings.model_fields_set:
        settings = override_settings(lake=lake, reference_dir=reference,
                                     warehouse_path=Path(settings.lake) / "_warehouse" / "careatlas.duckdb")
    register_settings(settings)
    configure_logging(settings.log_level, settings.log_format)
    return settings
