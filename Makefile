# The two commands a new user runs: `make demo` and `make test`.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
LINTED := src tests benchmarks examples docs

.PHONY: demo test lint bench clean

$(VENV)/.created:
	$(PY) -m venv $(VENV)
	touch $@

# `make test` installs ember with its test tools (PyTorch as the oracle, onnxruntime, MPI).
$(VENV)/.test-installed: pyproject.toml $(VENV)/.created
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@

# `make demo` needs only ember; the tour's extras (progress bars, plots, graph pictures, ONNX)
# are optional: without them the tour runs and says what it skipped.
$(VENV)/.demo-installed: pyproject.toml $(VENV)/.created
	$(BIN)/pip install --quiet -e .
	$(BIN)/pip install --quiet -e '.[tour]' || echo "demo: could not install the tour's extras (matplotlib, tqdm, graphviz, onnx); going on without them"
	touch $@

# Graphviz's `dot` program is installed where apt-get can (as root).
demo: $(VENV)/.demo-installed
	@command -v dot >/dev/null || { [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null && \
	  { apt-get install -y -qq graphviz || { apt-get update -qq && apt-get install -y -qq graphviz; }; \
	  } >/dev/null 2>&1; } || echo "demo: skipped installing Graphviz's dot program (needs apt-get \
	as root); the tour saves the autograd graph as DOT text instead of a picture"
	$(BIN)/python -m ember.tour

test: $(VENV)/.test-installed
	$(BIN)/ruff check $(LINTED)
	$(BIN)/python -m pytest -q -n 2

lint: $(VENV)/.test-installed
	$(BIN)/ruff check $(LINTED)

bench: $(VENV)/.test-installed
	$(BIN)/python benchmarks/run.py

clean:
	rm -rf $(VENV) build *.egg-info
