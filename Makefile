# ccproxy — build, test, run.
#
#   make run     install what is missing, build, start `ccproxy serve` with its state in ./.state
#   make test    everything CI runs: unit tests, the same tests under the thread sanitizer
#                (test-race), then black-box tests with the real Claude Code CLI
#                (the Python test packages go into .venv, created on first use)
#   make test-race  the unit and in-process tests built with --sanitize=thread in .build-tsan
#   make bench   release build, then ccproxy vs. running claude directly: time to first token,
#                total, 8 turns in parallel, idle RSS, keep-alive /v1/models requests/s
#                (not part of `make test`)

SHELL := /bin/bash
SWIFT ?= $(shell command -v swift 2>/dev/null || echo /opt/swift/usr/bin/swift)
PYTHON ?= python3
CLAUDE_CACHE := $(CURDIR)/.cache/claude
CLAUDE_BIN := $(CLAUDE_CACHE)/bin/claude
STATE ?= $(CURDIR)/.state
LISTEN ?= 127.0.0.1:4141
# Who `ccproxy serve` runs as when `make run` is started as root (config `user`).
SERVICE_USER ?= ccproxy
APT_PACKAGES := libsqlite3-dev libargon2-dev libfuse3-dev fuse3 libsystemd-dev pkg-config systemd bubblewrap curl unzip
# Only for the tests: python3 -m venv needs python3-venv on Debian's own python3; promtool
# (package prometheus) checks the metrics exposition.
TEST_APT_PACKAGES := python3 python3-venv prometheus socat
VENV := $(CURDIR)/.venv
VENV_PYTHON := $(VENV)/bin/python
# The thread-sanitized build has its own scratch path, so that it never invalidates .build.
TSAN_SCRATCH := $(CURDIR)/.build-tsan
# halt_on_error=0: report every race of the run, not only the first (the test binary still
# exits non-zero, with TSan's exitcode 66, when there was any report).
# second_deadlock_stack=1: a lock-order report names both acquisition stacks.
# suppressions: races inside third-party or runtime code only, each with its reason there.
TSAN_OPTIONS_TEST := halt_on_error=0 second_deadlock_stack=1 suppressions=$(CURDIR)/scripts/tsan.supp

.PHONY: all deps test-deps venv claude build build-tsan release test unit-test test-race blackbox-test run bench clean

all: build

# Install the Debian packages named in $(1) that are missing.
define apt_install
	@missing=""; for p in $(1); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  echo "installing:$$missing"; \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $$missing; \
	fi
endef

## deps: the Debian packages needed to build and run (skips what is installed); no Python
deps:
	$(call apt_install,$(APT_PACKAGES))

## test-deps: the Debian packages the tests need on top (python3, python3-venv)
test-deps:
	$(call apt_install,$(TEST_APT_PACKAGES))

## venv: .venv with Tests/requirements.txt (re-installed only when that file changed)
venv: test-deps
	@PYTHON=$(PYTHON) VENV=$(VENV) bash scripts/test-venv.sh

## claude: fetch the real Claude Code CLI (from the claude-agent-sdk wheel) into .cache/claude
claude:
	@bash scripts/fetch-claude.sh

build: deps
	$(SWIFT) build --build-tests

release: deps
	$(SWIFT) build -c release

unit-test: build
	bash scripts/check-layering.sh .build/debug
	$(SWIFT) test --skip-build --no-parallel

## build-tsan: the unit and in-process tests with the thread sanitizer, in $(TSAN_SCRATCH)
build-tsan: deps
	$(SWIFT) build --build-tests --sanitize=thread --scratch-path $(TSAN_SCRATCH)

## test-race: the unit and in-process tests under the thread sanitizer (TSAN_OPTIONS above)
test-race: build-tsan
	TSAN_OPTIONS="$(TSAN_OPTIONS_TEST)" \
	  $(SWIFT) test --skip-build --sanitize=thread --scratch-path $(TSAN_SCRATCH) --no-parallel

blackbox-test: build claude venv
	CCPROXY_BIN_DIR=$(CURDIR)/.build/debug CCPROXY_TEST_CLAUDE=$(CLAUDE_BIN) \
	  $(VENV_PYTHON) -m pytest -q -p no:cacheprovider Tests/blackbox

## test: exactly what CI runs
test: unit-test test-race blackbox-test

## run: serve on $(LISTEN) with state in $(STATE); prints the first bearer on first start
run: build
	@if [ "$$(id -u)" = 0 ] && ! id -u $(SERVICE_USER) >/dev/null 2>&1; then \
	  echo "creating the service user $(SERVICE_USER): a server started as root drops to it (claude never runs as root)"; \
	  useradd --system --no-create-home --shell /usr/sbin/nologin $(SERVICE_USER); \
	fi
	@mkdir -p $(STATE) && chmod 700 $(STATE)
	@if [ ! -f $(STATE)/config.yaml ]; then \
	  claude_path=$$(command -v claude || true); \
	  if [ -z "$$claude_path" ]; then $(MAKE) --no-print-directory claude && claude_path=$(CLAUDE_BIN); fi; \
	  printf '# Written by `make run`; see deploy/config.yaml.example for every key.\nclaude_binary: %s\ndefault_permission_mode: bypassPermissions\nuser: %s\n' "$$claude_path" "$(SERVICE_USER)" > $(STATE)/config.yaml; \
	  echo "wrote $(STATE)/config.yaml (claude_binary: $$claude_path)"; \
	fi
	@if [ -f $(STATE)/tokens.db ]; then echo "tokens already exist in $(STATE); mint another with: CCPROXY_STATE=$(STATE) .build/debug/ccproxy token create --name dev"; fi
	CCPROXY_STATE=$(STATE) CCPROXY_LISTEN=$(LISTEN) exec .build/debug/ccproxy serve

## bench: release build, then ccproxy vs. claude directly against the local stand-in API
## (single and 8 parallel turns, idle RSS, keep-alive /v1/models requests/s); see README "Performance"
bench: release claude
	CCPROXY_BIN_DIR=$(CURDIR)/.build/release CCPROXY_TEST_CLAUDE=$(CLAUDE_BIN) $(PYTHON) Tests/bench/bench.py

clean:
	rm -rf .build $(TSAN_SCRATCH)
