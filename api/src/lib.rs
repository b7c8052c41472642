//! tepat: the command line and HTTP shell around [`tepat_engine`].
//!
//! The shell only extracts input, runs the engine (on a blocking thread when serving) and
//! serialises what comes back; geometry, analysis logic and the validation of uploads stay
//! in the engine.
//!
//! The modules are layered, each importing only from below it (`tests/module_graph.rs`
//! fails on a cycle):
//!
//! 1. the bottom: [`problem`] (engine, upload and store errors → `application/problem+json`,
//!    mapped in one place), [`store`] (SQLite in the data directory, a file per table),
//!    [`bounded`] (the one cache policy), [`schemas`] (the engine's types as OpenAPI
//!    schemas), [`features`] (GeoJSON in EPSG:4326), [`output`] (the result envelope as
//!    JSON, GeoJSON or CSV, written atomically), [`blocking`];
//! 2. the server's state and what it keeps: [`state`] (the layers as an immutable snapshot
//!    swapped when an upload or delete publishes a new one, the results cache, scenario
//!    views) with [`jobs::registry`], [`tiles::cache`], [`uploads::stored`] (uploaded layer
//!    files, read again at start) and [`layers::summary`];
//! 3. the handlers, one module per concept: [`system`] (`/health`), [`layers`],
//!    [`uploads`] (`POST /layers`, `DELETE /layers/{name}`), [`analyses`] (the registry and
//!    runs), [`scenarios`] (CRUD, compare, runs on a scenario), [`recommendations`] (saved
//!    runs, decisions, comments, `GET /me`), [`jobs`] (202, `GET /jobs/{id}`, Server-Sent
//!    Events), [`tiles`] (vector tiles, TileJSON, results), [`audit`]; with the middleware
//!    [`auth`] (bearer tokens and roles) and [`limits`] (request body limits), and
//!    [`viewer`] (the map viewer at `/`);
//! 4. the top: [`router`](mod@router) (every route under `/api/v1`, constructible in-process for tests),
//!    [`openapi`] (the OpenAPI 3.1 document and its HTML reference, the one module that
//!    names every handler) and [`serve`] (binding and serving until Ctrl-C).

pub mod analyses;
pub mod audit;
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
pub mod schemas;
pub mod serve;
pub mod state;
pub mod store;
pub mod system;
pub mod tiles;
pub mod uploads;
pub mod viewer;

pub use problem::Problem;
pub use router::router;
pub use state::AppState;
