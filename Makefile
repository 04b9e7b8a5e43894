# The two commands a newcomer needs: `make run` and `make test`.
PYTHON ?= $(shell command -v python3.11 || command -v python3.12 || command -v python3.13 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000
TEST_WORKERS ?= 2

.PHONY: run test test-postgres lint format migrate seed messages bench bench-live bench-ci clean

$(STAMP): requirements.txt requirements-dev.txt
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "pbsm workbench needs Python 3.11 or newer")'
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements-dev.txt
	touch $(STAMP)

venv: $(STAMP)

migrate: $(STAMP)
	$(PY) manage.py migrate --noinput

seed: migrate
	$(PY) manage.py load_catalogue
	$(PY) manage.py seed_demo

# runserver is daphne's (first in INSTALLED_APPS): pages and the live workshop's WebSockets in one process.
run: seed
	@echo "Live workshop: open a project as the consultant, press Live → Start; join as a guest at http://$(HOST):$(PORT)/live/join/"
	@echo "Serving pbsm workbench on http://$(HOST):$(PORT)/ (Ctrl+C stops it)"
	$(PY) manage.py runserver $(HOST):$(PORT)

# The browser tests run apart, on an SQLite file (tests/conftest.py, django_db_modify_db_settings):
# their ASGI server's threads each need a connection of their own. One at a time: three browsers of
# a live workshop beside another test's on two cores miss live refreshes (see the closing note).
test: $(STAMP)
	$(PY) manage.py makemigrations --check --dry-run
	$(PY) -m pytest -n $(TEST_WORKERS) --ignore=tests/browser $(PYTEST_ARGS)
	PBSM_TEST_SQLITE_FILE=1 $(PY) -m pytest -p no:xdist tests/browser $(PYTEST_ARGS)

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

# Security audit, as CI runs it: bandit on our code, pip-audit on the pinned dependencies.
.PHONY: audit
audit: $(STAMP)
	VENV=$(VENV) bash .ci/audit

format: $(STAMP)
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

messages: $(STAMP)
	$(PY) manage.py makemessages -l de --ignore=.venv --ignore=staticfiles
	$(PY) manage.py compilemessages --ignore=.venv

clean:
	rm -rf $(VENV) staticfiles .pytest_cache .ruff_cache

# The benchmarks need locust on top of the development set (benchmarks/requirements.txt).
BENCH_STAMP := $(VENV)/.bench-installed
$(BENCH_STAMP): $(STAMP) benchmarks/requirements.txt
	$(PY) -m pip install --quiet -r benchmarks/requirements.txt
	touch $(BENCH_STAMP)

# All figures in one table: pages (wrk), row save, query counts, reports, the mixed load (locust).
bench: $(BENCH_STAMP)
	$(PY) -m benchmarks.table

# Only the live workshop's part: a row save to 100 browsers over two web processes and Redis.
bench-live: $(BENCH_STAMP)
	$(PY) -m benchmarks.table --live-only

# The short mixed load of CI (20 users, 20 s); fails on any error.
bench-ci: $(BENCH_STAMP)
	$(PY) -m benchmarks.load --short
