//! Dissolving polygons by class, with "highest class wins" where classes overlap, so an
//! area is never counted twice (InaSAFE: "Highest class of hazard is assigned").

use geo::orient::{Direction, Orient};
use geo::{unary_union, BooleanOps, MultiPolygon, Polygon};

/// Unions each class's polygons and removes from every class the area of all higher classes.
/// `by_class[0]` is the lowest class. The results are disjoint.
pub fn exclusive_classes(by_class: &[Vec<Polygon>]) -> Vec<MultiPolygon> {
    // unary_union takes its fill rule from the first ring it sees, so rings drawn in the
    // opposite direction would cancel out: orient every polygon the same way first.
    let unions: Vec<MultiPolygon> = by_class
        .iter()
        .map(|ps| {
            let oriented: Vec<Polygon> = ps.iter().map(|p| p.orient(Direction::Default)).collect();
            unary_union(&oriented)
        })
        .collect();
    let mut higher = MultiPolygon::new(vec![]);
    let mut out = vec![MultiPolygon::new(vec![]); unions.len()];
    for (c, u) in unions.iter().enumerate().rev() {
        out[c] = if higher.0.is_empty() {
            u.clone()
        } else {
            u.difference(&higher)
        };
        higher = if higher.0.is_empty() {
            u.clone()
        } else {
            higher.union(u)
        };
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use geo::{polygon, Area};

    #[test]
    fn overlaps_go_to_the_highest_class() {
        let low = polygon![(x: 0.0, y: 0.0), (x: 4.0, y: 0.0), (x: 4.0, y: 4.0), (x: 0.0, y: 4.0)];
        let low2 = polygon![(x: 3.0, y: 0.0), (x: 6.0, y: 0.0), (x: 6.0, y: 1.0), (x: 3.0, y: 1.0)];
        let high = polygon![(x: 2.0, y: 2.0), (x: 5.0, y: 2.0), (x: 5.0, y: 5.0), (x: 2.0, y: 5.0)];
        let ex = exclusive_classes(&[vec![low, low2], vec![high]]);
        // low ∪ low2 = 16 + 2 (the part of low2 outside low) = 18; minus the 2×2 overlap with high.
        assert!(
            (ex[0].unsigned_area() - 14.0).abs() < 1e-9,
            "{}",
            ex[0].unsigned_area()
        );
        assert!((ex[1].unsigned_area() - 9.0).abs() < 1e-9);
        assert!(ex[0].intersection(&ex[1]).unsigned_area() < 1e-9);
        assert!(exclusive_classes(&[]).is_empty());
    }

    #[test]
    fn ring_direction_does_not_matter() {
        let ccw = polygon![(x: 0.0, y: 0.0), (x: 1.0, y: 0.0), (x: 1.0, y: 1.0), (x: 0.0, y: 1.0)];
        let cw = polygon![(x: 5.0, y: 0.0), (x: 5.0, y: 1.0), (x: 6.0, y: 1.0), (x: 6.0, y: 0.0)];
        let ex = exclusive_classes(&[vec![ccw, cw]]);
        assert!(
            (ex[0].unsigned_area() - 2.0).abs() < 1e-12,
            "{}",
            ex[0].unsigned_area()
        );
    }
}
