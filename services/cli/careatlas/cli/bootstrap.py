"""Process set-up for CLI commands: options become settings, logging is configured once."""

from __future__ import annotations

import os
from pathlib import Path

from careatlas.shared.logging import configure_logging, register_settings
from careatlas.shared.settings import Settings, get_settings


def configure(lake: str | None = None, reference: Path | None = None) -> Settings:
    """Apply ``--lake`` and ``--reference`` (they win over CAREATLAS_LAKE and
    CAREATLAS_REFERENCE_DIR, so code reading the settings later, such as the report's comparisons,
    sees them) and return the validated settings."""
    if lake:
        os.environ["CAREATLAS_LAKE"] = lake
        get_settings.cache_clear()
    if reference is not None:
        os.environ["CAREATLAS_REFERENCE_DIR"] = str(reference)
        get_settings.cache_clear()
    settings = get_settings()
    register_settings(settings)
    configure_logging(settings.log_level, settings.log_format)
    return settings
