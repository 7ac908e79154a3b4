"""dbt/profiles.yml rendered by dbt itself for the production overlay (IRSA: no static S3 keys)
and for a key pair: workload identity gets DuckDB's credential_chain with no key at all, never an
empty key that would send unsigned requests (review M5)."""

from __future__ import annotations

import os
import sys
from argparse import Namespace
from pathlib import Path

import duckdb
import pytest
from k8s_render import of_kind

from careatlas.shared.settings import Settings
from careatlas.transform import dbt_runner


def _profile(settings: Settings, warehouse: Path, *, lake_is_s3: bool = True):
    from dbt.config.profile import Profile, read_profile
    from dbt.config.renderer import ProfileRenderer
    from dbt.flags import set_from_args
    from dbt_common.context import set_invocation_context

    config = dbt_runner.DbtConfig.from_settings(settings, lake_is_s3=lake_is_s3, warehouse_path=warehouse)
    set_from_args(Namespace(), None)
    set_invocation_context({**os.environ, **config.env})
    profile = Profile.from_raw_profiles(read_profile(str(config.project_dir)), "careatlas", ProfileRenderer({}),
                                        target_override=config.target)
    return profile, config.env


def _secret_sql(settings: Settings, tmp_path: Path) -> tuple[str, dict[str, str]]:
    profile, env = _profile(settings, tmp_path / "w.duckdb")
    (sql,) = profile.credentials.secrets_sql()
    return sql, env


@pytest.mark.parametrize("lake_is_s3", [False, True])
def test_duckdb_spills_beside_the_warehouse_within_a_bound(tmp_path: Path, lake_is_s3: bool,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    """The spill folder is on the warehouse's volume, not the pod's 2Gi /tmp, and bounded; DuckDB
    takes both options when the warehouse opens (the 10x bench spills there, bench/RESULTS.md)."""
    monkeypatch.delenv("CAREATLAS_DUCKDB_TEMP_DIRECTORY", raising=False)
    monkeypatch.delenv("CAREATLAS_DUCKDB_MAX_TEMP_SIZE", raising=False)
    warehouse = tmp_path / "data" / "warehouse.duckdb"
    profile, _env = _profile(Settings(lake="s3://b/lake" if lake_is_s3 else str(tmp_path / "lake")), warehouse,
                             lake_is_s3=lake_is_s3)
    options = profile.credentials.config_options
    assert options["temp_directory"] == f"{warehouse}.tmp"
    assert options["memory_limit"] == "4GB" and options["max_temp_directory_size"] == "40GB"
    with duckdb.connect(str(tmp_path / "probe.duckdb"), config=options) as con:
        assert con.execute("select current_setting('temp_directory')").fetchone()[0] == f"{warehouse}.tmp"
        assert con.execute("select current_setting('max_temp_directory_size')").fetchone()[0] == "37.2 GiB"


def _production_settings(rendered) -> Settings:
    (configmap,) = of_kind(rendered["production"], "ConfigMap")
    values = {k.removeprefix("CAREATLAS_").lower(): v for k, v in configmap["data"].items()
              if k.startswith("CAREATLAS_") and k.removeprefix("CAREATLAS_").lower() in Settings.model_fields}
    return Settings(**values)


def test_the_production_profile_uses_the_credential_chain(rendered, tmp_path: Path) -> None:
    settings = _production_settings(rendered)
    assert settings.lake_is_s3 and settings.s3_access_key_id is None  # IRSA: the overlay ships no key
    sql, env = _secret_sql(settings, tmp_path)
    assert "provider credential_chain" in sql and "endpoint 's3.amazonaws.com'" in sql
    assert "key_id" not in sql and "secret '" not in sql
    assert "CAREATLAS_S3_ACCESS_KEY_ID" not in env


def test_a_key_pair_gets_the_config_provider(tmp_path: Path) -> None:
    settings = Settings(lake="s3://b/lake", s3_endpoint_url="http://127.0.0.1:9000", s3_access_key_id="AKIDEXAMPLE",
                        s3_secret_access_key="very-secret-value")
    sql, _env = _secret_sql(settings, tmp_path)
    assert "provider config" in sql and "key_id 'AKIDEXAMPLE'" in sql and "secret 'very-secret-value'" in sql
    assert "endpoint '127.0.0.1:9000'" in sql and "use_ssl 'false'" in sql


def test_duckdb_takes_the_chain_from_the_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Offline, the chain finds credentials in the environment where a pod would use its web
    identity token; with nothing to find, DuckDB refuses the secret, so the transform stops at
    its first connection with that message instead of reading S3 unsigned."""
    sql, _env = _secret_sql(Settings(lake="s3://b/lake"), tmp_path)
    dbt_runner.ensure_httpfs(credential_chain=True)
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_PROFILE", "AWS_ROLE_ARN"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    with duckdb.connect() as con, pytest.raises(duckdb.Error, match="Secret Validation Failure"):
        con.execute(sql)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIAFROMTHECHAIN")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "chain-secret")
    with duckdb.connect() as con:
        con.execute(sql)
        (secret,) = con.execute("select secret_string from duckdb_secrets()").fetchone()
    assert "provider=credential_chain" in secret and "key_id=AKIAFROMTHECHAIN" in secret


def test_a_missing_aws_extension_is_a_clear_refusal(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HOME", str(tmp_path))  # a machine where nothing is installed yet
    monkeypatch.setitem(sys.modules, "duckdb_extension_aws", None)  # and the wheel is absent
    with pytest.raises(dbt_runner.ExtensionUnavailable, match="aws extension .* credential chain"):
        dbt_runner.ensure_httpfs(credential_chain=True)
