//! (being written)
use crate::error::{Error, Result};
use crate::io::ReadOptions;
use crate::layer::{Layer, Raster};
use std::path::Path;

/// Reads a vector file through GDAL.
pub fn read_vector(path: &Path, _opts: &ReadOptions) -> Result<Layer> {
    Err(Error::UnsupportedFormat { path: path.to_path_buf(), message: "reader not written yet".into() })
}

/// Reads a raster through GDAL.
pub fn read_raster(path: &Path) -> Result<Raster> {
    Err(Error::UnsupportedFormat { path: path.to_path_buf(), message: "reader not written yet".into() })
}

/// Writes a GeoPackage.
pub fn write_gpkg(_layer: &Layer, path: &Path) -> Result<()> {
    Err(Error::UnsupportedFormat { path: path.to_path_buf(), message: "writer not written yet".into() })
}
