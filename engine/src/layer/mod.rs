//! Layers: named features (geometry + typed attribute columns) with a role, and the
//! [`LayerSet`] of one project. Layers are immutable once built and shared by `Arc`,
//! so scenarios and the server can hold them without copying.

mod builder;
mod column;
mod raster;

pub use builder::LayerBuilder;
pub use column::{Column, ColumnData, FieldType, Value};
pub use raster::Raster;

use crate::crs::Crs;
use crate::error::{Error, Result};
use geo::{BoundingRect, Geometry, Rect};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::{Arc, OnceLock};

/// What a layer is for; decides which geometries it may hold and how analyses use it.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(as = LayerRole))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// Polygons results are reported on (kelurahan, kecamatan).
    Zones,
    /// No geometry: a statistics sheet or an origin–destination table, joined by a key.
    Table,
    /// Points with a kind and optional capacity (puskesmas, schools).
    Facilities,
    /// Polygons with optional level / return period / depth (flood zones).
    Hazard,
    /// Points or polygons carrying people or households.
    Demand,
    /// Road lines.
    Network,
    /// Points with time and category (citizen complaints).
    Events,
    /// Grids (population, elevation, flood depth).
    Raster,
    /// Map-only reference geometry (coastline, river): drawn, never analysed.
    Context,
}

impl Role {
    /// All roles, in documentation order.
    pub const ALL: [Role; 9] = [
        Role::Zones,
        Role::Table,
        Role::Facilities,
        Role::Hazard,
        Role::Demand,
        Role::Network,
        Role::Events,
        Role::Raster,
        Role::Context,
    ];

    /// The role's name as written in `tepat.toml`.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Zones => "zones",
            Role::Table => "table",
            Role::Facilities => "facilities",
            Role::Hazard => "hazard",
            Role::Demand => "demand",
            Role::Network => "network",
            Role::Events => "events",
            Role::Raster => "raster",
            Role::Context => "context",
        }
    }

    /// Whether this role accepts a geometry of `kind` (null geometries are always accepted
    /// here and reported by `check`).
    pub fn accepts(self, kind: GeomKind) -> bool {
        use GeomKind::*;
        match self {
            Role::Zones | Role::Hazard => matches!(kind, Polygon),
            Role::Facilities | Role::Events => matches!(kind, Point),
            Role::Demand => matches!(kind, Point | Polygon),
            Role::Network => matches!(kind, Line),
            Role::Table => false,
            Role::Raster => false,
            Role::Context => !matches!(kind, Collection),
        }
    }
}

impl std::str::FromStr for Role {
    type Err = String;
    fn from_str(s: &str) -> std::result::Result<Self, Self::Err> {
        Role::ALL
            .into_iter()
            .find(|r| r.as_str() == s)
            .ok_or_else(|| {
                format!(
                    "unknown role '{s}' (roles: {})",
                    Role::ALL.map(|r| r.as_str()).join(", ")
                )
            })
    }
}

/// The dimension class of a geometry (multi and single parts are the same kind).
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(as = GeometryKind))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum GeomKind {
    /// Point or MultiPoint.
    Point,
    /// LineString, MultiLineString, Line.
    Line,
    /// Polygon, MultiPolygon, Rect, Triangle.
    Polygon,
    /// A GeometryCollection.
    Collection,
}

impl GeomKind {
    /// The kind of a geometry.
    pub fn of(g: &Geometry) -> GeomKind {
        match g {
            Geometry::Point(_) | Geometry::MultiPoint(_) => GeomKind::Point,
            Geometry::Line(_) | Geometry::LineString(_) | Geometry::MultiLineString(_) => {
                GeomKind::Line
            }
            Geometry::Polygon(_)
            | Geometry::MultiPolygon(_)
            | Geometry::Rect(_)
            | Geometry::Triangle(_) => GeomKind::Polygon,
            Geometry::GeometryCollection(_) => GeomKind::Collection,
        }
    }
}

/// A layer: features with ids, optional geometries and typed columns.
#[derive(Debug)]
pub struct Layer {
    /// Name in the project.
    pub name: String,
    /// Role in the project.
    pub role: Role,
    /// CRS of the geometries (the project's working CRS once loaded).
    pub crs: Option<Crs>,
    /// Feature ids: the id field's values, or `1..=n` when the layer has no id field.
    pub ids: Vec<String>,
    /// One geometry per feature; `None` for null geometry (always `None` for tables).
    pub geometries: Vec<Option<Geometry>>,
    /// Attribute columns, each with one value per feature.
    pub columns: Vec<Column>,
    /// Field the ids came from, if any.
    pub id_field: Option<String>,
    /// File the layer was read from, if any.
    pub source: Option<PathBuf>,
    /// What readers had to repair or could not represent, per feature (e.g. an unclosed
    /// ring that was closed); the integrity check reports these as invalid geometry.
    pub notes: Vec<FeatureNote>,
    hash: OnceLock<String>,
}

/// A reader's remark about one feature.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FeatureNote {
    /// Feature index.
    pub feature: usize,
    /// Kind of problem, e.g. `unclosed-ring`.
    pub kind: String,
    /// Human-readable detail.
    pub message: String,
}

impl Clone for Layer {
    fn clone(&self) -> Self {
        Layer {
            name: self.name.clone(),
            role: self.role,
            crs: self.crs.clone(),
            ids: self.ids.clone(),
            geometries: self.geometries.clone(),
            columns: self.columns.clone(),
            id_field: self.id_field.clone(),
            source: self.source.clone(),
            notes: self.notes.clone(),
            hash: OnceLock::new(),
        }
    }
}

impl Layer {
    /// Builds a layer from parts. Ids default to `1..=n`; lengths must agree.
    pub fn new(
        name: impl Into<String>,
        role: Role,
        crs: Option<Crs>,
        geometries: Vec<Option<Geometry>>,
        columns: Vec<Column>,
    ) -> Result<Layer> {
        let name = name.into();
        let n = geometries.len();
        if let Some(c) = columns.iter().find(|c| c.len() != n) {
            return Err(Error::Geometry {
                layer: name,
                feature: None,
                message: format!(
                    "column '{}' has {} values for {} features",
                    c.name,
                    c.len(),
                    n
                ),
            });
        }
        Ok(Layer {
            name,
            role,
            crs,
            ids: (1..=n).map(|i| i.to_string()).collect(),
            geometries,
            columns,
            id_field: None,
            source: None,
            notes: Vec::new(),
            hash: OnceLock::new(),
        })
    }

    /// Number of features.
    pub fn len(&self) -> usize {
        self.geometries.len()
    }

    /// True when the layer has no features.
    pub fn is_empty(&self) -> bool {
        self.geometries.is_empty()
    }

    /// The column called `name`, or an error naming the layer and its fields.
    pub fn column(&self, name: &str) -> Result<&Column> {
        self.columns
            .iter()
            .find(|c| c.name == name)
            .ok_or_else(|| Error::UnknownField {
                layer: self.name.clone(),
                field: name.to_string(),
                available: self.field_names(),
            })
    }

    /// The column called `name`, which must be numeric.
    pub fn numeric_column(&self, name: &str) -> Result<&Column> {
        let c = self.column(name)?;
        if c.is_numeric() {
            Ok(c)
        } else {
            Err(Error::FieldType {
                layer: self.name.clone(),
                field: name.to_string(),
                message: format!("expected a number, found {:?} values", c.field_type()),
            })
        }
    }

    /// Names of the attribute columns, in file order.
    pub fn field_names(&self) -> Vec<String> {
        self.columns.iter().map(|c| c.name.clone()).collect()
    }

    /// Uses the values of `field` as feature ids. Null ids are an error; duplicates are
    /// kept (the integrity check reports them).
    pub fn set_id_field(&mut self, field: &str) -> Result<()> {
        let col = self.column(field)?;
        let mut ids = Vec::with_capacity(self.len());
        for i in 0..self.len() {
            match col.get(i).as_key() {
                Some(k) => ids.push(k),
                None => {
                    return Err(Error::Geometry {
                        layer: self.name.clone(),
                        feature: Some(i.to_string()),
                        message: format!("id field '{field}' is null"),
                    })
                }
            }
        }
        self.ids = ids;
        self.id_field = Some(field.to_string());
        self.hash = OnceLock::new();
        Ok(())
    }

    /// Rejects geometries the role forbids, naming the first offending feature.
    pub fn check_role_geometries(&self) -> Result<()> {
        if self.role == Role::Table {
            return Ok(());
        }
        for (i, g) in self.geometries.iter().enumerate() {
            if let Some(g) = g {
                let kind = GeomKind::of(g);
                if !self.role.accepts(kind) {
                    return Err(Error::Geometry {
                        layer: self.name.clone(),
                        feature: Some(self.ids[i].clone()),
                        message: format!(
                            "a {} layer cannot hold {kind:?} geometry",
                            self.role.as_str()
                        ),
                    });
                }
            }
        }
        Ok(())
    }

    /// Bounding box of all non-null geometries.
    pub fn bbox(&self) -> Option<Rect> {
        let mut acc: Option<Rect> = None;
        for r in self
            .geometries
            .iter()
            .flatten()
            .filter_map(|g| g.bounding_rect())
        {
            acc = Some(match acc {
                None => r,
                Some(a) => Rect::new(
                    geo::coord! { x: a.min().x.min(r.min().x), y: a.min().y.min(r.min().y) },
                    geo::coord! { x: a.max().x.max(r.max().x), y: a.max().y.max(r.max().y) },
                ),
            });
        }
        acc
    }

    /// The attributes of feature `i` as a JSON object (field order as in the file).
    pub fn properties(&self, i: usize) -> serde_json::Map<String, serde_json::Value> {
        self.columns
            .iter()
            .map(|c| (c.name.clone(), c.get(i).to_json()))
            .collect()
    }

    /// SHA-256 of the layer's ids, geometries and attributes, hex encoded; recorded in
    /// every result's `meta` so a result can be traced to the data it was computed from.
    pub fn content_hash(&self) -> &str {
        self.hash.get_or_init(|| {
            let mut h = Sha256::new();
            for (i, id) in self.ids.iter().enumerate() {
                h.update(id.as_bytes());
                h.update([0]);
                if let Some(g) = &self.geometries[i] {
                    hash_geometry(&mut h, g);
                }
                h.update([1]);
            }
            for c in &self.columns {
                h.update(c.name.as_bytes());
                for i in 0..c.len() {
                    h.update(format!("{:?}", c.get(i)).as_bytes());
                }
            }
            hex::encode(h.finalize())
        })
    }
}

fn hash_geometry(h: &mut Sha256, g: &Geometry) {
    use geo::CoordsIter;
    for c in g.coords_iter() {
        h.update(c.x.to_le_bytes());
        h.update(c.y.to_le_bytes());
    }
}

/// The layers of one project, by name, all in the working CRS.
#[derive(Debug, Clone, Default)]
pub struct LayerSet {
    layers: BTreeMap<String, Arc<Layer>>,
    rasters: BTreeMap<String, Arc<Raster>>,
}

impl LayerSet {
    /// An empty set.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds or replaces a vector layer.
    pub fn insert(&mut self, layer: Layer) {
        self.layers.insert(layer.name.clone(), Arc::new(layer));
    }

    /// Adds or replaces a vector layer that is already shared, without copying it (the
    /// server publishing an uploaded layer beside the ones it keeps).
    pub fn insert_shared(&mut self, layer: Arc<Layer>) {
        self.layers.insert(layer.name.clone(), layer);
    }

    /// Removes the vector or raster layer called `name`; true when there was one.
    pub fn remove(&mut self, name: &str) -> bool {
        self.layers.remove(name).is_some() || self.rasters.remove(name).is_some()
    }

    /// Adds or replaces a raster layer.
    pub fn insert_raster(&mut self, name: impl Into<String>, raster: Raster) {
        self.rasters.insert(name.into(), Arc::new(raster));
    }

    /// The vector layer called `name`, or an error listing the layers.
    pub fn get(&self, name: &str) -> Result<&Arc<Layer>> {
        self.layers.get(name).ok_or_else(|| Error::UnknownLayer {
            name: name.to_string(),
            available: self.names(),
        })
    }

    /// The raster called `name`.
    pub fn raster(&self, name: &str) -> Result<&Arc<Raster>> {
        self.rasters.get(name).ok_or_else(|| Error::UnknownLayer {
            name: name.to_string(),
            available: self.rasters.keys().cloned().collect(),
        })
    }

    /// Names of all vector and raster layers, sorted.
    pub fn names(&self) -> Vec<String> {
        let mut v: Vec<String> = self
            .layers
            .keys()
            .chain(self.rasters.keys())
            .cloned()
            .collect();
        v.sort();
        v
    }

    /// The vector layers, sorted by name.
    pub fn layers(&self) -> impl Iterator<Item = &Arc<Layer>> {
        self.layers.values()
    }

    /// The rasters, sorted by name.
    pub fn rasters(&self) -> impl Iterator<Item = (&String, &Arc<Raster>)> {
        self.rasters.iter()
    }

    /// The vector layers with `role`, sorted by name.
    pub fn with_role(&self, role: Role) -> impl Iterator<Item = &Arc<Layer>> {
        self.layers.values().filter(move |l| l.role == role)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use geo::{point, polygon};

    #[test]
    fn role_geometry_rules() {
        let pts = vec![Some(Geometry::Point(point!(x: 1.0, y: 2.0)))];
        let l = Layer::new("z", Role::Zones, None, pts, vec![]).expect("layer");
        let e = l.check_role_geometries().expect_err("zones reject points");
        assert!(e.to_string().contains("layer 'z' feature 1"), "{e}");
        let poly = polygon![(x: 0.0, y: 0.0), (x: 1.0, y: 0.0), (x: 1.0, y: 1.0)];
        let l = Layer::new(
            "d",
            Role::Demand,
            None,
            vec![Some(poly.into()), None],
            vec![],
        )
        .expect("layer");
        assert!(l.check_role_geometries().is_ok());
    }

    #[test]
    fn ids_from_field_and_hash_changes() {
        let col = Column::from_values("kode", vec![Value::Text("a".into()), Value::Int(7)]);
        let mut l = Layer::new("t", Role::Table, None, vec![None, None], vec![col]).expect("l");
        let h1 = l.content_hash().to_string();
        l.set_id_field("kode").expect("id");
        assert_eq!(l.ids, vec!["a", "7"]);
        assert_ne!(h1, l.content_hash());
        assert!(matches!(l.column("nope"), Err(Error::UnknownField { .. })));
    }

    #[test]
    fn shared_layers_insert_without_copying_and_remove() {
        let mut set = LayerSet::new();
        let l = Arc::new(Layer::new("a", Role::Table, None, vec![None], vec![]).expect("l"));
        set.insert_shared(Arc::clone(&l));
        assert!(Arc::ptr_eq(set.get("a").expect("a"), &l));
        assert!(set.remove("a"));
        assert!(!set.remove("a"));
        assert!(set.get("a").is_err());
    }

    #[test]
    fn mismatched_column_length_is_an_error() {
        let col = Column::from_values("a", vec![Value::Int(1)]);
        assert!(Layer::new("x", Role::Table, None, vec![None, None], vec![col]).is_err());
    }
}
