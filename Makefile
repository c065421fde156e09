# The two commands: `make run` and `make test`. Both work from a fresh clone.
PYTHON ?= python3
# Another Python gets its own folder: make test PYTHON=python3.13 VENV=.venv-3.13
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run serve bench test install chromium nginx pango lint format clean

# The development server, with the task worker (the mail queue) beside it
# and, every five minutes, send_reminders (the reminders that are due; their
# links point at HOST:PORT): all stop together when runserver stops (Ctrl-C).
run: install pango
	DJANGO_DEBUG=$${DJANGO_DEBUG:-1} $(PY) manage.py migrate --noinput
	DJANGO_DEBUG=$${DJANGO_DEBUG:-1} $(PY) manage.py load_course
	DJANGO_DEBUG=$${DJANGO_DEBUG:-1} $(PY) manage.py seed_demo
	@echo
	@echo "Peer Support Training is at http://$(HOST):$(PORT)/"
	@echo "Log in as learner, learner2, tutor or coordinator; password: peersupport-demo"
	@echo "Staff then give a code: $(PY) manage.py demo_code tutor (or coordinator)"
	@echo
	DJANGO_DEBUG=$${DJANGO_DEBUG:-1} $(PY) manage.py worker & worker=$$!; \
	DJANGO_DEBUG=$${DJANGO_DEBUG:-1} DJANGO_SITE_URL=$${DJANGO_SITE_URL:-http://$(HOST):$(PORT)} \
		$(PY) manage.py send_reminders --every 300 --verbosity 0 & reminders=$$!; \
	trap 'kill $$worker $$reminders 2>/dev/null; wait $$worker 2>/dev/null' EXIT; trap 'exit 130' INT TERM; \
	DJANGO_DEBUG=$${DJANGO_DEBUG:-1} $(PY) manage.py runserver $(HOST):$(PORT)

# The production stack, locally, in the foreground: nginx on HOST:PORT in
# front of gunicorn (on 127.0.0.1, PORT + 1 unless GUNICORN_BIND says) and the
# task worker; Ctrl-C stops all three (deploy/serve). Against DATABASE_URL
# (SQLite by default); set DJANGO_SECRET_KEY and DJANGO_ALLOWED_HOSTS as in
# production, and DJANGO_SECURE_SSL_REDIRECT=0 for plain HTTP.
serve: install nginx pango
	$(PY) manage.py collectstatic --noinput --verbosity 0
	$(PY) manage.py migrate --noinput
	PY=$(PY) HOST=$(HOST) PORT=$(PORT) bash deploy/serve

# The benchmark (bench/run.py): needs PostgreSQL on 127.0.0.1:5432 and wrk.
bench: install
	@command -v wrk >/dev/null 2>&1 || { SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
		$$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq wrk; }
	$(PY) bench/run.py

test: install chromium nginx pango
	$(PY) -m pytest

install: $(STAMP)

# Re-installs whenever pyproject.toml changes.
$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check --upgrade pip
	$(PY) -m pip install --quiet --disable-pip-version-check ".[dev]"
	touch $(STAMP)

# The browser tests drive Debian's Chromium (Playwright's own browser download
# cannot work here). These machines run as root; elsewhere, sudo is used.
chromium:
	@if [ ! -x /usr/bin/chromium ]; then \
		echo "Installing Debian's chromium for the browser tests"; \
		SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
		$$SUDO apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq chromium fonts-dejavu-core; \
	fi

# nginx in front of gunicorn (make serve, tests/test_nginx.py): Debian's.
nginx:
	@if [ ! -x /usr/sbin/nginx ]; then \
		echo "Installing Debian's nginx (make serve and the tests run it in front of gunicorn)"; \
		SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
		$$SUDO apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq nginx; \
	fi

# Certificates are PDFs made by WeasyPrint, which draws text with Debian's
# Pango; DejaVu is the font the certificate names first.
pango:
	@if ! ls /usr/lib/*/libpangoft2-1.0.so.0 >/dev/null 2>&1 || [ ! -d /usr/share/fonts/truetype/dejavu ]; then \
		echo "Installing Debian's Pango and DejaVu fonts (certificates are made with WeasyPrint)"; \
		SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
		$$SUDO apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core; \
	fi

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports

format: install
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

clean:
	rm -rf $(VENV) staticfiles .pytest_cache
