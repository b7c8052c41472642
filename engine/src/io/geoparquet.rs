//! (being written)
use crate::error::{Error, Result};
use crate::io::ReadOptions;
use crate::layer::Layer;
use std::path::Path;

/// Reads a file.
pub fn read(path: &Path, _opts: &ReadOptions) -> Result<Layer> {
    Err(Error::UnsupportedFormat { path: path.to_path_buf(), message: "reader not written yet".into() })
}

/// Writes a file.
pub fn write(_layer: &Layer, path: &Path) -> Result<()> {
    Err(Error::UnsupportedFormat { path: path.to_path_buf(), message: "writer not written yet".into() })
}
