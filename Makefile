# make run  — set everything up and serve the demo on http://127.0.0.1:8000 (SQLite, no Redis needed)
# make test — run the whole test suite (uses DATABASE_URL / REDIS_URL when set)
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
export DJANGO_SETTINGS_MODULE := config.settings

.PHONY: run test install migrate demo worker beat lint messages bench-seed backup restore

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e ".[dev]"
	touch $(STAMP)

install: $(STAMP)

migrate: install
	$(BIN)/python manage.py migrate --noinput

demo: migrate
	$(BIN)/python manage.py seed_demo --if-empty

# The demo runs as production does (DEBUG off: the Chinese error pages, hashed static files served by WhiteNoise);
# DEBUG=1 make run shows Django's debug pages instead. PORT=8080 make run serves another port.
run: demo
	$(BIN)/python manage.py collectstatic --noinput -v0
	DEBUG=$${DEBUG:-0} bin/run-dev

test: install
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: install
	$(BIN)/ruff check .

messages: install
	cd . && $(BIN)/python manage.py makemessages -l zh_Hans --no-obsolete --ignore=.venv --ignore=var
	$(BIN)/python manage.py compilemessages -l zh_Hans --ignore=.venv

# 1,000,000 children on the PostgreSQL named by DATABASE_URL (see bench/README.md).
bench-seed: migrate
	$(BIN)/python manage.py seed_demo --children $${CHILDREN:-1000000}

# Database backup (pg_dump -Fc / sqlite3 backup API) into var/backups/, or FILE=path; see README.
backup: install
	$(BIN)/python manage.py backup $(FILE)

# Replace the database's contents with a backup: make restore FILE=var/backups/careservices-....dump
restore: install
	@test -n "$(FILE)" || (echo "usage: make restore FILE=path/to/backup" >&2; exit 2)
	$(BIN)/python manage.py restore "$(FILE)"
