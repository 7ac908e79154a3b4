# syntax=docker/dockerfile:1.7
# One Dockerfile, one small image per service (docs/deployment.md says why):
#   docker build --build-arg SERVICE=ingest -t careatlas-ingest .
# SERVICE is one of: ingest census transform cli flower.
# Only the service's own dependencies are installed, from uv.lock, with no dev tools. The cli image
# is the production CLI (no generator, no report, no numpy); CLI_EXTRAS adds careatlas-cli extras:
#   docker build --build-arg SERVICE=cli --build-arg CLI_EXTRAS=report,synth -t careatlas-cli-analyst .

ARG PYTHON_IMAGE=python:3.11-slim-bookworm
ARG UV_IMAGE=ghcr.io/astral-sh/uv:0.13.9

FROM ${UV_IMAGE} AS uv

# ------------------------------------------------------------------ build: a venv from the lock
FROM ${PYTHON_IMAGE} AS build
ARG SERVICE
ARG CLI_EXTRAS=""
SHELL ["/bin/sh", "-eu", "-c"]
COPY --from=uv /uv /usr/local/bin/uv
# bytecode compiled now: the runtime filesystem is read-only, so nothing could be cached later
ENV UV_COMPILE_BYTECODE=1 \
    UV_LINK_MODE=copy \
    UV_PYTHON_DOWNLOADS=never \
    UV_PYTHON=/usr/local/bin/python3.11 \
    UV_PROJECT_ENVIRONMENT=/app/.venv
WORKDIR /src

RUN case "${SERVICE:-}" in \
      ingest|census|transform) echo "--package careatlas-${SERVICE}" > /tmp/selection ;; \
      cli) echo "--package careatlas-cli" > /tmp/selection; \
           IFS=,; for extra in $CLI_EXTRAS; do echo "--extra $extra" >> /tmp/selection; done ;; \
      flower) echo "--only-group flower" > /tmp/selection ;; \
      *) echo "build arg SERVICE must be ingest|census|transform|cli|flower, got '${SERVICE:-}'" >&2; exit 1 ;; \
    esac

# third-party dependencies first: this layer is reused until uv.lock or a pyproject changes
COPY uv.lock pyproject.toml ./
COPY shared/pyproject.toml shared/
COPY services/ingest/pyproject.toml services/ingest/
COPY services/census/pyproject.toml services/census/
COPY services/transform/pyproject.toml services/transform/
COPY services/cli/pyproject.toml services/cli/
COPY services/synth/pyproject.toml services/synth/
COPY services/report/pyproject.toml services/report/
# hadolint ignore=SC2046
RUN --mount=type=cache,target=/root/.cache/uv \
    uv sync --frozen --no-dev --no-install-workspace $(cat /tmp/selection)

# then our own packages, installed as wheels (not editable) so /src is not needed at run time
COPY shared/ shared/
COPY services/ services/
# hadolint ignore=SC2046
RUN --mount=type=cache,target=/root/.cache/uv \
    uv sync --frozen --no-dev --no-editable $(cat /tmp/selection)

# the dbt project ships in the transform image only
COPY dbt/ /tmp/dbt/
RUN mkdir -p /app/dbt \
    && if [ "$SERVICE" = transform ]; then cp -R /tmp/dbt/. /app/dbt/; fi \
    && rm -rf /app/dbt/target /app/dbt/logs /app/dbt/dbt_packages

# ------------------------------------------------------------------ runtime: no uv, no compilers
FROM ${PYTHON_IMAGE} AS runtime
ARG SERVICE
LABEL org.opencontainers.image.title="careatlas-${SERVICE}" \
      org.opencontainers.image.description="CareAtlas ${SERVICE}"

RUN groupadd --system --gid 10001 careatlas \
    && useradd --system --uid 10001 --gid careatlas --create-home \
       --home-dir /home/careatlas --shell /usr/sbin/nologin careatlas

# owned by root: the service user can run the code but not change it
COPY --from=build /app /app

# HOME: whichever uid a pod runs as, DuckDB looks for httpfs where the build put it
ENV PATH="/app/.venv/bin:${PATH}" \
    HOME=/home/careatlas \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    CAREATLAS_SERVICE=${SERVICE} \
    CAREATLAS_LOG_FORMAT=json \
    CAREATLAS_DBT_PROJECT_DIR=/app/dbt \
    CAREATLAS_WAREHOUSE_PATH=/data/warehouse.duckdb \
    DO_NOT_TRACK=1 \
    REMAP_SIGTERM=SIGQUIT

WORKDIR /home/careatlas
USER 10001:10001

# httpfs and aws (the credential chain for IRSA) are installed into ~/.duckdb now, from their PyPI
# wheels: pods have no internet and a read-only root filesystem, so DuckDB can neither download
# nor install them at run time
RUN if [ "$SERVICE" = transform ]; then \
      python -c "from duckdb_extensions import import_extension as i; i('httpfs'); i('aws')"; \
    fi

# workers answer a broadcast ping addressed to their own node name (celery@<container hostname>);
# the shared app is enough for a ping and spares the probe the worker's heavy imports
HEALTHCHECK --interval=60s --timeout=30s --start-period=60s --retries=3 \
    CMD ["sh", "-c", "case \"$CAREATLAS_SERVICE\" in \
          flower) python -c \"import urllib.request as r; r.urlopen('http://127.0.0.1:5555/healthcheck', timeout=10)\" ;; \
          cli) careatlas --help > /dev/null ;; \
          *) celery -A careatlas.shared.celery_app inspect ping --destination \"celery@$HOSTNAME\" --timeout 10 > /dev/null ;; \
        esac"]

# the default command per service; compose.yaml and k8s/ spell theirs out
CMD ["sh", "-c", "case \"$CAREATLAS_SERVICE\" in \
       cli) exec careatlas --help ;; \
       flower) exec celery -A careatlas.shared.celery_app flower --port=5555 ;; \
       *) exec celery -A \"careatlas.$CAREATLAS_SERVICE.worker\" worker -Q \"$CAREATLAS_SERVICE\" \
            --concurrency=1 --prefetch-multiplier=1 --loglevel=INFO ;; \
     esac"]
