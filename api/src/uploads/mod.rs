//! Layer uploads: `POST /layers` (multipart: a GeoJSON, GeoPackage, zipped Shapefile or CSV
//! file plus its name, role and key fields) and `DELETE /layers/{name}`, both admin only.
//!
//! An upload is streamed to a temporary file in `<data-dir>/layers/` (counting bytes, so
//! the size limit holds whatever the client says), then read and validated by the engine
//! ([`tepat_engine::io::upload`]: a name without path characters, a known CRS, coordinates
//! that are longitude/latitude once transformed and lie near the project's area, the id
//! and key fields present, the integrity check without errors) and reprojected to the
//! working CRS, as `Project::load` does. This module only receives the parts, asks the
//! engine, and persists. Only an admitted layer is made durable, in this order:
//!
//! 1. the temporary file is fsynced, renamed to `<name>.<random>.<ext>` and the directory
//!    fsynced: the file now survives a crash, but nothing lists it yet;
//! 2. the row is inserted in SQLite with its audit entry, in one transaction: from here on
//!    the upload is acknowledged and the 201 goes out;
//! 3. a new snapshot of the layers is published to the requests that start afterwards.
//!
//! A crash before 2 leaves a file without a row, which the next start removes; a crash
//! after 2 finds the row and its complete file. So every row has its file, and a layer is
//! either all there or not at all. At start (`stored::load_stored`) every listed layer is read
//! again from its file, exactly as it was on upload. Deleting removes the row first and
//! the file after.

pub mod stored;

pub use stored::{LayerFiles, LoadError, DEFAULT_MAX_UPLOAD_BYTES, LAYERS_DIR};

use crate::auth::Caller;
use crate::blocking::blocking;
use crate::layers::summary::LayerDetail;
use crate::problem::Problem;
use crate::state::{AppState, Snapshot};
use crate::store::{NewLayer, StoreError};
use axum::extract::multipart::{Field, MultipartError, MultipartRejection};
use axum::extract::{Multipart, Path as UrlPath, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};
use geo::{coord, Rect};
use serde_json::{json, Value};
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use std::path::PathBuf;
use stored::{prepare, TempUpload};
use tepat_engine::io::upload::{admit_layer, upload_spec, UploadFormat};
use tokio::io::AsyncWriteExt;

/// Longest text part (name, role, field names…), in bytes.
const MAX_TEXT_PART: usize = 1024;

/// A zip may inflate to this many times the upload limit (a Shapefile compresses about 3:1;
/// far more means a zip bomb).
const MAX_ZIP_RATIO: u64 = 10;

/// Text parts a client may send besides `file`, and the layer-entry key each sets.
const TEXT_PARTS: [&str; 16] = [
    "name",
    "role",
    "id_field",
    "layer",
    "x",
    "y",
    "crs",
    "kind",
    "capacity",
    "population",
    "level",
    "time",
    "category",
    "key",
    "source",
    "source_date",
];

/// The multipart form as received: the file on disk and the text parts.
#[derive(Debug)]
struct Form {
    file: TempUpload,
    file_name: Option<String>,
    head: Vec<u8>,
    bytes: u64,
    sha256: String,
    parts: BTreeMap<String, String>,
}

/// A form that is not an upload (a part unknown, sent twice, too long or missing): the
/// same kind as the engine's `Refusal::InvalidUpload` for the parts it reads.
fn invalid_upload(detail: impl Into<String>) -> Problem {
    Problem::new(
        StatusCode::UNPROCESSABLE_ENTITY,
        "invalid-upload",
        "Invalid upload",
        detail,
    )
}

fn too_large(detail: impl Into<String>) -> Problem {
    Problem::new(
        StatusCode::PAYLOAD_TOO_LARGE,
        "payload-too-large",
        "Payload Too Large",
        detail,
    )
}

fn io_problem(what: &str, e: &std::io::Error) -> Problem {
    Problem::internal(format!("{what}: {e}"))
}

fn multipart_problem(e: MultipartError) -> Problem {
    if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
        too_large(format!(
            "the upload is larger than the limit: {}",
            e.body_text()
        ))
    } else {
        Problem::new(
            StatusCode::BAD_REQUEST,
            "invalid-multipart",
            "Malformed multipart body",
            e.body_text(),
        )
    }
}

/// Reads the form: the `file` part streamed to disk, the text parts into memory.
async fn receive(files: &LayerFiles, mut multipart: Multipart) -> Result<Form, Problem> {
    let mut file: Option<ReceivedFile> = None;
    let mut parts = BTreeMap::new();
    while let Some(field) = multipart.next_field().await.map_err(multipart_problem)? {
        let part = field.name().unwrap_or_default().to_string();
        if part == "file" {
            if file.is_some() {
                return Err(invalid_upload("part 'file' is sent twice; upload one file"));
            }
            file = Some(receive_file(files, field).await?);
        } else if TEXT_PARTS.contains(&part.as_str()) {
            if parts.contains_key(&part) {
                return Err(invalid_upload(format!("part '{part}' is sent twice")));
            }
            let text = receive_text(&part, field).await?;
            parts.insert(part, text);
        } else {
            return Err(invalid_upload(format!(
                "unknown part '{part}' (parts: file, {})",
                TEXT_PARTS.join(", ")
            )));
        }
    }
    let Some((file, file_name, head, bytes, sha256)) = file else {
        return Err(invalid_upload(
            "part 'file' is missing: send the layer as a multipart file part named 'file'",
        ));
    };
    Ok(Form {
        file,
        file_name,
        head,
        bytes,
        sha256,
        parts,
    })
}

/// The file part on disk: its temp file, the name the client gave, its first bytes (to
/// sniff the format), its size and SHA-256.
type ReceivedFile = (TempUpload, Option<String>, Vec<u8>, u64, String);

async fn receive_file(files: &LayerFiles, mut field: Field<'_>) -> Result<ReceivedFile, Problem> {
    let file_name = field
        .file_name()
        .map(str::to_string)
        .filter(|n| !n.is_empty());
    let mut tmp = files
        .temp()
        .map_err(|e| io_problem("creating the upload file", &e))?;
    let std_file = tmp
        .file
        .take()
        .ok_or_else(|| Problem::internal("upload file already taken"))?;
    let mut out = tokio::fs::File::from_std(std_file);
    let mut hasher = Sha256::new();
    let mut head = Vec::new();
    let mut bytes = 0u64;
    while let Some(chunk) = field.chunk().await.map_err(multipart_problem)? {
        if head.len() < 64 {
            head.extend(chunk.iter().take(64 - head.len()));
        }
        hasher.update(&chunk);
        bytes += chunk.len() as u64;
        out.write_all(&chunk)
            .await
            .map_err(|e| io_problem("writing the upload", &e))?;
    }
    out.flush()
        .await
        .map_err(|e| io_problem("writing the upload", &e))?;
    // Durable before it is read, so what was validated is what a crash leaves behind.
    out.sync_all()
        .await
        .map_err(|e| io_problem("syncing the upload", &e))?;
    tmp.file = Some(out.into_std().await);
    Ok((tmp, file_name, head, bytes, hex::encode(hasher.finalize())))
}

async fn receive_text(part: &str, mut field: Field<'_>) -> Result<String, Problem> {
    let mut buf = Vec::new();
    while let Some(chunk) = field.chunk().await.map_err(multipart_problem)? {
        if buf.len() + chunk.len() > MAX_TEXT_PART {
            return Err(invalid_upload(format!(
                "part '{part}' is longer than {MAX_TEXT_PART} bytes"
            )));
        }
        buf.extend_from_slice(&chunk);
    }
    let text = String::from_utf8(buf)
        .map_err(|_| invalid_upload(format!("part '{part}' is not UTF-8 text")))?;
    Ok(text.trim().to_string())
}

/// The project's extent in lon/lat: the union of its layers' boxes.
fn project_extent(snapshot: &Snapshot) -> Option<Rect> {
    snapshot
        .summaries()
        .filter_map(|s| s.bbox)
        .map(|[a, b, c, d]| Rect::new(coord! { x: a, y: b }, coord! { x: c, y: d }))
        .reduce(|u, r| {
            Rect::new(
                coord! { x: u.min().x.min(r.min().x), y: u.min().y.min(r.min().y) },
                coord! { x: u.max().x.max(r.max().x), y: u.max().y.max(r.max().y) },
            )
        })
}

/// The multipart form of `POST /layers` (documentation only: the handler streams it).
#[derive(Debug, utoipa::ToSchema)]
#[allow(dead_code)]
pub struct UploadForm {
    /// The layer file: GeoJSON (`.geojson`, `.json`), GeoPackage (`.gpkg`), a zipped
    /// Shapefile (`.zip`) or CSV (`.csv`), told apart by the file name's extension.
    #[schema(format = Binary, value_type = String)]
    file: Vec<u8>,
    /// Layer name, `^[a-z][a-z0-9_]{0,62}$`.
    #[schema(pattern = "^[a-z][a-z0-9_]{0,62}$")]
    name: String,
    /// Role: zones, table, facilities, hazard, demand, network, events, context (default).
    role: Option<String>,
    /// Field holding unique feature ids.
    id_field: Option<String>,
    /// GeoPackage layer (or Shapefile in the zip) to read; default the first.
    layer: Option<String>,
    /// CSV: longitude / x column (default `lon`).
    x: Option<String>,
    /// CSV: latitude / y column (default `lat`).
    y: Option<String>,
    /// CRS of the file when it does not say (CSV default EPSG:4326), e.g. `EPSG:32651`.
    crs: Option<String>,
    /// Facilities: field holding the kind.
    kind: Option<String>,
    /// Facilities: numeric capacity field.
    capacity: Option<String>,
    /// Zones / demand: numeric population field.
    population: Option<String>,
    /// Hazard: level / class field.
    level: Option<String>,
    /// Events: timestamp field.
    time: Option<String>,
    /// Events: category field.
    category: Option<String>,
    /// Tables: field holding the joined layer's ids.
    key: Option<String>,
    /// Where the data comes from (agency, publication), shown in the leader's brief.
    source: Option<String>,
    /// When the data was published or describes: `YYYY`, `YYYY-MM` or `YYYY-MM-DD`.
    #[schema(pattern = "^[0-9]{4}(-[0-9]{2}(-[0-9]{2})?)?$")]
    source_date: Option<String>,
}

/// Upload a layer: validated (CRS, coordinates, fields, integrity check), reprojected to
/// the working CRS, stored durably in the data directory and usable by every analysis.
///
/// The answer is the layer as `GET /layers/{name}` shows it, plus `integrity` (the check's
/// report of the layer) and `upload` (the stored file, its SHA-256 and the layer's content
/// hash). The size limit is `tepat serve --max-upload-mb` (default 200 MB).
#[utoipa::path(post, path = "/layers", operation_id = "upload_layer", tag = "layers",
    request_body(content = UploadForm, content_type = "multipart/form-data"),
    responses(
        (status = 201, description = "Stored; `Location` is the layer's URL.", body = LayerDetail),
        (status = 400, description = "A malformed multipart body.", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "A layer of that name exists.", body = Problem, content_type = "application/problem+json"),
        (status = 413, description = "Larger than the upload limit.", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "Not multipart, or a file format other than GeoJSON, GeoPackage, zipped Shapefile, CSV.",
            body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid content, naming the file and field: bad name, geometry, CRS, \
            coordinates, missing fields, integrity errors, a bad zip.", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn upload(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    multipart: Result<Multipart, MultipartRejection>,
) -> Result<Response, Problem> {
    let multipart = multipart.map_err(|e| {
        Problem::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported-media-type",
            "Unsupported Media Type",
            format!(
                "POST /layers takes multipart/form-data with parts 'file' and 'name': {}",
                e.body_text()
            ),
        )
    })?;
    let mut form = receive(state.layer_files(), multipart).await?;
    let shown = form
        .file_name
        .clone()
        .unwrap_or_else(|| "upload".to_string());
    let format = match &form.file_name {
        Some(n) => UploadFormat::from_file_name(n),
        None => UploadFormat::sniff(&form.head),
    }
    .ok_or_else(|| {
        Problem::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported-format",
            "Unsupported format",
            format!(
                "file: cannot read '{shown}': upload GeoJSON (.geojson, .json), GeoPackage \
                 (.gpkg), a zipped Shapefile (.zip) or CSV (.csv)"
            ),
        )
    })?;
    let spec = upload_spec(&form.parts, format)?;
    if state.project().layers.names().contains(&spec.name) {
        return Err(exists(&spec.name));
    }
    form.file
        .set_format(format)
        .map_err(|e| io_problem("naming the upload", &e))?;
    let max_unzipped = state.max_upload_bytes().saturating_mul(MAX_ZIP_RATIO);
    let who = caller.0;
    // `state` moves to the blocking task; this handle takes the snapshot published there.
    let handle = state.clone();
    let (name, report) = blocking(move || {
        let prepared = prepare(
            &form.file.path,
            &shown,
            format,
            &spec,
            &state.project().crs,
            max_unzipped,
        )?;
        let area = project_extent(state.snapshot());
        let report = admit_layer(state.project(), area, &prepared.upload, &shown)?;
        let name = prepared.upload.spec.name.clone();
        let files = state.layer_files();
        state.change_layers(|current| {
            if current.project().layers.names().contains(&name) {
                return Err(exists(&name));
            }
            let content_hash = prepared.upload.layer.content_hash().to_string();
            let file = files
                .keep(form.file, &name, format)
                .map_err(|e| io_problem("storing the upload", &e))?;
            let mut prepared = prepared;
            let mut spec = prepared.upload.spec.clone();
            spec.path = PathBuf::from(LAYERS_DIR).join(&file);
            let new = NewLayer {
                name: &name,
                file: &file,
                format: format.as_str(),
                spec: &spec,
                original_name: form.file_name.as_deref(),
                bytes: form.bytes,
                file_sha256: &form.sha256,
                content_hash: &content_hash,
                features: prepared.upload.layer.len() as u64,
            };
            let stored = match state.store().insert_layer(&new, who.as_ref()) {
                Ok(s) => s,
                Err(e) => {
                    let _ = std::fs::remove_file(files.path(&file));
                    return Err(match e {
                        StoreError::LayerExists { name } => exists(&name),
                        other => Problem::from(other),
                    });
                }
            };
            prepared.upload.spec = spec;
            let next = current.with_layer(prepared, stored);
            Ok((next, ()))
        })?;
        Ok((name, report))
    })
    .await?;
    let latest = handle.clone();
    let mut body = detail_json(&latest, &name)?;
    if let Value::Object(m) = &mut body {
        m.insert("integrity".into(), json!(report));
        m.insert("upload".into(), json!(latest.uploaded_layer(&name)));
    }
    let location = format!("/api/v1/layers/{name}");
    Ok((
        StatusCode::CREATED,
        [(header::LOCATION, location)],
        Json(body),
    )
        .into_response())
}

fn exists(name: &str) -> Problem {
    Problem::new(
        StatusCode::CONFLICT,
        "layer-exists",
        "Layer exists",
        format!("name: a layer '{name}' exists already; delete it first or choose another name"),
    )
}

/// The layer as `GET /layers/{name}` shows it.
fn detail_json(state: &AppState, name: &str) -> Result<Value, Problem> {
    let detail = LayerDetail {
        summary: state.summary(name)?,
        id_field: state
            .project()
            .layers
            .get(name)
            .ok()
            .and_then(|l| l.id_field.as_deref()),
        spec: state.project().spec(name),
    };
    serde_json::to_value(detail).map_err(|e| Problem::internal(format!("encoding layer: {e}")))
}

/// Delete an uploaded layer (its file and its entry; the audit log keeps its hash).
/// Layers of the project file cannot be deleted.
#[utoipa::path(delete, path = "/layers/{name}", operation_id = "delete_layer", tag = "layers",
    params(("name" = String, Path, description = "Layer name.")),
    responses(
        (status = 204, description = "Deleted."),
        (status = 404, description = "No such layer.", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "A layer of the project file.", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn delete(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    UrlPath(name): UrlPath<String>,
) -> Result<Response, Problem> {
    blocking(move || {
        let files = state.layer_files();
        let stored = state.change_layers(|current| {
            if current.uploaded(&name).is_none() {
                // 404 for a layer that does not exist, 409 for one of the project file.
                current.summary(&name)?;
                return Err(Problem::new(
                    StatusCode::CONFLICT,
                    "layer-not-uploaded",
                    "Layer not uploaded",
                    format!(
                        "layer '{name}' comes from the project file; only uploaded layers can be deleted"
                    ),
                ));
            }
            let stored = state.store().delete_layer(&name, caller.0.as_ref())?;
            Ok((current.without_layer(&name), stored))
        })?;
        // After the row: a crash here leaves a file without a row, which the next start removes.
        if let Err(e) = std::fs::remove_file(files.path(&stored.file)) {
            tracing::warn!("deleted layer '{name}': its file stays until restart: {e}");
        }
        Ok(())
    })
    .await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}
