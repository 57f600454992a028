# Sinergi: two commands. `make run` sets everything up and serves http://127.0.0.1:8000,
# `make test` sets everything up and runs ruff, import-linter, mypy and pytest.
PYTEST_ARGS ?= -n 2
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: install run test lint typecheck pytest bench soak clean messages lock

install: $(STAMP)

$(STAMP): requirements/dev.txt requirements/base.txt pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --require-virtualenv -r requirements/dev.txt
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps --no-build-isolation -e .
	@touch $(STAMP)

run: install
	$(BIN)/sinergi demo

test: install lint typecheck pytest

lint: install
	$(BIN)/ruff check src tests bench
	$(BIN)/lint-imports

typecheck: install
	$(BIN)/mypy

pytest: install
	$(BIN)/pytest $(PYTEST_ARGS)

# `make bench` (issue 14): PostgreSQL only (DATABASE_URL); BENCH_SCALE=national|small, BENCH_ONLY=http,import
# to run some cases; BENCH_REUSE=1 keeps a benchmark database already prepared at that scale.
BENCH_SCALE ?= national
BENCH_ONLY ?=
bench: install
	BENCH_SCALE=$(BENCH_SCALE) BENCH_ONLY=$(BENCH_ONLY) $(BIN)/python bench/run.py

# Soak test (not part of make test): SOAK_CLIENTS (64) clients for SOAK_SECONDS (60) against a served demo.
soak: install
	$(BIN)/python bench/soak.py

# Each app has its own catalogue (src/sinergi/<app>/locale); the project's templates, config and formats
# use src/sinergi/locale. Extract every catalogue with the same options, then compile them all.
# Catalogues are wrapped at 79 columns, as GNU gettext writes them by default (msgmerge, msgcat): a .po
# saved by another tool (polib, an editor) would be rewrapped by the next `make messages` in someone else's
# change, so tests/test_repository.py fails until `make messages` (or `msgcat -o F F`) has rewrapped it.
# compilemessages skips a .mo that is not older than its .po, and a checkout can give a stale .mo the newer
# time: touch every .po so that every .mo is compiled from its .po.
APPS := $(sort $(notdir $(patsubst %/apps.py,%,$(wildcard src/sinergi/*/apps.py))))
MAKEMESSAGES := makemessages -l id --no-location --no-obsolete -v 0
messages: install
	@for app in $(APPS); do \
	  mkdir -p src/sinergi/$$app/locale && \
	  (cd src/sinergi/$$app && ../../../$(BIN)/sinergi $(MAKEMESSAGES)) || exit 1; \
	done
	cd src/sinergi && ../../$(BIN)/sinergi $(MAKEMESSAGES) $(foreach a,$(APPS),--ignore=$(a)/*)
	find src/sinergi -path '*/locale/*/LC_MESSAGES/*.po' -exec touch {} +
	cd src/sinergi && ../../$(BIN)/sinergi compilemessages -v 0

lock:
	@echo "Create a fresh venv, install pyproject's dependencies, then write requirements/*.txt with pip freeze."
	@echo "Keep only name==version lines: no URLs, no index options, no local paths."

clean:
	rm -rf $(VENV) var build dist .pytest_cache .mypy_cache .ruff_cache src/*.egg-info
