# tepat — the two commands:
#   make run    installs what a fresh machine lacks, builds, serves the demo city on 127.0.0.1:8080
#   make test   installs what it needs, then fmt check, clippy -D warnings, every test with all features
#
# Other targets: build, bench (criterion), bench-peers[-quick] (GeoPandas / DuckDB side by side),
# goldens (regenerate engine/tests/golden with GeoPandas / tobler), demo.

SHELL := /bin/bash
CARGO ?= cargo
ADDR ?= 127.0.0.1:8080
VENV ?= .venv
# Debian packages the build needs: GDAL (Shapefile, GeoPackage, GeoTIFF) and pkg-config to find it.
APT_PACKAGES := libgdal-dev pkg-config
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: run test build deps fmt-check clippy unit bench bench-peers bench-peers-quick goldens demo venv

deps:
	@if ! pkg-config --exists gdal 2>/dev/null; then \
		echo "installing $(APT_PACKAGES) (GDAL for Shapefile/GeoPackage/GeoTIFF)"; \
		$(SUDO) apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq $(APT_PACKAGES) >/dev/null; \
	fi
	@rustup component list --installed 2>/dev/null | grep -q rustfmt || rustup component add rustfmt clippy || true

build: deps
	$(CARGO) build --release -p tepat

run: build
	./target/release/tepat serve --addr $(ADDR)

fmt-check:
	$(CARGO) fmt --all -- --check

clippy: deps
	$(CARGO) clippy --workspace --all-targets --all-features -- -D warnings

unit: deps
	$(CARGO) test --workspace --all-features

test: deps fmt-check clippy unit

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

bench-peers-quick: deps venv
	$(CARGO) build --release -p tepat-benches --bins
	$(VENV)/bin/python benches/peers/run.py --quick

bench-peers: deps venv
	$(CARGO) build --release -p tepat-benches --bins
	$(VENV)/bin/python benches/peers/run.py
