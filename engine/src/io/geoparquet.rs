//! GeoParquet reader (`parquet` row API + WKB via `geozero`).
//!
//! We read with the `parquet` crate's record API (no Arrow: it would add a large dependency
//! tree for one reader). The `geo` key-value metadata names the primary geometry column
//! and its CRS; a Parquet file without it is refused rather than guessed at. The CRS is
//! the PROJJSON `id` ({authority, code}); when the `crs` key is absent GeoParquet says
//! OGC:CRS84, and an explicit `null` means unknown. Column types come from the schema, so
//! an all-null column keeps its type. Bounding-box covering columns are skipped; other
//! WKB geometry columns are kept as WKT text.

use crate::crs::Crs;
use crate::error::{Error, Result};
use crate::io::{ColumnSink, ReadOptions};
use crate::layer::{FieldType, Layer, Value};
use geo::Geometry;
use geozero::wkb::Wkb;
use geozero::ToGeo;
use parquet::basic::{ConvertedType, LogicalType, Type as PhysicalType};
use parquet::file::reader::{FileReader, SerializedFileReader};
use parquet::record::Field;
use parquet::schema::types::Type;
use std::collections::BTreeSet;
use std::fs::File;
use std::path::Path;
use wkt::ToWkt;

/// What a column of the file becomes.
enum Role {
    Geometry,
    /// A secondary WKB geometry column, kept as WKT text.
    OtherGeometry(usize),
    Attribute(usize),
    Skip,
}

/// Reads a GeoParquet file (WKB-encoded geometry).
pub fn read(path: &Path, opts: &ReadOptions) -> Result<Layer> {
    let file = File::open(path).map_err(|e| Error::io(path, e))?;
    // Decoders of a binary format can trip over corrupt pages; that must be an error for
    // the user, not a crash of the server.
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| read_file(path, opts, file)))
        .unwrap_or_else(|_| Err(Error::parse(path, "corrupt Parquet file")))
}

fn read_file(path: &Path, opts: &ReadOptions, file: File) -> Result<Layer> {
    let bad = |e: parquet::errors::ParquetError| {
        Error::parse(path, format!("not a valid Parquet file: {e}"))
    };
    let reader = SerializedFileReader::new(file).map_err(bad)?;
    let meta = reader.metadata().file_metadata();
    let geo_json = meta
        .key_value_metadata()
        .and_then(|kv| kv.iter().find(|k| k.key == "geo"))
        .and_then(|k| k.value.clone())
        .ok_or_else(|| {
            Error::parse(
                path,
                "no 'geo' metadata: a plain Parquet file, not GeoParquet (write it with GeoPandas `to_parquet` or `ogr2ogr -f Parquet`)",
            )
        })?;
    let geo: serde_json::Value = serde_json::from_str(&geo_json)
        .map_err(|e| Error::parse(path, format!("the 'geo' metadata is not JSON: {e}")))?;
    let primary = geo
        .get("primary_column")
        .and_then(|p| p.as_str())
        .ok_or_else(|| Error::parse(path, "the 'geo' metadata has no primary_column"))?
        .to_string();
    let columns_meta = geo.get("columns").and_then(|c| c.as_object());
    let column_meta = columns_meta.and_then(|c| c.get(&primary));
    if let Some(enc) = column_meta
        .and_then(|c| c.get("encoding"))
        .and_then(|e| e.as_str())
    {
        if !enc.eq_ignore_ascii_case("wkb") {
            return Err(Error::UnsupportedFormat {
                path: path.to_path_buf(),
                message: format!(
                    "geometry encoding '{enc}' (only WKB is supported; write with encoding='WKB')"
                ),
            });
        }
    }
    let crs = match column_meta.and_then(|c| c.get("crs")) {
        None => Some(Crs::WGS84),
        Some(serde_json::Value::Null) => None,
        Some(c) => Some(projjson_crs(c)),
    };
    // Bounding-box covering columns (GeoParquet 1.1) are an index, not data.
    let covering: BTreeSet<String> = columns_meta
        .into_iter()
        .flat_map(|m| m.values())
        .filter_map(|c| c.pointer("/covering/bbox/xmin/0").and_then(|v| v.as_str()))
        .map(str::to_string)
        .collect();
    let wkb_columns: BTreeSet<&str> = columns_meta
        .map(|m| m.keys().map(String::as_str).collect())
        .unwrap_or_default();

    let schema = meta.schema();
    let mut sinks: Vec<ColumnSink> = Vec::new();
    let mut roles: Vec<Role> = Vec::new();
    let mut found_primary = false;
    for t in schema.get_fields() {
        let name = t.name();
        let role = if name == primary {
            found_primary = true;
            Role::Geometry
        } else if covering.contains(name) {
            Role::Skip
        } else if wkb_columns.contains(name) {
            sinks.push(ColumnSink::new(name, FieldType::Text));
            Role::OtherGeometry(sinks.len() - 1)
        } else {
            sinks.push(ColumnSink::new(name, declared_type(t)));
            Role::Attribute(sinks.len() - 1)
        };
        roles.push(role);
    }
    if !found_primary {
        return Err(Error::parse(
            path,
            format!("the primary geometry column '{primary}' is not in the file"),
        ));
    }

    let mut geometries: Vec<Option<Geometry>> = Vec::new();
    let rows = reader.get_row_iter(None).map_err(bad)?;
    for row in rows {
        let index = geometries.len();
        let row = row.map_err(|e| Error::Parse {
            path: path.to_path_buf(),
            line: None,
            feature: Some(index),
            message: format!("cannot read row: {e}"),
        })?;
        let mut geometry = None;
        for ((_, field), role) in row.get_column_iter().zip(&roles) {
            match role {
                Role::Geometry => geometry = wkb_geometry(path, index, field)?,
                Role::OtherGeometry(s) => {
                    let text = wkb_geometry(path, index, field)?.map(|g| g.wkt_string());
                    sinks[*s].push(text.map_or(Value::Null, Value::Text));
                }
                Role::Attribute(s) => sinks[*s].push(field_value(field)),
                Role::Skip => {}
            }
        }
        geometries.push(geometry);
    }
    let columns = sinks.into_iter().map(ColumnSink::finish).collect();
    Layer::new(&opts.name, opts.role, crs, geometries, columns)
}

/// A PROJJSON CRS: its `id` when it has one (`{"authority":"EPSG","code":32651}`), else the
/// whole definition (GDAL can still identify it).
fn projjson_crs(c: &serde_json::Value) -> Crs {
    if let Some(s) = c.as_str() {
        return Crs::parse(s).unwrap_or_else(|_| Crs::from_definition(s));
    }
    let id = c.get("id").or_else(|| c.pointer("/ids/0")).and_then(|id| {
        let auth = id.get("authority")?.as_str()?;
        let code = id.get("code")?;
        let code = code
            .as_str()
            .map(str::to_string)
            .or_else(|| code.as_u64().map(|n| n.to_string()))?;
        Crs::parse(&format!("{auth}:{code}")).ok()
    });
    id.unwrap_or_else(|| Crs::from_definition(&c.to_string()))
}

fn wkb_geometry(path: &Path, index: usize, field: &Field) -> Result<Option<Geometry>> {
    let bytes = match field {
        Field::Null => return Ok(None),
        Field::Bytes(b) => b.data(),
        other => {
            return Err(Error::Parse {
                path: path.to_path_buf(),
                line: None,
                feature: Some(index),
                message: format!("geometry is not WKB bytes but {other}"),
            })
        }
    };
    let g = Wkb(bytes).to_geo().map_err(|e| Error::Parse {
        path: path.to_path_buf(),
        line: None,
        feature: Some(index),
        message: format!("bad WKB geometry: {e}"),
    })?;
    // WKB has no null; `POINT EMPTY` is written as NaN coordinates.
    Ok(match g {
        Geometry::Point(p) if p.x().is_nan() && p.y().is_nan() => None,
        g => Some(g),
    })
}

/// The column type a Parquet schema field becomes (dates and times become text).
fn declared_type(t: &Type) -> FieldType {
    if !t.is_primitive() {
        return FieldType::Text;
    }
    let info = t.get_basic_info();
    match info.logical_type_ref() {
        Some(LogicalType::Decimal { .. } | LogicalType::Float16) => return FieldType::Float,
        Some(LogicalType::Integer { .. }) => return FieldType::Int,
        Some(_) => return FieldType::Text,
        None => {}
    }
    match info.converted_type() {
        ConvertedType::DECIMAL => return FieldType::Float,
        ConvertedType::NONE
        | ConvertedType::INT_8
        | ConvertedType::INT_16
        | ConvertedType::INT_32
        | ConvertedType::INT_64
        | ConvertedType::UINT_8
        | ConvertedType::UINT_16
        | ConvertedType::UINT_32
        | ConvertedType::UINT_64 => {}
        _ => return FieldType::Text,
    }
    match t.get_physical_type() {
        PhysicalType::BOOLEAN => FieldType::Bool,
        PhysicalType::INT32 | PhysicalType::INT64 => FieldType::Int,
        PhysicalType::FLOAT | PhysicalType::DOUBLE => FieldType::Float,
        _ => FieldType::Text,
    }
}

/// One Parquet cell as a value (dates, times and nested values as text).
fn field_value(f: &Field) -> Value {
    match f {
        Field::Null => Value::Null,
        Field::Bool(b) => Value::Bool(*b),
        Field::Byte(x) => Value::Int((*x).into()),
        Field::Short(x) => Value::Int((*x).into()),
        Field::Int(x) => Value::Int((*x).into()),
        Field::Long(x) => Value::Int(*x),
        Field::UByte(x) => Value::Int((*x).into()),
        Field::UShort(x) => Value::Int((*x).into()),
        Field::UInt(x) => Value::Int((*x).into()),
        Field::ULong(x) => i64::try_from(*x).map_or(Value::Float(*x as f64), Value::Int),
        Field::Float16(x) => Value::Float(x.to_f64()),
        Field::Float(x) => Value::Float((*x).into()),
        Field::Double(x) => Value::Float(*x),
        Field::Decimal(_) => f.to_string().parse().map_or(Value::Null, Value::Float),
        Field::Str(s) => Value::Text(s.clone()),
        Field::Bytes(b) => match std::str::from_utf8(b.data()) {
            Ok(s) => Value::Text(s.to_string()),
            Err(_) => Value::Text(hex::encode(b.data())),
        },
        // Dates, times and nested values in parquet's own display form.
        other => Value::Text(other.to_string().trim_matches('"').to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn projjson_ids() {
        let c =
            serde_json::json!({"type": "ProjectedCRS", "id": {"authority": "EPSG", "code": 32651}});
        assert_eq!(projjson_crs(&c), Crs::Epsg(32651));
        let c = serde_json::json!({"id": {"authority": "OGC", "code": "CRS84"}});
        assert_eq!(projjson_crs(&c), Crs::WGS84);
        assert_eq!(projjson_crs(&serde_json::json!("EPSG:4326")), Crs::WGS84);
    }

    #[test]
    fn garbage_is_an_error() {
        let dir = tempfile::tempdir().expect("tempdir");
        let p = dir.path().join("x.parquet");
        std::fs::write(&p, b"PAR1 not really").expect("write");
        let e = read(&p, &ReadOptions::new("x", crate::layer::Role::Zones)).expect_err("bad");
        assert!(matches!(e, Error::Parse { .. }), "{e}");
    }
}
