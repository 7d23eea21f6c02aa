# Tawjih: every task a developer runs. `make help` lists them.
# Nothing here needs more than Python 3.11+, make and git: PostgreSQL, Redis and Node.js
# (for the front-end packages) come as Python wheels into .venv.

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
BIN := $(VENV)/bin
STACK := $(PY) scripts/devstack.py
MANAGE := $(PY) manage.py

.DEFAULT_GOAL := help
.PHONY: help install assets run test pytest fuzz lint fmt messages compilemessages migrations manage shell demo bench loadtest backup restore clean

help: ## List the tasks
	@grep -hE '^[a-zA-Z_-]+:.*?## ' $(MAKEFILE_LIST) | awk 'BEGIN {FS = ":.*?## "}; {printf "  \033[36m%-16s\033[0m %s\n", $$1, $$2}'

$(VENV)/.installed: pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $@

install: $(VENV)/.installed ## Create .venv and install the project with its dev tools

node_modules/.installed: package.json package-lock.json $(VENV)/.installed
	$(BIN)/npm ci --ignore-scripts --no-audit --no-fund --loglevel=error
	touch $@

assets: node_modules/.installed ## Install Bootstrap, htmx and Chart.js (npm ci, from the lock file)

compilemessages: $(VENV)/.installed ## Compile the translation catalogues (pure Python, no gettext needed)
	$(BIN)/pybabel compile -d locale -D django --statistics
	$(BIN)/pybabel compile -d locale_overrides -D django

messages: $(VENV)/.installed ## Extract strings into locale/{fr,ar,en} (needs GNU gettext), then compile
	$(STACK) exec -- $(MANAGE) makemessages --locale fr --locale ar --locale en --no-obsolete --add-location file \
		--ignore '.venv/*' --ignore 'node_modules/*' --ignore 'var/*' --ignore 'tests/*'
	$(MAKE) compilemessages

run: install assets compilemessages ## The site with demo data, a Celery worker and beat, at http://127.0.0.1:8000
	$(STACK) run

lint: install ## ruff (lint and format check), and the layers (import-linter contracts in pyproject.toml)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

fmt: install ## Format and fix what ruff can
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

pytest: install assets compilemessages ## pytest only (ARGS="-k login" to pick tests)
	$(STACK) exec -- $(BIN)/pytest $(ARGS)

test: install assets compilemessages ## The whole suite: ruff, migrations check, then pytest on real PostgreSQL and Redis
	$(MAKE) --no-print-directory lint
	$(STACK) exec -- sh -c '$(MANAGE) makemigrations --check --dry-run --settings=config.settings.test && $(BIN)/pytest $(ARGS)'

FUZZ_EXAMPLES ?= 200
fuzz: install assets compilemessages ## A deep fuzzing run of every form (FUZZ_EXAMPLES=200 per form, a fresh seed; SECURITY_FUZZ_SEED=n replays one)
	SECURITY_FUZZ_EXAMPLES=$(FUZZ_EXAMPLES) $(STACK) exec -- $(BIN)/pytest tests/security/test_fuzz_forms.py -q -p no:randomly $(ARGS)

migrations: install ## Create migrations after a model change
	$(STACK) exec -- $(MANAGE) makemigrations

manage: install ## Run a management command on the dev database: make manage ARGS="createsuperuser"
	$(STACK) exec -- $(MANAGE) $(ARGS)

shell: install ## A Django shell on the dev database
	$(STACK) exec -- $(MANAGE) shell

demo: install ## Load reference and demo data into the dev database
	$(STACK) exec -- sh -c '$(MANAGE) migrate --noinput && $(MANAGE) load_reference_data && $(MANAGE) seed_demo'

BENCH_ARGS ?=
bench: install assets compilemessages ## Benchmarks on a generated volume in its own database (tawjih_bench); see docs/benchmarks.md
	TAWJIH_DB_NAME=tawjih_bench DJANGO_SETTINGS_MODULE=config.settings.bench $(STACK) exec -- sh -c '\
		$(MANAGE) migrate --noinput -v0 && $(MANAGE) seed_demo --quiet-logins >/dev/null && \
		$(MANAGE) bench_generate $(BENCH_ARGS) && \
		$(MANAGE) bench_run && \
		$(MANAGE) bench_search && \
		$(MANAGE) import_bench && \
		$(MANAGE) referrals_bench && \
		$(MANAGE) reports_bench && \
		$(MANAGE) worklist_bench && \
		$(MANAGE) audit_bench'

LOADTEST_ARGS ?=
loadtest: install compilemessages ## Locust against gunicorn on the benchmark database (make bench first); see docs/benchmarks.md
	TAWJIH_DB_NAME=tawjih_bench DJANGO_SETTINGS_MODULE=config.settings.bench $(STACK) exec -- \
		$(PY) scripts/loadtest.py $(LOADTEST_ARGS)

backup: install ## Back up the database (pg_dump) and MEDIA_ROOT into var/backups/ (OUTPUT=dir to change)
	$(STACK) exec -- $(PY) scripts/backup.py backup $(if $(OUTPUT),--output $(OUTPUT))

restore: install ## Restore into an EMPTY database: make restore BACKUP=var/backups/tawjih-... (ARGS=--clean to replace)
	@test -n "$(BACKUP)" || (echo "usage: make restore BACKUP=var/backups/tawjih-YYYYmmdd-HHMMSS" && exit 1)
	$(STACK) exec -- $(PY) scripts/backup.py restore $(BACKUP) $(ARGS)

clean: ## Remove caches (keeps .venv, node_modules and the data under var/)
	rm -rf .pytest_cache .ruff_cache
	find . -name __pycache__ -not -path './.venv/*' -not -path './node_modules/*' -prune -exec rm -rf {} +
