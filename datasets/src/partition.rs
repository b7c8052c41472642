//! From a grid of labels to polygons that share their edges exactly.
//!
//! Every edge between two cells with different labels is a boundary. Boundaries are cut
//! into *chains* at *nodes* (grid corners where three or more labels meet, or two labels
//! meet diagonally). The whole boundary network is smoothed at once (each grid corner gets
//! one position), each chain is simplified once, and every polygon that borders a chain
//! uses those very coordinates. So neighbours share their edges exactly,
//! coarser zones are the exact unions of finer ones (kelurahan tile their kecamatan,
//! kecamatan tile the land) and nested level sets stay nested — for any mapping of labels
//! to output labels ([`Partition::polygons`]).

use crate::grid::Grid;
use geo::{Coord, Geometry, LineString, MultiPolygon, Polygon, Simplify};
use std::collections::BTreeMap;

/// Laplacian smoothing passes over each chain (turns 50 m stairs into lines).
const SMOOTHING_PASSES: usize = 6;
/// Douglas–Peucker tolerance applied per chain after smoothing (m).
const SIMPLIFY_TOLERANCE: f64 = 0.5;

/// A grid direction between corners.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Dir(i8, i8);

const DIRS: [Dir; 4] = [Dir(1, 0), Dir(0, 1), Dir(-1, 0), Dir(0, -1)];

impl Dir {
    fn reverse(self) -> Dir {
        Dir(-self.0, -self.1)
    }

    /// +1 for a left turn from `self` to `next`, 0 straight on, -1 right.
    fn turn(self, next: Dir) -> i8 {
        self.0 * next.1 - self.1 * next.0
    }
}

/// One boundary between two labels, from node to node (or a closed loop).
#[derive(Debug, Clone)]
struct Chain {
    start: usize,
    end: usize,
    first: Dir,
    last: Dir,
    /// Label left / right of the chain in its direction.
    left: u32,
    right: u32,
    /// A cell on each side of the first edge (None outside the grid).
    left_cell: Option<usize>,
    right_cell: Option<usize>,
    coords: Vec<Coord>,
}

/// A chain as used by one label's ring: forwards or reversed.
#[derive(Debug, Clone, Copy)]
struct Oriented {
    chain: usize,
    forward: bool,
}

/// The boundary network of a label grid.
#[derive(Debug, Clone)]
pub(crate) struct Partition {
    grid: Grid,
    labels: Vec<u32>,
    chains: Vec<Chain>,
}

impl Partition {
    /// Traces, smooths and simplifies the boundaries of `labels` (0 = outside).
    pub(crate) fn new(grid: &Grid, labels: Vec<u32>) -> Partition {
        let mut p = Partition {
            grid: *grid,
            labels,
            chains: Vec::new(),
        };
        p.trace();
        p
    }

    fn label(&self, ci: i64, cj: i64) -> u32 {
        if ci < 0 || cj < 0 || ci >= self.grid.nx as i64 || cj >= self.grid.ny as i64 {
            0
        } else {
            self.labels[cj as usize * self.grid.nx + ci as usize]
        }
    }

    fn cell(&self, ci: i64, cj: i64) -> Option<usize> {
        (ci >= 0 && cj >= 0 && ci < self.grid.nx as i64 && cj < self.grid.ny as i64)
            .then(|| cj as usize * self.grid.nx + ci as usize)
    }

    fn corner_ij(&self, c: usize) -> (i64, i64) {
        (
            (c % (self.grid.nx + 1)) as i64,
            (c / (self.grid.nx + 1)) as i64,
        )
    }

    fn corner_id(&self, ci: i64, cj: i64) -> usize {
        cj as usize * (self.grid.nx + 1) + ci as usize
    }

    /// Cells (left, right) of the edge leaving corner `c` in direction `d`.
    fn sides(&self, c: usize, d: Dir) -> ((i64, i64), (i64, i64)) {
        let (ci, cj) = self.corner_ij(c);
        match d {
            Dir(1, 0) => ((ci, cj), (ci, cj - 1)),
            Dir(-1, 0) => ((ci - 1, cj - 1), (ci - 1, cj)),
            Dir(0, 1) => ((ci - 1, cj), (ci, cj)),
            _ => ((ci, cj - 1), (ci - 1, cj - 1)),
        }
    }

    /// Whether the edge leaving corner `c` in direction `d` exists and separates labels.
    fn is_boundary(&self, c: usize, d: Dir) -> bool {
        let (ci, cj) = self.corner_ij(c);
        let (ti, tj) = (ci + d.0 as i64, cj + d.1 as i64);
        if ti < 0 || tj < 0 || ti > self.grid.nx as i64 || tj > self.grid.ny as i64 {
            return false;
        }
        let (l, r) = self.sides(c, d);
        self.label(l.0, l.1) != self.label(r.0, r.1)
    }

    /// Three or more labels meet at the corner, or two meet diagonally.
    fn is_node(&self, c: usize) -> bool {
        let (ci, cj) = self.corner_ij(c);
        let sw = self.label(ci - 1, cj - 1);
        let se = self.label(ci, cj - 1);
        let nw = self.label(ci - 1, cj);
        let ne = self.label(ci, cj);
        // Labels differing from all earlier ones, counted without allocating.
        let distinct = 1
            + usize::from(se != sw)
            + usize::from(nw != sw && nw != se)
            + usize::from(ne != sw && ne != se && ne != nw);
        distinct >= 3 || (sw == ne && nw == se && sw != nw)
    }

    /// Index of the (undirected) edge leaving `c` in direction `d`, for the visited set.
    fn edge_id(&self, c: usize, d: Dir) -> usize {
        let (ci, cj) = self.corner_ij(c);
        let (nx, ny) = (self.grid.nx, self.grid.ny);
        match d {
            Dir(1, 0) => cj as usize * nx + ci as usize,
            Dir(-1, 0) => cj as usize * nx + ci as usize - 1,
            Dir(0, 1) => (ny + 1) * nx + cj as usize * (nx + 1) + ci as usize,
            _ => (ny + 1) * nx + (cj as usize - 1) * (nx + 1) + ci as usize,
        }
    }

    fn trace(&mut self) {
        let (nx, ny) = (self.grid.nx, self.grid.ny);
        let corners = (nx + 1) * (ny + 1);
        let mut visited = vec![false; (ny + 1) * nx + ny * (nx + 1)];
        let mut raw: Vec<(Vec<usize>, Vec<Dir>)> = Vec::new();
        for c in 0..corners {
            if !self.is_node(c) {
                continue;
            }
            for d in DIRS {
                if self.is_boundary(c, d) && !visited[self.edge_id(c, d)] {
                    raw.push(self.walk(c, d, &mut visited));
                }
            }
        }
        // What is left are closed loops through no node (islands, enclaves).
        for c in 0..corners {
            for d in [Dir(1, 0), Dir(0, 1)] {
                if self.is_boundary(c, d) && !visited[self.edge_id(c, d)] {
                    raw.push(self.walk(c, d, &mut visited));
                }
            }
        }
        let (slot, pos) = self.smooth_network(&raw);
        let chains = raw
            .into_iter()
            .map(|(corners, dirs)| self.make_chain(&corners, &dirs, &slot, &pos))
            .collect();
        self.chains = chains;
    }

    /// Laplacian smoothing of the whole boundary network at once: every corner on a
    /// boundary moves towards the mean of its neighbours along the boundaries (nodes too),
    /// so each corner has one position, shared by every chain and polygon through it.
    /// Returns the slot of every grid corner (`u32::MAX` off the boundaries) and the
    /// smoothed positions by slot.
    fn smooth_network(&self, raw: &[(Vec<usize>, Vec<Dir>)]) -> (Vec<u32>, Vec<Coord>) {
        let g = &self.grid;
        let mut slot = vec![u32::MAX; (g.nx + 1) * (g.ny + 1)];
        let mut pos: Vec<Coord> = Vec::new();
        for (corners, _) in raw {
            for &c in corners {
                if slot[c] == u32::MAX {
                    slot[c] = pos.len() as u32;
                    let (ci, cj) = self.corner_ij(c);
                    pos.push(Coord {
                        x: g.x0 + ci as f64 * g.cell,
                        y: g.y0 + cj as f64 * g.cell,
                    });
                }
            }
        }
        // At most four boundary edges meet at a corner.
        let mut nbrs = vec![([0u32; 4], 0usize); pos.len()];
        for (corners, _) in raw {
            for w in corners.windows(2) {
                let (a, b) = (slot[w[0]], slot[w[1]]);
                for (x, y) in [(a, b), (b, a)] {
                    let (list, n) = &mut nbrs[x as usize];
                    if *n < 4 {
                        list[*n] = y;
                        *n += 1;
                    }
                }
            }
        }
        let mut next = pos.clone();
        for _ in 0..SMOOTHING_PASSES {
            for (v, (list, n)) in nbrs.iter().enumerate() {
                if *n == 0 {
                    continue;
                }
                let mut mean = Coord { x: 0.0, y: 0.0 };
                for &u in &list[..*n] {
                    mean = mean + pos[u as usize];
                }
                next[v] = pos[v] * 0.5 + mean * (0.5 / *n as f64);
            }
            std::mem::swap(&mut pos, &mut next);
        }
        (slot, pos)
    }

    fn walk(&self, start: usize, first: Dir, visited: &mut [bool]) -> (Vec<usize>, Vec<Dir>) {
        let mut corners = vec![start];
        let mut dirs = Vec::new();
        let (mut c, mut d) = (start, first);
        loop {
            visited[self.edge_id(c, d)] = true;
            dirs.push(d);
            let (ci, cj) = self.corner_ij(c);
            c = self.corner_id(ci + d.0 as i64, cj + d.1 as i64);
            corners.push(c);
            if c == start || self.is_node(c) {
                break;
            }
            let back = d.reverse();
            match DIRS
                .into_iter()
                .find(|&n| n != back && self.is_boundary(c, n))
            {
                Some(n) => d = n,
                None => break, // cannot happen on a consistent grid
            }
        }
        (corners, dirs)
    }

    fn make_chain(&self, corners: &[usize], dirs: &[Dir], slot: &[u32], pos: &[Coord]) -> Chain {
        let first = dirs[0];
        let last = dirs[dirs.len() - 1];
        let (l, r) = self.sides(corners[0], first);
        let pts: Vec<Coord> = corners.iter().map(|&c| pos[slot[c] as usize]).collect();
        let closed = corners.len() > 2 && corners[0] == corners[corners.len() - 1];
        let simple = LineString::new(pts.clone()).simplify(SIMPLIFY_TOLERANCE);
        let coords = if closed && simple.0.len() < 4 {
            pts
        } else {
            simple.0
        };
        Chain {
            start: corners[0],
            end: corners[corners.len() - 1],
            first,
            last,
            left: self.label(l.0, l.1),
            right: self.label(r.0, r.1),
            left_cell: self.cell(l.0, l.1),
            right_cell: self.cell(r.0, r.1),
            coords,
        }
    }

    fn oriented_start(&self, o: Oriented) -> usize {
        let c = &self.chains[o.chain];
        if o.forward {
            c.start
        } else {
            c.end
        }
    }

    fn oriented_end(&self, o: Oriented) -> usize {
        let c = &self.chains[o.chain];
        if o.forward {
            c.end
        } else {
            c.start
        }
    }

    fn oriented_dirs(&self, o: Oriented) -> (Dir, Dir) {
        let c = &self.chains[o.chain];
        if o.forward {
            (c.first, c.last)
        } else {
            (c.last.reverse(), c.first.reverse())
        }
    }

    fn inside_cell(&self, o: Oriented) -> Option<usize> {
        let c = &self.chains[o.chain];
        if o.forward {
            c.left_cell
        } else {
            c.right_cell
        }
    }

    /// Polygons of the output labels `1..=n` under `map` (input label → output label;
    /// 0 = not part of any output polygon). Entry `l - 1` is label `l`'s geometry: a
    /// Polygon, a MultiPolygon when it has several pieces, or None when it is empty.
    pub(crate) fn polygons(
        &self,
        map: impl Fn(u32) -> u32,
        n: usize,
    ) -> Result<Vec<Option<Geometry>>, String> {
        let m = |l: u32| if l == 0 { 0 } else { map(l) };
        let mapped: Vec<u32> = self.labels.iter().map(|&l| m(l)).collect();
        let (comp, _) = self.grid.components(&mapped);
        let mut per_label: Vec<Vec<Oriented>> = vec![Vec::new(); n + 1];
        for (i, c) in self.chains.iter().enumerate() {
            let (l, r) = (m(c.left), m(c.right));
            if l == r {
                continue;
            }
            for (label, forward) in [(l, true), (r, false)] {
                if label != 0 {
                    let slot = per_label
                        .get_mut(label as usize)
                        .ok_or_else(|| format!("label {label} is outside 1..={n}"))?;
                    slot.push(Oriented { chain: i, forward });
                }
            }
        }
        let mut out = Vec::with_capacity(n);
        for (label, list) in per_label.iter().enumerate().skip(1) {
            let rings = self
                .rings(list)
                .map_err(|e| format!("label {label}: {e}"))?;
            out.push(
                self.assemble(rings, &comp)
                    .map_err(|e| format!("label {label}: {e}"))?,
            );
        }
        Ok(out)
    }

    /// Links one label's oriented chains into closed rings, each split where it touches
    /// itself. At a corner with two ways on, it turns left (4-connected regions).
    fn rings(&self, list: &[Oriented]) -> Result<Vec<Vec<Oriented>>, String> {
        let mut by_start: BTreeMap<usize, Vec<usize>> = BTreeMap::new();
        for (i, &o) in list.iter().enumerate() {
            by_start.entry(self.oriented_start(o)).or_default().push(i);
        }
        let mut used = vec![false; list.len()];
        let mut rings = Vec::new();
        for first in 0..list.len() {
            if used[first] {
                continue;
            }
            used[first] = true;
            let mut seq = vec![first];
            loop {
                let cur = list[seq[seq.len() - 1]];
                let end = self.oriented_end(cur);
                let (_, din) = self.oriented_dirs(cur);
                let next = by_start
                    .get(&end)
                    .into_iter()
                    .flatten()
                    .copied()
                    .filter(|&i| !used[i] || i == first)
                    .max_by_key(|&i| (din.turn(self.oriented_dirs(list[i]).0), usize::MAX - i))
                    .ok_or_else(|| "a boundary does not close".to_string())?;
                if next == first {
                    break;
                }
                used[next] = true;
                seq.push(next);
            }
            // Split where the ring passes a corner twice (a pinch): each loop is a ring.
            let mut stack: Vec<usize> = Vec::new();
            let mut at: BTreeMap<usize, usize> = BTreeMap::new();
            for i in seq {
                let s = self.oriented_start(list[i]);
                if let Some(&p) = at.get(&s) {
                    let sub: Vec<usize> = stack.drain(p..).collect();
                    for &j in &sub {
                        at.remove(&self.oriented_start(list[j]));
                    }
                    rings.push(sub.into_iter().map(|j| list[j]).collect());
                }
                at.insert(s, stack.len());
                stack.push(i);
            }
            rings.push(stack.into_iter().map(|j| list[j]).collect());
        }
        Ok(rings)
    }

    fn ring_coords(&self, ring: &[Oriented]) -> Vec<Coord> {
        let mut pts: Vec<Coord> = Vec::new();
        for o in ring {
            let c = &self.chains[o.chain].coords;
            let skip = usize::from(!pts.is_empty());
            if o.forward {
                pts.extend(c.iter().skip(skip));
            } else {
                pts.extend(c.iter().rev().skip(skip));
            }
        }
        if pts.first() != pts.last() {
            if let Some(&f) = pts.first() {
                pts.push(f);
            }
        }
        pts
    }

    /// Groups rings by the 4-connected piece they bound: one exterior (counter-clockwise)
    /// and its holes (clockwise) per piece.
    fn assemble(
        &self,
        rings: Vec<Vec<Oriented>>,
        comp: &[u32],
    ) -> Result<Option<Geometry>, String> {
        let mut pieces: BTreeMap<u32, (Vec<LineString>, Vec<LineString>)> = BTreeMap::new();
        for ring in rings {
            let Some(&first) = ring.first() else { continue };
            let cell = self
                .inside_cell(first)
                .ok_or_else(|| "a ring lies outside the grid".to_string())?;
            let pts = self.ring_coords(&ring);
            let area = signed_area(&pts);
            if area == 0.0 {
                continue;
            }
            let entry = pieces.entry(comp[cell]).or_default();
            if area > 0.0 {
                entry.0.push(LineString::new(pts));
            } else {
                entry.1.push(LineString::new(pts));
            }
        }
        let mut polys = Vec::new();
        for (piece, (mut ext, holes)) in pieces {
            if ext.len() != 1 {
                return Err(format!("piece {piece} has {} exterior rings", ext.len()));
            }
            let shell = ext.remove(0);
            polys.push(Polygon::new(shell, holes));
        }
        Ok(match polys.len() {
            0 => None,
            1 => polys.pop().map(Geometry::Polygon),
            _ => Some(Geometry::MultiPolygon(MultiPolygon(polys))),
        })
    }
}

/// Shoelace area, positive for counter-clockwise rings.
fn signed_area(pts: &[Coord]) -> f64 {
    pts.windows(2)
        .map(|w| w[0].x * w[1].y - w[1].x * w[0].y)
        .sum::<f64>()
        / 2.0
}

#[cfg(test)]
mod tests {
    use super::*;
    use geo::{Area, BooleanOps, Validation};

    fn grid(nx: usize, ny: usize) -> Grid {
        Grid {
            nx,
            ny,
            x0: 0.0,
            y0: 0.0,
            cell: 1.0,
        }
    }

    fn area(g: &Option<Geometry>) -> f64 {
        g.as_ref().map_or(0.0, |g| g.unsigned_area())
    }

    #[test]
    fn two_labels_tile_their_union() {
        // Rows from the south; a 1-label with a 2-enclave and a pinch.
        #[rustfmt::skip]
        let labels = vec![
            0, 0, 0, 0, 0, 0, 0,
            0, 1, 1, 1, 2, 2, 0,
            0, 1, 3, 1, 2, 2, 0,
            0, 1, 1, 1, 2, 0, 0,
            0, 1, 1, 2, 2, 0, 0,
            0, 0, 0, 0, 0, 0, 0,
        ];
        let g = grid(7, 6);
        let p = Partition::new(&g, labels);
        let fine = p.polygons(|l| l, 3).expect("polygons");
        let total = p.polygons(|_| 1, 1).expect("union");
        for geom in fine.iter().chain(&total).flatten() {
            assert!(geom.is_valid(), "{:?}", geom.validation_errors());
        }
        let sum: f64 = fine.iter().map(area).sum();
        assert!(
            (sum - area(&total[0])).abs() < 1e-9,
            "{sum} vs {}",
            area(&total[0])
        );
        // Label 1 has a hole where 3 is (3 is an enclave).
        let Some(Geometry::Polygon(one)) = &fine[0] else {
            panic!("label 1 is one polygon: {:?}", fine[0]);
        };
        assert_eq!(one.interiors().len(), 1);
        let Some(Geometry::Polygon(two)) = &fine[1] else {
            panic!("label 2 is one polygon");
        };
        assert!(one.intersection(two).unsigned_area() < 1e-9);
    }

    #[test]
    fn diagonal_contact_makes_two_pieces() {
        #[rustfmt::skip]
        let labels = vec![
            0, 0, 0, 0,
            0, 1, 2, 0,
            0, 2, 1, 0,
            0, 0, 0, 0,
        ];
        let p = Partition::new(&grid(4, 4), labels);
        let polys = p.polygons(|l| l, 2).expect("polygons");
        for g in polys.iter().flatten() {
            assert!(g.is_valid(), "{:?}", g.validation_errors());
            assert!(matches!(g, Geometry::MultiPolygon(m) if m.0.len() == 2));
        }
        assert!(
            (area(&polys[0]) + area(&polys[1]) - area(&p.polygons(|_| 1, 1).expect("u")[0])).abs()
                < 1e-9
        );
    }

    #[test]
    fn ring_around_a_pinched_hole() {
        // Label 1 encloses a 0-cell that touches the outside diagonally.
        #[rustfmt::skip]
        let labels = vec![
            0, 0, 0, 0, 0,
            0, 1, 1, 1, 0,
            0, 1, 0, 1, 0,
            0, 1, 1, 0, 0,
            0, 0, 0, 0, 0,
        ];
        let p = Partition::new(&grid(5, 5), labels);
        let polys = p.polygons(|l| l, 1).expect("polygons");
        let g = polys[0].as_ref().expect("label 1");
        assert!(g.is_valid(), "{:?}", g.validation_errors());
        assert!(matches!(g, Geometry::Polygon(poly) if poly.interiors().len() == 1));
    }

    #[test]
    fn empty_labels_are_none() {
        let p = Partition::new(&grid(3, 3), vec![0; 9]);
        assert_eq!(p.polygons(|l| l, 2).expect("polygons"), vec![None, None]);
    }
}
