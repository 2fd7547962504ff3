# The template's own commands. On a fresh machine with Python 3.11, each one installs what it needs.
.PHONY: demo test test-all bench lint lock clean

# uv from PATH, else a private copy installed with the machine's Python.
UV ?= $(shell command -v uv 2>/dev/null || echo $(CURDIR)/.tools/bin/uv)
export UV
export UV_PYTHON_DOWNLOADS := never
SYNC = $(UV) sync --frozen --quiet

$(CURDIR)/.tools/bin/uv:
	python3 -m venv .tools
	.tools/bin/pip install --quiet uv==0.13.9

demo: $(if $(findstring .tools,$(UV)),$(UV))
	$(SYNC)
	$(UV) run python -m scaffold.demo

test: $(if $(findstring .tools,$(UV)),$(UV))
	$(SYNC)
	$(UV) run pytest -m "not slow"

test-all: $(if $(findstring .tools,$(UV)),$(UV))
	$(SYNC)
	$(UV) run pytest

bench: $(if $(findstring .tools,$(UV)),$(UV))
	$(SYNC)
	$(UV) run python -m bench

lint: $(if $(findstring .tools,$(UV)),$(UV))
	$(SYNC)
	$(UV) run ruff check .
	$(UV) run ruff format --check .

lock: $(if $(findstring .tools,$(UV)),$(UV))
	$(UV) lock

clean:
	rm -rf build .pytest_cache
