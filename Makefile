# The two commands: `make run` (portal with demo data on an embedded default) and `make test`.
SHELL := /bin/bash
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
PORT ?= 8000
HOST ?= 127.0.0.1
export DATABASE_URL_TEST ?= postgres://postgres@127.0.0.1:5432/optonet
export REDIS_URL_TEST ?= redis://127.0.0.1:6379/15

.PHONY: run test setup setup-test messages lint bench clean

$(VENV)/.installed: pyproject.toml
	bash scripts/install-system-packages.sh run
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e .
	touch $@

$(VENV)/.installed-test: $(VENV)/.installed pyproject.toml
	bash scripts/install-system-packages.sh test
	$(PY) -m pip install -q -e ".[test]"
	touch $@

setup: $(VENV)/.installed
	$(PY) manage.py compilemessages --ignore=$(VENV) -v 0
	$(PY) manage.py migrate --noinput -v 0
	$(PY) manage.py seed_demo

setup-test: $(VENV)/.installed-test
	$(PY) manage.py compilemessages --ignore=$(VENV) -v 0

## 1. Serve the portal on http://$(HOST):$(PORT) with SQLite, in-process tasks, console e-mail.
## Links in e-mails and calendar files use the same address unless PORTAL_BASE_URL is set.
run: setup
	HOST=$(HOST) PORT=$(PORT) $(PY) manage.py runserver $(HOST):$(PORT)

## 2. Run the whole test suite against PostgreSQL and Redis on localhost.
test: setup-test
	DATABASE_URL=$(DATABASE_URL_TEST) REDIS_URL=$(REDIS_URL_TEST) $(PY) scripts/check_services.py
	DATABASE_URL=$(DATABASE_URL_TEST) REDIS_URL=$(REDIS_URL_TEST) DJANGO_SETTINGS_MODULE=optonet.settings.test \
		$(PY) -m pytest $(PYTEST_ARGS)

messages: $(VENV)/.installed
	$(PY) manage.py makemessages -l de -l en --ignore=$(VENV) --ignore=var --ignore=tests --ignore=bench --no-location
	$(PY) manage.py compilemessages --ignore=$(VENV)

lint: $(VENV)/.installed-test
	$(VENV)/bin/ruff check .

$(VENV)/.installed-bench: $(VENV)/.installed-test pyproject.toml
	bash scripts/install-system-packages.sh bench
	$(PY) -m pip install -q -e ".[test,bench]"
	touch $@

## Benchmarks: a large data set served by gunicorn, load tests, the per-feature benchmarks; one table.
bench: $(VENV)/.installed-bench setup-test
	DATABASE_URL=$(DATABASE_URL_TEST) REDIS_URL=redis://127.0.0.1:6379/14 $(PY) scripts/check_services.py
	$(PY) bench/portal_load.py $(BENCH_ARGS)

clean:
	rm -rf $(VENV) var
