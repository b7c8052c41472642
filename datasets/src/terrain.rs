//! The synthetic elevation model (`elevasi`): a low coastal plain rising to hills in the
//! east, a river valley carved into it, and small-scale relief. Flood zones are derived
//! from it ([`crate::hazard`]), so low ground near the shore and the river floods first.

use crate::coast::Coast;
use crate::grid::Grid;
use crate::noise::{smoothstep, Noise};
use geo::LineString;
use ndarray::Array2;
use tepat_engine::crs::Crs;
use tepat_engine::layer::Raster;

/// "No data" in the elevation raster (the sea).
pub(crate) const NODATA: f64 = -9999.0;

/// Elevation and the distances it was built from, per grid cell.
#[derive(Debug, Clone)]
pub(crate) struct Terrain {
    /// Metres above mean sea level, rounded to centimetres; NaN over the sea.
    pub elevation: Vec<f64>,
    /// Distance to the nearest sea cell (m).
    pub to_coast: Vec<f64>,
    /// Distance to the river (m).
    pub to_river: Vec<f64>,
}

impl Terrain {
    /// Builds the terrain for `coast` and `river` on `grid`.
    pub(crate) fn generate(grid: &Grid, coast: &Coast, river: &LineString, seed: u64) -> Terrain {
        let to_coast = grid.distance_to(&coast.sea);
        let mut river_cells = vec![false; grid.len()];
        for line in river.lines() {
            let d = line.delta();
            let steps = ((d.x.hypot(d.y) / 10.0).ceil() as usize).max(1);
            for s in 0..=steps {
                let p = line.start + d * (s as f64 / steps as f64);
                if let Some(k) = grid.locate(p.x, p.y) {
                    river_cells[k] = !coast.sea[k];
                }
            }
        }
        let to_river = grid.distance_to(&river_cells);
        let ridges = Noise::new(seed, 21);
        let upland = Noise::new(seed, 22);
        let micro = Noise::new(seed, 23);
        let elevation = (0..grid.len())
            .map(|k| {
                if coast.sea[k] {
                    return f64::NAN;
                }
                let (x, y) = grid.center(k);
                let (dc, dr) = (to_coast[k], to_river[k]);
                let plain = 0.7 + 2.8 * dc / 1_000.0;
                let hills = 230.0
                    * smoothstep(1_200.0, 9_500.0, dc)
                    * (0.55 + 0.45 * ridges.fbm(x / 2_800.0, y / 2_800.0, 4));
                let texture =
                    10.0 * upland.fbm(x / 700.0, y / 700.0, 3) * smoothstep(800.0, 4_000.0, dc);
                let relief = 0.8
                    * micro.fbm(x / 500.0, y / 500.0, 3)
                    * (1.0 - smoothstep(2_000.0, 5_000.0, dc));
                let base = plain + hills + texture + relief;
                let bed = 0.2 + 0.45 * dc / 1_000.0 + 25.0 * smoothstep(5_000.0, 12_000.0, dc);
                let width = 450.0 + 0.05 * dc;
                let valley = (-(dr / width).powi(2)).exp();
                let z = if base > bed {
                    bed + (base - bed) * (1.0 - valley)
                } else {
                    base
                };
                (z.max(0.2) * 100.0).round() / 100.0
            })
            .collect();
        Terrain {
            elevation,
            to_coast,
            to_river,
        }
    }

    /// The elevation as a north-up raster in EPSG:32651, the sea as nodata.
    pub(crate) fn raster(&self, grid: &Grid) -> Raster {
        let data = Array2::from_shape_fn((grid.ny, grid.nx), |(row, col)| {
            let k = (grid.ny - 1 - row) * grid.nx + col;
            let z = self.elevation[k];
            if z.is_nan() {
                NODATA
            } else {
                z
            }
        });
        Raster {
            data,
            geotransform: [
                grid.x0,
                grid.cell,
                0.0,
                grid.y0 + grid.ny as f64 * grid.cell,
                0.0,
                -grid.cell,
            ],
            nodata: Some(NODATA),
            crs: Some(Crs::Epsg(crate::EPSG)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;
    use rand_chacha::ChaCha8Rng;

    #[test]
    fn low_by_the_sea_and_the_river_high_in_the_hills() {
        let grid = Grid::DEMO;
        let mut rng = ChaCha8Rng::seed_from_u64(3);
        let coast = Coast::generate(&grid, 3, &mut rng);
        let river = coast.river(&grid, 3, &mut rng);
        let t = Terrain::generate(&grid, &coast, &river, 3);
        let land: Vec<usize> = (0..grid.len()).filter(|&k| coast.city[k]).collect();
        let mean = |f: &dyn Fn(usize) -> bool| {
            let v: Vec<f64> = land
                .iter()
                .copied()
                .filter(|&k| f(k))
                .map(|k| t.elevation[k])
                .collect();
            v.iter().sum::<f64>() / v.len().max(1) as f64
        };
        let shore = mean(&|k| t.to_coast[k] < 300.0);
        let hills = mean(&|k| t.to_coast[k] > 9_000.0);
        let valley = mean(&|k| t.to_river[k] < 100.0 && t.to_coast[k] > 6_000.0);
        let ridge = mean(&|k| t.to_river[k] > 2_000.0 && t.to_coast[k] > 6_000.0);
        assert!(shore < 3.0 && hills > 100.0, "shore {shore} hills {hills}");
        assert!(valley < ridge, "valley {valley} ridge {ridge}");
        let r = t.raster(&grid);
        assert_eq!(r.data.dim(), (grid.ny, grid.nx));
        // Row 0 is the north edge.
        assert_eq!(
            r.cell_center(0, 0),
            (grid.x0 + 25.0, grid.y0 + 15_000.0 - 25.0)
        );
        assert!(land.iter().all(|&k| t.elevation[k] >= 0.2));
    }
}
