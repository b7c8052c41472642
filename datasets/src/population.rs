//! Where people live: a relative population density per grid cell — dense in the old town
//! by the river mouth and along the shore, a smaller centre inland, thin in the hills.
//! Kelurahan populations, facility sites and complaints are all drawn from it.

use crate::coast::Coast;
use crate::grid::Grid;
use crate::noise::Noise;
use crate::terrain::Terrain;

/// Relative density per cell (0 outside the city).
pub(crate) fn density(grid: &Grid, coast: &Coast, terrain: &Terrain, seed: u64) -> Vec<f64> {
    let texture = Noise::new(seed, 31);
    let (cx, cy) = coast.centre;
    // A second, smaller centre inland (a market town swallowed by the city).
    let (sx, sy) = (cx + 4_600.0, cy - 2_800.0);
    (0..grid.len())
        .map(|k| {
            if !coast.city[k] {
                return 0.0;
            }
            let (x, y) = grid.center(k);
            let core = (-((x - cx).powi(2) + (y - cy).powi(2)) / (2.0 * 3_300f64.powi(2))).exp();
            let satellite =
                0.4 * (-((x - sx).powi(2) + (y - sy).powi(2)) / (2.0 * 1_700f64.powi(2))).exp();
            let shore = 0.45 * (-terrain.to_coast[k] / 1_500.0).exp();
            let z = terrain.elevation[k];
            let hills = (-(z - 50.0).max(0.0) / 80.0).exp();
            let river = if terrain.to_river[k] < 60.0 { 0.5 } else { 1.0 };
            let t = 0.65 + 0.35 * (texture.fbm(x / 900.0, y / 900.0, 3) + 1.0);
            (core + satellite + shore + 0.2) * hills * river * t
        })
        .collect()
}
