# KetaCare: `make run` and `make test` are the two entry points (README).
PY ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PG_URL ?= postgres://postgres@127.0.0.1:5432/test
export KETACARE_VAR_DIR ?= $(CURDIR)/var

.PHONY: run test test-sqlite test-postgres test-browser lint typecheck bench demo migrate clean setup

setup: $(STAMP)

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PY) -m venv $(VENV) || python3 -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip 2>&1 | grep -v "^WARNING: Location" || true
	$(BIN)/python -m pip install --quiet -e ".[dev]" 2>&1 | grep -v "^WARNING: Location" || true
	$(BIN)/python -c "import django, hl7, fhir.resources, playwright, pytest_django, argon2"
	@touch $(STAMP)

migrate: setup
	@mkdir -p var
	$(BIN)/ketacare migrate --noinput

run: migrate
	@$(BIN)/ketacare demo --if-new
	$(BIN)/ketacare serve --host 127.0.0.1 --port 8000

demo: migrate
	$(BIN)/ketacare demo --reset

test: setup
	@bash scripts/test.sh

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ketacare makemigrations --check --dry-run
	$(BIN)/python -m mypy
	$(BIN)/lint-imports

# mypy with django-stubs on the kernel, the services and the shared edges ([tool.mypy] files in pyproject.toml).
typecheck: setup
	$(BIN)/python -m mypy

bench: migrate
	$(BIN)/python bench/run.py

clean:
	rm -rf $(VENV) var staticfiles
