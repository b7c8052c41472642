//! Reading a layer from a file someone uploaded (the server's `POST /layers`). Only the
//! formats a city department sends are accepted — GeoJSON, GeoPackage, a zipped Shapefile
//! and CSV with point columns — and a zip is inspected before GDAL sees it: an entry whose
//! name climbs out of the archive (`../x`, `/etc/x`, `C:\x`) is refused even though GDAL
//! reads in place through `/vsizip/` and would never write it, because such an archive is
//! either broken or hostile; so is one that inflates past a limit (a zip bomb), one without
//! a `.shp`, and a `.shp` without its `.dbf` / `.shx` (GDAL would open it and silently lose
//! the attributes).
//!
//! The file read, the layer is admitted as a project layer only when it is one: a name
//! without path characters ([`upload_spec`]), a known CRS, coordinates that are
//! longitude/latitude once transformed, the id and key fields present
//! ([`read_uploaded_layer`], which also reprojects to the working CRS, as `Project::load`
//! does), near the project's area and without errors in the integrity check
//! ([`admit_layer`]). A refusal is an [`UploadError`] naming the file as the client knows it
//! and, where it has one, the form part to fix.

use crate::check::{self, CheckReport, Finding, Severity};
use crate::crs::{self, Crs, Transformer};
use crate::error::{Error, Result};
use crate::io::{self, ReadOptions};
use crate::layer::{FeatureNote, Layer, LayerSet, Role};
use crate::project::{self, LayerSpec, Project};
use geo::{CoordsIter, Rect};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// How far (degrees) outside the project's bounding box an upload may reach and still be
/// taken as near the city: about 55 km, room for a regional hazard layer.
pub const AREA_MARGIN_DEG: f64 = 0.5;

/// The formats accepted for upload.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UploadFormat {
    /// GeoJSON (`.geojson`, `.json`), always EPSG:4326.
    Geojson,
    /// GeoPackage (`.gpkg`), through GDAL.
    Geopackage,
    /// A zipped Shapefile (`.zip`), through GDAL.
    ZippedShapefile,
    /// CSV with point columns (`.csv`), or a table without geometry.
    Csv,
}

impl UploadFormat {
    /// All formats, in documentation order.
    pub const ALL: [UploadFormat; 4] = [
        UploadFormat::Geojson,
        UploadFormat::Geopackage,
        UploadFormat::ZippedShapefile,
        UploadFormat::Csv,
    ];

    /// The format a file name's extension says, if it is one of ours.
    pub fn from_file_name(name: &str) -> Option<UploadFormat> {
        match io::extension(Path::new(name)).as_str() {
            "geojson" | "json" => Some(UploadFormat::Geojson),
            "gpkg" => Some(UploadFormat::Geopackage),
            "zip" => Some(UploadFormat::ZippedShapefile),
            "csv" => Some(UploadFormat::Csv),
            _ => None,
        }
    }

    /// The format the first bytes of a file show, for uploads without a file name: the
    /// zip and SQLite signatures, or a JSON object. CSV has no signature.
    pub fn sniff(head: &[u8]) -> Option<UploadFormat> {
        if head.starts_with(b"PK\x03\x04") {
            return Some(UploadFormat::ZippedShapefile);
        }
        if head.starts_with(b"SQLite format 3\0") {
            return Some(UploadFormat::Geopackage);
        }
        let text = head.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(head);
        match text.iter().find(|b| !b.is_ascii_whitespace()) {
            Some(b'{') => Some(UploadFormat::Geojson),
            _ => None,
        }
    }

    /// The extension a file of this format is stored under (readers pick by extension).
    pub fn extension(self) -> &'static str {
        match self {
            UploadFormat::Geojson => "geojson",
            UploadFormat::Geopackage => "gpkg",
            UploadFormat::ZippedShapefile => "zip",
            UploadFormat::Csv => "csv",
        }
    }

    /// Stable name (`geojson`, `gpkg`, `shapefile-zip`, `csv`).
    pub fn as_str(self) -> &'static str {
        match self {
            UploadFormat::Geojson => "geojson",
            UploadFormat::Geopackage => "gpkg",
            UploadFormat::ZippedShapefile => "shapefile-zip",
            UploadFormat::Csv => "csv",
        }
    }

    /// The format called `name` (as [`UploadFormat::as_str`] writes it).
    pub fn parse(name: &str) -> Option<UploadFormat> {
        UploadFormat::ALL.into_iter().find(|f| f.as_str() == name)
    }
}

/// Reads an uploaded file of `format` at `path` (whose extension must be
/// [`UploadFormat::extension`]). A zip is checked first with [`check_zip`]; a zip may
/// inflate to at most `max_unzipped` bytes.
pub fn read_upload(
    path: &Path,
    format: UploadFormat,
    opts: &ReadOptions,
    max_unzipped: u64,
) -> Result<Layer> {
    if io::extension(path) != format.extension() {
        return Err(Error::UnsupportedFormat {
            path: path.to_path_buf(),
            message: format!(
                "an upload of format {} must be stored as .{}",
                format.as_str(),
                format.extension()
            ),
        });
    }
    if format == UploadFormat::ZippedShapefile {
        check_zip(path, max_unzipped)?;
    }
    io::read_vector(path, opts)
}

/// Checks a zipped Shapefile before it is read: a valid zip, no entry name leaving the
/// archive, at most `max_unzipped` bytes once inflated, at least one `.shp`, and each
/// `.shp` with its `.dbf` and `.shx`. macOS resource forks (`__MACOSX/`, `._x`) are ignored.
pub fn check_zip(path: &Path, max_unzipped: u64) -> Result<()> {
    let file = std::fs::File::open(path).map_err(|e| Error::io(path, e))?;
    let mut archive = zip::ZipArchive::new(file)
        .map_err(|e| Error::parse(path, format!("not a valid zip file: {e}")))?;
    let mut names = Vec::with_capacity(archive.len());
    let mut total: u64 = 0;
    for i in 0..archive.len() {
        let entry = archive
            .by_index_raw(i)
            .map_err(|e| Error::parse(path, format!("zip entry {}: {e}", i + 1)))?;
        let name = entry.name().to_string();
        if !is_safe_entry_name(&name) || entry.enclosed_name().is_none() {
            return Err(Error::parse(
                path,
                format!(
                    "zip entry '{name}' points outside the archive (an absolute path or '..'); \
                     zip the Shapefile's files themselves"
                ),
            ));
        }
        total = total.saturating_add(entry.size());
        names.push(name);
    }
    if total > max_unzipped {
        return Err(Error::parse(
            path,
            format!("the zip inflates to {total} bytes, over the limit of {max_unzipped}"),
        ));
    }
    let lower: Vec<String> = names.iter().map(|n| n.to_ascii_lowercase()).collect();
    let is_fork =
        |n: &str| n.starts_with("__macosx/") || n.rsplit('/').next().unwrap_or(n).starts_with("._");
    let shps: Vec<usize> = (0..names.len())
        .filter(|&i| lower[i].ends_with(".shp") && !is_fork(&lower[i]))
        .collect();
    if shps.is_empty() {
        let listed = if names.is_empty() {
            "it is empty".to_string()
        } else {
            format!("entries: {}", names.join(", "))
        };
        return Err(Error::parse(
            path,
            format!("the zip holds no Shapefile (.shp); {listed}"),
        ));
    }
    for i in shps {
        let stem = &lower[i][..lower[i].len() - 4];
        for ext in ["dbf", "shx"] {
            if !lower.contains(&format!("{stem}.{ext}")) {
                let what = if ext == "dbf" { "attributes" } else { "index" };
                return Err(Error::parse(
                    path,
                    format!(
                        "missing .{ext}: {} needs its .{ext} ({what}) in the zip",
                        names[i]
                    ),
                ));
            }
        }
    }
    Ok(())
}

/// Which check refused an upload; each has a stable kind (as [`Error::kind`] does).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// The form's parts do not describe a layer (a missing name, an unknown role, a part of
    /// another format, a CRS that does not parse).
    InvalidUpload,
    /// A name that is not `^[a-z][a-z0-9_]{0,62}$`.
    InvalidLayerName,
    /// An empty file, or one without features.
    EmptyLayer,
    /// The id field or a key field is not in the file.
    UnknownField,
    /// A key field of the wrong type (a capacity that is not numeric).
    FieldType,
    /// No feature has a geometry, and the role needs them.
    Geometry,
    /// No CRS, or one that cannot be transformed to longitude/latitude.
    Crs,
    /// Coordinates that are not longitude/latitude once transformed.
    InvalidCoordinates,
    /// The layer lies far from the project's area.
    OutsideProjectArea,
    /// The integrity check found errors.
    Integrity,
}

impl Refusal {
    /// Stable, machine-readable kind.
    pub fn kind(self) -> &'static str {
        match self {
            Refusal::InvalidUpload => "invalid-upload",
            Refusal::InvalidLayerName => "invalid-layer-name",
            Refusal::EmptyLayer => "empty-layer",
            Refusal::UnknownField => "unknown-field",
            Refusal::FieldType => "field-type",
            Refusal::Geometry => "geometry",
            Refusal::Crs => "crs",
            Refusal::InvalidCoordinates => "invalid-coordinates",
            Refusal::OutsideProjectArea => "outside-project-area",
            Refusal::Integrity => "integrity",
        }
    }
}

/// Why an uploaded layer is not admitted.
#[derive(Debug, thiserror::Error)]
pub enum UploadError {
    /// The engine could not read or use the file (malformed content, a geometry the role
    /// forbids, the server's own I/O); `detail` is the error's message with the stored
    /// file's path replaced by the name the client knows.
    #[error("{detail}")]
    Content {
        /// The engine's error.
        error: Error,
        /// What the client is told.
        detail: String,
    },
    /// One of the upload's own checks refused it.
    #[error("{detail}")]
    Refused {
        /// Which check.
        refusal: Refusal,
        /// What is wrong, naming the file (and the form part to fix, where there is one).
        detail: String,
    },
}

impl UploadError {
    /// `error` about the file stored at `stored`, which the client knows as `shown`. An I/O
    /// error is the server's own and keeps its path.
    pub fn content(error: Error, stored: &Path, shown: &str) -> UploadError {
        let detail = match error {
            Error::Io { .. } => error.to_string(),
            _ => error
                .to_string()
                .replace(&stored.display().to_string(), shown),
        };
        UploadError::Content { error, detail }
    }

    fn refused(refusal: Refusal, detail: impl Into<String>) -> UploadError {
        UploadError::Refused {
            refusal,
            detail: detail.into(),
        }
    }
}

fn invalid_upload(detail: impl Into<String>) -> UploadError {
    UploadError::refused(Refusal::InvalidUpload, detail)
}

/// Checks a layer name: `^[a-z][a-z0-9_]{0,62}$`, so it is safe in a file name and a URL.
pub fn check_layer_name(name: &str) -> std::result::Result<(), UploadError> {
    let mut chars = name.chars();
    let ok = chars.next().is_some_and(|c| c.is_ascii_lowercase())
        && name.len() <= 63
        && chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
    if ok {
        Ok(())
    } else {
        Err(UploadError::refused(
            Refusal::InvalidLayerName,
            format!(
                "name: '{name}' is not a layer name: use a lower-case letter, then up to 62 \
                 lower-case letters, digits or '_' (no '/', '.', spaces or capitals)"
            ),
        ))
    }
}

/// The layer entry an upload's text parts describe (`name`, `role`, `id_field`, `layer`,
/// `x`, `y`, `crs` and the key fields, as a project file's entry names them): a CSV is
/// lon/lat points in columns `lon` and `lat` unless told otherwise, a part that does not fit
/// the format is refused. The entry's `path` is left empty.
pub fn upload_spec(
    parts: &BTreeMap<String, String>,
    format: UploadFormat,
) -> std::result::Result<LayerSpec, UploadError> {
    let get = |k: &str| parts.get(k).filter(|v| !v.is_empty()).cloned();
    let name = get("name").ok_or_else(|| {
        invalid_upload("part 'name' is missing: the layer's name, e.g. banjir_q100")
    })?;
    check_layer_name(&name)?;
    let role_text = get("role").unwrap_or_else(|| Role::Context.as_str().to_string());
    let role: Role = role_text
        .parse()
        .map_err(|m: String| invalid_upload(format!("role: {m}")))?;
    if role == Role::Raster {
        return Err(invalid_upload(
            "role: rasters cannot be uploaded; add them to the project file",
        ));
    }
    let is_csv = format == UploadFormat::Csv;
    for part in ["x", "y"] {
        if !is_csv && get(part).is_some() {
            return Err(invalid_upload(format!(
                "part '{part}' is for CSV files only; this is {}",
                format.as_str()
            )));
        }
    }
    let (x, y) = match (get("x"), get("y")) {
        _ if !is_csv || role == Role::Table => (None, None),
        (Some(x), Some(y)) => (Some(x), Some(y)),
        (None, None) => (Some("lon".to_string()), Some("lat".to_string())),
        (Some(_), None) => {
            return Err(invalid_upload("part 'y' is missing: give x and y together"))
        }
        (None, Some(_)) => {
            return Err(invalid_upload("part 'x' is missing: give x and y together"))
        }
    };
    if get("layer").is_some()
        && !matches!(
            format,
            UploadFormat::Geopackage | UploadFormat::ZippedShapefile
        )
    {
        return Err(invalid_upload(format!(
            "part 'layer' picks a layer of a GeoPackage or zipped Shapefile; this is {}",
            format.as_str()
        )));
    }
    // A CSV cannot say its CRS: lon/lat unless told.
    let crs = get("crs").or_else(|| (is_csv && role != Role::Table).then(|| "EPSG:4326".into()));
    if let Some(c) = &crs {
        Crs::parse(c).map_err(|e| invalid_upload(format!("crs: {e}")))?;
    }
    let source_date = get("source_date");
    if let Some(d) = &source_date {
        project::check_date(d).map_err(|m| invalid_upload(format!("source_date: {m}")))?;
    }
    Ok(LayerSpec {
        name,
        role: role.as_str().to_string(),
        path: PathBuf::new(),
        id: get("id_field"),
        crs,
        layer: get("layer"),
        x,
        y,
        kind: get("kind"),
        capacity: get("capacity"),
        population: get("population"),
        level: get("level"),
        time: get("time"),
        category: get("category"),
        key: get("key"),
        source: get("source"),
        source_date,
        ..LayerSpec::default()
    })
}

/// An uploaded file read as a project layer: named, with its role and id field, in the
/// working CRS.
#[derive(Debug)]
pub struct UploadedLayer {
    /// The layer entry it was read with (`path`: the name the client knows).
    pub spec: LayerSpec,
    /// The layer.
    pub layer: Arc<Layer>,
    /// What the reader repaired (unclosed rings it closed), reported as warnings.
    pub repaired: Vec<FeatureNote>,
}

/// Reads the file of layer entry `spec` (stored at `path`, known to the client as `shown`)
/// and makes it what a project layer is: named, with its role and id field, in a known
/// CRS, its coordinates longitude/latitude once transformed, reprojected to `crs`, with
/// the key fields the entry names present. A zip may inflate to `max_unzipped` bytes.
/// Uploads and the server's start-up both read through here, so a layer is the same after
/// a restart.
pub fn read_uploaded_layer(
    path: &Path,
    shown: &str,
    format: UploadFormat,
    spec: &LayerSpec,
    crs: &Crs,
    max_unzipped: u64,
) -> std::result::Result<UploadedLayer, UploadError> {
    let content = |e: Error| UploadError::content(e, path, shown);
    let bytes = std::fs::metadata(path)
        .map_err(|e| content(Error::io(path, e)))?
        .len();
    if bytes == 0 {
        return Err(UploadError::refused(
            Refusal::EmptyLayer,
            format!("file: '{shown}' is empty"),
        ));
    }
    let role: Role = spec
        .role()
        .map_err(|m| invalid_upload(format!("role: {m}")))?;
    let spec_crs = spec
        .crs
        .as_deref()
        .map(Crs::parse)
        .transpose()
        .map_err(|e| invalid_upload(format!("crs: {e}")))?;
    let opts = ReadOptions {
        name: spec.name.clone(),
        role,
        x: spec.x.clone(),
        y: spec.y.clone(),
        wkt: None,
        crs: spec_crs.clone(),
        source_layer: spec.layer.clone(),
    };
    let mut layer = read_upload(path, format, &opts, max_unzipped).map_err(content)?;
    layer.name = spec.name.clone();
    layer.role = role;
    layer.source = Some(PathBuf::from(shown));
    if spec_crs.is_some() {
        layer.crs = spec_crs; // an explicit crs overrides what the file says, as in a project
    }
    if layer.is_empty() {
        return Err(UploadError::refused(
            Refusal::EmptyLayer,
            format!("{shown}: the layer '{}' has no features", spec.name),
        ));
    }
    if let Some(id) = &spec.id {
        if layer.column(id).is_err() {
            return Err(UploadError::refused(
                Refusal::UnknownField,
                format!(
                    "id_field: {shown} has no field '{id}' (fields: {})",
                    layer.field_names().join(", ")
                ),
            ));
        }
        layer.set_id_field(id).map_err(content)?;
    }
    let has_geometry = layer.geometries.iter().any(Option::is_some);
    if role != Role::Table && !has_geometry {
        return Err(UploadError::refused(
            Refusal::Geometry,
            format!(
                "{shown}: no feature has a geometry, but a {} layer needs them (role=table for a sheet without geometry)",
                role.as_str()
            ),
        ));
    }
    if role != Role::Table && layer.crs.is_none() {
        return Err(UploadError::refused(
            Refusal::Crs,
            format!(
                "{shown} does not say its CRS (a Shapefile without .prj?); send a part 'crs', e.g. EPSG:32651"
            ),
        ));
    }
    layer.check_role_geometries().map_err(content)?;
    if role != Role::Table {
        check_lon_lat(&layer, shown)?;
    }
    // The readers' repairs are accepted (the geometry is usable as repaired) and reported.
    let (repaired, notes): (Vec<FeatureNote>, Vec<FeatureNote>) = std::mem::take(&mut layer.notes)
        .into_iter()
        .partition(|n| n.kind == "unclosed-ring");
    layer.notes = notes;
    project::reproject(&mut layer, crs).map_err(content)?;
    check_named_fields(&layer, spec, shown)?;
    let mut spec = spec.clone();
    spec.path = PathBuf::from(shown);
    Ok(UploadedLayer {
        spec,
        layer: Arc::new(layer),
        repaired,
    })
}

/// Every coordinate is a longitude/latitude once transformed to EPSG:4326: a projected
/// file labelled EPSG:4326 (or lon/lat swapped) is caught here, naming the feature.
fn check_lon_lat(layer: &Layer, shown: &str) -> std::result::Result<(), UploadError> {
    let Some(crs) = &layer.crs else {
        return Ok(());
    };
    let bad = |detail: String| UploadError::refused(Refusal::InvalidCoordinates, detail);
    let in_range = |x: f64, y: f64| (-180.0..=180.0).contains(&x) && (-90.0..=90.0).contains(&y);
    if crs.is_geographic() {
        for (i, g) in layer.geometries.iter().enumerate() {
            let Some(g) = g else { continue };
            if let Some(c) = g.coords_iter().find(|c| !in_range(c.x, c.y)) {
                return Err(bad(format!(
                    "{shown}: feature {} has coordinate ({}, {}), not a longitude/latitude in {crs}; \
                     is the file projected (send a part 'crs') or are x and y swapped?",
                    layer.ids[i], c.x, c.y
                )));
            }
        }
        return Ok(());
    }
    let Some(extent) = layer.bbox() else {
        return Ok(());
    };
    let t = Transformer::new(crs, &Crs::WGS84)
        .map_err(|e| UploadError::refused(Refusal::Crs, format!("{shown}: {e}")))?;
    let r = t
        .envelope(extent)
        .map_err(|e| bad(format!("{shown}: {e} (CRS {crs})")))?;
    if !(in_range(r.min().x, r.min().y) && in_range(r.max().x, r.max().y)) {
        return Err(bad(format!(
            "{shown}: the layer's extent in {crs} is not a longitude/latitude box once \
             transformed ({:?}); is the CRS right?",
            crs::bbox_array(r)
        )));
    }
    Ok(())
}

/// The fields the entry names exist, numeric where they must be (as a project file's
/// entries are checked).
fn check_named_fields(
    layer: &Layer,
    spec: &LayerSpec,
    shown: &str,
) -> std::result::Result<(), UploadError> {
    for (key, field) in spec.named_fields() {
        if layer.column(field).is_err() {
            let part = if key == "id" { "id_field" } else { key };
            return Err(UploadError::refused(
                Refusal::UnknownField,
                format!(
                    "{part}: {shown} has no field '{field}' (fields: {})",
                    layer.field_names().join(", ")
                ),
            ));
        }
    }
    for (key, field) in [
        ("capacity", &spec.capacity),
        ("population", &spec.population),
    ] {
        if let Some(f) = field {
            if layer.numeric_column(f).is_err() {
                return Err(UploadError::refused(
                    Refusal::FieldType,
                    format!("{key}: field '{f}' of {shown} must be numeric"),
                ));
            }
        }
    }
    Ok(())
}

/// Admits `upload` (known to the client as `shown`) into `project`: it lies, at least
/// partly, within [`AREA_MARGIN_DEG`] of `area` (the project's extent in lon/lat, the union
/// of its layers' boxes; `None` admits anywhere), and the integrity check of the layer on
/// its own (as `tepat check` runs it, with the reader's repairs as warnings) finds no
/// error. Returns that check's report.
pub fn admit_layer(
    project: &Project,
    area: Option<Rect>,
    upload: &UploadedLayer,
    shown: &str,
) -> std::result::Result<CheckReport, UploadError> {
    check_area(project, area, upload, shown)?;
    integrity(project, upload, shown)
}

fn check_area(
    project: &Project,
    area: Option<Rect>,
    upload: &UploadedLayer,
    shown: &str,
) -> std::result::Result<(), UploadError> {
    let (Some(area), Some(extent)) = (area, upload.layer.bbox()) else {
        return Ok(());
    };
    let crs = upload.layer.crs.as_ref().unwrap_or(&project.crs);
    let lon_lat = Transformer::new(crs, &Crs::WGS84)
        .and_then(|t| t.envelope(extent))
        .map_err(|e| UploadError::Content {
            detail: e.to_string(),
            error: e,
        })?;
    let [a, b, c, d] = crs::bbox_array(lon_lat);
    let m = AREA_MARGIN_DEG;
    let apart = c < area.min().x - m
        || a > area.max().x + m
        || d < area.min().y - m
        || b > area.max().y + m;
    if apart {
        return Err(UploadError::refused(
            Refusal::OutsideProjectArea,
            format!(
                "{shown}: the layer lies at lon/lat [{a:.4}, {b:.4}, {c:.4}, {d:.4}], more than \
                 {m}° from the project's area [{:.4}, {:.4}, {:.4}, {:.4}]; is the CRS right?",
                area.min().x,
                area.min().y,
                area.max().x,
                area.max().y
            ),
        ));
    }
    Ok(())
}

fn integrity(
    project: &Project,
    upload: &UploadedLayer,
    shown: &str,
) -> std::result::Result<CheckReport, UploadError> {
    let mut layers = LayerSet::new();
    layers.insert_shared(Arc::clone(&upload.layer));
    let alone = Project {
        name: project.name.clone(),
        crs: project.crs.clone(),
        layers,
        specs: vec![upload.spec.clone()],
        path: None,
        notes: Vec::new(),
    };
    let report = check::check_project(&alone);
    let name = &upload.spec.name;
    let mut layer_reports = report.layers;
    if !upload.repaired.is_empty() {
        let ids = upload
            .repaired
            .iter()
            .filter_map(|n| upload.layer.ids.get(n.feature).cloned());
        let finding = Finding::new(
            Severity::Warning,
            "repaired-geometry",
            Some(name.as_str()),
            format!(
                "{} feature(s) with an unclosed ring, closed on reading",
                upload.repaired.len()
            ),
        )
        .features(ids);
        if let Some(l) = layer_reports.first_mut() {
            l.findings.push(finding);
        }
    }
    let report = CheckReport::new(
        report.project,
        report.crs,
        report.notes,
        layer_reports,
        report.cross_layer,
    );
    let errors: Vec<&str> = report
        .findings()
        .filter(|f| f.severity == Severity::Error)
        .map(|f| f.message.as_str())
        .collect();
    if !errors.is_empty() {
        return Err(UploadError::refused(
            Refusal::Integrity,
            format!(
                "{shown}: layer '{name}' fails the integrity check: {}",
                errors.join("; ")
            ),
        ));
    }
    Ok(report)
}

/// A relative name with no `..` component, no backslash, drive letter or NUL.
fn is_safe_entry_name(name: &str) -> bool {
    !name.is_empty()
        && !name.starts_with('/')
        && !name.contains('\\')
        && !name.contains('\0')
        && !name.contains(':')
        && name.split('/').all(|part| part != "..")
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;
    use zip::write::SimpleFileOptions;

    fn zip_of(dir: &Path, entries: &[(&str, &[u8])]) -> std::path::PathBuf {
        let path = dir.join("upload.zip");
        let file = std::fs::File::create(&path).expect("create zip");
        let mut w = zip::ZipWriter::new(file);
        for (name, data) in entries {
            w.start_file(*name, SimpleFileOptions::default())
                .expect("entry");
            w.write_all(data).expect("write entry");
        }
        w.finish().expect("finish zip");
        path
    }

    fn zip_error(entries: &[(&str, &[u8])], max: u64) -> String {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = zip_of(dir.path(), entries);
        check_zip(&path, max).expect_err("bad zip").to_string()
    }

    #[test]
    fn formats_by_name_and_signature() {
        assert_eq!(
            UploadFormat::from_file_name("Banjir Q100.GeoJSON"),
            Some(UploadFormat::Geojson)
        );
        assert_eq!(
            UploadFormat::from_file_name("x.zip"),
            Some(UploadFormat::ZippedShapefile)
        );
        assert_eq!(UploadFormat::from_file_name("x.kml"), None);
        assert_eq!(
            UploadFormat::sniff(b"PK\x03\x04rest"),
            Some(UploadFormat::ZippedShapefile)
        );
        assert_eq!(
            UploadFormat::sniff(b"SQLite format 3\0..."),
            Some(UploadFormat::Geopackage)
        );
        assert_eq!(
            UploadFormat::sniff(b"\xEF\xBB\xBF \n{\"type\""),
            Some(UploadFormat::Geojson)
        );
        assert_eq!(UploadFormat::sniff(b"id,lon,lat"), None);
        for f in UploadFormat::ALL {
            assert_eq!(UploadFormat::parse(f.as_str()), Some(f));
        }
    }

    #[test]
    fn zip_entries_leaving_the_archive_are_refused() {
        for name in ["../x.shp", "a/../../x.shp", "/etc/x.shp", "C:\\x.shp"] {
            let e = zip_error(&[(name, b"x"), ("x.dbf", b""), ("x.shx", b"")], 1 << 20);
            assert!(e.contains("outside the archive"), "{name}: {e}");
        }
    }

    #[test]
    fn zip_without_shp_or_companions_or_too_big_is_refused() {
        let e = zip_error(&[("readme.txt", b"hello")], 1 << 20);
        assert!(
            e.contains("no Shapefile") && e.contains("readme.txt"),
            "{e}"
        );
        let e = zip_error(&[("__MACOSX/._a.shp", b""), ("a.dbf", b"")], 1 << 20);
        assert!(e.contains("no Shapefile"), "{e}");
        let e = zip_error(&[("a.shp", b""), ("a.shx", b"")], 1 << 20);
        assert!(e.contains("missing .dbf") && e.contains("a.shp"), "{e}");
        let e = zip_error(&[("d/A.SHP", b""), ("d/a.dbf", b"")], 1 << 20);
        assert!(e.contains("missing .shx"), "{e}");
        let big = vec![0u8; 4096];
        let e = zip_error(&[("a.shp", &big), ("a.dbf", b""), ("a.shx", b"")], 1000);
        assert!(e.contains("over the limit of 1000"), "{e}");
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("not.zip");
        std::fs::write(&path, b"PK but not really").expect("write");
        let e = check_zip(&path, 1 << 20)
            .expect_err("not a zip")
            .to_string();
        assert!(e.contains("not a valid zip"), "{e}");
    }

    #[test]
    fn a_complete_zip_passes_and_the_extension_must_match() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = zip_of(
            dir.path(),
            &[("d/a.shp", b""), ("d/a.dbf", b""), ("d/a.shx", b"")],
        );
        assert!(check_zip(&path, 1 << 20).is_ok());
        let opts = ReadOptions::new("a", crate::layer::Role::Context);
        let e = read_upload(&path, UploadFormat::Csv, &opts, 1 << 20).expect_err("ext");
        assert!(matches!(e, Error::UnsupportedFormat { .. }), "{e}");
    }

    #[test]
    fn names_are_checked() {
        for ok in ["a", "banjir_q100", "z9", &"a".repeat(63)] {
            assert!(check_layer_name(ok).is_ok(), "{ok}");
        }
        for bad in [
            "",
            "9a",
            "_a",
            "A",
            "a-b",
            "a.b",
            "../x",
            "a/b",
            "a b",
            &"a".repeat(64),
        ] {
            let e = check_layer_name(bad).expect_err("a bad name");
            assert!(
                matches!(
                    e,
                    UploadError::Refused {
                        refusal: Refusal::InvalidLayerName,
                        ..
                    }
                ),
                "{bad}: {e:?}"
            );
            assert!(e.to_string().starts_with("name:"), "{bad}: {e}");
        }
    }

    fn parts(kv: &[(&str, &str)]) -> BTreeMap<String, String> {
        kv.iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn spec_defaults_and_refusals() -> std::result::Result<(), UploadError> {
        let s = upload_spec(&parts(&[("name", "pos")]), UploadFormat::Csv)?;
        assert_eq!(
            (
                s.role.as_str(),
                s.x.as_deref(),
                s.y.as_deref(),
                s.crs.as_deref()
            ),
            ("context", Some("lon"), Some("lat"), Some("EPSG:4326"))
        );
        let s = upload_spec(
            &parts(&[("name", "t"), ("role", "table")]),
            UploadFormat::Csv,
        )?;
        assert_eq!((s.x, s.crs), (None, None));
        let s = upload_spec(
            &parts(&[("name", "f"), ("role", "facilities"), ("id_field", "kode")]),
            UploadFormat::Geojson,
        )?;
        assert_eq!(
            (s.role.as_str(), s.id.as_deref()),
            ("facilities", Some("kode"))
        );
        for (kv, fmt, want) in [
            (
                vec![("role", "zones")],
                UploadFormat::Geojson,
                "part 'name'",
            ),
            (
                vec![("name", "a"), ("role", "points")],
                UploadFormat::Geojson,
                "role:",
            ),
            (
                vec![("name", "a"), ("role", "raster")],
                UploadFormat::Geojson,
                "role:",
            ),
            (
                vec![("name", "a"), ("x", "lon")],
                UploadFormat::Geojson,
                "'x' is for CSV",
            ),
            (
                vec![("name", "a"), ("x", "bujur")],
                UploadFormat::Csv,
                "'y' is missing",
            ),
            (
                vec![("name", "a"), ("layer", "b")],
                UploadFormat::Csv,
                "'layer'",
            ),
            (
                vec![("name", "a"), ("crs", "EPSG:nope")],
                UploadFormat::Csv,
                "crs:",
            ),
            (
                vec![("name", "a"), ("source_date", "kemarin")],
                UploadFormat::Csv,
                "source_date:",
            ),
        ] {
            let e = upload_spec(&parts(&kv), fmt)
                .err()
                .map(|e| e.to_string())
                .unwrap_or_default();
            assert!(e.contains(want), "{kv:?}: {e}");
        }
        Ok(())
    }

    /// The refusal of reading `geojson` as layer `spec` and admitting it near `area`.
    fn refusal(
        geojson: &str,
        spec: &[(&str, &str)],
        area: Option<Rect>,
    ) -> Option<(Refusal, String)> {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join(".upload-1.geojson");
        std::fs::write(&path, geojson).expect("write");
        let mut kv = vec![("name", "uji")];
        kv.extend_from_slice(spec);
        let spec = upload_spec(&parts(&kv), UploadFormat::Geojson).expect("spec");
        let project = Project::from_layers("uji", Crs::Epsg(32651), Vec::new()).expect("project");
        let outcome = read_uploaded_layer(
            &path,
            "pos.geojson",
            UploadFormat::Geojson,
            &spec,
            &project.crs,
            u64::MAX,
        )
        .and_then(|u| admit_layer(&project, area, &u, "pos.geojson"));
        match outcome {
            Err(UploadError::Refused { refusal, detail }) => Some((refusal, detail)),
            Err(UploadError::Content { error, detail }) => {
                assert!(!detail.contains(".upload-"), "{detail}");
                Some((
                    Refusal::InvalidUpload,
                    format!("{}: {detail}", error.kind()),
                ))
            }
            Ok(_) => None,
        }
    }

    fn points(coords: &[(f64, f64)], props: &str) -> String {
        let features: Vec<String> = coords
            .iter()
            .map(|(x, y)| {
                format!(
                    r#"{{"type": "Feature", "properties": {props}, "geometry": {{"type": "Point", "coordinates": [{x}, {y}]}}}}"#
                )
            })
            .collect();
        format!(
            r#"{{"type": "FeatureCollection", "features": [{}]}}"#,
            features.join(", ")
        )
    }

    #[test]
    fn uploads_are_refused_by_the_check_that_fails() {
        let manado = Some(Rect::new(
            geo::coord! { x: 124.8, y: 1.4 },
            geo::coord! { x: 124.9, y: 1.5 },
        ));
        let posts = points(&[(124.85, 1.45), (124.86, 1.46)], r#"{"kapasitas": 5}"#);
        assert_eq!(refusal(&posts, &[], manado), None);
        let near = refusal(
            &posts,
            &[("role", "facilities"), ("capacity", "kapasitas")],
            manado,
        );
        assert_eq!(near, None);
        for (geojson, spec, area, want, words) in [
            (
                points(&[(705_000.0, 163_000.0)], "{}"),
                vec![],
                manado,
                Refusal::InvalidCoordinates,
                "has coordinate (705000, 163000)",
            ),
            (
                points(&[(106.82, -6.18)], "{}"),
                vec![],
                manado,
                Refusal::OutsideProjectArea,
                "project's area",
            ),
            (
                points(&[(124.85, 1.45)], "{}"),
                vec![("id_field", "nomor")],
                manado,
                Refusal::UnknownField,
                "'nomor'",
            ),
            (
                posts.clone(),
                vec![("role", "facilities"), ("kind", "tipe")],
                None,
                Refusal::UnknownField,
                "kind: pos.geojson has no field 'tipe'",
            ),
            (
                points(&[(124.85, 1.45)], r#"{"kapasitas": "besar"}"#),
                vec![("role", "facilities"), ("capacity", "kapasitas")],
                None,
                Refusal::FieldType,
                "must be numeric",
            ),
            (
                points(&[(124.85, 1.45), (124.86, 1.46)], r#"{"kode": "A"}"#),
                vec![("id_field", "kode")],
                None,
                Refusal::Integrity,
                "integrity check",
            ),
            (
                points(&[], "{}"),
                vec![],
                None,
                Refusal::EmptyLayer,
                "no features",
            ),
            (
                String::new(),
                vec![],
                None,
                Refusal::EmptyLayer,
                "'pos.geojson' is empty",
            ),
            (
                r#"{"type": "FeatureCollection", "features": ["#.to_string(),
                vec![],
                None,
                Refusal::InvalidUpload,
                "parse: pos.geojson",
            ),
        ] {
            let got = refusal(&geojson, &spec, area);
            assert!(
                got.as_ref()
                    .is_some_and(|(r, d)| *r == want && d.contains(words)),
                "{spec:?} {want:?}: {got:?}"
            );
        }
    }
}
