//! Points-in-polygons join: which zone contains each point.
//!
//! **Boundary rule.** A point inside a zone's interior belongs to that zone. A point on the
//! boundary of one or more zones (a shared edge or vertex, or the outer edge of the city)
//! belongs to exactly one of them: the one that comes first in the zone layer (lowest
//! feature index). So every point that touches the zones' union is counted exactly once,
//! and totals over zones equal the number of points inside the city. Holes are outside
//! their polygon; a point on a hole's edge is on the boundary.

use crate::index::SpatialIndex;
use geo::coordinate_position::{CoordPos, CoordinatePosition};
use geo::{Coord, Geometry};
use rayon::prelude::*;

/// Below this many points the join runs on one thread (spawning costs more than it saves).
const PARALLEL_MIN: usize = 4096;

/// The zone (index into `zones`) containing `c`, by the boundary rule above.
pub fn locate(c: Coord, zones: &[Option<Geometry>], index: &SpatialIndex) -> Option<usize> {
    let mut boundary: Option<usize> = None;
    let mut inside: Option<usize> = None;
    for z in index.at_point(c) {
        let Some(g) = &zones[z] else { continue };
        match g.coordinate_position(&c) {
            CoordPos::Inside => {
                if inside.is_none_or(|i| z < i) {
                    inside = Some(z);
                }
            }
            CoordPos::OnBoundary => {
                if boundary.is_none_or(|b| z < b) {
                    boundary = Some(z);
                }
            }
            CoordPos::Outside => {}
        }
    }
    // Interior wins over boundary; among boundary hits the lowest index wins, and a point
    // on an edge shared with a zone where it is interior cannot happen in a valid tiling.
    match (inside, boundary) {
        (Some(i), Some(b)) => Some(i.min(b)),
        (Some(i), None) => Some(i),
        (None, b) => b,
    }
}

/// The zone of each point (`None` for points outside every zone or without a coordinate).
pub fn assign(points: &[Option<Coord>], zones: &[Option<Geometry>], index: &SpatialIndex) -> Vec<Option<usize>> {
    let f = |p: &Option<Coord>| p.and_then(|c| locate(c, zones, index));
    if points.len() >= PARALLEL_MIN {
        points.par_iter().map(f).collect()
    } else {
        points.iter().map(f).collect()
    }
}

/// Number of points per zone (`zones.len()` counters) and the number outside all zones.
pub fn count(assignment: &[Option<usize>], n_zones: usize) -> (Vec<u64>, u64) {
    let mut counts = vec![0u64; n_zones];
    let mut outside = 0;
    for a in assignment {
        match a {
            Some(z) => counts[*z] += 1,
            None => outside += 1,
        }
    }
    (counts, outside)
}

#[cfg(test)]
mod tests {
    use super::*;
    use geo::{coord, polygon, MultiPolygon};

    fn grid() -> Vec<Option<Geometry>> {
        // Two unit squares side by side sharing the edge x = 1, the left one with a hole.
        let left = polygon!(
            exterior: [(x: 0.0, y: 0.0), (x: 1.0, y: 0.0), (x: 1.0, y: 1.0), (x: 0.0, y: 1.0)],
            interiors: [[(x: 0.25, y: 0.25), (x: 0.75, y: 0.25), (x: 0.75, y: 0.75), (x: 0.25, y: 0.75)]],
        );
        let right = polygon![(x: 1.0, y: 0.0), (x: 2.0, y: 0.0), (x: 2.0, y: 1.0), (x: 1.0, y: 1.0)];
        // A multipolygon zone with two separate parts.
        let multi = MultiPolygon::new(vec![
            polygon![(x: 5.0, y: 5.0), (x: 6.0, y: 5.0), (x: 6.0, y: 6.0), (x: 5.0, y: 6.0)],
            polygon![(x: 8.0, y: 5.0), (x: 9.0, y: 5.0), (x: 9.0, y: 6.0), (x: 8.0, y: 6.0)],
        ]);
        vec![Some(left.into()), Some(right.into()), Some(multi.into())]
    }

    #[test]
    fn interior_holes_multipolygons_and_shared_edges() {
        let zones = grid();
        let idx = SpatialIndex::build(&zones);
        let at = |x: f64, y: f64| locate(coord! {x: x, y: y}, &zones, &idx);
        assert_eq!(at(0.1, 0.1), Some(0));
        assert_eq!(at(0.5, 0.5), None, "inside the hole is outside the zone");
        assert_eq!(at(0.25, 0.5), Some(0), "on the hole's edge is on the boundary");
        assert_eq!(at(1.5, 0.5), Some(1));
        assert_eq!(at(1.0, 0.5), Some(0), "shared edge goes to the first zone only");
        assert_eq!(at(1.0, 1.0), Some(0), "shared vertex too");
        assert_eq!(at(2.0, 0.5), Some(1), "outer edge belongs to its only zone");
        assert_eq!(at(5.5, 5.5), Some(2));
        assert_eq!(at(8.5, 5.5), Some(2));
        assert_eq!(at(7.0, 5.5), None, "between the parts of a multipolygon");
    }

    #[test]
    fn every_point_counted_once() {
        let zones = grid();
        let idx = SpatialIndex::build(&zones);
        // A lattice including many points exactly on edges and vertices.
        let pts: Vec<Option<Coord>> = (0..=40)
            .flat_map(|i| (0..=20).map(move |j| Some(coord! {x: i as f64 * 0.05, y: j as f64 * 0.05})))
            .chain([None])
            .collect();
        let a = assign(&pts, &zones, &idx);
        let (counts, outside) = count(&a, zones.len());
        // Points in the hole's open interior: x,y in (0.25, 0.75) on a 0.05 lattice: 9 × 9.
        assert_eq!(outside, 81 + 1);
        assert_eq!(counts.iter().sum::<u64>() + outside, pts.len() as u64);
        // Column x = 1.0 (21 points) is shared and goes to zone 0.
        assert_eq!(counts[0], 21 * 21 - 81);
        assert_eq!(counts[1], 20 * 21);
        assert_eq!(counts[2], 0);
    }

    #[test]
    fn empty_inputs() {
        let idx = SpatialIndex::build(&[]);
        assert_eq!(assign(&[Some(coord! {x: 0.0, y: 0.0})], &[], &idx), vec![None]);
        assert!(assign(&[], &grid(), &SpatialIndex::build(&grid())).is_empty());
    }
}
