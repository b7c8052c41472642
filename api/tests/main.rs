//! The server's integration tests, one module per concept, linked into one test binary (one
//! link of GDAL, HiGHS and the engine instead of a dozen). Run one part with
//! `cargo test -p tepat --test api uploads::`.

mod common;

mod cli;
mod durability;
mod jobs;
mod module_graph;
mod openapi;
mod recommendations;
mod router;
mod scenarios;
mod tiles;
mod uploads;
mod viewer;
