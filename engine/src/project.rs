//! The project: one city's `tepat.toml` (working CRS + layers), loaded into a [`LayerSet`]
//! with every layer reprojected into the working CRS.
//!
//! ```toml
//! name = "Kota Demo"
//! crs = "EPSG:32651"
//! [[layers]]
//! name = "kelurahan"
//! role = "zones"
//! path = "kelurahan.geojson"
//! id = "kode"
//! ```

use crate::crs::{Crs, Transformer};
use crate::error::{Error, Result};
use crate::io::{self, ReadOptions};
use crate::layer::{Layer, LayerSet, Role};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

/// The project file as written.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProjectFile {
    /// Display name of the city.
    pub name: String,
    /// Working CRS (metric); when absent the UTM zone of the data's centre is chosen.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub crs: Option<String>,
    /// The layers.
    #[serde(default)]
    pub layers: Vec<LayerSpec>,
}

/// One `[[layers]]` entry.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LayerSpec {
    /// Unique name in the project.
    pub name: String,
    /// Role: zones, table, facilities, hazard, demand, network, events, raster.
    pub role: String,
    /// File, relative to the project file.
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub path: PathBuf,
    /// Unique id field (feature ids are `1..=n` without it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// CRS of the file when the file does not say (CSV), or to override it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub crs: Option<String>,
    /// Source layer inside a multi-layer file (GeoPackage).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub layer: Option<String>,
    /// CSV: x / longitude column.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub x: Option<String>,
    /// CSV: y / latitude column.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub y: Option<String>,
    /// CSV: WKT geometry column.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub wkt: Option<String>,
    /// Facilities: field holding the facility kind.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    /// Facilities: field holding the capacity.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub capacity: Option<String>,
    /// Zones / demand: field holding the population count.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub population: Option<String>,
    /// Hazard: field holding the class or level (e.g. return period, depth class).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub level: Option<String>,
    /// Events: field holding the timestamp.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub time: Option<String>,
    /// Events: field holding the category.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub category: Option<String>,
    /// Zones: the coarser zone layer these nest in (kelurahan → kecamatan).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parent: Option<String>,
    /// Zones: field holding the parent zone's id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parent_key: Option<String>,
    /// Tables: the layer whose ids this table's `key` matches.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub join_to: Option<String>,
    /// Tables: field matching `join_to`'s ids.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key: Option<String>,
    /// Where the data comes from, for reports and the leader's brief: the agency and
    /// publication, e.g. "BPS Kota Manado, Kecamatan Wenang Dalam Angka 2024".
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    /// When the data was published or describes: `YYYY`, `YYYY-MM` or `YYYY-MM-DD`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source_date: Option<String>,
}

impl LayerSpec {
    /// The attribute fields this entry names, with the key they were named by.
    pub fn named_fields(&self) -> Vec<(&'static str, &str)> {
        [
            ("id", &self.id),
            ("kind", &self.kind),
            ("capacity", &self.capacity),
            ("population", &self.population),
            ("level", &self.level),
            ("time", &self.time),
            ("category", &self.category),
            ("parent_key", &self.parent_key),
            ("key", &self.key),
        ]
        .into_iter()
        .filter_map(|(k, v)| v.as_deref().map(|v| (k, v)))
        .collect()
    }

    /// The parsed role.
    pub fn role(&self) -> std::result::Result<Role, String> {
        self.role.parse()
    }
}

/// A loaded project: layers in the working CRS plus what the loader decided.
#[derive(Debug, Clone)]
pub struct Project {
    /// Display name.
    pub name: String,
    /// Working CRS (metric).
    pub crs: Crs,
    /// The layers, in the working CRS.
    pub layers: LayerSet,
    /// The layer entries as written (roles, key fields, hierarchy).
    pub specs: Vec<LayerSpec>,
    /// The project file, when loaded from disk.
    pub path: Option<PathBuf>,
    /// Decisions the loader made that the user should know (e.g. the chosen UTM zone).
    pub notes: Vec<String>,
}

impl Project {
    /// Reads and validates a project file, loads every layer and reprojects it.
    pub fn load(path: &Path) -> Result<Project> {
        let text = std::fs::read_to_string(path).map_err(|e| Error::io(path, e))?;
        let file: ProjectFile = toml::from_str(&text).map_err(|e| Error::Project {
            path: path.to_path_buf(),
            layer: None,
            field: None,
            message: e.to_string(),
        })?;
        let base = path.parent().unwrap_or(Path::new("."));
        let project_err =
            |layer: Option<&str>, field: Option<&str>, message: String| Error::Project {
                path: path.to_path_buf(),
                layer: layer.map(str::to_string),
                field: field.map(str::to_string),
                message,
            };
        validate_specs(&file.layers)
            .map_err(|(l, f, m)| project_err(l.as_deref(), f.as_deref(), m))?;
        let working = match &file.crs {
            Some(c) => {
                Some(Crs::parse(c).map_err(|e| project_err(None, Some("crs"), e.to_string()))?)
            }
            None => None,
        };
        if let Some(w) = &working {
            if w.is_geographic() {
                return Err(project_err(
                    None,
                    Some("crs"),
                    format!("working CRS {w} is geographic (degrees); use a metric CRS such as the UTM zone of the city"),
                ));
            }
        }
        // Read every layer in its own CRS first (in parallel: reading dominates load time).
        let loaded: Vec<Result<Loaded>> = file
            .layers
            .par_iter()
            .map(|spec| read_layer(path, base, spec))
            .collect();
        let loaded: Vec<Loaded> = loaded.into_iter().collect::<Result<_>>()?;
        let mut notes = Vec::new();
        let crs = match working {
            Some(c) => c,
            None => {
                let c = choose_utm(&loaded).ok_or_else(|| {
                    project_err(
                        None,
                        Some("crs"),
                        "no working CRS given and no layer with geometry to choose one from".into(),
                    )
                })?;
                notes.push(format!(
                    "no working CRS in the project file; chose {c} (the UTM zone of the data's centre)"
                ));
                c
            }
        };
        let mut layers = LayerSet::new();
        for item in loaded {
            match item {
                Loaded::Vector(mut layer) => {
                    reproject(&mut layer, &crs)?;
                    layers.insert(layer);
                }
                Loaded::Raster(name, raster) => {
                    if let Some(rc) = &raster.crs {
                        if rc != &crs {
                            return Err(project_err(
                                Some(&name),
                                Some("crs"),
                                format!("raster is in {rc}, not the working CRS {crs}; warp it first (gdalwarp -t_srs {crs})"),
                            ));
                        }
                    }
                    layers.insert_raster(name, raster);
                }
            }
        }
        let project = Project {
            name: file.name,
            crs,
            layers,
            specs: file.layers,
            path: Some(path.to_path_buf()),
            notes,
        };
        project.validate_references()?;
        Ok(project)
    }

    /// A project from layers already in memory and in `crs` (the demo city, uploads).
    pub fn from_layers(name: &str, crs: Crs, items: Vec<(LayerSpec, Layer)>) -> Result<Project> {
        let mut layers = LayerSet::new();
        let mut specs = Vec::new();
        for (spec, mut layer) in items {
            reproject(&mut layer, &crs)?;
            layer.check_role_geometries()?;
            layers.insert(layer);
            specs.push(spec);
        }
        let project = Project {
            name: name.to_string(),
            crs,
            layers,
            specs,
            path: None,
            notes: Vec::new(),
        };
        project.validate_references()?;
        Ok(project)
    }

    /// The entry for layer `name`.
    pub fn spec(&self, name: &str) -> Option<&LayerSpec> {
        self.specs.iter().find(|s| s.name == name)
    }

    /// Every field named in the file exists in its layer; `parent` / `join_to` name layers.
    fn validate_references(&self) -> Result<()> {
        let path = self
            .path
            .clone()
            .unwrap_or_else(|| PathBuf::from("<memory>"));
        for spec in &self.specs {
            let err = |field: &str, message: String| Error::Project {
                path: path.clone(),
                layer: Some(spec.name.clone()),
                field: Some(field.to_string()),
                message,
            };
            let Ok(layer) = self.layers.get(&spec.name) else {
                continue; // rasters
            };
            for (key, field) in spec.named_fields() {
                if layer.column(field).is_err() {
                    return Err(err(
                        field,
                        format!(
                            "`{key} = \"{field}\"`: the layer has no such field (fields: {})",
                            layer.field_names().join(", ")
                        ),
                    ));
                }
            }
            if let Some(cap) = &spec.capacity {
                if layer.numeric_column(cap).is_err() {
                    return Err(err(cap, "capacity must be a numeric field".into()));
                }
            }
            if let Some(pop) = &spec.population {
                if layer.numeric_column(pop).is_err() {
                    return Err(err(pop, "population must be a numeric field".into()));
                }
            }
            for (key, target) in [("parent", &spec.parent), ("join_to", &spec.join_to)] {
                if let Some(t) = target {
                    if self.layers.get(t).is_err() {
                        return Err(err(
                            key,
                            format!("`{key} = \"{t}\"` names no layer of this project"),
                        ));
                    }
                }
            }
        }
        Ok(())
    }
}

enum Loaded {
    Vector(Layer),
    Raster(String, crate::layer::Raster),
}

type SpecError = (Option<String>, Option<String>, String);

fn validate_specs(specs: &[LayerSpec]) -> std::result::Result<(), SpecError> {
    let mut seen = BTreeSet::new();
    for s in specs {
        let l = Some(s.name.clone());
        if s.name.trim().is_empty() {
            return Err((
                None,
                Some("name".into()),
                "a layer has an empty name".into(),
            ));
        }
        if !seen.insert(s.name.clone()) {
            return Err((l, Some("name".into()), "layer name used twice".into()));
        }
        let role = s.role().map_err(|m| (l.clone(), Some("role".into()), m))?;
        let is_csv = matches!(io::extension(&s.path).as_str(), "csv" | "tsv" | "txt");
        if is_csv && role != Role::Table && s.wkt.is_none() && (s.x.is_none() || s.y.is_none()) {
            return Err((
                l,
                Some("x".into()),
                "a CSV layer with geometry needs `x` and `y` (or `wkt`) columns".into(),
            ));
        }
        if s.x.is_some() != s.y.is_some() {
            return Err((
                l,
                Some(if s.x.is_some() { "y" } else { "x" }.into()),
                "`x` and `y` must be given together".into(),
            ));
        }
        if s.parent.is_some() != s.parent_key.is_some() {
            return Err((
                l,
                Some("parent_key".into()),
                "`parent` and `parent_key` must be given together".into(),
            ));
        }
        if let Some(d) = &s.source_date {
            check_date(d).map_err(|m| (l.clone(), Some("source_date".into()), m))?;
        }
        if s.join_to.is_some() && s.key.is_none() {
            return Err((
                l,
                Some("key".into()),
                "`join_to` needs `key`, the field holding the joined layer's ids".into(),
            ));
        }
    }
    Ok(())
}

/// A source date as a report can print it: `YYYY`, `YYYY-MM` or `YYYY-MM-DD`, a real
/// calendar day (a free-text date such as "2024/25" cannot be sorted or compared).
pub fn check_date(d: &str) -> std::result::Result<(), String> {
    let bad = || {
        format!("'{d}' is not a date: write YYYY, YYYY-MM or YYYY-MM-DD (e.g. 2024 or 2024-06-30)")
    };
    let parts: Vec<&str> = d.split('-').collect();
    let widths = [4, 2, 2];
    if parts.len() > 3
        || parts
            .iter()
            .zip(widths)
            .any(|(p, w)| p.len() != w || !p.bytes().all(|b| b.is_ascii_digit()))
    {
        return Err(bad());
    }
    let num = |k: usize| parts.get(k).and_then(|p| p.parse::<u32>().ok());
    let year = num(0).ok_or_else(bad)?;
    if let Some(month) = num(1) {
        if !(1..=12).contains(&month) {
            return Err(bad());
        }
        if let Some(day) = num(2) {
            let leap =
                (year.is_multiple_of(4) && !year.is_multiple_of(100)) || year.is_multiple_of(400);
            let days = match month {
                2 if leap => 29,
                2 => 28,
                4 | 6 | 9 | 11 => 30,
                _ => 31,
            };
            if !(1..=days).contains(&day) {
                return Err(bad());
            }
        }
    }
    Ok(())
}

fn read_layer(project_path: &Path, base: &Path, spec: &LayerSpec) -> Result<Loaded> {
    let err = |field: &str, message: String| Error::Project {
        path: project_path.to_path_buf(),
        layer: Some(spec.name.clone()),
        field: Some(field.to_string()),
        message,
    };
    let role = spec.role().map_err(|m| err("role", m))?;
    let file = base.join(&spec.path);
    let crs = match &spec.crs {
        Some(c) => Some(Crs::parse(c).map_err(|e| err("crs", e.to_string()))?),
        None => None,
    };
    if role == Role::Raster {
        let mut r = io::read_raster(&file)?;
        if crs.is_some() {
            r.crs = crs;
        }
        return Ok(Loaded::Raster(spec.name.clone(), r));
    }
    let opts = ReadOptions {
        name: spec.name.clone(),
        role,
        x: spec.x.clone(),
        y: spec.y.clone(),
        wkt: spec.wkt.clone(),
        crs: crs.clone(),
        source_layer: spec.layer.clone(),
    };
    let mut layer = io::read_vector(&file, &opts)?;
    layer.name = spec.name.clone();
    layer.role = role;
    if crs.is_some() {
        layer.crs = crs; // an explicit `crs =` overrides what the file says
    }
    if let Some(id) = &spec.id {
        if layer.column(id).is_err() {
            return Err(err(
                id,
                format!(
                    "id field not found in {} (fields: {})",
                    file.display(),
                    layer.field_names().join(", ")
                ),
            ));
        }
        layer.set_id_field(id)?;
    }
    if role != Role::Table && layer.crs.is_none() && layer.geometries.iter().any(Option::is_some) {
        return Err(err("crs", format!("{} does not say its CRS; add `crs = \"EPSG:4326\"` (or the file's CRS) to the layer", file.display())));
    }
    layer.check_role_geometries()?;
    Ok(Loaded::Vector(layer))
}

/// The UTM zone of the centre of all layers' bounding boxes (converted to lon/lat).
fn choose_utm(loaded: &[Loaded]) -> Option<Crs> {
    let (mut sx, mut sy, mut n) = (0.0, 0.0, 0.0);
    for l in loaded {
        let Loaded::Vector(layer) = l else { continue };
        let (Some(b), Some(crs)) = (layer.bbox(), &layer.crs) else {
            continue;
        };
        let t = Transformer::new(crs, &Crs::WGS84).ok()?;
        let c = b.center();
        let (lon, lat) = t.point(c.x, c.y).ok()?;
        sx += lon;
        sy += lat;
        n += 1.0;
    }
    (n > 0.0).then(|| Crs::utm_for(sx / n, sy / n))
}

/// Reprojects a layer's geometries into `crs` (in parallel), naming the feature that fails.
pub fn reproject(layer: &mut Layer, crs: &Crs) -> Result<()> {
    let Some(src) = layer.crs.clone() else {
        layer.crs = Some(crs.clone());
        return Ok(());
    };
    let t = Transformer::new(&src, crs).map_err(|e| Error::Crs {
        context: format!("layer '{}'", layer.name),
        message: e.to_string(),
    })?;
    if let Err((i, e)) = t.geometries(&mut layer.geometries) {
        return Err(Error::Crs {
            context: format!("layer '{}' feature {}", layer.name, layer.ids[i]),
            message: format!("cannot reproject from {src} to {crs}: {e}"),
        });
    }
    layer.crs = Some(crs.clone());
    Ok(())
}
