# mt-audit: `make audit` audits the demo article, `make test` runs the quick tests (`make test-all` every test).
# Both install what is missing first, so each works as the first command on a fresh machine.

PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
PIP := $(BIN)/pip -q --disable-pip-version-check
STAMP := $(VENV)/.installed
COMET_VENV ?= .venv-comet
COMET_STAMP := $(COMET_VENV)/.installed

INPUT ?= examples/nordkorea-munition.de.txt
SOURCE ?=
OUT ?= reports
FAIL_ON ?= major
FORMATS ?= html,json
EVAL_DIR ?= ../shared/eval
BASELINE ?=
AUDIT_ARGS ?=
SERVE_ARGS ?=

.PHONY: install audit test test-all test-fast bench models eval clean browser serve dictionary comet comet-if-possible

install: $(STAMP)

# torch is installed first, from its local CPU build, and pinned by constraints.txt so
# that no later requirement replaces it with a CUDA build.
$(STAMP): pyproject.toml constraints.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(PIP) install -c constraints.txt torch==2.13.0
	$(PIP) install -c constraints.txt -e '.[all,test]'
	@$(MAKE) --no-print-directory dictionary
	@if $(BIN)/pip list 2>/dev/null | grep -qi nvidia; then echo "CUDA packages were installed: check constraints.txt" >&2; exit 1; fi
	touch $(STAMP)

audit: $(STAMP)
	$(BIN)/mt-audit check $(INPUT) $(if $(SOURCE),--source $(SOURCE)) --out $(OUT) --format $(FORMATS) --fail-on $(FAIL_ON) $(AUDIT_ARGS)

# The quick suite (a few minutes); test-all adds the tests marked slow (installs in fresh
# environments, the pre-commit hook, long inputs, the real-browser runs of the page).
test: $(STAMP) comet-if-possible
	$(BIN)/python -m pytest -q -m "not slow"

test-all: $(STAMP) comet-if-possible
	$(BIN)/python -m pytest -q

test-fast: $(STAMP)
	$(BIN)/python -m pytest -q -m "not slow and not browser"

# The editor's page and the JSON API on http://localhost:8765/ (SERVE_ARGS: e.g. --ignore accepted.json --backend ctranslate2).
serve: $(STAMP)
	$(BIN)/mt-audit serve $(SERVE_ARGS)

# The COMET judge's environment (`--qe comet`): unbabel-comet pins numpy < 2 and transformers < 5,
# so it has a virtual environment of its own, which the judge's worker runs in.
comet: $(COMET_STAMP)

$(COMET_STAMP): comet-requirements.txt constraints.txt
	test -x $(COMET_VENV)/bin/python || $(PYTHON) -m venv $(COMET_VENV)
	$(COMET_VENV)/bin/pip -q --disable-pip-version-check install -c constraints.txt torch==2.13.0
	$(COMET_VENV)/bin/pip -q --disable-pip-version-check install -c constraints.txt -r comet-requirements.txt
	@if $(COMET_VENV)/bin/pip list 2>/dev/null | grep -qi nvidia; then echo "CUDA packages were installed: check constraints.txt" >&2; exit 1; fi
	touch $@

# The tests of the COMET judge run where its environment can be built, and are skipped (saying
# why) where it cannot.
comet-if-possible:
	@$(MAKE) --no-print-directory comet || echo "the COMET environment could not be built: its tests are skipped" >&2

# The German-English dictionary of the model-free meaning checks (Debian's trans-de-en, Ding,
# GPL-2+); without it those checks are left out and the audit says so.
dictionary:
	@test -f /usr/share/trans/de-en || ! command -v apt-get >/dev/null || [ "$$(id -u)" != 0 ] \
		|| (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq trans-de-en) \
		|| echo "trans-de-en could not be installed: the dictionary checks are left out" >&2
	@test -f /usr/share/trans/de-en || echo "no German-English dictionary (apt-get install trans-de-en, or MT_AUDIT_DICTIONARY=FILE): the dictionary checks are left out" >&2

# Debian's Chromium for the browser tests of the HTML report and the page, and axe-core
# (from the npm registry) for their accessibility test.
AXE_VERSION = 4.14.1
browser:
	command -v chromium >/dev/null || (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver)
	test -f tests/.axe/node_modules/axe-core/axe.min.js || ( (command -v npm >/dev/null \
		|| (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq npm)) \
		&& npm install --prefix tests/.axe --no-save --no-audit --no-fund --silent axe-core@$(AXE_VERSION) )

# BASELINE=path/to/a/worktree of an earlier commit also runs the corpus benchmark with it.
bench: $(STAMP)
	$(BIN)/python -m benchmarks.translate --out $(OUT)/bench.json
	$(BIN)/python -m benchmarks.batch --out $(OUT)/bench-batch.json $(if $(BASELINE),--baseline $(BASELINE))
	$(BIN)/python -m benchmarks.long --out $(OUT)/bench-long.json
	$(BIN)/python -m benchmarks.editor --out $(OUT)/bench-editor.json
	$(BIN)/python -m benchmarks.qe --out $(OUT)/bench-qe.json

models: $(STAMP)
	$(BIN)/python models/fetch.py

eval: $(STAMP)
	$(BIN)/mt-audit eval all $(EVAL_DIR) --json-dir $(OUT)/eval

clean:
	rm -rf $(VENV) $(COMET_VENV) build *.egg-info .pytest_cache
	find $(OUT) -mindepth 1 ! -name README.md -delete 2>/dev/null || true
	find . -name __pycache__ -type d -prune -exec rm -rf {} +
