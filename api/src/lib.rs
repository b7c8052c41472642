//! tepat: the command line and HTTP shell around [`tepat_engine`].
//!
//! The shell only extracts input, runs the engine (on a blocking thread when serving) and
//! serialises what comes back; geometry and analysis logic stay in the engine.
//!
//! - [`state`]: the layers as an immutable snapshot (project, R-trees, summaries) swapped
//!   when an upload or delete publishes a new one, the store and the results cache;
//! - [`uploads`]: `POST /layers` and `DELETE /layers/{name}`, durable in the data directory;
//! - [`limits`]: request body limits (1 MiB, the upload limit for uploads);
//! - [`store`]: SQLite in the data directory: scenarios and their versions, tokens, audit log;
//! - [`auth`]: bearer tokens and roles (open reads, role-checked writes, `--private`);
//! - [`scenarios`]: scenario CRUD, compare, analysis runs on a scenario;
//! - [`recommendations`]: saved runs with their data's hashes, decisions, comments, `GET /me`;
//! - [`jobs`]: long analysis runs as jobs (202, `GET /jobs/{id}`, Server-Sent Events);
//! - [`defaults`]: the default params of `compare` read off the project's layer roles;
//! - [`router`]: the axum router under `/api/v1`, constructible in-process for tests;
//! - [`problem`]: engine errors → `application/problem+json`, mapped in one place;
//! - [`layers`], [`analyses`]: what the project and the engine offer, as JSON;
//! - [`features`], [`wgs84`]: GeoJSON in EPSG:4326 for the web;
//! - [`tiles`]: Mapbox Vector Tiles of layers, scenarios and results, TileJSON, the tile cache;
//! - [`output`]: the result envelope as JSON, GeoJSON or CSV, written atomically;
//! - [`serve`]: binding and serving until Ctrl-C;
//! - [`openapi`]: the OpenAPI 3.1 document (`/api/v1/openapi.json`) and its HTML reference;
//! - [`viewer`]: the map viewer (viewer/dist, embedded) at `/`.

pub mod analyses;
pub mod auth;
pub mod blocking;
pub mod bounded;
pub mod features;
pub mod jobs;
pub mod layers;
pub mod limits;
pub mod openapi;
pub mod output;
pub mod problem;
pub mod recommendations;
pub mod router;
pub mod scenarios;
pub mod serve;
pub mod state;
pub mod store;
pub mod tiles;
pub mod uploads;
pub mod viewer;

pub use problem::Problem;
pub use router::router;
pub use state::AppState;
