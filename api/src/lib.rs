//! tepat: the command line and HTTP shell around [`tepat_engine`].
//!
//! The shell only extracts input, runs the engine (on a blocking thread when serving) and
//! serialises what comes back; geometry and analysis logic stay in the engine.
//!
//! - [`state`]: the project loaded once, with an R-tree per layer, the store and the
//!   results cache, shared by `Arc`;
//! - [`store`]: SQLite in the data directory: scenarios and their versions, tokens, audit log;
//! - [`auth`]: bearer tokens and roles (open reads, role-checked writes, `--private`);
//! - [`scenarios`]: scenario CRUD, compare, analysis runs on a scenario;
//! - [`defaults`]: the default params of `compare` read off the project's layer roles;
//! - [`router`]: the axum router under `/api/v1`, constructible in-process for tests;
//! - [`problem`]: engine errors → `application/problem+json`, mapped in one place;
//! - [`layers`], [`analyses`]: what the project and the engine offer, as JSON;
//! - [`features`], [`wgs84`]: GeoJSON in EPSG:4326 for the web;
//! - [`output`]: the result envelope as JSON, GeoJSON or CSV, written atomically;
//! - [`serve`]: binding and serving until Ctrl-C;
//! - [`viewer`]: the map viewer (viewer/dist, embedded) at `/`.

pub mod analyses;
pub mod auth;
pub mod defaults;
pub mod features;
pub mod layers;
pub mod output;
pub mod problem;
pub mod router;
pub mod scenarios;
pub mod serve;
pub mod state;
pub mod store;
pub mod viewer;
pub mod wgs84;

pub use problem::Problem;
pub use router::router;
pub use state::AppState;
