# Two commands do all set-up: `make run` (embedded default) and `make test` (the whole suite).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 5000
# Links in mails and calendars point where `make run` actually serves.
PUBLIC_BASE_URL ?= http://$(HOST):$(PORT)
export FLASK_APP := wsgi:app
# pytest can exit 0 having run nothing (e.g. every xdist worker crashed on start-up): count them.
export RAN_SOME_TESTS := import sys, xml.etree.ElementTree as E; \
  r = E.parse(sys.argv[1]).getroot(); \
  sys.exit(0 if sum(int(s.get("tests", 0)) for s in r.iter("testsuite")) > 0 else 1)

.PHONY: run serve test lint worker bench-stats bench-limiter bench-fullstack bench-notifications clean

$(STAMP): requirements.txt requirements-dev.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements-dev.txt
	touch $(STAMP)

## run: create .venv, install, migrate SQLite, seed demo data when empty, serve on :5000
run: $(STAMP)
	$(BIN)/flask db upgrade
	$(BIN)/flask seed-demo --if-empty
	PUBLIC_BASE_URL=$(PUBLIC_BASE_URL) $(BIN)/flask run --host $(HOST) --port $(PORT)

## serve: the production web server (gunicorn.conf.py) on HOST:PORT, after migrating
serve: $(STAMP)
	$(BIN)/flask db upgrade
	HOST=$(HOST) PORT=$(PORT) PUBLIC_BASE_URL=$(PUBLIC_BASE_URL) $(BIN)/gunicorn -c gunicorn.conf.py wsgi:app

## test: layering contracts, then the whole suite (four processes) against PostgreSQL and Redis
## on 127.0.0.1, plus the embedded default. Needs the `redis-server` program for outage tests.
test: $(STAMP)
	PYTHONPATH=. $(BIN)/lint-imports --no-cache
	@results=$$(mktemp); \
	$(BIN)/python -m pytest -n 4 --dist loadfile --junitxml=$$results $(PYTEST_ARGS); status=$$?; \
	if [ $$status -eq 5 ]; then echo "pytest collected no tests: failing"; status=1; fi; \
	if [ $$status -eq 0 ] && ! $(BIN)/python -c "$$RAN_SOME_TESTS" $$results; then \
		echo "no test ran (workers crashed?): failing"; status=1; fi; \
	rm -f $$results; exit $$status

lint: $(STAMP)
	PYTHONPATH=. $(BIN)/lint-imports --no-cache
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

worker: $(STAMP)
	$(BIN)/flask worker

bench-stats: $(STAMP)
	$(BIN)/python bench/stats_scale.py

bench-limiter: $(STAMP)
	$(BIN)/python bench/limiter.py

## bench-fullstack: /stats/platform and /stats/dashboard, full stack, against a bare Flask app
bench-fullstack: $(STAMP)
	$(BIN)/python bench/fullstack.py --reuse

bench-notifications: $(STAMP)
	$(BIN)/python bench/notifications.py

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache instance
