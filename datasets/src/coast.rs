//! The shape of Kota Demo: the sea to the west (a bay with an irregular shore, a cape to
//! the south, the coast turning east in the north), the city limits on the landward sides,
//! and the river that runs from the eastern hills into the bay.

use crate::grid::Grid;
use crate::noise::{smoothstep, Noise};
use geo::{Coord, LineString};
use rand::Rng;
use rand_chacha::ChaCha8Rng;

/// Where the sea and the city are, cell by cell, and the shore as a function of northing.
#[derive(Debug, Clone)]
pub(crate) struct Coast {
    /// Sea cells (west of the shore).
    pub sea: Vec<bool>,
    /// Cells inside the city limits (land only, one 4-connected piece without holes).
    pub city: Vec<bool>,
    /// The city centre (the old town by the river mouth).
    pub centre: (f64, f64),
    /// Northing of the river mouth (the middle of the bay).
    pub bay_y: f64,
    base_x: f64,
    bay_depth: f64,
    bay_width: f64,
    north_shift: f64,
    north_start: f64,
    cape_size: f64,
    cape_y: f64,
    shore: Noise,
}

impl Coast {
    /// Easting of the shore at northing `y`: land lies east of it.
    pub(crate) fn shore_x(&self, y: f64) -> f64 {
        let bay = self.bay_depth * (-((y - self.bay_y) / self.bay_width).powi(2)).exp();
        let cape = self.cape_size * (-((y - self.cape_y) / 900.0).powi(2)).exp();
        let north = self.north_shift * smoothstep(self.north_start, self.north_start + 3_500.0, y);
        let wiggle = 380.0 * self.shore.fbm(y / 3_000.0, 0.5, 2)
            + 200.0 * self.shore.value(y / 900.0, 7.5)
            + 80.0 * self.shore.value(y / 300.0, 11.5)
            + 25.0 * self.shore.value(y / 110.0, 3.5);
        self.base_x + bay - cape + north + wiggle
    }

    /// Generates the coast and city limits on `grid`.
    pub(crate) fn generate(grid: &Grid, seed: u64, rng: &mut ChaCha8Rng) -> Coast {
        let base_x = 699_300.0 + rng.random_range(-250.0..250.0);
        let bay_y = 163_000.0 + rng.random_range(-700.0..700.0);
        let mut coast = Coast {
            sea: Vec::new(),
            city: Vec::new(),
            centre: (0.0, 0.0),
            bay_y,
            base_x,
            bay_depth: rng.random_range(1_400.0..2_000.0),
            bay_width: rng.random_range(2_600.0..3_400.0),
            north_shift: rng.random_range(1_800.0..2_600.0),
            north_start: bay_y + rng.random_range(2_600.0..3_400.0),
            cape_size: rng.random_range(700.0..1_200.0),
            cape_y: bay_y - rng.random_range(3_400.0..4_000.0),
            shore: Noise::new(seed, 11),
        };
        let limits = Noise::new(seed, 12);
        let (cx, cy) = (
            706_300.0 + rng.random_range(-300.0..300.0),
            163_500.0 + rng.random_range(-200.0..200.0),
        );
        let (a, b) = (
            7_700.0 + rng.random_range(-250.0..250.0),
            5_900.0 + rng.random_range(-200.0..200.0),
        );
        let shore: Vec<f64> = (0..grid.ny)
            .map(|j| coast.shore_x(grid.y0 + (j as f64 + 0.5) * grid.cell))
            .collect();
        let mut sea = vec![false; grid.len()];
        let mut city = vec![0u32; grid.len()];
        for k in 0..grid.len() {
            let (x, y) = grid.center(k);
            let (_, j) = grid.ij(k);
            if x <= shore[j] {
                sea[k] = true;
                continue;
            }
            let (u, v) = ((x - cx) / a, (y - cy) / b);
            let r = (u.abs().powf(2.6) + v.abs().powf(2.6)).powf(1.0 / 2.6);
            let edge = 1.0
                + 0.11 * limits.fbm(x / 3_500.0, y / 3_500.0, 2)
                + 0.03 * limits.value(x / 800.0 + 5.5, y / 800.0);
            if r < edge && grid.is_inner(k) {
                city[k] = 1;
            }
        }
        coast.city = single_piece(grid, &city);
        coast.sea = sea;
        let cy = bay_y + 900.0;
        coast.centre = (coast.shore_x(cy) + 1_300.0, cy);
        coast
    }

    /// The river, from its source in the hills to a point in the bay (not yet clipped to
    /// the land): a meandering polyline.
    pub(crate) fn river(&self, grid: &Grid, seed: u64, rng: &mut ChaCha8Rng) -> LineString {
        let meander = Noise::new(seed, 13);
        let mouth = Coord {
            x: self.shore_x(self.bay_y) - 500.0,
            y: self.bay_y,
        };
        let mut source = Coord {
            x: 711_600.0 + rng.random_range(-500.0..500.0),
            y: self.bay_y + rng.random_range(1_200.0..2_800.0),
        };
        // Pull the source towards the mouth until it lies well inside the city.
        for _ in 0..40 {
            let inside = grid
                .locate(source.x, source.y)
                .is_some_and(|k| grid.neighbours8(k).all(|m| self.city[m]) && self.city[k]);
            if inside {
                break;
            }
            source = source + (mouth - source) * 0.05;
        }
        let d = mouth - source;
        let len = (d.x * d.x + d.y * d.y).sqrt().max(1.0);
        let perp = Coord {
            x: -d.y / len,
            y: d.x / len,
        };
        let n = 320;
        let amp = rng.random_range(550.0..800.0);
        let coords = (0..=n).map(|s| {
            let t = s as f64 / n as f64;
            let envelope = (4.0 * t * (1.0 - t)).sqrt();
            let off = amp * meander.fbm(t * 3.2, 0.37, 3) * envelope;
            source + d * t + perp * off
        });
        LineString::from_iter(coords)
    }
}

/// Keeps the largest 4-connected piece of `mask` (label 1) and fills its holes.
fn single_piece(grid: &Grid, mask: &[u32]) -> Vec<bool> {
    let (comp, info) = grid.components(mask);
    let Some(best) = info
        .iter()
        .enumerate()
        .max_by_key(|(i, (_, size))| (*size, usize::MAX - i))
        .map(|(i, _)| i as u32)
    else {
        return vec![false; mask.len()];
    };
    let keep: Vec<u32> = comp.iter().map(|&c| u32::from(c != best)).collect();
    // Outside = the complement's components that touch the grid edge; the rest are holes.
    let (ocomp, oinfo) = grid.components(&keep);
    let mut touches = vec![false; oinfo.len()];
    for (k, &c) in ocomp.iter().enumerate() {
        if c != u32::MAX && !grid.is_inner(k) {
            touches[c as usize] = true;
        }
    }
    ocomp
        .iter()
        .map(|&c| c == u32::MAX || !touches[c as usize])
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;

    #[test]
    fn city_is_one_piece_between_sea_and_limits() {
        let grid = Grid::DEMO;
        let mut rng = ChaCha8Rng::seed_from_u64(1);
        let c = Coast::generate(&grid, 1, &mut rng);
        let labels: Vec<u32> = c.city.iter().map(|&b| u32::from(b)).collect();
        let (_, info) = grid.components(&labels);
        assert_eq!(info.len(), 1);
        let area_km2 = info[0].1 as f64 * grid.cell * grid.cell / 1e6;
        assert!((140.0..200.0).contains(&area_km2), "{area_km2}");
        assert!(c.city.iter().zip(&c.sea).all(|(c, s)| !(*c && *s)));
        let river = c.river(&grid, 1, &mut rng);
        assert!(river.0.len() > 100);
        let first = river.0[0];
        assert!(grid.locate(first.x, first.y).is_some_and(|k| c.city[k]));
        let last = river.0[river.0.len() - 1];
        assert!(grid.locate(last.x, last.y).is_some_and(|k| c.sea[k]));
    }
}
