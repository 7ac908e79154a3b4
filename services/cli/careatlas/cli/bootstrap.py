"""Process set-up for CLI commands: options become settings, logging is configured once."""

from __future__ import annotations

import os

from careatlas.shared.logging import configure_logging, register_settings
from careatlas.shared.settings import Settings, get_settings


def configure(lake: str | None = None) -> Settings:
    """Apply ``--lake`` (it wins over CAREATLAS_LAKE) and return the validated settings."""
    if lake:
        os.environ["CAREATLAS_LAKE"] = lake
        get_settings.cache_clear()
    settings = get_settings()
    register_settings(settings)
    configure_logging(settings.log_level, settings.log_format)
    return settings
