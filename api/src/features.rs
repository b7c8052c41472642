//! GeoJSON features in EPSG:4326: a layer's features (optionally those within a lon/lat
//! bbox, found with the layer's R-tree) and analysis rows joined to their layer's geometry.

use geo::{BoundingRect, Intersects, Rect};
use geojson::feature::Id;
use geojson::{Feature, FeatureCollection, JsonObject};
use serde_json::Value;
use std::collections::HashMap;
use tepat_engine::analysis::Row;
use tepat_engine::crs::{Crs, Transformer};
use tepat_engine::rtree::SpatialIndex;
use tepat_engine::{Layer, Result};
use wkt::TryFromWkt;

/// Which features of a layer to return.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Selection {
    /// Only features whose bounding box meets this lon/lat rectangle (EPSG:4326).
    pub bbox: Option<Rect>,
    /// At most this many (in feature order).
    pub limit: Option<usize>,
    /// Only these properties (all when `None`).
    pub properties: Option<Vec<String>>,
}

/// The selected features of `layer` as a FeatureCollection with `numberMatched` (before
/// `limit`) and `numberReturned` members, as OGC API Features does. `working` is the CRS
/// of a layer that does not name its own.
pub fn layer_features(
    layer: &Layer,
    index: &SpatialIndex,
    working: &Crs,
    sel: &Selection,
) -> Result<FeatureCollection> {
    let crs = layer.crs.as_ref().unwrap_or(working);
    let columns = match &sel.properties {
        Some(names) => names
            .iter()
            .map(|n| layer.column(n))
            .collect::<Result<Vec<_>>>()?,
        None => layer.columns.iter().collect(),
    };
    let to_wgs84 = Transformer::new(crs, &Crs::WGS84)?;
    let matched: Vec<usize> = match sel.bbox {
        Some(bbox) => {
            // The R-tree is asked for the bbox's envelope in the working CRS, a slightly
            // larger area than the lon/lat box: keep what really meets the box itself.
            let query = Transformer::new(&Crs::WGS84, crs)?.envelope(bbox)?;
            let mut hits = Vec::new();
            for i in index.in_rect(query) {
                let Some(g) = &layer.geometries[i] else {
                    continue;
                };
                if to_wgs84
                    .lon_lat(g)?
                    .bounding_rect()
                    .is_some_and(|r| r.intersects(&bbox))
                {
                    hits.push(i);
                }
            }
            hits.sort_unstable(); // the R-tree's order is arbitrary; keep the layer's
            hits
        }
        None => (0..layer.len()).collect(),
    };
    let returned = &matched[..sel.limit.unwrap_or(usize::MAX).min(matched.len())];
    let features = returned
        .iter()
        .map(|&i| {
            let properties = columns
                .iter()
                .map(|c| (c.name.clone(), c.get(i).to_json()))
                .collect();
            feature(
                &layer.ids[i],
                layer.geometries[i].as_ref(),
                &to_wgs84,
                properties,
            )
        })
        .collect::<Result<Vec<_>>>()?;
    let mut members = JsonObject::new();
    members.insert("name".into(), layer.name.clone().into());
    members.insert("numberMatched".into(), matched.len().into());
    members.insert("numberReturned".into(), features.len().into());
    Ok(FeatureCollection {
        bbox: None,
        features,
        foreign_members: Some(members),
    })
}

/// Analysis rows as features: each row's `id` looked up in `layer` (the result's row layer)
/// for its geometry, null when the layer or the id is missing; the row is the properties.
///
/// A row the layer has no feature for may carry its own geometry as WKT in the working CRS
/// (`locate`'s sites, `clusters`' hulls): that becomes the feature's geometry, and leaves
/// the properties.
pub fn row_features(rows: &[Row], layer: Option<&Layer>, working: &Crs) -> Result<Vec<Feature>> {
    let positions = layer.map(|l| row_positions(rows, l));
    let crs = layer.and_then(|l| l.crs.as_ref()).unwrap_or(working);
    let to_wgs84 = Transformer::new(crs, &Crs::WGS84)?;
    let working_to_wgs84 = Transformer::new(working, &Crs::WGS84)?;
    rows.iter()
        .enumerate()
        .map(|(k, row)| {
            let geometry = layer
                .zip(positions.as_ref().and_then(|p| p[k]))
                .and_then(|(l, i)| l.geometries[i].as_ref());
            if geometry.is_none() {
                if let Some(own) = row
                    .get("geometry")
                    .and_then(Value::as_str)
                    .and_then(|w| geo::Geometry::<f64>::try_from_wkt_str(w).ok())
                {
                    let mut props = row.clone();
                    props.remove("geometry");
                    return feature(&row_id(row), Some(&own), &working_to_wgs84, props);
                }
            }
            feature(&row_id(row), geometry, &to_wgs84, row.clone())
        })
        .collect()
}

/// The join of analysis rows to their layer: for each row, the feature of `layer` whose id
/// is the row's `id` (the first such feature when an id is duplicated), `None` when the
/// layer has no such feature. GeoJSON output and result tiles both join this way.
pub fn row_positions(rows: &[Row], layer: &Layer) -> Vec<Option<usize>> {
    // Inserted last to first, so the first feature wins when an id is duplicated.
    let by_id: HashMap<&str, usize> = layer
        .ids
        .iter()
        .enumerate()
        .rev()
        .map(|(i, id)| (id.as_str(), i))
        .collect();
    rows.iter()
        .map(|row| by_id.get(row_id(row).as_str()).copied())
        .collect()
}

/// A row's `id` as text (numbers as written, empty when missing).
pub fn row_id(row: &Row) -> String {
    match row.get("id") {
        Some(Value::String(s)) => s.clone(),
        Some(v) => v.to_string(),
        None => String::new(),
    }
}

fn feature(
    id: &str,
    geometry: Option<&geo::Geometry>,
    to_wgs84: &Transformer,
    properties: JsonObject,
) -> Result<Feature> {
    Ok(Feature {
        bbox: None,
        geometry: geometry.map(|g| to_wgs84.geojson(g)).transpose()?,
        id: Some(Id::String(id.to_string())),
        properties: Some(properties),
        foreign_members: None,
    })
}
