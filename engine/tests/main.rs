//! The engine's integration tests, one module per concept, linked into one test binary: each
//! binary links GDAL, HiGHS and the whole engine, so one link instead of twenty-odd keeps a
//! fresh `make test` quick and small on disk. Run one part with `cargo test -p tepat-engine
//! --test engine locate::`.

mod check_fixtures;
mod io_common;
mod real_data;

mod allocate;
mod analyses_access;
mod analyses_demo;
mod check_demo;
mod check_planted;
mod check_report;
mod check_scale;
mod clusters;
mod complaints;
mod descriptors;
mod hotspots;
mod io_errors;
mod io_formats;
mod io_large;
mod io_roundtrip;
mod locate;
mod project;
mod real_city;
mod real_city_targeting;
mod scenario;
mod weights;
