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

.PHONY: run serve test test-infra image lint worker clean bench-stats-scale bench-fullstack \
	bench-fullstack-profile bench-limiter bench-limiter-profile bench-notifications bench-chaos \
	bench-metrics-cost bench-mail-build bench-rolling-restart bench-pgbouncer bench-request-cost

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

## lint: the layering contracts, then ruff's lint and format checks
lint: $(STAMP)
	PYTHONPATH=. $(BIN)/lint-imports --no-cache
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

## worker: a notification worker (`flask worker`); needs REDIS_URL
worker: $(STAMP)
	$(BIN)/flask worker

# Benchmarks: `python -m bench.<name>` from the repository root; BENCH_ARGS passes options,
# e.g. `make bench-limiter BENCH_ARGS="--rounds 2"`. bench/README.md has the method and figures.
## bench-stats-scale: the stats endpoints at 1M users against a bare route in the same app
bench-stats-scale: $(STAMP)
	$(BIN)/python -m bench.stats_scale $(BENCH_ARGS)

## bench-fullstack: /stats/platform and /stats/dashboard, full stack, against a bare Flask app
bench-fullstack: $(STAMP)
	$(BIN)/python -m bench.fullstack --reuse $(BENCH_ARGS)

## bench-fullstack-profile: the same two endpoints called in-process, CPU and profile by package
bench-fullstack-profile: $(STAMP)
	$(BIN)/python -m bench.fullstack.profile $(BENCH_ARGS)

## bench-limiter: bare Flask against our token bucket and Flask-Limiter's moving-window (wrk)
bench-limiter: $(STAMP)
	$(BIN)/python -m bench.limiter $(BENCH_ARGS)

## bench-limiter-profile: each limiter's CPU per request in-process (--profile: by package)
bench-limiter-profile: $(STAMP)
	$(BIN)/python -m bench.limiter.profile $(BENCH_ARGS)

## bench-notifications: steady-rate latency, request path, batch delivery against smtplib
bench-notifications: $(STAMP)
	$(BIN)/python -m bench.notifications $(BENCH_ARGS)

## bench-chaos: mixed load while Redis, SMTP, workers and database connections fail (~4 min)
bench-chaos: $(STAMP)
	$(BIN)/python -m bench.chaos $(BENCH_ARGS)

## bench-metrics-cost: /stats/platform with metrics on against off, under gunicorn and in-process
bench-metrics-cost: $(STAMP)
	$(BIN)/python -m bench.metrics_cost $(BENCH_ARGS)

## bench-mail-build: CPU per mail of rendering and building a notification email
bench-mail-build: $(STAMP)
	$(BIN)/python -m bench.mail_build $(BENCH_ARGS)

## bench-request-cost: server CPU of a hostile 1 MiB JSON body, the old walk beside today's checks
bench-request-cost: $(STAMP)
	$(BIN)/python -m bench.request_cost $(BENCH_ARGS)

## bench-rolling-restart: failed requests through rolling restarts behind nginx, with and
## without the listener drain (installs nginx first, as test-infra does; minutes)
bench-rolling-restart: $(STAMP)
	sh deploy/container/install-tools.sh
	$(BIN)/python -m bench.rolling_restart $(BENCH_ARGS)

## bench-pgbouncer: web and workers through PgBouncer, prepared statements off against on
bench-pgbouncer: $(STAMP)
	sh deploy/container/install-tools.sh
	$(BIN)/python -m bench.pgbouncer $(BENCH_ARGS)

## clean: remove .venv, the tools' caches and instance/ (the SQLite database)
clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache instance
