"""A whole deployment on one machine: a private Redis, moto S3 behind a breakable proxy, the
fake Census API, and real worker processes for every queue, driven through the real CLI."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import boto3
from fakes.census_api import VALID_KEY, FakeCensus

from careatlas.shared.settings import Settings
from careatlas.shared.storage import Lake
from support import run_inputs
from support.stack import RedisServer, TcpProxy
from support.workers import workers

WORKERS = {"ingest": ("ingest", 2), "census": ("census", 1), "transform": ("transform", 1)}


@dataclass
class RunStack:
    env: dict[str, str]
    folder: Path
    redis: RedisServer
    s3_proxy: TcpProxy
    census: FakeCensus
    exits: ExitStack = field(default_factory=ExitStack)
    workers: dict[str, list] = field(default_factory=dict)

    @property
    def faults(self) -> Path:
        """The folder of faults armed for this stack's workers (``support.faults.arm``)."""
        return self.folder / "faults"

    @property
    def lake(self) -> Lake:
        values = {k.removeprefix("CAREATLAS_").lower(): v for k, v in self.env.items() if k.startswith("CAREATLAS_")}
        return Lake(self.env["CAREATLAS_LAKE"], Settings(**values))

    def start_workers(self, *queues: str) -> None:
        for queue in queues or tuple(WORKERS):
            module, count = WORKERS[queue]
            self.workers[queue] = self.exits.enter_context(workers(module, queue, self.env, self.folder, count=count,
                                                                   faults=self.faults))

    def cli(self, *args: str, timeout: float = 300) -> subprocess.CompletedProcess:
        careatlas = str(Path(sys.executable).with_name("careatlas"))
        return subprocess.run([careatlas, *args], env={**os.environ, **self.env}, capture_output=True, text=True,
                              timeout=timeout)

    def cli_json(self, *args: str, timeout: float = 300) -> dict:
        done = self.cli(*args, "--json", timeout=timeout)
        assert done.returncode == 0, done.stderr[-3000:]
        return json.loads(done.stdout)

    def inputs(self, rows: int = 300, start: int = 0, name: str = "npidata_pfile_20050523-20250407.csv") -> dict:
        folder = self.folder / f"inputs-{uuid.uuid4().hex[:6]}"
        folder.mkdir()
        return {"nppes": str(run_inputs.write_nppes(folder / name, rows, start)),
                "nucc": str(run_inputs.write_nucc(folder / "nucc_taxonomy_251.csv")),
                "hud": str(run_inputs.write_hud(folder / "ZIP_COUNTY_032023.csv"))}


@contextmanager
def open_stack(folder: Path, s3_endpoint: str, **overrides: str) -> Iterator[RunStack]:
    bucket = f"lake-{uuid.uuid4().hex[:10]}"
    redis = RedisServer(folder)
    redis.start()
    proxy = TcpProxy(int(s3_endpoint.rsplit(":", 1)[1]))
    proxy.accept()
    boto3.client("s3", endpoint_url=s3_endpoint, region_name="us-east-1", aws_access_key_id="testing",
                 aws_secret_access_key="testing-secret").create_bucket(Bucket=bucket)
    try:
        with FakeCensus() as census:
            env = {
                "CAREATLAS_LAKE": f"s3://{bucket}/lake",
                "CAREATLAS_S3_ENDPOINT_URL": f"http://127.0.0.1:{proxy.port}",
                "CAREATLAS_S3_REGION": "us-east-1",
                "CAREATLAS_S3_ACCESS_KEY_ID": "testing",
                "CAREATLAS_S3_SECRET_ACCESS_KEY": "testing-secret",
                "CAREATLAS_BROKER_URL": f"{redis.url}/0",
                "CAREATLAS_RESULT_BACKEND": f"{redis.url}/1",
                "CAREATLAS_REDIS_URL": f"{redis.url}/2",
                "CAREATLAS_CENSUS_BASE_URL": census.url,
                "CAREATLAS_CENSUS_API_KEY": VALID_KEY,
                "CAREATLAS_WAREHOUSE_PATH": str(folder / "warehouse.duckdb"),
                "CAREATLAS_CHUNK_BYTES": "60000",
                "CAREATLAS_PARSE_BATCH_BYTES": "20000",
                "CAREATLAS_LOG_FORMAT": "json",
                "CAREATLAS_VISIBILITY_TIMEOUT_S": "15",  # a killed worker's chunk comes back after this
                "CAREATLAS_UNACKED_RESTORE_INTERVAL_S": "2",
                "CAREATLAS_RUN_LOCK_TTL_S": "30",  # a dead run's release lock is gone after this
                "DO_NOT_TRACK": "1",
                **overrides,
            }
            run_stack = RunStack(env, folder, redis, proxy, census)
            with run_stack.exits:
                yield run_stack
    finally:
        proxy.close()
        redis.stop()
