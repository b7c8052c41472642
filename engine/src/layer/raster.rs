//! Grids (population, elevation, flood depth) with a GDAL-style geotransform.

use crate::crs::Crs;
use ndarray::Array2;

/// A single-band raster: `data[[row, col]]`, north-up or rotated per `geotransform`.
#[derive(Debug, Clone)]
pub struct Raster {
    /// Cell values, rows × columns.
    pub data: Array2<f64>,
    /// GDAL geotransform: x = gt0 + col·gt1 + row·gt2, y = gt3 + col·gt4 + row·gt5.
    pub geotransform: [f64; 6],
    /// Value meaning "no data", if any.
    pub nodata: Option<f64>,
    /// CRS of the grid.
    pub crs: Option<Crs>,
}

impl Raster {
    /// World coordinates of the centre of cell (row, col).
    pub fn cell_center(&self, row: usize, col: usize) -> (f64, f64) {
        let g = &self.geotransform;
        let (c, r) = (col as f64 + 0.5, row as f64 + 0.5);
        (g[0] + c * g[1] + r * g[2], g[3] + c * g[4] + r * g[5])
    }

    /// The value at (row, col), or None for nodata / NaN / out of range.
    pub fn value(&self, row: usize, col: usize) -> Option<f64> {
        let v = *self.data.get((row, col))?;
        if v.is_nan() || self.nodata == Some(v) {
            None
        } else {
            Some(v)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn centre_and_nodata() {
        let r = Raster {
            data: Array2::from_shape_vec((2, 2), vec![1.0, -9999.0, 3.0, 4.0]).expect("shape"),
            geotransform: [100.0, 10.0, 0.0, 200.0, 0.0, -10.0],
            nodata: Some(-9999.0),
            crs: None,
        };
        assert_eq!(r.cell_center(1, 0), (105.0, 185.0));
        assert_eq!(r.value(0, 1), None);
        assert_eq!(r.value(1, 1), Some(4.0));
        assert_eq!(r.value(5, 5), None);
    }
}
