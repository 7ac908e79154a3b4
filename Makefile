# The two set-up commands of the README: `make demo` and `make test`. Both install what they need.
UV := $(shell command -v uv 2>/dev/null || echo "python3 -m uv")
export DO_NOT_TRACK := 1
# pytest-xdist processes for `make test` (Redis fixtures allow at most 5; 0 = serial). More than the
# 2 vCPUs: the e2e tests spend much of their time waiting on worker processes they started.
TEST_WORKERS ?= 3

.PHONY: setup demo test lint typecheck bench

setup:
	@command -v uv >/dev/null 2>&1 || python3 -m uv --version >/dev/null 2>&1 || python3 -m pip install -q uv
	@$(UV) sync --frozen --quiet

demo: setup
	$(UV) run careatlas demo $(DEMO_ARGS)

test: setup
	$(UV) run pytest -n $(TEST_WORKERS) --dist loadfile $(PYTEST_ARGS)

lint: setup
	$(UV) run ruff check .

# mypy, strict on careatlas.shared, .runs, .nppes, .synth, .report and .validate ([tool.mypy] in pyproject.toml)
typecheck: setup
	$(UV) run mypy

bench: setup
	$(UV) run python bench/ingest_bench.py $(BENCH_ARGS)
	$(UV) run python bench/transform_bench.py
