//! Vector tiles over HTTP: `GET /tiles/{layer}/{z}/{x}/{y}.mvt[?scenario=ID[&version=N]]`,
//! the TileJSON 3.0 of a layer at `GET /tiles/{layer}.json`, and analysis results as tiles:
//! `GET /results/{key}` (the cached envelope) and `GET /results/{key}/tiles/{z}/{x}/{y}.mvt`
//! (the rows joined to their zones, source-layer `result`). `POST /analyses/{name}` names
//! the key in its `x-tepat-result` header.
//!
//! Tiles are cut by [`tepat_engine::tiles`] from the layer's R-tree and kept in the
//! server's [`TileCache`] (in [`cache`]), bounded in bytes. A tile's key is the content hash
//! of the layer it was cut from (a scenario's edited copy has its own), or the result's
//! key, so an edit (a new scenario version) or a re-uploaded layer never meets an old tile,
//! and a scenario that leaves a layer alone shares the baseline's tiles.
//!
//! matchit (axum's router) has no parameter suffixes such as `{y}.mvt`: the last segment is
//! captured whole and parsed here, as is `{layer}.json`.

pub mod cache;

pub use cache::{TileCache, TILE_BYTES};

use crate::blocking::blocking;
use crate::features;
use crate::problem::Problem;
use crate::scenarios;
use crate::state::{AppState, CACHE_HEADER};
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderMap, HeaderName, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use cache::Edited;
use geo::Rect;
use serde::Deserialize;
use serde_json::{json, Map, Value};
use sha2::{Digest, Sha256};
use std::sync::Arc;
use tepat_engine::analysis::{AnalysisResult, Row};
use tepat_engine::layer::FieldType;
use tepat_engine::rtree::SpatialIndex;
use tepat_engine::tiles::{self as kernel, Tags, TileError, TileFeatures, TileId, TileSpec};
use tepat_engine::{Layer, Role};

/// Media type of a Mapbox Vector Tile.
pub const MVT: &str = "application/vnd.mapbox-vector-tile";

/// Response header of `POST /analyses/{name}`: the result's key under `/results/`.
pub const RESULT_HEADER: &str = "x-tepat-result";

/// Source-layer name of result tiles.
pub const RESULT_LAYER: &str = "result";

/// A scenario run's origin: the scenario id and the version it ran on.
type Pinned = (String, u32);

/// The results-cache key of a run of analysis `name` with `params` on the baseline or on
/// `scenario` (at `version`, else its latest), the same key `run_cached` stores the result
/// under, and the scenario version it pins: running with that version makes the run and
/// the key agree even if the scenario is edited meanwhile.
pub async fn result_key(
    state: &AppState,
    name: &str,
    params: &Value,
    scenario: Option<&str>,
    version: Option<u32>,
) -> Result<(String, Option<u32>), Problem> {
    let Some(id) = scenario else {
        return Ok((state.cache_key(name, params, None), None));
    };
    let (s, id) = (state.clone(), id.to_string());
    let stored = blocking(move || Ok(s.store().scenario(&id, version)?)).await?;
    let v = stored.scenario.version;
    Ok((
        state.cache_key(name, params, Some((stored.id.as_str(), v))),
        Some(v),
    ))
}

impl From<TileError> for Problem {
    fn from(e: TileError) -> Problem {
        match e {
            TileError::OutOfRange { .. } => Problem::new(
                StatusCode::NOT_FOUND,
                "tile-out-of-range",
                "No such tile",
                e.to_string(),
            ),
            TileError::Engine(e) => Problem::from(e),
            other => Problem::new(
                StatusCode::INTERNAL_SERVER_ERROR,
                "tile-encoding",
                "Tile encoding failed",
                other.to_string(),
            ),
        }
    }
}

fn invalid_tile(detail: impl Into<String>) -> Problem {
    Problem::new(
        StatusCode::BAD_REQUEST,
        "invalid-tile",
        "Malformed tile address",
        detail,
    )
}

/// The tile of path segments `z`, `x` and `{y}.mvt`.
fn tile_id(z: &str, x: &str, y: &str) -> Result<TileId, Problem> {
    let y = y.strip_suffix(".mvt").ok_or_else(|| {
        invalid_tile(format!(
            "'{y}': tiles are addressed as {{z}}/{{x}}/{{y}}.mvt"
        ))
    })?;
    let number = |name: &str, v: &str| -> Result<u64, Problem> {
        v.bytes()
            .all(|b| b.is_ascii_digit())
            .then(|| v.parse::<u64>().ok())
            .flatten()
            .ok_or_else(|| invalid_tile(format!("{name}: '{v}' is not a non-negative integer")))
    };
    Ok(TileId::new(
        number("z", z)?,
        number("x", x)?,
        number("y", y)?,
    )?)
}

/// Query of the layer tile and TileJSON routes.
#[derive(Debug, Deserialize)]
pub struct TileQuery {
    scenario: Option<String>,
    version: Option<String>,
}

impl TileQuery {
    fn scenario(&self) -> Result<Option<(String, Option<u32>)>, Problem> {
        let version = scenarios::parse_version(self.version.as_deref())?;
        match (&self.scenario, version) {
            (None, Some(_)) => Err(Problem::invalid_query("version: needs scenario")),
            (None, None) => Ok(None),
            (Some(id), v) => Ok(Some((id.clone(), v))),
        }
    }
}

/// Layer `name` as a request sees it: the baseline's, or a scenario's edited copy.
enum Resolved {
    Baseline,
    Edited(Arc<Edited>),
}

/// Resolves layer `name` on the baseline or on a scenario (at a version, else its
/// latest); returns the scenario version pinned.
fn resolve(
    state: &AppState,
    name: &str,
    scenario: Option<(&str, Option<u32>)>,
) -> Result<(Resolved, Option<Pinned>), Problem> {
    if state.summary(name)?.role == Role::Raster {
        return Err(Problem::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "raster-layer",
            "Raster layer",
            format!("layer '{name}' is a raster; only vector layers have tiles"),
        ));
    }
    let (base, _) = state.indexed_layer(name)?;
    let Some((id, version)) = scenario else {
        return Ok((Resolved::Baseline, None));
    };
    let view = state.view(id, version)?;
    let (id, v) = view.pinned.clone();
    let key = format!("{id}/{v}/{name}/{}", base.content_hash());
    let pinned = Some((id, v));
    let edited = state.tiles().edited(&key, || {
        if !view.edited.iter().any(|l| l == name) {
            return Ok::<_, Problem>(None);
        }
        let layer = view.project.layers.get(name)?.clone();
        let bounds = kernel::mercator_bounds(&layer, &state.project().crs)?;
        Ok(Some(Arc::new(Edited {
            index: SpatialIndex::of(&layer),
            layer,
            bounds,
        })))
    })?;
    Ok((edited.map_or(Resolved::Baseline, Resolved::Edited), pinned))
}

/// Runs `f` on the layer, its R-tree and its Mercator bounds.
fn with_layer<T>(
    state: &AppState,
    name: &str,
    resolved: &Resolved,
    f: impl FnOnce(&Layer, &SpatialIndex, Option<Rect>) -> Result<T, Problem>,
) -> Result<T, Problem> {
    match resolved {
        Resolved::Baseline => {
            let (layer, index) = state.indexed_layer(name)?;
            let bounds = state.tiles().bounds(layer.content_hash(), || {
                kernel::mercator_bounds(layer, &state.project().crs)
            })?;
            f(layer, index, bounds)
        }
        Resolved::Edited(e) => f(&e.layer, &e.index, e.bounds),
    }
}

/// A tile ready to be answered.
struct Served {
    bytes: Bytes,
    etag: String,
    hit: bool,
    /// The URL always names these bytes (a result's tiles), so clients may keep them.
    immutable: bool,
}

fn etag(key: &str) -> String {
    let h = hex::encode(Sha256::digest(key.as_bytes()));
    format!("\"{}\"", &h[..32])
}

/// Answers from the cache, or cuts the tile with `make` and keeps it.
fn cached_or(
    state: &AppState,
    key: String,
    immutable: bool,
    make: impl FnOnce() -> Result<Vec<u8>, Problem>,
) -> Result<Served, Problem> {
    let etag = etag(&key);
    if let Some(bytes) = state.tiles().tile(&key) {
        return Ok(Served {
            bytes,
            etag,
            hit: true,
            immutable,
        });
    }
    let bytes = Bytes::from(make()?);
    state.tiles().keep(key, bytes.clone());
    Ok(Served {
        bytes,
        etag,
        hit: false,
        immutable,
    })
}

/// Tile `t` of layer `name` on the baseline or a scenario.
fn layer_tile(
    state: &AppState,
    name: &str,
    scenario: Option<(&str, Option<u32>)>,
    t: TileId,
) -> Result<Served, Problem> {
    let (resolved, _) = resolve(state, name, scenario)?;
    with_layer(state, name, &resolved, |layer, index, bounds| {
        let key = format!("layer/{}/{t}", layer.content_hash());
        cached_or(state, key, false, || {
            let spec = TileSpec {
                layer: name,
                crs: layer.crs.as_ref().unwrap_or(&state.project().crs),
                bounds,
                max_zoom: kernel::DEFAULT_MAX_ZOOM,
            };
            Ok(kernel::tile(&spec, layer, index, t)?)
        })
    })
}

/// A result's rows on their zones: zone `i` shows row `rows[by_feature[i]]`.
struct ResultRows<'a> {
    layer: &'a Layer,
    rows: &'a [Row],
    by_feature: &'a [Option<usize>],
}

/// A result tile's feature carries its row: `id` and every field (nulls left out).
impl TileFeatures for ResultRows<'_> {
    fn geometry(&self, i: usize) -> Option<&geo::Geometry> {
        self.by_feature.get(i).copied().flatten()?;
        self.layer.geometries.get(i)?.as_ref()
    }

    fn properties(&self, i: usize, tags: &mut Tags<'_>) {
        let Some(row) = self
            .by_feature
            .get(i)
            .copied()
            .flatten()
            .and_then(|r| self.rows.get(r))
        else {
            return;
        };
        tags.text("id", &features::row_id(row));
        for (k, v) in row.iter().filter(|(k, _)| k.as_str() != "id") {
            tags.json(k, v);
        }
    }
}

fn unknown_result(key: &str) -> Problem {
    Problem::new(
        StatusCode::NOT_FOUND,
        "unknown-result",
        "Unknown result",
        format!(
            "no cached result '{key}' (results are kept for a while after \
             POST /analyses/{{name}}; run the analysis again for a fresh key)"
        ),
    )
}

/// Result `key`, from the cache or made again from the recipe it was handed out with.
fn cached_result(state: &AppState, key: &str) -> Result<Arc<AnalysisResult>, Problem> {
    scenarios::result_by_key(state, key)?.ok_or_else(|| unknown_result(key))
}

/// Tile `t` of result `key`: its rows joined to the features of its row layer, as the
/// run that made it saw them.
fn result_tile(state: &AppState, key: &str, t: TileId) -> Result<Served, Problem> {
    let result = cached_result(state, key)?;
    let tile_key = format!("result/{key}/{t}");
    if let Some(bytes) = state.tiles().tile(&tile_key) {
        return Ok(Served {
            bytes,
            etag: etag(&tile_key),
            hit: true,
            immutable: true,
        });
    }
    let Some(name) = result.meta.row_layer.as_deref() else {
        return Err(Problem::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "result-without-features",
            "Result rows have no features",
            format!(
                "result '{key}' of '{}' has rows that are not features of a layer, so it has \
                 no tiles",
                result.analysis
            ),
        ));
    };
    let origin = state.recipe(key).and_then(|r| r.scenario.clone());
    let (resolved, _) = resolve(
        state,
        name,
        origin.as_ref().map(|(id, v)| (id.as_str(), Some(*v))),
    )?;
    with_layer(state, name, &resolved, |layer, index, bounds| {
        let by_feature = state.tiles().join(key, || {
            let mut by_feature = vec![None; layer.len()];
            // First row wins when two rows name one feature.
            for (r, f) in features::row_positions(&result.rows, layer)
                .into_iter()
                .enumerate()
                .rev()
            {
                if let Some(f) = f {
                    by_feature[f] = Some(r);
                }
            }
            by_feature
        });
        cached_or(state, tile_key, true, || {
            let spec = TileSpec {
                layer: RESULT_LAYER,
                crs: layer.crs.as_ref().unwrap_or(&state.project().crs),
                bounds,
                max_zoom: kernel::DEFAULT_MAX_ZOOM,
            };
            let rows = ResultRows {
                layer,
                rows: &result.rows,
                by_feature: &by_feature[..],
            };
            Ok(kernel::tile(&spec, &rows, index, t)?)
        })
    })
}

/// True when the request's `If-None-Match` names `etag`.
fn not_modified(headers: &HeaderMap, etag: &str) -> bool {
    headers
        .get_all(header::IF_NONE_MATCH)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .any(|t| {
            let t = t.trim();
            t == "*" || t.trim_start_matches("W/") == etag
        })
}

fn tile_response(headers: &HeaderMap, s: Served) -> Response {
    // Layer and scenario tiles can change under their URL (an edit, a re-uploaded layer):
    // clients revalidate with the ETag. A result key names its content for good.
    let cache_control = if s.immutable {
        "public, max-age=31536000, immutable"
    } else {
        "no-cache"
    };
    let etag = HeaderValue::from_str(&s.etag).unwrap_or_else(|_| HeaderValue::from_static("\"\""));
    let cache_control = HeaderValue::from_static(cache_control);
    if not_modified(headers, &s.etag) {
        return (
            StatusCode::NOT_MODIFIED,
            [(header::ETAG, etag), (header::CACHE_CONTROL, cache_control)],
        )
            .into_response();
    }
    let hit = HeaderValue::from_static(if s.hit { "hit" } else { "miss" });
    (
        [
            (header::CONTENT_TYPE, HeaderValue::from_static(MVT)),
            (header::CACHE_CONTROL, cache_control),
            (header::ETAG, etag),
            (HeaderName::from_static(CACHE_HEADER), hit),
        ],
        s.bytes,
    )
        .into_response()
}

/// A layer's vector tile (Mapbox Vector Tile 2.1): one source-layer named like the layer,
/// feature id = row index, properties = `id` and the layer's fields.
#[utoipa::path(get, path = "/tiles/{layer}/{z}/{x}/{y}.mvt", tag = "tiles",
    params(
        ("layer" = String, Path, description = "Vector layer name."),
        ("z" = u32, Path, minimum = 0, maximum = 22, description = "Zoom."),
        ("x" = u32, Path, description = "Column, below 2^z."),
        ("y" = u32, Path, description = "Row from the north, below 2^z."),
        ("scenario" = Option<String>, Query,
            description = "The layer as this stored scenario makes it."),
        ("version" = Option<u32>, Query, minimum = 1,
            description = "That scenario's version (default: its latest); needs `scenario`."),
    ),
    responses(
        (status = 200, description = "The tile; an empty body when no feature reaches it.",
            content_type = "application/vnd.mapbox-vector-tile", body = Vec<u8>),
        (status = 304, description = "Not modified (`If-None-Match`)."),
        (status = 400, description = "Malformed tile address or query.", body = Problem,
            content_type = "application/problem+json"),
        (status = 404, description = "Unknown layer or scenario, or a tile outside the \
            pyramid.", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A raster layer.", body = Problem,
            content_type = "application/problem+json"),
    ))]
pub async fn layer_tile_handler(
    State(state): State<AppState>,
    Path((layer, z, x, y)): Path<(String, String, String, String)>,
    Query(q): Query<TileQuery>,
    headers: HeaderMap,
) -> Result<Response, Problem> {
    let t = tile_id(&z, &x, &y)?;
    let scenario = q.scenario()?;
    let served = blocking(move || {
        let scenario = scenario.as_ref().map(|(id, v)| (id.as_str(), *v));
        layer_tile(&state, &layer, scenario, t)
    })
    .await?;
    Ok(tile_response(&headers, served))
}

/// The base URL of the server as the client addressed it (proxies' `X-Forwarded-*`
/// honoured); empty without a `Host`, which leaves tile URLs relative.
fn base_url(headers: &HeaderMap) -> String {
    let get = |h: &str| {
        headers
            .get(h)
            .and_then(|v| v.to_str().ok())
            .map(|v| v.split(',').next().unwrap_or(v).trim().to_string())
            .filter(|v| !v.is_empty())
    };
    match get("x-forwarded-host").or_else(|| get("host")) {
        Some(host) => {
            let proto = get("x-forwarded-proto").unwrap_or_else(|| "http".into());
            format!("{proto}://{host}")
        }
        None => String::new(),
    }
}

/// Query-string text of `v` (RFC 3986 unreserved characters kept).
fn query_escape(v: &str) -> String {
    v.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            other => format!("%{other:02X}"),
        })
        .collect()
}

/// TileJSON 3.0 of a layer (`tiles` URL template, zooms, bounds, `vector_layers` with the
/// fields); with `?scenario=` the tiles are the scenario's, pinned to its version.
#[utoipa::path(get, path = "/tiles/{layer}.json", tag = "tiles",
    params(
        ("layer" = String, Path, description = "Vector layer name."),
        ("scenario" = Option<String>, Query,
            description = "Tiles of the layer as this stored scenario makes it."),
        ("version" = Option<u32>, Query, minimum = 1,
            description = "That scenario's version (default: its latest); needs `scenario`."),
    ),
    responses(
        (status = 200, description = "TileJSON 3.0.0.", body = Object),
        (status = 404, description = "Unknown layer or scenario.", body = Problem,
            content_type = "application/problem+json"),
    ))]
pub async fn tilejson(
    State(state): State<AppState>,
    Path(file): Path<String>,
    Query(q): Query<TileQuery>,
    headers: HeaderMap,
) -> Result<Response, Problem> {
    let Some(name) = file.strip_suffix(".json").map(str::to_string) else {
        return Err(Problem::new(
            StatusCode::NOT_FOUND,
            "not-found",
            "Not Found",
            format!(
                "'/tiles/{file}': expected /tiles/{{layer}}.json or \
                 /tiles/{{layer}}/{{z}}/{{x}}/{{y}}.mvt"
            ),
        ));
    };
    let scenario = q.scenario()?;
    let base = base_url(&headers);
    let doc = blocking(move || {
        let (resolved, pinned) = resolve(
            &state,
            &name,
            scenario.as_ref().map(|(id, v)| (id.as_str(), *v)),
        )?;
        with_layer(&state, &name, &resolved, |layer, _, bounds| {
            let query = pinned
                .map(|(id, v)| format!("?scenario={}&version={v}", query_escape(&id)))
                .unwrap_or_default();
            let url = format!("{base}/api/v1/tiles/{name}/{{z}}/{{x}}/{{y}}.mvt{query}");
            Ok(tilejson_doc(&name, layer, bounds, url))
        })
    })
    .await?;
    Ok(Json(doc).into_response())
}

fn tilejson_doc(name: &str, layer: &Layer, bounds: Option<Rect>, url: String) -> Value {
    let max_zoom = kernel::DEFAULT_MAX_ZOOM;
    let mut fields = Map::new();
    fields.insert("id".into(), "String".into());
    for c in layer.columns.iter().filter(|c| c.name != "id") {
        let t = match c.field_type() {
            FieldType::Int | FieldType::Float => "Number",
            FieldType::Text => "String",
            FieldType::Bool => "Boolean",
        };
        fields.insert(c.name.clone(), t.into());
    }
    let mut doc = json!({
        "tilejson": "3.0.0",
        "name": name,
        "description": format!("{name} ({} features, {} layer)", layer.len(), layer.role.as_str()),
        "scheme": "xyz",
        "tiles": [url],
        "minzoom": 0,
        "maxzoom": max_zoom,
        "vector_layers": [{
            "id": name,
            "fields": fields,
            "minzoom": 0,
            "maxzoom": max_zoom,
        }],
    });
    if let Some(b) = bounds {
        let [w, s, e, n] = kernel::lon_lat_bounds(b);
        // The zoom at which the layer's extent fills about one 512-pixel tile.
        let side = b.width().max(b.height()).max(1.0);
        let zoom = (2.0 * kernel::MERCATOR_HALF / side)
            .log2()
            .floor()
            .clamp(0.0, max_zoom as f64);
        doc["bounds"] = json!([w, s, e, n]);
        doc["center"] = json!([(w + e) / 2.0, (s + n) / 2.0, zoom]);
    }
    doc
}

/// `GET /results/{key}`: a cached result envelope (key from `x-tepat-result`).
#[utoipa::path(get, path = "/results/{key}", tag = "analyses",
    params(("key" = String, Path,
        description = "The `x-tepat-result` header of `POST /analyses/{name}`.")),
    responses(
        (status = 200, description = "The result envelope.",
            body = tepat_engine::analysis::AnalysisResult),
        (status = 404, description = "No such result in the cache.", body = Problem,
            content_type = "application/problem+json"),
    ))]
pub async fn result(
    State(state): State<AppState>,
    Path(key): Path<String>,
) -> Result<Response, Problem> {
    let result = cached_result(&state, &key)?;
    Ok(Json(result.as_ref()).into_response())
}

/// `GET /results/{key}/tiles/{z}/{x}/{y}.mvt`: the result's rows on their zones
/// (source-layer `result`; feature id = the zone's row index, properties = the row).
#[utoipa::path(get, path = "/results/{key}/tiles/{z}/{x}/{y}.mvt", tag = "tiles",
    params(
        ("key" = String, Path,
            description = "The `x-tepat-result` header of `POST /analyses/{name}`."),
        ("z" = u32, Path, minimum = 0, maximum = 22, description = "Zoom."),
        ("x" = u32, Path, description = "Column, below 2^z."),
        ("y" = u32, Path, description = "Row from the north, below 2^z."),
    ),
    responses(
        (status = 200, description = "The tile; an empty body when no row's zone reaches it.",
            content_type = "application/vnd.mapbox-vector-tile", body = Vec<u8>),
        (status = 304, description = "Not modified (`If-None-Match`)."),
        (status = 400, description = "Malformed tile address.", body = Problem,
            content_type = "application/problem+json"),
        (status = 404, description = "No such result, or a tile outside the pyramid.",
            body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "The result's rows are not features of a layer.",
            body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn result_tile_handler(
    State(state): State<AppState>,
    Path((key, z, x, y)): Path<(String, String, String, String)>,
    headers: HeaderMap,
) -> Result<Response, Problem> {
    let t = tile_id(&z, &x, &y)?;
    let served = blocking(move || result_tile(&state, &key, t)).await?;
    Ok(tile_response(&headers, served))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tile_addresses_parse_or_name_the_problem() {
        assert_eq!(tile_id("3", "5", "2.mvt").ok(), TileId::new(3, 5, 2).ok(),);
        for (z, x, y, status, why) in [
            ("3", "5", "2", 400, ".mvt"),
            ("3", "5", "2.png", 400, ".mvt"),
            ("a", "5", "2.mvt", 400, "z: 'a'"),
            ("3", "-1", "2.mvt", 400, "x: '-1'"),
            ("3", "5", "+2.mvt", 400, "y: '+2'"),
            ("3", "5", "99999999999999999999999.mvt", 400, "y:"),
            ("23", "0", "0.mvt", 404, "zoom"),
            ("3", "8", "0.mvt", 404, "x must be below 8"),
        ] {
            let p = tile_id(z, x, y).expect_err("bad tile");
            assert_eq!(p.status, status, "{z}/{x}/{y}: {p:?}");
            assert!(p.detail.contains(why), "{z}/{x}/{y}: {}", p.detail);
        }
    }

    #[test]
    fn etags_match_with_and_without_weak_prefix() {
        let tag = etag("layer/abc/1/2/3");
        let mut h = HeaderMap::new();
        assert!(!not_modified(&h, &tag));
        h.insert(
            header::IF_NONE_MATCH,
            HeaderValue::from_str(&format!("\"x\", W/{tag}")).expect("header"),
        );
        assert!(not_modified(&h, &tag));
        assert!(!not_modified(&h, &etag("layer/abc/1/2/4")));
    }

    #[test]
    fn base_url_follows_the_client() {
        let mut h = HeaderMap::new();
        assert_eq!(base_url(&h), "");
        h.insert(header::HOST, HeaderValue::from_static("127.0.0.1:8080"));
        assert_eq!(base_url(&h), "http://127.0.0.1:8080");
        h.insert("x-forwarded-proto", HeaderValue::from_static("https"));
        h.insert(
            "x-forwarded-host",
            HeaderValue::from_static("peta.kota.go.id"),
        );
        assert_eq!(base_url(&h), "https://peta.kota.go.id");
        assert_eq!(query_escape("s_1a b/&"), "s_1a%20b%2F%26");
    }
}
