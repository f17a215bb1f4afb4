# Two commands do all set-up: `make run` (embedded default) and `make test` (the whole suite).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 5000
export FLASK_APP := wsgi:app

.PHONY: run test lint worker bench-stats bench-limiter bench-notifications clean

$(STAMP): requirements.txt requirements-dev.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements-dev.txt
	touch $(STAMP)

## run: create .venv, install, migrate SQLite, seed demo data when empty, serve on :5000
run: $(STAMP)
	$(BIN)/flask db upgrade
	$(BIN)/flask seed-demo --if-empty
	$(BIN)/flask run --host $(HOST) --port $(PORT)

## test: the whole suite against PostgreSQL and Redis on 127.0.0.1, plus the embedded default
test: $(STAMP)
	@$(BIN)/python -m pytest $(PYTEST_ARGS); status=$$?; \
	if [ $$status -eq 5 ]; then echo "pytest collected no tests: failing"; exit 1; fi; \
	exit $$status

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

worker: $(STAMP)
	$(BIN)/flask worker

bench-stats: $(STAMP)
	$(BIN)/python bench/stats_scale.py

bench-limiter: $(STAMP)
	$(BIN)/python bench/limiter.py

bench-notifications: $(STAMP)
	$(BIN)/python bench/notifications.py

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache instance
