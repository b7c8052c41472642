//! Pure per-feature maths on geo types: which zone holds each point, how much of one
//! polygon lies in another, distances to the nearest facilities. Kernels take geometries
//! and indexes, not layers or params, so analyses compose them as map / join / aggregate
//! stages and a distributed engine can run them per partition.

pub mod costs;
pub mod dissolve;
pub mod intersection_area;
pub mod nearest;
pub mod overlay;
pub mod point_in_polygon;

use geo::{Coord, Geometry};

/// The coordinate that stands for a point feature: the point itself, or the first part of a
/// multi-point. Non-point geometries have none.
pub fn point_coord(g: &Geometry) -> Option<Coord> {
    match g {
        Geometry::Point(p) => Some(p.0),
        Geometry::MultiPoint(mp) => mp.0.first().map(|p| p.0),
        _ => None,
    }
}
