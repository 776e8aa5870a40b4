# The two commands of the README: `make demo` and `make test`. Both work from a fresh clone.
VENV ?= .venv
PYTHON ?= python3
STAMP := $(VENV)/.installed-stamp

.PHONY: demo test lint install clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --upgrade pip
	$(VENV)/bin/pip install --quiet -e ".[dev]"
	touch $(STAMP)

install: $(STAMP)

demo: $(STAMP)
	$(VENV)/bin/tutela demo

lint: $(STAMP)
	scripts/lint

test: $(STAMP)
	scripts/lint
	scripts/test-all

clean:
	rm -rf $(VENV) var
