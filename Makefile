# Two set-up commands for a newcomer: `make demo` and `make test`. Everything else is a helper.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# The database name both test runs derive their test databases from (test-NAME / test_NAME).
TEST_DB ?= memberclub
PG_TEST_URL ?= postgres://postgres@127.0.0.1:5432/$(TEST_DB)

.PHONY: demo test lint test-sqlite test-postgres bench bench-stages bench-scale clean system-packages screenshots

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

# Chromium for the browser tests and the Japanese font of the letters (apt-get when root).
system-packages:
	@sh scripts/system-packages.sh

demo: $(STAMP) system-packages
	$(BIN)/memberclub demo

lint: $(STAMP)
	$(BIN)/ruff format --check .
	$(BIN)/ruff check .
	$(BIN)/mypy src tests bench
	$(BIN)/lint-imports

# The whole suite, browser tests (tests/browser, Chromium) included.
test-sqlite: $(STAMP) system-packages
	DATABASE_URL=sqlite:///var/$(TEST_DB).sqlite3 $(BIN)/pytest -q -p no:cacheprovider

# PostgreSQL is required in CI; on a workstation without it this run is reported as not run.
test-postgres: $(STAMP)
	@if $(BIN)/python -m memberclub.dbcheck "$(PG_TEST_URL)"; then \
		DATABASE_URL="$(PG_TEST_URL)" $(BIN)/pytest -q -p no:cacheprovider tests/integration; \
	elif [ "$$CI" = "true" ]; then \
		echo "PostgreSQL is not answering at $(PG_TEST_URL): required in CI"; exit 1; \
	else \
		echo "PostgreSQL is not answering at $(PG_TEST_URL): its integration run was NOT done"; \
	fi

test: lint test-sqlite test-postgres

bench: $(STAMP)
	$(BIN)/python -m bench

# Where the accrual's and the expiry's time goes, stage by stage at 1M members (PostgreSQL); it
# takes as long as the accrual and expiry benchmarks together, so it is not in `make bench`.
bench-stages: $(STAMP)
	$(BIN)/python -m bench.stages

# Growth of the monthly run at 1M, 2M and 4M members (PostgreSQL); long, so not in `make bench`.
bench-scale: $(STAMP)
	$(BIN)/python -m bench.scale

clean:
	rm -rf $(VENV) var

# Retake the portal screenshots in docs/screenshots from the browser tests.
screenshots: $(STAMP) system-packages
	UPDATE_SCREENSHOTS=1 DATABASE_URL=sqlite:///var/$(TEST_DB).sqlite3 $(BIN)/pytest -q -p no:cacheprovider tests/browser/test_portal_journeys.py tests/browser/test_portal_screens.py tests/browser/test_api_docs.py tests/browser/test_console_pages.py tests/browser/test_console_japanese.py
