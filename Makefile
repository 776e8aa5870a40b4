# The two commands of the README: `make demo` and `make test`. Both work from a fresh clone.
VENV ?= .venv
PYTHON ?= python3
STAMP := $(VENV)/.installed-stamp

.PHONY: demo test lint install clean

# constraints.txt pins every installed version (dev tools and runtime), so a fresh clone and CI get
# exactly what was tested; changing it or pyproject.toml re-installs. So does editing a
# translation: the install compiles each .po catalogue into the .mo the pages read.
$(STAMP): pyproject.toml constraints.txt $(wildcard src/tutela/locale/*/LC_MESSAGES/*.po)
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install --quiet -c constraints.txt --upgrade pip
	$(VENV)/bin/pip install --quiet -c constraints.txt -e ".[dev]"
	touch $(STAMP)

# Debian's pango for WeasyPrint (the letters home), checked on every install: it is no pip package.
install: $(STAMP)
	scripts/ensure-pango

demo: install
	$(VENV)/bin/tutela demo $(if $(DISTRICT),--district $(DISTRICT))

lint: $(STAMP)
	scripts/lint

test: install
	scripts/lint
	scripts/test-all

clean:
	rm -rf $(VENV) var
