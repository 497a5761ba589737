# The two commands: `make demo` runs the main job on the bundled data, `make test` runs every
# test. Both install missing Debian packages first.
BUILD ?= build
JOBS ?= 2
PYTHON ?= /usr/bin/python3
CMAKE_FLAGS ?=

# A compiler cache, when the machine has one: a rebuild in another clone of the same sources
# (CI, a second checkout) reuses what an earlier build compiled. Paths are made relative to the
# folder that holds the checkout, so that clones side by side share the cache.
CCACHE := $(shell command -v ccache 2>/dev/null)
ifneq ($(CCACHE),)
export CCACHE_BASEDIR ?= $(abspath $(CURDIR)/..)
LAUNCHER := -DCMAKE_C_COMPILER_LAUNCHER=$(CCACHE) -DCMAKE_CXX_COMPILER_LAUNCHER=$(CCACHE)
endif

PY_SITE ?= $(shell $(PYTHON) -c "import sysconfig; print(sysconfig.get_path('purelib', 'posix_local') if 'posix_local' in sysconfig.get_scheme_names() else sysconfig.get_path('purelib'))" 2>/dev/null)

.PHONY: all deps build demo test pytest asan tsan fuzz bench python-install format clean

all: build

deps:
	@scripts/install-deps.sh

$(BUILD)/CMakeCache.txt:
	cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=Release -DPython3_EXECUTABLE=$(PYTHON) $(LAUNCHER) $(CMAKE_FLAGS)

build: deps $(BUILD)/CMakeCache.txt
	cmake --build $(BUILD) -j$(JOBS)

# The demo needs the command only: the tests, benchmarks and Python extension are not built.
demo: deps $(BUILD)/CMakeCache.txt
	cmake --build $(BUILD) -j$(JOBS) --target aiguillage_cli
	@scripts/demo.sh $(BUILD)

test: build
	cd $(BUILD) && ctest --output-on-failure -j$(JOBS)
	$(MAKE) --no-print-directory pytest

# The Python suite on the package built in $(BUILD)/python.
pytest:
	PYTHONPATH=$(abspath $(BUILD))/python AIG_SOURCE_DIR=$(CURDIR) $(PYTHON) -m pytest -q tests/python

# Makes `import aiguillage` work for $(PYTHON) by copying the built package into its
# site-packages (/usr/local/lib/python3*/dist-packages on Debian; override with PY_SITE=...).
python-install: build
	mkdir -p $(PY_SITE)/aiguillage
	cp -r $(BUILD)/python/aiguillage/. $(PY_SITE)/aiguillage/
	cd / && PYTHONPATH=$(PY_SITE) $(PYTHON) -c "import aiguillage; print('aiguillage', aiguillage.__version__, 'in', aiguillage.__file__)"

asan: deps
	cmake -S . -B build-asan -DCMAKE_BUILD_TYPE=Debug -DAIG_SANITIZE=ON -DAIG_BUILD_BENCHMARKS=OFF -DAIG_BUILD_PYTHON=OFF $(LAUNCHER)
	cmake --build build-asan -j$(JOBS)
	# Tests labelled slow (the property sweeps, the explanation tests that re-score every example
	# pair, the banks' random sweeps: a minute each without optimisation; the list is in
	# cmake/aiguillage-testing.cmake) and those that drive whole programs from Python or a browser
	# (service, report, packaging) ran in the optimised build: the sanitizers run the rest.
	cd build-asan && ctest --output-on-failure -j$(JOBS) -LE "packaging|service|postgres|browser|python|slow"

# One pack, one referential and one offer bank used from 8 threads through the C API, under
# ThreadSanitizer.
tsan: deps
	cmake -S . -B build-tsan -DCMAKE_BUILD_TYPE=RelWithDebInfo -DAIG_BUILD_BENCHMARKS=OFF \
	  -DAIG_BUILD_PYTHON=OFF -DAIG_BUILD_EXAMPLES=OFF \
	  -DCMAKE_C_FLAGS=-fsanitize=thread -DCMAKE_CXX_FLAGS=-fsanitize=thread \
	  -DCMAKE_EXE_LINKER_FLAGS=-fsanitize=thread $(LAUNCHER)
	cmake --build build-tsan -j$(JOBS) --target c_api_threads_test
	TSAN_OPTIONS=halt_on_error=1 build-tsan/tests/c_api/c_api_threads_test

fuzz:
	AIG_WITH_FUZZ=1 scripts/install-deps.sh
	scripts/fuzz.sh $(or $(FUZZ_SECONDS),60)

bench: deps
	cmake -S . -B build-bench -DCMAKE_BUILD_TYPE=Release -DAIG_BUILD_TESTS=OFF
	cmake --build build-bench -j$(JOBS)

format:
	clang-format -i $$(git ls-files '*.cpp' '*.hpp' '*.h' '*.c')

clean:
	rm -rf $(BUILD) build-asan build-tsan build-bench build-fuzz
