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

IMAGE ?= mentorhub:local

.PHONY: run serve test test-infra image lint worker bench-stats bench-limiter bench-fullstack \
	bench-notifications bench-rolling-restart bench-pgbouncer clean

# pytest with the given arguments, failing when it ran nothing: exit code 5 (no test collected),
# or every xdist worker crashed on start-up.
define run_pytest
	@results=$$(mktemp); \
	$(BIN)/python -m pytest $(1) --junitxml=$$results $(PYTEST_ARGS); status=$$?; \
	if [ $$status -eq 5 ]; then echo "pytest collected no tests: failing"; status=1; fi; \
	if [ $$status -eq 0 ] && ! $(BIN)/python -c "$$RAN_SOME_TESTS" $$results; then \
		echo "no test ran (workers crashed?): failing"; status=1; fi; \
	rm -f $$results; exit $$status
endef

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
	$(call run_pytest,-n 4 --dist loadfile)

## test-infra: the real-infrastructure tests, one at a time (a few minutes): the image built
## and each role run, a rolling restart behind nginx, web and worker behind PgBouncer. Installs
## the Debian packages they need first (as root). CI runs it after `make test`.
test-infra: $(STAMP)
	sh deploy/container/install-tools.sh
	$(call run_pytest,tests/infra)

## image: build the image as $(IMAGE): Docker when its daemon answers, else buildah (with a base
## image made from Debian packages when no registry answers)
image:
	IMAGE=$(IMAGE) sh deploy/container/build-image.sh

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

bench-rolling-restart: $(STAMP)
	sh deploy/container/install-tools.sh
	$(BIN)/python bench/rolling_restart.py

bench-pgbouncer: $(STAMP)
	sh deploy/container/install-tools.sh
	$(BIN)/python bench/pgbouncer.py

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache instance
