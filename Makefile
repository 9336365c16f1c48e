# The two commands of the README: `make run` and `make test`. Both set up .venv on first use from
# requirements.lock (every package pinned with its hashes, for Python 3.11-3.13 on any platform),
# with uv: a pinned version installed with pip into .tools/ (not into .venv, which `uv pip sync`
# keeps to exactly what the lock lists).
# Supported: Python 3.11, 3.12 and 3.13. Pick one with e.g. `make test PYTHON=python3.12`.
# EXTRA=botbuilder (e.g. `make run EXTRA=botbuilder`) uses .venv-botbuilder, made from
# requirements-botbuilder.lock: the same packages and versions plus the extra kipina[botbuilder]
# (the Bot Framework SDK, for TEAMS_SDK=botbuilder).

# The first of python3.11, python3.12, python3.13 that runs, else python3 (checked below).
ifeq ($(origin PYTHON),undefined)
PYTHON := $(shell for p in python3.11 python3.12 python3.13; do \
	"$$p" -c 'import sys; sys.exit(not (3, 11) <= sys.version_info[:2] <= (3, 13))' >/dev/null 2>&1 \
	&& { command -v "$$p"; exit 0; }; done; echo python3)
endif

UV_VERSION := 0.13.9
EXTRA :=
ifeq ($(filter $(EXTRA),botbuilder),)
ifneq ($(EXTRA),)
$(error EXTRA can be botbuilder or nothing, got '$(EXTRA)')
endif
endif
VENV := .venv$(if $(EXTRA),-$(EXTRA))
LOCK := requirements$(if $(EXTRA),-$(EXTRA)).lock
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
TOOLS := .tools
UV := $(TOOLS)/bin/uv
UV_STAMP := $(TOOLS)/.uv-$(UV_VERSION)
# Which interpreter .venv is to be made with: rewritten only when that changes.
PYTHON_ID := $(TOOLS)/python-id
# The same line from the chosen interpreter and from .venv's python means .venv was made by it.
ID_CODE := import sys; print(sys.base_prefix, "%d.%d.%d" % sys.version_info[:3])
SUPPORTED := Kipinä needs Python 3.11, 3.12 or 3.13
HOWTO := Install one, or run: make $(or $(MAKECMDGOALS),install) PYTHON=/path/to/python3.12

.DEFAULT_GOAL := install
.PHONY: run test bench install lock clean image image-check FORCE

$(PYTHON_ID): FORCE
	@v=$$($(PYTHON) -c 'import sys; print("%d.%d" % sys.version_info[:2])' 2>/dev/null) || { \
		echo "$(SUPPORTED); '$(PYTHON)' is not found or does not run. $(HOWTO)" >&2; exit 1; }; \
	case "$$v" in 3.11|3.12|3.13) ;; *) \
		echo "$(SUPPORTED); found $$v at $$($(PYTHON) -c 'import sys; print(sys.executable)'). $(HOWTO)" >&2; \
		exit 1;; esac
	@mkdir -p $(TOOLS)
	@{ $(PYTHON) -c 'import sys; print(sys.executable)' && $(PYTHON) -c '$(ID_CODE)'; } > $@.new
	@if cmp -s $@.new $@; then rm $@.new; else mv $@.new $@; fi

$(UV_STAMP): | $(PYTHON_ID)
	@test -x $(TOOLS)/bin/python || $(PYTHON) -m venv $(TOOLS)
	$(TOOLS)/bin/python -m pip install --quiet --disable-pip-version-check uv==$(UV_VERSION)
	@rm -f $(TOOLS)/.uv-* && touch $@

$(STAMP): $(LOCK) pyproject.toml $(PYTHON_ID) $(UV_STAMP)
	@want="$$(sed -n 2p $(PYTHON_ID))"; \
	if [ -e $(VENV) ] && [ "$$($(PY) -c '$(ID_CODE)' 2>/dev/null)" != "$$want" ]; then \
		echo "$(VENV) was not made by $$(sed -n 1p $(PYTHON_ID)): rebuilding it"; rm -rf $(VENV); fi
	@test -x $(PY) || $(UV) venv --quiet --no-python-downloads --python "$$(sed -n 1p $(PYTHON_ID))" $(VENV)
	$(UV) pip sync --quiet --require-hashes --python $(PY) $(LOCK)
	$(UV) pip install --quiet --no-deps --python $(PY) -e .
	$(PY) -m bot lexicon
	@touch $(STAMP)

install: $(STAMP)

run: $(STAMP)
	$(PY) -m bot run

# `make test AT=2027-03-28T03:59:30+03:00` runs the suite with the clock of every process it starts
# (the tests, the bots they start, their fakes) set to that moment and running on from there, with
# libfaketime (Debian's package faketime). CI proves this way that no test depends on today's date.
test: $(STAMP)
ifdef AT
	@command -v faketime >/dev/null || { echo "make test AT=… needs libfaketime: apt-get install faketime" >&2; exit 1; }
	@offset=$$($(PY) -c 'import sys, time; from datetime import datetime; \
		at = datetime.fromisoformat(sys.argv[1]); at.tzinfo or sys.exit("AT needs a UTC offset, e.g. +02:00"); \
		print(round(at.timestamp() - time.time()))' '$(AT)') || exit 1; \
	echo "the suite at $(AT) (the clock moved by $$offset s)"; \
	faketime -f "$$( [ $$offset -lt 0 ] || printf +)$${offset}s" $(PY) -m pytest -q -p no:cacheprovider $(PYTEST_ARGS)
else
	$(PY) -m pytest -q $(PYTEST_ARGS)
endif

bench: $(STAMP)
	$(PY) -m bench $(BENCH_ARGS)

# Resolves requirements.lock again after a change of pyproject.toml's dependencies (commit all three);
# to move one package to its newest allowed version: make lock LOCK_ARGS="--upgrade-package babel".
# requirements-botbuilder.lock adds the extra kipina[botbuilder] within requirements.lock's versions,
# so the Bot Framework SDK never moves what the default install gets.
COMPILE = $(UV) pip compile --quiet pyproject.toml --extra test --universal --generate-hashes --python-version 3.11
lock: $(UV_STAMP)
	$(COMPILE) -o requirements.lock $(LOCK_ARGS)
	$(COMPILE) --extra botbuilder -c requirements.lock -o requirements-botbuilder.lock

# The container image (Containerfile), built with buildah: see the README, "Running in a container".
# BASE: a Debian bookworm image to build on; unset, kipina-base:bookworm is made here from Debian's
# packages (container/base.sh: debootstrap and buildah, as root) unless it exists already.
# CA_BUNDLE: the CA certificates the build trusts to reach PyPI (a TLS-inspecting proxy's), given
# to the build as a secret, never stored in the image; default this machine's SSL_CERT_FILE.
# BUILDAH_ARGS: more for buildah bud, e.g. --no-cache to take Debian's newest updates.
# ISOLATION: buildah's --isolation; chroot builds even where containers cannot be run (oci elsewhere).
IMAGE ?= kipina:latest
BASE ?=
LOCAL_BASE := kipina-base:bookworm
CA_BUNDLE ?= $(SSL_CERT_FILE)
ISOLATION ?= chroot
, := ,
image:
	@command -v buildah >/dev/null || { echo "make image needs buildah (and debootstrap for the local base):" \
		"apt-get install -y buildah debootstrap" >&2; exit 1; }
	@$(if $(BASE),true,buildah inspect --type image $(LOCAL_BASE) >/dev/null 2>&1 || container/base.sh $(LOCAL_BASE))
	buildah bud --isolation $(ISOLATION) --layers --format docker --build-arg BASE=$(or $(BASE),$(LOCAL_BASE)) \
		--build-arg UV_VERSION=$(UV_VERSION) --build-arg VERSION="$$(sed -n 's/^version = "\(.*\)"/\1/p' pyproject.toml)" \
		--build-arg REVISION="$$(git rev-parse HEAD 2>/dev/null)" $(if $(CA_BUNDLE),--secret id=ca$(,)src=$(CA_BUNDLE)) \
		$(BUILDAH_ARGS) -t $(IMAGE) -f Containerfile .
	@echo "$(IMAGE): $$(buildah images --format '{{.Size}}' $(IMAGE))"

# Builds the image, then runs it: migrate, serve until /readyz answers, SIGTERM, clock (container/check.sh).
image-check: image
	container/check.sh $(IMAGE)

clean:
	rm -rf .venv .venv-botbuilder $(TOOLS) build *.egg-info .pytest_cache
