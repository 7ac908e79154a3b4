"""Reference data loaders: NUCC taxonomy, HUD ZIP->county crosswalk, NPPES deactivation report.

Each lands the source's columns as-is (all text, exact names) plus provenance columns, with a
metadata.json beside the Parquet; dbt staging renames and types them.
"""
