#!/usr/bin/env bash
# The whole suite. Locally: SQLite, browser tests if Chromium is installed.
# Under CI=true: lint, migrations check, SQLite, then PostgreSQL, browser tests required.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=.venv/bin
export KETACARE_VAR_DIR="${KETACARE_VAR_DIR:-$PWD/var}"
mkdir -p "$KETACARE_VAR_DIR"
CI="${CI:-}"

if [ "$CI" = "true" ]; then
  if ! command -v chromium >/dev/null 2>&1 || ! command -v chromedriver >/dev/null 2>&1; then
    echo "== installing Debian chromium and chromium-driver for the browser tests"
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver >/dev/null
  fi
  if ! pg_isready -h 127.0.0.1 -p 5432 -q; then
    echo "== starting PostgreSQL"
    pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql)" main start
    for _ in $(seq 1 30); do pg_isready -h 127.0.0.1 -p 5432 -q && break; sleep 1; done
  fi
  echo "== ruff"
  $BIN/ruff check .
  echo "== migrations are up to date"
  $BIN/ketacare makemigrations --check --dry-run
  echo "== mypy (kernel and services, django-stubs)"
  $BIN/python -m mypy
  echo "== import-linter"
  $BIN/lint-imports
fi

WORKERS="${KETACARE_TEST_WORKERS:-2}"
echo "== tests on SQLite"
$BIN/python -m pytest -q -n "$WORKERS" "$@"

if [ "$CI" = "true" ] || [ -n "${KETACARE_TEST_POSTGRES:-}" ]; then
  echo "== tests on PostgreSQL"
  DB="ketacare_ci_$$"
  DATABASE_URL="postgres://postgres@127.0.0.1:5432/$DB" KETACARE_TEST_DB_NAME="test_$DB" \
    $BIN/python -m pytest -q -n "$WORKERS" "$@"
fi
