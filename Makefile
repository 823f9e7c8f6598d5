# Hemi Fulfilment: the two commands are `make demo` and `make test`.
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

# The demo runs on embedded defaults (SQLite, file cache, filesystem broker) unless
# DATABASE_URL / CACHE_URL / CELERY_BROKER_URL say otherwise.
DEMO_ENV := DEBUG=true

.PHONY: demo test screenshots lint typecheck check install lock key clean-var bench-stock

$(STAMP): pyproject.toml constraints.txt
	@command -v $(PYTHON) >/dev/null || { echo "Python 3.11 is needed (set PYTHON=/path/to/python3.11)"; exit 1; }
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -c constraints.txt -e ".[dev]"
	touch $(STAMP)

install: $(STAMP)

# This checkout's own settings for the demo, read by every manage.py command (so the
# README's commands run as written); git-ignored, and an existing .env is never touched.
.env:
	@printf '%s\n' '# The demo checkout: DEBUG on, embedded defaults (see .env.example).' 'DEBUG=true' > $@
	@echo "Wrote .env with DEBUG=true for the demo (see .env.example for the other settings)."

## demo: install, write .env (DEBUG=true) if missing, migrate, seed, then run web + worker +
## beat + sandboxes (Ctrl-C stops all)
demo: $(STAMP) .env
	$(DEMO_ENV) $(PY) manage.py migrate --no-input
	$(DEMO_ENV) $(PY) manage.py seed_demo
	@echo "Admin: http://127.0.0.1:8000/admin/  (login printed above)"
	$(DEMO_ENV) $(VENV)/bin/honcho start

## test: the whole test suite (on DATABASE_URL / CELERY_BROKER_URL if set, else SQLite + filesystem broker)
test: $(STAMP)
	@$(DEMO_ENV) HEMI_SCREENSHOTS_DIR= $(PY) -m pytest $(PYTEST_ARGS); status=$$?; \
	if [ $$status -eq 5 ]; then echo "pytest collected no tests: that counts as a failure."; fi; \
	exit $$status

## screenshots: the browser journeys only, saving the README's screenshots into docs/
## (`make test` takes them into temporary folders and never rewrites docs/)
screenshots: $(STAMP)
	@command -v chromium >/dev/null || { echo "make screenshots needs Debian's chromium: apt-get install chromium"; exit 1; }
	$(DEMO_ENV) HEMI_SCREENSHOTS_DIR=$(CURDIR)/docs $(PY) -m pytest tests/e2e $(PYTEST_ARGS)

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

typecheck: $(STAMP)
	DEBUG=true $(VENV)/bin/mypy hemi_fulfilment oc_integration ebay_orders tests

check: lint typecheck test

## bench-stock: stock-sync benchmark, 100,000 SKUs over HTTP on a dedicated PostgreSQL database:
## the project's sync against a reference implementation on the same snapshot, repeat syncs, the
## stock review at 200,000 rows (figures only, no pass/fail; BENCH_ARGS="--skus 20000
## --review-rows 0" for a quicker run, "--skus 1000000 --naive-skus 0" for the million)
BENCH_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/hemi_bench
BENCH_VAR_DIR ?= $(CURDIR)/var/bench
bench-stock: $(STAMP)
	DEBUG=true DATABASE_URL=$(BENCH_DATABASE_URL) CACHE_URL=locmemcache:// VAR_DIR=$(BENCH_VAR_DIR) \
		$(PY) -m tests.benchmarks.stock_sync $(BENCH_ARGS)

## lock: re-resolve the pinned versions in constraints.txt after changing pyproject.toml
lock:
	rm -rf /tmp/hemi-lock && $(PYTHON) -m venv /tmp/hemi-lock
	/tmp/hemi-lock/bin/pip install --quiet -e ".[dev]"
	/tmp/hemi-lock/bin/pip freeze --exclude-editable | grep -v '^-e' > constraints.txt

## key: print a new Fernet key for FIELD_ENCRYPTION_KEYS
key: $(STAMP)
	@$(PY) -c "from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())"

clean-var:
	rm -rf var
