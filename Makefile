# The two commands: `make demo` runs the main job on the bundled data, `make test` runs every
# test. Both install missing Debian packages first.
BUILD ?= build
JOBS ?= 2
PYTHON ?= /usr/bin/python3
CMAKE_FLAGS ?=

.PHONY: all deps build demo test asan fuzz bench format clean

all: build

deps:
	@scripts/install-deps.sh

$(BUILD)/CMakeCache.txt:
	cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=Release -DPython3_EXECUTABLE=$(PYTHON) $(CMAKE_FLAGS)

build: deps $(BUILD)/CMakeCache.txt
	cmake --build $(BUILD) -j$(JOBS)

demo: build
	@scripts/demo.sh $(BUILD)

test: build
	cd $(BUILD) && ctest --output-on-failure -j$(JOBS)

asan: deps
	cmake -S . -B build-asan -DCMAKE_BUILD_TYPE=Debug -DAIG_SANITIZE=ON -DAIG_BUILD_BENCHMARKS=OFF
	cmake --build build-asan -j$(JOBS)
	# The two largest property tests already ran in the optimised build.
	cd build-asan && ctest --output-on-failure -j$(JOBS) -E "EvaluatorPropertyTest|JdmImport.Zen8kTable"

fuzz:
	AIG_WITH_FUZZ=1 scripts/install-deps.sh
	scripts/fuzz.sh $(or $(FUZZ_SECONDS),60)

bench: deps
	cmake -S . -B build-bench -DCMAKE_BUILD_TYPE=Release -DAIG_BUILD_TESTS=OFF
	cmake --build build-bench -j$(JOBS)

format:
	clang-format -i $$(git ls-files '*.cpp' '*.hpp' '*.h' '*.c')

clean:
	rm -rf $(BUILD) build-asan build-bench build-fuzz
