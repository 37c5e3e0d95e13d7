# Set-up is part of every target: a fresh clone needs only `make run` or `make test`.
# chartabstract needs Python 3.11 (pyproject.toml: requires-python >=3.11,<3.12; spaCy 3.7 and
# medspaCy 1.3.1 pin it). python3.11 is used when it is on the PATH, else python3; PYTHON=... chooses.
PYTHON ?= $(shell command -v python3.11 >/dev/null 2>&1 && echo python3.11 || echo python3)
NEEDED := 3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
OUT ?= out
VERSION_OF = $(1) -c 'import sys; print(*sys.version_info[:2], sep=".")' 2>/dev/null

.DEFAULT_GOAL := run
.PHONY: run test bench snapshot clean check-python venv

# Refuse another Python before anything is built with it (a venv of the wrong Python cannot install).
check-python:
	@found="$$($(call VERSION_OF,$(PYTHON)))"; if [ "$$found" != "$(NEEDED)" ]; then \
	    echo "error: chartabstract needs Python $(NEEDED) (pyproject.toml: requires-python >=3.11,<3.12)," \
	         "but PYTHON=$(PYTHON) is $${found:+Python }$${found:-not a Python that runs here}." >&2; \
	    echo "Install Python $(NEEDED) (Debian/Ubuntu: apt-get install python3.11 python3.11-venv; or pyenv install 3.11)" \
	         "and run: make $(or $(filter-out check-python,$(MAKECMDGOALS)),run) PYTHON=python3.11" >&2; \
	    exit 1; fi

# The editable install maps chartabstract.rules to rules/, outside src/, so setuptools installs it
# with an import finder and prints an information-only notice ("Editable installation ... folders in
# your working directory"); nothing here is at risk (no folder named chartabstract at the top), so it
# is silenced to keep the install output to real warnings. $(STAMP) is written last.
INSTALL = rm -f $(STAMP) && $(BIN)/pip install --quiet -e ".[test,spark]" && touch $(STAMP)

# .venv is kept only when its Python is $(NEEDED) and its install finished ($(STAMP)): a venv of
# another Python, or one stopped half-way (no pip, a failed install), is built again, so a failed
# attempt never needs `make clean`. A changed pyproject.toml reinstalls into the same venv.
venv: export PYTHONWARNINGS := ignore:Editable installation
venv: check-python
	@if [ "$$($(call VERSION_OF,$(BIN)/python))" != "$(NEEDED)" ] || [ ! -f $(STAMP) ]; then \
	    if [ -e $(VENV) ]; then echo "$(VENV) was built by another Python or not finished: building it again"; fi; \
	    set -x; rm -rf $(VENV) && $(PYTHON) -m venv $(VENV) && $(BIN)/pip install --quiet --upgrade pip && $(INSTALL); \
	elif [ pyproject.toml -nt $(STAMP) ]; then \
	    set -x; $(INSTALL); \
	fi

run: venv
	$(BIN)/chartabstract run sample_notes/ --out $(OUT)
	@echo "Outputs are in $(OUT)/: cohort.csv (and .parquet), events.csv, mentions.csv, note_nlp.csv,"
	@echo "review_queue.csv, data_dictionary.csv, run_manifest.json."
	@echo "chartabstract is installed in $(VENV): call it as $(BIN)/chartabstract, or after 'source $(BIN)/activate' as chartabstract."
	@echo "Next: $(BIN)/chartabstract explain $(OUT) A01,"
	@echo "review the flagged fields: $(BIN)/chartabstract review $(OUT) --reviewer YOUR_NAME,"
	@echo "or write the study report: $(BIN)/chartabstract report $(OUT)"

test: venv
	$(BIN)/python -m pytest

# after an intended change of outputs: rewrite tests/data/expected_sample/ from a fresh run, then review the diff
snapshot: venv
	$(BIN)/python -m tests.snapshot --update

bench: venv
	$(BIN)/python bench/negex_bench.py
	$(BIN)/python bench/dates_bench.py
	$(BIN)/python bench/throughput_bench.py
	$(BIN)/python bench/splitter_bench.py
	$(BIN)/python bench/scale_bench.py

clean:
	rm -rf $(VENV) $(OUT) build *.egg-info src/*.egg-info
