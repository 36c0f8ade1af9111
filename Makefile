# Two commands on a fresh clone: `make run` and `make test`. Only python3.11 and make needed.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PORT ?= 8000

.PHONY: run test bench install migrate seed worker beat lint lock messages clean

$(STAMP): requirements.txt requirements-dev.txt
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements-dev.txt
	@touch $(STAMP)

install: $(STAMP)

# Local demo on the embedded defaults: SQLite, tasks run in-process. Every email is written
# to its own file under var/email (EMAIL_FILE_PATH), an email log that is easy to read;
# `make run EMAIL_URL=consolemail://` prints them in the terminal instead.
# Links in emails point at the port the demo is served on (SITE_URL follows PORT).
EMAIL_URL ?= filemail://
SITE_URL ?= http://127.0.0.1:$(PORT)
run: $(STAMP)
	DEBUG=1 $(BIN)/python manage.py migrate --noinput
	DEBUG=1 EMAIL_URL=$(EMAIL_URL) SITE_URL=$(SITE_URL) $(BIN)/python manage.py seed_demo
	@echo "Serving $(SITE_URL)/ (Ctrl-C to stop); emails: $(EMAIL_URL) (var/email/ by default)"
	DEBUG=1 EMAIL_URL=$(EMAIL_URL) SITE_URL=$(SITE_URL) $(BIN)/python manage.py runserver 127.0.0.1:$(PORT)

# The whole suite. DATABASE_URL / CELERY_BROKER_URL select PostgreSQL and Redis (see .ci/run).
# It runs in PYTEST_WORKERS processes (pytest-xdist), one per core and at most 4 by default,
# each on its own test database (test_<name>_gw0, _gw1, ...) and, for the tests marked
# `worker`, its own Redis database (the broker's, plus 1 for gw1, ...). Tests are dealt out
# one by one (--dist load): by module or group, xdist keys tests by id, and the schemathesis
# tests (one per API operation) share one id, so all but one would be dropped unseen.
# PYTEST_WORKERS=0 runs it in one process.
PYTEST_WORKERS ?= auto
test: $(STAMP)
	$(BIN)/python -m pytest -n $(PYTEST_WORKERS) --maxprocesses 4 --dist load $(PYTEST_ARGS)

# Benchmarks against the local PostgreSQL and Redis (bench/README.md); BENCH_SIZE=smoke is quick.
BENCH_SIZE ?= reference
bench: $(STAMP)
	$(BIN)/python -m bench.run --size $(BENCH_SIZE) $(BENCH_ARGS)

migrate: $(STAMP)
	$(BIN)/python manage.py migrate --noinput

seed: $(STAMP)
	$(BIN)/python manage.py seed_demo

# With CELERY_BROKER_URL set (and DATABASE_URL, SECRET_KEY or DEBUG=1), in their own terminals.
worker: $(STAMP)
	$(BIN)/celery -A config worker --loglevel INFO

beat: $(STAMP)
	@mkdir -p var
	$(BIN)/celery -A config beat --loglevel INFO --schedule var/celerybeat-schedule

# Style (ruff), then the import layers and cycles of pyproject.toml (import-linter).
lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/lint-imports

# Refresh the pins after changing pyproject.toml's dependencies.
lock:
	$(BIN)/python -m pip install --quiet pip-tools
	$(BIN)/pip-compile -q --strip-extras --no-header --no-emit-index-url --no-emit-find-links -o requirements.txt pyproject.toml
	$(BIN)/pip-compile -q --strip-extras --no-header --no-emit-index-url --no-emit-find-links --extra dev -o requirements-dev.txt pyproject.toml

# Extract and compile translations (needs GNU gettext; compiled .mo files are committed).
messages: $(STAMP)
	DEBUG=1 $(BIN)/python manage.py makemessages -l zh_Hant --no-obsolete -i ".venv/*"
	DEBUG=1 $(BIN)/python manage.py compilemessages -l zh_Hant -i ".venv/*"

clean:
	rm -rf $(VENV) db.sqlite3 var staticfiles
