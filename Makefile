# The two commands of the README: `make run` and `make test`.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
STAMP := $(VENV)/.installed

.PHONY: run test lint format bench clean system-deps

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

run: $(STAMP) system-deps
	DEBUG=1 $(BIN)/python manage.py migrate --noinput
	DEBUG=1 $(BIN)/python manage.py load_register --if-empty fixtures/smart-risk-register-2017.json
	DEBUG=1 $(BIN)/python manage.py ensure_local_admin
	DEBUG=1 $(BIN)/python manage.py runserver 127.0.0.1:$(PORT)

test: $(STAMP) system-deps
	SECRET_KEY=tests-only-secret-key $(BIN)/ruff check .
	SECRET_KEY=tests-only-secret-key $(BIN)/ruff format --check .
	SECRET_KEY=tests-only-secret-key $(BIN)/python manage.py makemigrations --check --dry-run
	SECRET_KEY=tests-only-secret-key $(BIN)/pytest $(PYTEST_ARGS)

# WeasyPrint renders the PDF export with Debian's Pango; installed when missing.
PANGO_PACKAGES := libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core

system-deps: $(STAMP)
	@$(BIN)/python -c 'import weasyprint' 2>/dev/null || { \
	  if [ "$$(id -u)" = 0 ]; then \
	    apt-get update -q && apt-get install -y -q $(PANGO_PACKAGES); \
	  else \
	    echo "The PDF export needs Pango: sudo apt-get install $(PANGO_PACKAGES)" >&2; \
	    exit 1; \
	  fi; }

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(STAMP)
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

clean:
	rm -rf $(VENV) staticfiles .pytest_cache .ruff_cache

BENCH_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/riskregister_bench

bench: $(STAMP)
	DATABASE_URL=$(BENCH_DATABASE_URL) $(BIN)/python -m bench.run
