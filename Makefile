# tepat — the two commands:
#   make run    installs what a fresh machine lacks, builds, serves the demo city on 127.0.0.1:8080
#   make test   installs what it needs, then fmt check, clippy -D warnings, every test with all features
#               (the map viewer's unit tests and its browser test in headless Chromium among them)
#
# The viewer (viewer/, npm + Vite) is built by `make viewer` when its sources change; viewer-test
# runs its unit tests and browser test alone.
#
# Other targets: build, bench (criterion), bench-peers[-quick] (GeoPandas / DuckDB side by side),
# bench-analyses (criterion, the analyses only), bench-peers-analyses (the analyses beside GeoPandas,
# tobler, PySAL access), goldens (regenerate engine/tests/golden with GeoPandas / tobler), demo.

SHELL := /bin/bash
CARGO ?= cargo
ADDR ?= 127.0.0.1:8080
VENV ?= .venv
# Debian packages the build needs: GDAL (Shapefile, GeoPackage, GeoTIFF) and pkg-config to find it;
# cmake, g++ and libclang-dev to build the HiGHS solver from source (the `highs` crate).
APT_PACKAGES := libgdal-dev pkg-config cmake g++ libclang-dev
# Debian's Chromium for the viewer's browser tests (never a downloaded browser), and a font.
BROWSER_APT_PACKAGES := chromium chromium-driver fonts-dejavu-core
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: run test build deps fmt-check clippy unit bench bench-peers bench-peers-quick bench-analyses bench-peers-analyses bench-peers-locate bench-peers-hotspots goldens demo venv

deps:
	@if ! pkg-config --exists gdal 2>/dev/null || ! command -v cmake >/dev/null || ! command -v g++ >/dev/null \
		|| ! ls /usr/lib/llvm-*/lib/libclang.so >/dev/null 2>&1; then \
		echo "installing $(APT_PACKAGES) (GDAL for Shapefile/GeoPackage/GeoTIFF; cmake, g++, libclang for HiGHS)"; \
		$(SUDO) apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq $(APT_PACKAGES) >/dev/null; \
	fi
	@rustup component list --installed 2>/dev/null | grep -q rustfmt || rustup component add rustfmt clippy || true
	@if [ ! -x /usr/bin/chromium ]; then \
		echo "installing $(BROWSER_APT_PACKAGES) (headless browser for the viewer's tests)"; \
		$(SUDO) apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq $(BROWSER_APT_PACKAGES) >/dev/null; \
	fi

build: deps viewer
	$(CARGO) build --release -p tepat

run: build
	./target/release/tepat serve --addr $(ADDR)

fmt-check:
	$(CARGO) fmt --all -- --check

clippy: deps
	$(CARGO) clippy --workspace --all-targets --all-features -- -D warnings

unit: deps
	$(CARGO) test --workspace --all-features

# The browser test (api/tests/viewer.rs) runs inside `unit`; here a missing browser fails it.
test: export TEPAT_REQUIRE_VIEWER = 1
test: deps viewer fmt-check clippy viewer-unit unit notebooks-test contract-test

bench: deps
	$(CARGO) bench -p tepat-benches

demo: build
	./target/release/tepat demo --out demo-city

# Python for the peer comparison and for regenerating golden files (never needed by `make test`).
venv: $(VENV)/.installed
$(VENV)/.installed: benches/peers/requirements.txt
	python3 -m venv $(VENV)
	$(VENV)/bin/pip install -q -r benches/peers/requirements.txt
	touch $@

# Regenerate the golden files of engine/tests/golden/ from the reference tools (GeoPandas, tobler).
goldens: build venv
	rm -rf target/golden-demo && ./target/release/tepat demo --out target/golden-demo
	$(VENV)/bin/python engine/tests/golden/make_demo_exposure.py target/golden-demo > engine/tests/golden/demo_exposure_q25.csv
	$(VENV)/bin/python engine/tests/golden/make_demo_interpolate.py target/golden-demo > engine/tests/golden/demo_interpolate.csv
	$(VENV)/bin/python engine/tests/golden/make_real_city.py
	$(VENV)/bin/python engine/tests/golden/make_access.py target/golden-demo
	$(VENV)/bin/python engine/tests/golden/make_spopt.py target/golden-demo
	$(VENV)/bin/python engine/tests/golden/make_esda.py
	$(VENV)/bin/python engine/tests/golden/make_real_targeting.py
	$(VENV)/bin/python engine/tests/golden/make_clusters.py

bench-peers-quick: deps venv
	$(CARGO) build --release -p tepat-benches --bins
	$(VENV)/bin/python benches/peers/run.py --quick

bench-peers: deps venv
	$(CARGO) build --release -p tepat-benches --bins
	$(VENV)/bin/python benches/peers/run.py

bench-analyses: deps
	$(CARGO) bench -p tepat-benches --bench analyses

bench-peers-analyses: deps venv
	$(CARGO) build --release -p tepat-benches --bins
	$(VENV)/bin/python benches/peers/analyses.py

# `locate` beside spopt (PuLP + CBC): same optimum, time ratio (benches/peers/locate.py).
bench-peers-locate: deps venv
	$(CARGO) build --release -p tepat-benches --bins
	$(VENV)/bin/python benches/peers/locate.py

# `hotspots` beside libpysal Queen + esda Moran_Local, 999 permutations (benches/peers/hotspots.py).
bench-peers-hotspots: deps venv
	$(CARGO) build --release -p tepat-benches --bins
	$(VENV)/bin/python benches/peers/hotspots.py

# The map viewer (viewer/: MapLibre GL JS, TypeScript, Vite), built into viewer/dist and embedded
# into the tepat binary. npm ci from the lockfile, and a build, only when their inputs changed.
.PHONY: viewer viewer-unit viewer-test
VIEWER_SRC := $(shell find viewer/src viewer/index.html viewer/vite.config.ts viewer/tsconfig.json -type f 2>/dev/null)

viewer: viewer/dist/index.html

viewer/node_modules/.installed: viewer/package.json viewer/package-lock.json
	@command -v npm >/dev/null || { echo "npm (Node.js >= 20.19) is needed to build the viewer"; exit 1; }
	cd viewer && npm ci --no-audit --no-fund
	touch $@

viewer/dist/index.html: viewer/node_modules/.installed $(VIEWER_SRC)
	cd viewer && npm run build

# Unit tests of the viewer's pure modules (breaks, number formatting, schema to form).
viewer-unit: viewer/node_modules/.installed
	cd viewer && npx vitest run

# Those, then the browser test alone: real `tepat serve` + headless Chromium; screenshots in
# target/tmp/viewer-browser/.
viewer-test: deps viewer viewer-unit
	TEPAT_REQUIRE_VIEWER=1 $(CARGO) test -p tepat --test api viewer:: -- --nocapture

# The Python client (clients/python) and the notebooks (notebooks/): a virtual environment .venv-nb
# from notebooks/requirements.txt (rebuilt only when that or the client's pyproject changes), then
# notebooks/run_all.py starts `tepat serve` (debug build, demo city) on a free loopback port with a
# temporary data dir and tokens, runs the client's pytest and every notebook top to bottom, and stops it.
.PHONY: notebooks-test notebooks-venv
NB_VENV ?= .venv-nb

notebooks-venv: $(NB_VENV)/.installed
$(NB_VENV)/.installed: notebooks/requirements.txt clients/python/pyproject.toml
	rm -rf $(NB_VENV)
	python3 -m venv $(NB_VENV)
	$(NB_VENV)/bin/pip install -q --no-cache-dir -r notebooks/requirements.txt
	$(NB_VENV)/bin/pip install -q --no-cache-dir -r clients/requirements-types.txt
	$(NB_VENV)/bin/pip install -q --no-cache-dir --no-deps -e clients/python
	touch $@

# The client's pytest checks the generated types (test_generated_types.py): it runs both generators.
$(NB_VENV)/.installed: clients/requirements-types.txt
notebooks-test: viewer/node_modules/.installed
notebooks-test: deps notebooks-venv
	$(CARGO) build -p tepat
	$(NB_VENV)/bin/python notebooks/run_all.py --binary target/debug/tepat

# Client types generated from api/openapi.json by clients/gen_types.py (run it after `make openapi`):
# the Python client's TypedDicts (clients/python/tepat_client/openapi_types.py, datamodel-code-generator
# in target/venv-types) and the viewer's (viewer/src/generated/openapi.ts, openapi-typescript from
# viewer/node_modules). Pinned, offline once installed; the client's pytest (notebooks-test) fails
# while either is stale.
.PHONY: types types-venv
TYPES_VENV ?= target/venv-types

types-venv: $(TYPES_VENV)/.installed
$(TYPES_VENV)/.installed: clients/requirements-types.txt
	rm -rf $(TYPES_VENV)
	python3 -m venv $(TYPES_VENV)
	$(TYPES_VENV)/bin/pip install -q --no-cache-dir -r clients/requirements-types.txt
	touch $@

types: types-venv viewer/node_modules/.installed
	$(TYPES_VENV)/bin/python clients/gen_types.py

# The OpenAPI document of the HTTP API, checked in at api/openapi.json (api/tests/openapi.rs
# fails when it is stale): regenerate it after changing a handler's annotation.
# contract-test: the document validated as OpenAPI 3.1, then schemathesis against the real
# `tepat serve` (debug build, free loopback port, temporary data dir): no 5xx, every body as
# documented. Its virtual environment .venv-contract is rebuilt only when the pins change.
.PHONY: openapi contract-test contract-venv bench-load
CONTRACT_VENV ?= .venv-contract

openapi: deps
	$(CARGO) run -q -p tepat -- openapi --out api/openapi.json

contract-venv: $(CONTRACT_VENV)/.installed
$(CONTRACT_VENV)/.installed: api/tests/contract/requirements.txt
	rm -rf $(CONTRACT_VENV)
	python3 -m venv $(CONTRACT_VENV)
	$(CONTRACT_VENV)/bin/pip install -q --no-cache-dir -r api/tests/contract/requirements.txt
	touch $@

contract-test: deps contract-venv
	$(CARGO) build -p tepat
	$(CONTRACT_VENV)/bin/python api/tests/contract/run.py --tepat target/debug/tepat --spec api/openapi.json

# Load benchmark (not a test): wrk (from Debian, installed here if absent), 64 connections, against the
# release server on loopback — cached analysis results, tiles — and a timed loop of scenario
# edit + compare. Figures in the output; see benches/load/run.sh.
bench-load: deps viewer
	@command -v wrk >/dev/null || { $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq wrk >/dev/null; }
	bash benches/load/run.sh
