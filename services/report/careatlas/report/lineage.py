"""``dbt docs generate`` published beside the report, for lineage (sources -> staging -> marts).

Runs through the transform's runner (``careatlas.transform.dbt_runner``: one dbt invocation at
a time, the warehouse lock, the profile environment). dbt writes into a work folder of its own
next to the warehouse (so partial parsing survives and the build's target folder is left
alone); only the outputs a reader needs are copied beside the report:
``index.html`` (dbt's static page with manifest and catalog inlined, so it opens from disk),
``manifest.json`` and ``catalog.json``.

The catalog (column types) describes the warehouse as it is now, i.e. the newest build; when the
warehouse file does not exist the catalog is left empty (lineage needs only the manifest).
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path
from types import ModuleType

import structlog

from careatlas.shared.settings import Settings
from careatlas.shared.storage import Lake

log = structlog.get_logger(__name__)

PUBLISHED = {"static_index.html": "index.html", "manifest.json": "manifest.json", "catalog.json": "catalog.json"}


class LineageUnavailable(RuntimeError):
    """dbt docs could not be generated; the message says why."""


def docs_dir_for(report: Path) -> Path:
    """``report.html`` -> ``report-dbt-docs/`` beside it."""
    return report.with_name(f"{report.stem}-dbt-docs")


def publish_dbt_docs(lake: Lake, out_dir: Path, settings: Settings) -> Path:
    """Generate dbt docs for the project and warehouse of ``settings``; return the index page."""
    try:
        from careatlas.transform import dbt_runner
    except ModuleNotFoundError:
        raise LineageUnavailable("the transform package is not installed (careatlas-report[lineage])") from None
    warehouse = dbt_runner.DbtConfig.from_settings(settings, lake_is_s3=lake.is_s3).warehouse_path
    if warehouse.is_file():
        return _generate(dbt_runner, lake, settings, warehouse, [], out_dir)
    # dbt-duckdb opens (and so creates) the database even for an empty catalog: give it a throwaway one
    with tempfile.TemporaryDirectory(prefix="careatlas-docs-") as folder:
        return _generate(dbt_runner, lake, settings, Path(folder) / "empty.duckdb", ["--empty-catalog"], out_dir)


def _generate(dbt_runner: ModuleType, lake: Lake, settings: Settings, warehouse: Path, extra: list[str],
              out_dir: Path) -> Path:
    config = dbt_runner.DbtConfig.from_settings(
        settings, lake_is_s3=lake.is_s3, warehouse_path=warehouse, target_path=warehouse.parent / "dbt-docs-target"
    )
    try:
        result = dbt_runner.invoke(config, ["docs", "generate", "--static", "--quiet", *extra])
    except dbt_runner.WarehouseBusy as error:
        raise LineageUnavailable(f"{error}; try again when the build has finished") from None
    if not result.success:
        raise LineageUnavailable(f"dbt docs generate failed: {result.error or 'see the dbt log'} "
                                 f"({config.target_path / 'logs'})")
    return _publish(config.target_path, out_dir)


def _publish(target: Path, out_dir: Path) -> Path:
    missing = [name for name in PUBLISHED if not (target / name).is_file()]
    if missing:
        raise LineageUnavailable(f"dbt docs generate wrote no {', '.join(missing)} in {target}")
    staging = out_dir.with_name(f".{out_dir.name}.tmp")
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir(parents=True)
    for source, name in PUBLISHED.items():
        shutil.copyfile(target / source, staging / name)
    # swap whole folders: a reader never sees docs of two generations mixed
    shutil.rmtree(out_dir, ignore_errors=True)
    staging.rename(out_dir)
    log.info("dbt docs published", path=str(out_dir))
    return out_dir / "index.html"
