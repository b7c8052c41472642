//! Readers and writers. [`read_vector`] picks a reader from the file's extension (or
//! content, for GDAL); every reader returns a [`Layer`] in the file's own CRS with
//! `layer.crs` set when the file says it (GeoJSON is always EPSG:4326). Reprojection to the
//! working CRS happens in [`crate::project`], not here.
//!
//! | format | read | write | how |
//! | --- | --- | --- | --- |
//! | GeoJSON | ✓ | ✓ | `geojson` crate |
//! | CSV (x/y columns or a WKT column) | ✓ | ✓ | `csv` + `wkt` |
//! | FlatGeobuf | ✓ | ✓ | `flatgeobuf` + `geozero` |
//! | GeoParquet | ✓ | | `parquet` + WKB via `geozero` |
//! | Shapefile (also `.zip`), GeoPackage, any GDAL vector | ✓ | GeoPackage | GDAL (`gdal` feature) |
//! | GeoTIFF and GDAL rasters | ✓ | | GDAL → `ndarray` |

pub mod csv;
pub mod fgb;
#[cfg(feature = "gdal")]
pub mod gdal;
pub mod geojson;
pub mod geoparquet;
pub mod upload;

use crate::crs::Crs;
use crate::error::{Error, Result};
use crate::layer::{Column, ColumnData, FieldType, Layer, Raster, Role, Value};
use std::path::Path;

/// How to read one vector file into a layer.
#[derive(Debug, Clone)]
pub struct ReadOptions {
    /// Layer name to give the result.
    pub name: String,
    /// Role of the layer.
    pub role: Role,
    /// CSV: column holding x / longitude.
    pub x: Option<String>,
    /// CSV: column holding y / latitude.
    pub y: Option<String>,
    /// CSV: column holding WKT geometry (instead of x/y).
    pub wkt: Option<String>,
    /// CRS to assume when the file does not say (or to override a CSV's lack of one).
    pub crs: Option<Crs>,
    /// Multi-layer sources (GeoPackage): which layer to read; default the first.
    pub source_layer: Option<String>,
}

impl ReadOptions {
    /// Options for a layer called `name` with `role`, nothing else set.
    pub fn new(name: impl Into<String>, role: Role) -> Self {
        ReadOptions {
            name: name.into(),
            role,
            x: None,
            y: None,
            wkt: None,
            crs: None,
            source_layer: None,
        }
    }
}

/// Lower-case extension of a path, treating `.shp.zip` / `.zip` as `zip`.
pub fn extension(path: &Path) -> String {
    path.extension()
        .and_then(|e| e.to_str())
        .unwrap_or_default()
        .to_ascii_lowercase()
}

/// Reads a vector (or table) file. The layer's `crs` is the file's own, else `opts.crs`.
pub fn read_vector(path: &Path, opts: &ReadOptions) -> Result<Layer> {
    if !path.exists() {
        return Err(Error::io(
            path,
            std::io::Error::new(std::io::ErrorKind::NotFound, "file not found"),
        ));
    }
    let mut layer = match extension(path).as_str() {
        "geojson" | "json" => geojson::read(path, opts)?,
        "csv" | "tsv" | "txt" => csv::read(path, opts)?,
        "fgb" => fgb::read(path, opts)?,
        "parquet" | "geoparquet" => geoparquet::read(path, opts)?,
        #[cfg(feature = "gdal")]
        _ => gdal::read_vector(path, opts)?,
        #[cfg(not(feature = "gdal"))]
        other => {
            return Err(Error::UnsupportedFormat {
                path: path.to_path_buf(),
                message: format!("'.{other}' needs the gdal feature"),
            })
        }
    };
    if layer.crs.is_none() {
        layer.crs = opts.crs.clone();
    }
    layer.source = Some(path.to_path_buf());
    Ok(layer)
}

/// Reads a single-band raster (GeoTIFF or anything GDAL reads).
pub fn read_raster(path: &Path) -> Result<Raster> {
    if !path.exists() {
        return Err(Error::io(
            path,
            std::io::Error::new(std::io::ErrorKind::NotFound, "file not found"),
        ));
    }
    #[cfg(feature = "gdal")]
    {
        gdal::read_raster(path)
    }
    #[cfg(not(feature = "gdal"))]
    {
        Err(Error::UnsupportedFormat {
            path: path.to_path_buf(),
            message: "rasters need the gdal feature".into(),
        })
    }
}

/// Writes a layer; the format follows the extension: `.geojson`, `.csv`, `.fgb`, `.gpkg`.
/// GeoJSON is written in EPSG:4326 as RFC 7946 requires (reprojected if needed); the others
/// keep the layer's CRS. The file is written to a temporary name and renamed, so a failed
/// write never leaves a half-written file behind.
pub fn write_vector(layer: &Layer, path: &Path) -> Result<()> {
    // `name.part.gpkg`: the real extension last, so drivers that check it stay quiet.
    let tmp = path.with_extension(format!("part.{}", extension(path)));
    let result = match extension(path).as_str() {
        "geojson" | "json" => geojson::write(layer, &tmp),
        "csv" => csv::write(layer, &tmp),
        "fgb" => fgb::write(layer, &tmp),
        #[cfg(feature = "gdal")]
        "gpkg" => gdal::write_gpkg(layer, &tmp),
        other => Err(Error::UnsupportedFormat {
            path: path.to_path_buf(),
            message: format!("cannot write '.{other}' (write .geojson, .csv, .fgb or .gpkg)"),
        }),
    };
    match result {
        Ok(()) => std::fs::rename(&tmp, path).map_err(|e| Error::io(path, e)),
        Err(e) => {
            let _ = std::fs::remove_file(&tmp);
            Err(e)
        }
    }
}

/// A column of a declared type filled row by row. Readers of typed formats (FlatGeobuf,
/// GeoParquet, GDAL) use it instead of inferring from values, so a column keeps the
/// file's type even when every value is null. Values are coerced to the declared type
/// (a value that does not fit becomes null).
#[derive(Debug)]
pub(crate) struct ColumnSink {
    name: String,
    data: ColumnData,
}

impl ColumnSink {
    /// An empty column called `name` of type `ty`.
    pub(crate) fn new(name: impl Into<String>, ty: FieldType) -> Self {
        let data = match ty {
            FieldType::Int => ColumnData::Int(Vec::new()),
            FieldType::Float => ColumnData::Float(Vec::new()),
            FieldType::Text => ColumnData::Text(Vec::new()),
            FieldType::Bool => ColumnData::Bool(Vec::new()),
        };
        ColumnSink {
            name: name.into(),
            data,
        }
    }

    /// Appends one cell.
    pub(crate) fn push(&mut self, v: Value) {
        match &mut self.data {
            ColumnData::Int(c) => c.push(match v {
                Value::Int(i) => Some(i),
                Value::Bool(b) => Some(i64::from(b)),
                Value::Float(f) if f.fract() == 0.0 && f.abs() < 9.0e18 => Some(f as i64),
                Value::Text(s) => s.trim().parse().ok(),
                _ => None,
            }),
            ColumnData::Float(c) => c.push(match v {
                Value::Text(s) => s.trim().parse().ok(),
                other => other.as_f64(),
            }),
            ColumnData::Text(c) => c.push(match v {
                Value::Text(s) => Some(s),
                other => other.as_key(),
            }),
            ColumnData::Bool(c) => c.push(match v {
                Value::Bool(b) => Some(b),
                Value::Int(i) => Some(i != 0),
                Value::Text(s) if s.eq_ignore_ascii_case("true") => Some(true),
                Value::Text(s) if s.eq_ignore_ascii_case("false") => Some(false),
                _ => None,
            }),
        }
    }

    /// The finished column.
    pub(crate) fn finish(self) -> Column {
        Column {
            name: self.name,
            data: self.data,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn column_sink_coerces_to_the_declared_type() {
        let mut s = ColumnSink::new("n", FieldType::Int);
        for v in [
            Value::Int(1),
            Value::Float(2.0),
            Value::Float(2.5),
            Value::Null,
        ] {
            s.push(v);
        }
        let c = s.finish();
        assert_eq!(c.data, ColumnData::Int(vec![Some(1), Some(2), None, None]));
        let mut s = ColumnSink::new("b", FieldType::Bool);
        s.push(Value::Int(0));
        s.push(Value::Text("TRUE".into()));
        assert_eq!(
            s.finish().data,
            ColumnData::Bool(vec![Some(false), Some(true)])
        );
        let c = ColumnSink::new("t", FieldType::Text).finish();
        assert!(c.is_empty());
    }

    #[test]
    fn unknown_extension_cannot_be_written() {
        let dir = tempfile::tempdir().expect("tempdir");
        let l = Layer::new("x", Role::Context, None, vec![], vec![]).expect("layer");
        let e = write_vector(&l, &dir.path().join("x.kml")).expect_err("kml");
        assert!(matches!(e, Error::UnsupportedFormat { .. }), "{e}");
        assert!(std::fs::read_dir(dir.path()).expect("dir").next().is_none());
    }
}
