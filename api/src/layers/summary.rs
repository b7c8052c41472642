//! What the project holds, as JSON: one summary per layer for `GET /layers` (computed once
//! at start-up) and the detail for `GET /layers/{name}`.

use geo::{coord, Rect};
use serde::Serialize;
use tepat_engine::crs::{self, Crs, Transformer};
use tepat_engine::layer::{FieldType, GeomKind, Raster};
use tepat_engine::project::LayerSpec;
use tepat_engine::{Layer, Result, Role};

/// A layer at a glance.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct LayerSummary {
    /// Name in the project.
    pub name: String,
    /// Role in the project.
    pub role: Role,
    /// Kind of the layer's geometries (absent for tables and empty layers).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub geometry: Option<GeomKind>,
    /// Number of features (0 for rasters).
    pub features: usize,
    /// CRS the layer is held in (the project's working CRS).
    pub crs: String,
    /// `[min lon, min lat, max lon, max lat]` in EPSG:4326; null without geometry.
    #[schema(min_items = 4, max_items = 4)]
    pub bbox: Option<[f64; 4]>,
    /// Rasters: `[rows, columns]`.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(min_items = 2, max_items = 2)]
    pub grid: Option<[usize; 2]>,
    /// Attribute fields in file order.
    pub fields: Vec<Field>,
}

/// One attribute field.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Field {
    /// Field name.
    pub name: String,
    /// Its type.
    #[serde(rename = "type")]
    pub field_type: FieldType,
    /// How many features have no value.
    pub nulls: usize,
}

/// A layer with what the project file says about it (`GET /layers/{name}`).
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct LayerDetail<'a> {
    /// The summary.
    #[serde(flatten)]
    #[schema(value_type = LayerSummary)]
    pub summary: &'a LayerSummary,
    /// Field the feature ids come from (ids are `1..=n` without one).
    #[schema(value_type = Option<String>)]
    pub id_field: Option<&'a str>,
    /// The `[[layers]]` entry: key fields (kind, capacity, population…) and hierarchy.
    #[schema(value_type = Option<LayerSpec>)]
    pub spec: Option<&'a LayerSpec>,
}

impl LayerSummary {
    /// Summary of a vector layer held in `working` CRS (used when the layer has none).
    pub fn of_layer(layer: &Layer, working: &Crs) -> Result<LayerSummary> {
        let crs = layer.crs.as_ref().unwrap_or(working);
        Ok(LayerSummary {
            name: layer.name.clone(),
            role: layer.role,
            geometry: layer.geometries.iter().flatten().map(GeomKind::of).next(),
            features: layer.len(),
            crs: crs.to_string(),
            bbox: lon_lat_bbox(layer.bbox(), crs)?,
            grid: None,
            fields: layer
                .columns
                .iter()
                .map(|c| Field {
                    name: c.name.clone(),
                    field_type: c.field_type(),
                    nulls: c.null_count(),
                })
                .collect(),
        })
    }

    /// Summary of a raster layer.
    pub fn of_raster(name: &str, raster: &Raster, working: &Crs) -> Result<LayerSummary> {
        let crs = raster.crs.as_ref().unwrap_or(working);
        let (rows, cols) = raster.data.dim();
        let g = &raster.geotransform;
        let corner = |r: f64, c: f64| coord! { x: g[0] + c * g[1] + r * g[2], y: g[3] + c * g[4] + r * g[5] };
        let (a, b) = (corner(0.0, 0.0), corner(rows as f64, cols as f64));
        let (c, d) = (corner(0.0, cols as f64), corner(rows as f64, 0.0));
        let extent = Rect::new(
            coord! { x: a.x.min(b.x).min(c.x).min(d.x), y: a.y.min(b.y).min(c.y).min(d.y) },
            coord! { x: a.x.max(b.x).max(c.x).max(d.x), y: a.y.max(b.y).max(c.y).max(d.y) },
        );
        Ok(LayerSummary {
            name: name.to_string(),
            role: Role::Raster,
            geometry: None,
            features: 0,
            crs: crs.to_string(),
            bbox: lon_lat_bbox((rows > 0 && cols > 0).then_some(extent), crs)?,
            grid: Some([rows, cols]),
            fields: Vec::new(),
        })
    }
}

fn lon_lat_bbox(extent: Option<Rect>, crs: &Crs) -> Result<Option<[f64; 4]>> {
    let Some(extent) = extent else {
        return Ok(None);
    };
    let t = Transformer::new(crs, &Crs::WGS84)?;
    Ok(Some(crs::bbox_array(t.envelope(extent)?)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use tepat_engine::layer::{Column, Value};

    #[test]
    fn summary_has_types_nulls_and_a_lon_lat_bbox() -> Result<()> {
        let pts = [(700_000.0, 160_000.0), (701_000.0, 161_000.0)]
            .map(|(x, y)| Some(geo::Geometry::Point(geo::point!(x: x, y: y))))
            .to_vec();
        let col = Column::from_values("beds", vec![Value::Int(3), Value::Null]);
        let layer = Layer::new(
            "p",
            Role::Facilities,
            Some(Crs::Epsg(32651)),
            pts,
            vec![col],
        )?;
        let s = LayerSummary::of_layer(&layer, &Crs::Epsg(32651))?;
        assert_eq!(
            (s.features, s.geometry, s.crs.as_str()),
            (2, Some(GeomKind::Point), "EPSG:32651")
        );
        assert_eq!(
            (s.fields[0].field_type, s.fields[0].nulls),
            (FieldType::Int, 1)
        );
        let [minx, miny, maxx, maxy] = s.bbox.unwrap_or_default();
        assert!(
            124.0 < minx && minx < maxx && maxx < 126.0 && 1.0 < miny && miny < maxy,
            "{:?}",
            s.bbox
        );
        Ok(())
    }
}
