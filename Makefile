# samtal — the two commands of the quick start, and a few more.
#   make run    install what is missing, build, start the server with demo data
#   make test   install what is missing, build with sanitizers, run every test suite
#   make bench  build optimised and run the benchmarks
.PHONY: all deps build run test test-relay bench clean

LISTEN ?= 127.0.0.1:8080
DATA_DIR ?= var

all: build

deps:
	@scripts/install-deps.sh

build: deps
	@scripts/build.sh build

run: build
	./build/server/samtal-server --demo --data-dir $(DATA_DIR) --listen $(LISTEN)

test: deps
	@scripts/test.sh

# Stress the relay: its in-process media test ten times in a row (it is in make test once).
test-relay: deps
	@[ -f build-test/build.ninja ] || meson setup build-test --buildtype=debug -Db_sanitize=address,undefined
	ninja -C build-test
	ASAN_OPTIONS=detect_leaks=0:abort_on_error=1 meson test -C build-test --print-errorlogs --repeat 10 relay-media

bench: deps
	@scripts/build.sh build-bench
	./build-bench/bench/samtal-bench relay
	./build-bench/bench/samtal-bench booking

clean:
	rm -rf build build-test build-fuzz build-bench
