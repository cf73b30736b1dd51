# ccomkit — the two commands of the README's quick start are `make demo` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
WS     ?= data/workspace.duckdb

.PHONY: demo test venv venv-dev chromium bench clean

$(VENV)/.base: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e .
	touch $@

$(VENV)/.dev: $(VENV)/.base pyproject.toml
	$(BIN)/python -m pip install -q -e ".[dev]"
	touch $@

venv: $(VENV)/.base
venv-dev: $(VENV)/.dev

## make demo: set up, build the demo workspace, run the main job on it, then the monthly
## operations report playbook (offline HTML); the last line printed is the index page's path.
demo: $(VENV)/.base
	$(BIN)/ccom demo --workspace $(WS) --force
	$(BIN)/ccom summary --workspace $(WS) --out out
	$(BIN)/ccom run monthly --workspace $(WS) --out out/monthly --no-progress

## Debian's chromium for the browser tests (Playwright cannot download its own browser here).
chromium:
	@if command -v chromium >/dev/null 2>&1; then echo "chromium: $$(command -v chromium)"; \
	else \
	  SUDO=""; [ "$$(id -u)" = 0 ] || SUDO=sudo; \
	  $$SUDO apt-get update -qq && $$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null && echo "chromium installed"; \
	fi

## make test: set up with the test extras, install chromium if missing, run the whole suite.
test: $(VENV)/.dev chromium
	@$(BIN)/python -m pytest tests --doctest-modules ccomkit; rc=$$?; \
	if [ $$rc -eq 5 ]; then echo "pytest collected no tests: failing on purpose"; exit 1; fi; exit $$rc

bench: $(VENV)/.dev
	$(BIN)/python bench/bench_ingest.py

clean:
	rm -rf $(VENV) out .pytest_cache
