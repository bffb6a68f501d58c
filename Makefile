# Thin wrapper around CMake. `make demo` and `make test` do all the set-up on a
# fresh Debian 12 machine (missing packages are installed by
# scripts/install-deps.sh).
MAKEFLAGS += --no-print-directory
BUILD   ?= build
JOBS    ?= 2
PYTHON  ?= /usr/bin/python3
PREFIX  ?= /usr/local
CMAKE_FLAGS ?=

.PHONY: all deps configure build demo test install bench clean

all: build

deps:
	@scripts/install-deps.sh

configure: deps
	@cmake -S . -B $(BUILD) -DPython3_EXECUTABLE=$(PYTHON) -DCMAKE_INSTALL_PREFIX=$(PREFIX) $(CMAKE_FLAGS) >/dev/null

build: configure
	@cmake --build $(BUILD) -j$(JOBS)

demo: build
	@examples/mlp/run_demo.sh $(BUILD)

test: build
	@cd $(BUILD) && ctest -j$(JOBS) --output-on-failure

install: build
	@cmake --install $(BUILD)

bench: build
	@$(PYTHON) bench/run_bench.py --spcc $(BUILD)/spcc --work $(BUILD)/bench

clean:
	@rm -rf $(BUILD)
