# Two commands for a new user: `make run` and `make test`. Both set up .venv first when needed.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test setup bench clean

run: $(STAMP)
	$(BIN)/pledgewatch nightly --sample

test: $(STAMP)
	$(BIN)/python -m pytest -q

setup: $(STAMP)

# Pinned dependencies (requirements.lock holds every transitive version) and the spaCy model,
# then the project itself in editable mode.
$(STAMP): pyproject.toml requirements.lock
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -c requirements.lock -e '.[test]'
	@touch $(STAMP)

# Benchmarks print their numbers beside a baseline measured in the same run; they are not part of the tests.
bench: $(STAMP)
	$(BIN)/python benchmarks/bench_extract.py
	$(BIN)/python benchmarks/bench_crawl.py
	$(BIN)/python benchmarks/bench_warehouse.py

clean:
	rm -rf $(VENV) build *.egg-info
