# The two commands a newcomer types: `make run` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
OUT    ?= out/run

.PHONY: run test bench lint clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed-run: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[infer,web]'
	touch $@

$(VENV)/.installed-test: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@ $(VENV)/.installed-run

$(VENV)/.installed-bench: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[bench]'
	touch $@ $(VENV)/.installed-test $(VENV)/.installed-run

## run: set up, run the built-in default scenario (iraq-2009) once, then weigh its
## hypotheses against the record (`compare` at its default budget) and write the reports
run: $(VENV)/.installed-run
	$(BIN)/centrehold run --out $(OUT) --report
	$(BIN)/centrehold compare --out out/compare
	$(BIN)/centrehold report out/compare

## test: set up and pass the test suite, spread over up to four processes (pytest-xdist;
## on two cores 12.8 minutes from a fresh clone against 14.5 in one process, 9 with a warm
## Numba cache): no test depends on another's order or files
test: $(VENV)/.installed-test
	$(BIN)/python -m pytest -q -p no:cacheprovider -n auto --maxprocesses=4

## bench: the speed and memory benchmarks (not part of `make test`)
bench: $(VENV)/.installed-bench
	$(BIN)/python benchmarks/run_all.py

lint: $(VENV)/.installed-test
	$(BIN)/ruff check src tests benchmarks

clean:
	rm -rf $(VENV) out
