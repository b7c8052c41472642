//! Formats read through GDAL: Shapefile (also zipped), GeoPackage and any other OGR vector
//! format; GeoTIFF and any other GDAL raster; and GeoPackage writing.
//!
//! Why GDAL here and not pure Rust: city departments send Shapefiles and GeoPackages made
//! by QGIS and ArcGIS, with `.prj` WKT, code pages and curved or 3-D geometries; GDAL
//! handles all of that. Geometries cross over as ISO WKB and are decoded with `geozero`
//! (which also drops Z/M). Column types come from the layer definition.
//!
//! Two things GDAL does not do for us:
//! - a Shapefile without its `.dbf` opens fine with no attributes, which would silently
//!   lose every field; we check for the `.dbf` (and `.shx`) ourselves;
//! - the `gdal` crate cannot set or read a field's boolean subtype, so GeoPackage booleans
//!   are found with `pragma_table_info`, and written by declaring the columns with SQL
//!   (`ALTER TABLE … ADD COLUMN … BOOLEAN`) before GDAL writes the features.

use crate::crs::Crs;
use crate::error::{Error, Result};
use crate::io::{ColumnSink, ReadOptions};
use crate::layer::{ColumnData, FieldType, Layer, Raster, Value};
use gdal::errors::GdalError;
use gdal::spatial_ref::{AxisMappingStrategy, SpatialRef};
use gdal::vector::sql::Dialect;
use gdal::vector::{
    Feature, FieldValue, LayerAccess, LayerOptions, OGRFieldType, OGRwkbGeometryType, ToGdal,
};
use gdal::{Dataset, DatasetOptions, DriverManager, GdalOpenFlags};
use geo::Geometry;
use geozero::wkb::Wkb;
use geozero::ToGeo;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

fn gdal_error(path: &Path) -> impl Fn(GdalError) -> Error + '_ {
    move |e| Error::Gdal {
        path: path.to_path_buf(),
        message: e.to_string(),
    }
}

fn not_found(path: &Path) -> Error {
    Error::io(
        path,
        std::io::Error::new(std::io::ErrorKind::NotFound, "file not found"),
    )
}

/// Reads a vector layer through GDAL. `opts.source_layer` picks the layer of a
/// multi-layer source (GeoPackage); the default is the first.
pub fn read_vector(path: &Path, opts: &ReadOptions) -> Result<Layer> {
    if !path.exists() {
        return Err(not_found(path));
    }
    let source = gdal_source(path, opts)?;
    let options = DatasetOptions {
        open_flags: GdalOpenFlags::GDAL_OF_VECTOR,
        ..Default::default()
    };
    let ds = Dataset::open_ex(&source, options).map_err(|e| Error::UnsupportedFormat {
        path: path.to_path_buf(),
        message: format!("GDAL cannot open it as a vector file: {e}"),
    })?;
    if ds.layer_count() == 0 {
        return Err(Error::UnsupportedFormat {
            path: path.to_path_buf(),
            message: "no vector layers in this file (a raster? use role = \"raster\")".into(),
        });
    }
    let mut lyr = match &opts.source_layer {
        Some(name) => ds.layer_by_name(name).map_err(|_| Error::UnknownLayer {
            name: name.clone(),
            available: ds.layers().map(|l| l.name()).collect(),
        })?,
        None => ds.layer(0).map_err(gdal_error(path))?,
    };
    let crs = lyr.spatial_ref().and_then(|sr| crs_of(&sr));
    let booleans = if ds.driver().short_name() == "GPKG" {
        gpkg_booleans(&ds, &lyr.name())
    } else {
        BTreeSet::new()
    };
    let fields: Vec<(String, OGRFieldType::Type)> = lyr
        .defn()
        .fields()
        .map(|f| (f.name(), f.field_type()))
        .collect();
    let mut sinks: Vec<ColumnSink> = fields
        .iter()
        .map(|(name, t)| {
            let ty = if booleans.contains(name) {
                FieldType::Bool
            } else {
                field_type(*t)
            };
            ColumnSink::new(name.as_str(), ty)
        })
        .collect();
    let mut geometries = Vec::new();
    for f in lyr.features() {
        let index = geometries.len();
        // `geometry_by_index` (unlike `geometry`) reports a null geometry as an error
        // instead of handing GDAL a null pointer.
        let geometry = match f.geometry_by_index(0) {
            Ok(g) if !g.is_empty() => {
                let wkb = g.iso_wkb().map_err(gdal_error(path))?;
                Some(Wkb(wkb).to_geo().map_err(|e| Error::Parse {
                    path: path.to_path_buf(),
                    line: None,
                    feature: Some(index),
                    message: format!("unsupported geometry ({}): {e}", g.geometry_name()),
                })?)
            }
            _ => None,
        };
        geometries.push(geometry);
        for (i, sink) in sinks.iter_mut().enumerate() {
            sink.push(cell(&f, i));
        }
    }
    let columns = sinks.into_iter().map(ColumnSink::finish).collect();
    Layer::new(&opts.name, opts.role, crs, geometries, columns)
}

/// The GDAL path to open: checks a Shapefile's companions, and points into a `.zip`.
fn gdal_source(path: &Path, opts: &ReadOptions) -> Result<PathBuf> {
    match crate::io::extension(path).as_str() {
        "shp" => {
            for ext in ["dbf", "shx"] {
                let lower = path.with_extension(ext);
                let upper = path.with_extension(ext.to_ascii_uppercase());
                if !lower.exists() && !upper.exists() {
                    return Err(missing_companion(path, ext, &lower));
                }
            }
            Ok(path.to_path_buf())
        }
        "zip" => zipped_source(path, opts),
        _ => Ok(path.to_path_buf()),
    }
}

fn missing_companion(path: &Path, ext: &str, expected: &Path) -> Error {
    let what = if ext == "dbf" { "attributes" } else { "index" };
    let name = expected
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    Error::Parse {
        path: path.to_path_buf(),
        line: None,
        feature: None,
        message: format!(
            "missing .{ext}: a Shapefile needs its .{ext} ({what}) next to the .shp; expected {name}"
        ),
    }
}

/// `/vsizip/…/x.zip/inner.shp` for a zipped Shapefile (the one named by `source_layer`,
/// else the first); other zips are handed to GDAL as they are.
fn zipped_source(path: &Path, opts: &ReadOptions) -> Result<PathBuf> {
    let file = std::fs::File::open(path).map_err(|e| Error::io(path, e))?;
    let archive = zip::ZipArchive::new(file)
        .map_err(|e| Error::parse(path, format!("not a valid zip file: {e}")))?;
    let names: Vec<String> = archive.file_names().map(str::to_string).collect();
    let lower: Vec<String> = names.iter().map(|n| n.to_ascii_lowercase()).collect();
    let stem_of = |n: &str| {
        n.rsplit('/')
            .next()
            .unwrap_or(n)
            .trim_end_matches(".shp")
            .to_string()
    };
    // Skip macOS resource forks (`__MACOSX/._kelurahan.shp`).
    let shps: Vec<usize> = (0..names.len())
        .filter(|&i| {
            lower[i].ends_with(".shp")
                && !lower[i].starts_with("__macosx/")
                && !lower[i]
                    .rsplit('/')
                    .next()
                    .unwrap_or_default()
                    .starts_with("._")
        })
        .collect();
    let chosen = match &opts.source_layer {
        Some(want) => shps
            .iter()
            .copied()
            .find(|&i| stem_of(&lower[i]) == want.to_ascii_lowercase()),
        None => shps.first().copied(),
    };
    let abs = std::path::absolute(path).map_err(|e| Error::io(path, e))?;
    let base = format!("/vsizip/{}", abs.display());
    let Some(i) = chosen else {
        if let (Some(want), false) = (&opts.source_layer, shps.is_empty()) {
            return Err(Error::UnknownLayer {
                name: want.clone(),
                available: shps.iter().map(|&i| stem_of(&names[i])).collect(),
            });
        }
        return Ok(PathBuf::from(base));
    };
    let stem = &lower[i][..lower[i].len() - 4];
    for ext in ["dbf", "shx"] {
        if !lower.contains(&format!("{stem}.{ext}")) {
            let expected = format!("{}.{ext}", &names[i][..names[i].len() - 4]);
            return Err(missing_companion(path, ext, Path::new(&expected)));
        }
    }
    Ok(PathBuf::from(format!("{base}/{}", names[i])))
}

/// Names of the columns a GeoPackage table declares BOOLEAN.
fn gpkg_booleans(ds: &Dataset, table: &str) -> BTreeSet<String> {
    let sql = format!(
        "SELECT name FROM pragma_table_info('{}') WHERE upper(type) = 'BOOLEAN'",
        table.replace('\'', "''")
    );
    let mut out = BTreeSet::new();
    if let Ok(Some(mut rs)) = ds.execute_sql(sql, None, Dialect::DEFAULT) {
        for f in rs.features() {
            if let Ok(Some(name)) = f.field_as_string(0) {
                out.insert(name);
            }
        }
    }
    out
}

fn field_type(t: OGRFieldType::Type) -> FieldType {
    match t {
        OGRFieldType::OFTInteger | OGRFieldType::OFTInteger64 => FieldType::Int,
        OGRFieldType::OFTReal => FieldType::Float,
        _ => FieldType::Text,
    }
}

/// One cell; list, date and binary values become text.
fn cell(f: &Feature<'_>, i: usize) -> Value {
    match f.field(i) {
        Ok(None) => Value::Null,
        Ok(Some(FieldValue::IntegerValue(v))) => Value::Int(v.into()),
        Ok(Some(FieldValue::Integer64Value(v))) => Value::Int(v),
        Ok(Some(FieldValue::RealValue(v))) => Value::Float(v),
        Ok(Some(FieldValue::StringValue(s))) => Value::Text(s),
        Ok(Some(FieldValue::DateValue(d))) => Value::Text(d.to_string()),
        Ok(Some(FieldValue::DateTimeValue(d))) => Value::Text(d.to_rfc3339()),
        Ok(Some(other)) => f
            .field_as_string(i)
            .ok()
            .flatten()
            .map_or_else(|| Value::Text(format!("{other:?}")), Value::Text),
        // Types the gdal crate does not wrap (binary, time): GDAL's text form.
        Err(_) => f
            .field_as_string(i)
            .ok()
            .flatten()
            .map_or(Value::Null, Value::Text),
    }
}

/// The EPSG code of a spatial reference when it has one, else its WKT.
fn crs_of(sr: &SpatialRef) -> Option<Crs> {
    if let (Some(auth), Ok(code)) = (sr.auth_name(), sr.auth_code()) {
        if auth.eq_ignore_ascii_case("EPSG") {
            if let Ok(code) = u32::try_from(code) {
                return Some(Crs::Epsg(code));
            }
        }
    }
    sr.to_wkt().ok().map(|w| Crs::from_definition(&w))
}

fn spatial_ref(crs: &Crs) -> std::result::Result<SpatialRef, GdalError> {
    let mut sr = match crs {
        Crs::Epsg(code) => SpatialRef::from_epsg(*code)?,
        Crs::Definition(d) => SpatialRef::from_definition(d)?,
    };
    sr.set_axis_mapping_strategy(AxisMappingStrategy::TraditionalGisOrder);
    Ok(sr)
}

/// Reads band 1 of a raster (GeoTIFF or anything GDAL reads) as f64 cells.
pub fn read_raster(path: &Path) -> Result<Raster> {
    if !path.exists() {
        return Err(not_found(path));
    }
    let options = DatasetOptions {
        open_flags: GdalOpenFlags::GDAL_OF_RASTER,
        ..Default::default()
    };
    let ds = Dataset::open_ex(path, options).map_err(|e| Error::UnsupportedFormat {
        path: path.to_path_buf(),
        message: format!("GDAL cannot open it as a raster: {e}"),
    })?;
    if ds.raster_count() == 0 {
        return Err(Error::UnsupportedFormat {
            path: path.to_path_buf(),
            message: "no raster bands in this file".into(),
        });
    }
    let band = ds.rasterband(1).map_err(gdal_error(path))?;
    let (cols, rows) = ds.raster_size();
    let buffer = band
        .read_as::<f64>((0, 0), (cols, rows), (cols, rows), None)
        .map_err(gdal_error(path))?;
    let ((bc, br), values) = buffer.into_shape_and_vec();
    let data = ndarray::Array2::from_shape_vec((br, bc), values)
        .map_err(|e| Error::parse(path, format!("raster shape: {e}")))?;
    // GDAL's default when a file has no georeferencing: pixel coordinates.
    let geotransform = ds.geo_transform().unwrap_or([0.0, 1.0, 0.0, 0.0, 0.0, 1.0]);
    let crs = ds.spatial_ref().ok().and_then(|sr| crs_of(&sr));
    Ok(Raster {
        data,
        geotransform,
        nodata: band.no_data_value(),
        crs,
    })
}

/// Writes a layer as a GeoPackage: typed columns (booleans as GeoPackage BOOLEAN), the
/// layer's CRS as the SRS, features in layer order (fid = 1..n).
pub fn write_gpkg(layer: &Layer, path: &Path) -> Result<()> {
    let g = gdal_error(path);
    // GDAL will not create over an existing file (a stale temporary from a crash).
    match std::fs::remove_file(path) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => return Err(Error::io(path, e)),
        _ => {}
    }
    let names = layer.field_names();
    let unused = |base: &str| {
        let mut n = base.to_string();
        while names.iter().any(|c| c.eq_ignore_ascii_case(&n)) {
            n.push('_');
        }
        n
    };
    let (fid, geom) = (unused("fid"), unused("geom"));
    let table = if layer.name.trim().is_empty() {
        "layer".to_string()
    } else {
        layer.name.clone()
    };
    {
        let driver = DriverManager::get_driver_by_name("GPKG").map_err(&g)?;
        let mut ds = driver.create_vector_only(path).map_err(&g)?;
        let srs = layer
            .crs
            .as_ref()
            .map(spatial_ref)
            .transpose()
            .map_err(&g)?;
        let fid_opt = format!("FID={fid}");
        let geom_opt = format!("GEOMETRY_NAME={geom}");
        let creation = [fid_opt.as_str(), geom_opt.as_str()];
        ds.create_layer(LayerOptions {
            name: &table,
            srs: srs.as_ref(),
            ty: geometry_type(layer),
            options: Some(&creation),
        })
        .map_err(&g)?;
        // Declare the columns in SQL so booleans get GeoPackage's BOOLEAN type.
        for c in &layer.columns {
            let sql_type = match c.data {
                ColumnData::Int(_) => "INTEGER",
                ColumnData::Float(_) => "REAL",
                ColumnData::Text(_) => "TEXT",
                ColumnData::Bool(_) => "BOOLEAN",
            };
            let sql = format!(
                "ALTER TABLE \"{}\" ADD COLUMN \"{}\" {sql_type}",
                table.replace('"', "\"\""),
                c.name.replace('"', "\"\"")
            );
            ds.execute_sql(sql, None, Dialect::DEFAULT).map_err(&g)?;
        }
        ds.close().map_err(&g)?;
    }
    // Reopen so GDAL reads the columns back from the table.
    let options = DatasetOptions {
        open_flags: GdalOpenFlags::GDAL_OF_VECTOR | GdalOpenFlags::GDAL_OF_UPDATE,
        ..Default::default()
    };
    let mut ds = Dataset::open_ex(path, options).map_err(&g)?;
    let tx = ds.start_transaction().map_err(&g)?;
    {
        let lyr = tx.layer_by_name(&table).map_err(&g)?;
        let index: Vec<usize> = layer
            .columns
            .iter()
            .map(|c| lyr.defn().field_index(&c.name))
            .collect::<std::result::Result<_, _>>()
            .map_err(&g)?;
        for (row, geometry) in layer.geometries.iter().enumerate() {
            let feature_error = |e: GdalError| Error::Gdal {
                path: path.to_path_buf(),
                message: format!("feature {}: {e}", layer.ids[row]),
            };
            let mut f = Feature::new(lyr.defn()).map_err(feature_error)?;
            for (c, &fi) in layer.columns.iter().zip(&index) {
                let r = match &c.data {
                    ColumnData::Int(v) => v[row].map(|x| f.set_field_integer64(fi, x)),
                    ColumnData::Float(v) => v[row].map(|x| f.set_field_double(fi, x)),
                    ColumnData::Text(v) => v[row].as_deref().map(|x| f.set_field_string(fi, x)),
                    ColumnData::Bool(v) => v[row].map(|x| f.set_field_integer(fi, i32::from(x))),
                };
                r.unwrap_or_else(|| f.set_field_null(fi))
                    .map_err(feature_error)?;
            }
            if let Some(geometry) = geometry {
                let gg = geometry.to_gdal().map_err(feature_error)?;
                f.set_geometry(gg).map_err(feature_error)?;
            }
            f.create(&lyr).map_err(feature_error)?;
        }
    }
    tx.commit().map_err(&g)?;
    ds.close().map_err(&g)
}

/// The layer's geometry type: the one all geometries share, else Unknown ("GEOMETRY").
fn geometry_type(layer: &Layer) -> OGRwkbGeometryType::Type {
    use OGRwkbGeometryType::*;
    let mut common = None;
    for g in layer.geometries.iter().flatten() {
        let t = match g {
            Geometry::Point(_) => wkbPoint,
            Geometry::MultiPoint(_) => wkbMultiPoint,
            Geometry::Line(_) | Geometry::LineString(_) => wkbLineString,
            Geometry::MultiLineString(_) => wkbMultiLineString,
            Geometry::Polygon(_) | Geometry::Rect(_) | Geometry::Triangle(_) => wkbPolygon,
            Geometry::MultiPolygon(_) => wkbMultiPolygon,
            Geometry::GeometryCollection(_) => wkbGeometryCollection,
        };
        match common {
            None => common = Some(t),
            Some(c) if c == t => {}
            Some(_) => return wkbUnknown,
        }
    }
    common.unwrap_or(wkbUnknown)
}
