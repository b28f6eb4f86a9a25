# Entry points: `make run` (private PostgreSQL + demo data + service) and `make test` (everything CI runs).
PORT ?= 8000
DB ?= pgpsa
TEST_DB ?= pgpsa_test
# pytest-xdist workers for `make test` (each on a copy of the test database): two more than the cores, unless told:
# the extra ones run while others wait on the servers, workers and browsers their tests start (README).
TEST_JOBS ?= $(shell expr $$(nproc) + 2)
PYTHON := $(shell command -v python3)
PG := scripts/pg.sh
VENV := .venv

# One bash per recipe, stopping at the first failure.
SHELL := bash
.SHELLFLAGS := -euo pipefail -c
.ONESHELL:
export PATH := $(CURDIR)/$(VENV)/bin:$(PATH)
# Some machines set this; without bytecode every Python process compiles the service and the tests again, and
# pytest rewrites every test module's assertions again (about 8 s of a core per xdist worker, measured).
unexport PYTHONDONTWRITEBYTECODE

.PHONY: run test stop psql db-url clean wrk bench-health bench-rls bench-draft bench-events bench-bi bench-views bench-api bench-requests-cpu

# Reinstalled only when the dependencies change.
$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	pip install -q -e '.[test,bench]'
	touch $@

run: $(VENV)/.installed
	$(PG) ensure $(DB)
	DATABASE_URL=$$($(PG) url $(DB)); export DATABASE_URL
	pgpsa db up
	pgpsa seed-demo
	exec pgpsa serve --host 127.0.0.1 --port $(PORT)

test: $(VENV)/.installed wrk
	scripts/browser.sh
	$(PG) ensure
	DATABASE_URL=$$($(PG) url $(TEST_DB)); export DATABASE_URL
	# A copy of a database deployed from nothing for these files, with the demo loaded (both made again only when db/
	# or service/ changed); db up then finds nothing to do and says so.
	python tests/deploy_support.py
	pgpsa db up
	python scripts/lint_sql.py db/
	ruff check $(wildcard service tests bench scripts conftest.py)
	# Whole files to each worker, the long ones first (conftest.py).
	pytest -n $(TEST_JOBS) --dist loadscope --no-loadscope-reorder

stop:
	$(PG) stop

psql:
	$(PG) psql $(DB)

db-url:
	@$(PG) url $(DB)

# Removes the virtualenv, the lint cache and the cluster with all its data.
clean:
	$(PG) destroy
	rm -rf $(VENV) .cache

# wrk (HTTP load, for bench-api and its tiny run in make test), from apt when missing.
wrk:
	command -v wrk >/dev/null && exit 0
	sudo=(); [ "$$(id -u)" = 0 ] || sudo=(sudo -n)
	"$${sudo[@]}" apt-get update -qq
	"$${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null

# Benchmarks at full size (make test runs each once, tiny), each on a scratch database, recreated; sizes from the
# environment.
bench-api: wrk
bench-health bench-rls bench-draft bench-events bench-bi bench-views bench-api bench-requests-cpu: $(VENV)/.installed
	$(PG) recreate pgpsa_bench
	DATABASE_URL=$$($(PG) url pgpsa_bench); export DATABASE_URL
	pgpsa db up >/dev/null
	python bench/$(subst -,_,$(subst bench-,,$@)).py
