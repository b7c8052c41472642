//! FlatGeobuf reader and writer (`flatgeobuf` + `geozero`).
//!
//! FlatGeobuf is the fast binary format we recommend for big layers: typed columns, a CRS
//! code in the header, and streaming reads. Column types come from the header, so an
//! all-null column keeps its type. Features without geometry are written with an empty
//! geometry and read back as null.
//!
//! The writer does not write the optional spatial index: the engine builds its own R-tree
//! on load, and without the index the features keep the layer's order (the index would
//! sort them along a Hilbert curve).

use crate::crs::Crs;
use crate::error::{Error, Result};
use crate::io::{ColumnSink, ReadOptions};
use crate::layer::{ColumnData, FieldType, Layer, Value};
use flatgeobuf::{
    ColumnType, FallibleStreamingIterator, FgbCrs, FgbReader, FgbWriter, FgbWriterOptions,
    GeometryType,
};
use geo::Geometry;
use geozero::{
    ColumnValue, FeatureProperties, GeomProcessor, GeozeroGeometry, PropertyProcessor, ToGeo,
};
use std::fs::File;
use std::io::{BufReader, BufWriter, Read, Write};
use std::path::Path;

/// Reads a FlatGeobuf file; the CRS comes from the header's code (or WKT).
pub fn read(path: &Path, opts: &ReadOptions) -> Result<Layer> {
    let file = File::open(path).map_err(|e| Error::io(path, e))?;
    let reader = BufReader::with_capacity(1 << 16, file);
    // The flatgeobuf crate slices property bytes without bounds checks; a corrupt file
    // must be an error for the user, not a crash of the server.
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        read_from(path, opts, reader)
    }))
    .unwrap_or_else(|_| {
        Err(Error::parse(
            path,
            "corrupt FlatGeobuf file (feature properties do not match the header)",
        ))
    })
}

fn read_from<R: Read>(path: &Path, opts: &ReadOptions, reader: R) -> Result<Layer> {
    let fgb = FgbReader::open(reader).map_err(|e| fgb_error(path, None, e))?;
    let header = fgb.header();
    let crs = header.crs().and_then(|c| {
        let epsg = c.org().is_none_or(|o| o.eq_ignore_ascii_case("epsg"));
        match (epsg, u32::try_from(c.code())) {
            (true, Ok(code)) if code > 0 => Some(Crs::Epsg(code)),
            _ => c
                .wkt()
                .filter(|w| !w.trim().is_empty())
                .map(Crs::from_definition),
        }
    });
    let mut sinks: Vec<ColumnSink> = header
        .columns()
        .map(|cols| {
            cols.iter()
                .map(|c| ColumnSink::new(c.name(), field_type(c.type_())))
                .collect()
        })
        .unwrap_or_default();
    let mut features = fgb.select_all_seq().map_err(|e| fgb_error(path, None, e))?;
    let mut geometries = Vec::new();
    let mut row: Vec<Value> = vec![Value::Null; sinks.len()];
    while let Some(f) = features
        .next()
        .map_err(|e| fgb_error(path, Some(geometries.len()), e))?
    {
        let index = geometries.len();
        let geometry = match f.geometry() {
            Some(g) if !is_empty(&g) => Some(f.to_geo().map_err(|e| Error::Parse {
                path: path.to_path_buf(),
                line: None,
                feature: Some(index),
                message: format!("bad geometry: {e}"),
            })?),
            _ => None,
        };
        geometries.push(geometry);
        f.process_properties(&mut RowReader(&mut row))
            .map_err(|e| Error::Parse {
                path: path.to_path_buf(),
                line: None,
                feature: Some(index),
                message: format!("bad properties: {e}"),
            })?;
        for (sink, cell) in sinks.iter_mut().zip(row.iter_mut()) {
            sink.push(std::mem::replace(cell, Value::Null));
        }
    }
    let columns = sinks.into_iter().map(ColumnSink::finish).collect();
    Layer::new(&opts.name, opts.role, crs, geometries, columns)
}

/// An empty geometry (no coordinates, no parts): how null geometries are stored.
fn is_empty(g: &flatgeobuf::Geometry<'_>) -> bool {
    g.xy().is_none_or(|xy| xy.is_empty()) && g.parts().is_none_or(|p| p.is_empty())
}

fn field_type(t: ColumnType) -> FieldType {
    match t {
        ColumnType::Bool => FieldType::Bool,
        ColumnType::Byte
        | ColumnType::UByte
        | ColumnType::Short
        | ColumnType::UShort
        | ColumnType::Int
        | ColumnType::UInt
        | ColumnType::Long
        | ColumnType::ULong => FieldType::Int,
        ColumnType::Float | ColumnType::Double => FieldType::Float,
        _ => FieldType::Text,
    }
}

fn fgb_error(path: &Path, feature: Option<usize>, e: flatgeobuf::Error) -> Error {
    if let flatgeobuf::Error::IO(io) = e {
        return Error::io(path, io);
    }
    Error::Parse {
        path: path.to_path_buf(),
        line: None,
        feature,
        message: format!("not a valid FlatGeobuf file: {e}"),
    }
}

/// Collects one feature's properties into a row of cells (by column index).
struct RowReader<'a>(&'a mut Vec<Value>);

impl PropertyProcessor for RowReader<'_> {
    fn property(&mut self, i: usize, _name: &str, v: &ColumnValue) -> geozero::error::Result<bool> {
        let value = match *v {
            ColumnValue::Byte(x) => Value::Int(x.into()),
            ColumnValue::UByte(x) => Value::Int(x.into()),
            ColumnValue::Bool(x) => Value::Bool(x),
            ColumnValue::Short(x) => Value::Int(x.into()),
            ColumnValue::UShort(x) => Value::Int(x.into()),
            ColumnValue::Int(x) => Value::Int(x.into()),
            ColumnValue::UInt(x) => Value::Int(x.into()),
            ColumnValue::Long(x) => Value::Int(x),
            ColumnValue::ULong(x) => i64::try_from(x).map_or(Value::Float(x as f64), Value::Int),
            ColumnValue::Float(x) => Value::Float(x.into()),
            ColumnValue::Double(x) => Value::Float(x),
            ColumnValue::String(s) | ColumnValue::Json(s) | ColumnValue::DateTime(s) => {
                Value::Text(s.to_string())
            }
            ColumnValue::Binary(b) => Value::Text(hex::encode(b)),
        };
        if let Some(cell) = self.0.get_mut(i) {
            *cell = value;
        }
        Ok(false)
    }
}

/// Writes a layer as FlatGeobuf, keeping its CRS and column types.
pub fn write(layer: &Layer, path: &Path) -> Result<()> {
    let err = |e: String| Error::io(path, std::io::Error::other(e));
    let (code, wkt) = match &layer.crs {
        Some(Crs::Epsg(c)) => (i32::try_from(*c).unwrap_or(0), None),
        Some(Crs::Definition(d)) => (0, Some(d.as_str())),
        None => (0, None),
    };
    let options = FgbWriterOptions {
        write_index: false,
        detect_type: false,
        promote_to_multi: false,
        crs: FgbCrs {
            org: (code > 0).then_some("EPSG"),
            code,
            wkt,
            ..Default::default()
        },
        ..Default::default()
    };
    let mut fgb = FgbWriter::create_with_options(&layer.name, dataset_type(layer, path)?, options)
        .map_err(|e| err(e.to_string()))?;
    for c in &layer.columns {
        let t = match c.data {
            ColumnData::Int(_) => ColumnType::Long,
            ColumnData::Float(_) => ColumnType::Double,
            ColumnData::Text(_) => ColumnType::String,
            ColumnData::Bool(_) => ColumnType::Bool,
        };
        fgb.add_column(&c.name, t, |_, col| col.nullable = true);
    }
    for (i, g) in layer.geometries.iter().enumerate() {
        let mut failed = None;
        fgb.add_feature_geom(MaybeGeom(g.as_ref()), |fw| {
            for (ci, c) in layer.columns.iter().enumerate() {
                let r = match &c.data {
                    ColumnData::Int(v) => {
                        v[i].map(|x| fw.property(ci, &c.name, &ColumnValue::Long(x)))
                    }
                    ColumnData::Float(v) => {
                        v[i].map(|x| fw.property(ci, &c.name, &ColumnValue::Double(x)))
                    }
                    ColumnData::Text(v) => v[i]
                        .as_deref()
                        .map(|x| fw.property(ci, &c.name, &ColumnValue::String(x))),
                    ColumnData::Bool(v) => {
                        v[i].map(|x| fw.property(ci, &c.name, &ColumnValue::Bool(x)))
                    }
                };
                if let Some(Err(e)) = r {
                    failed.get_or_insert(e);
                }
            }
        })
        .map_err(|e| err(format!("feature {}: {e}", layer.ids[i])))?;
        if let Some(e) = failed {
            return Err(err(format!("feature {}: {e}", layer.ids[i])));
        }
    }
    let file = File::create(path).map_err(|e| Error::io(path, e))?;
    let mut out = BufWriter::with_capacity(1 << 16, file);
    fgb.write(&mut out).map_err(|e| err(e.to_string()))?;
    out.flush().map_err(|e| Error::io(path, e))
}

/// The header's geometry type: the one type all geometries share, else Unknown (each
/// feature then carries its own type). The flatgeobuf 6 writer garbles geometry
/// collections (each polygon ring becomes an extra part), so they are refused; no layer
/// role accepts collections anyway.
fn dataset_type(layer: &Layer, path: &Path) -> Result<GeometryType> {
    let mut common: Option<GeometryType> = None;
    let mut mixed = false;
    for g in layer.geometries.iter().flatten() {
        let t = match g {
            Geometry::Point(_) => GeometryType::Point,
            Geometry::MultiPoint(_) => GeometryType::MultiPoint,
            Geometry::Line(_) | Geometry::LineString(_) => GeometryType::LineString,
            Geometry::MultiLineString(_) => GeometryType::MultiLineString,
            Geometry::Polygon(_) | Geometry::Rect(_) | Geometry::Triangle(_) => {
                GeometryType::Polygon
            }
            Geometry::MultiPolygon(_) => GeometryType::MultiPolygon,
            Geometry::GeometryCollection(_) => GeometryType::GeometryCollection,
        };
        if t == GeometryType::GeometryCollection {
            return Err(Error::UnsupportedFormat {
                path: path.to_path_buf(),
                message: format!(
                    "layer '{}' holds a geometry collection, which the FlatGeobuf writer cannot store; write .geojson or .gpkg",
                    layer.name
                ),
            });
        }
        match common {
            None => common = Some(t),
            Some(c) if c == t => {}
            Some(_) => mixed = true,
        }
    }
    Ok(if mixed {
        GeometryType::Unknown
    } else {
        common.unwrap_or(GeometryType::Unknown)
    })
}

/// A geometry or nothing (a null geometry is written as an empty one).
struct MaybeGeom<'a>(Option<&'a Geometry>);

impl GeozeroGeometry for MaybeGeom<'_> {
    fn process_geom<P: GeomProcessor>(&self, processor: &mut P) -> geozero::error::Result<()> {
        match self.0 {
            Some(g) => g.process_geom(processor),
            None => Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::layer::{Column, Role};
    use geo::{point, polygon};

    #[test]
    fn round_trip_keeps_types_nulls_and_order() {
        let dir = tempfile::tempdir().expect("tempdir");
        let p = dir.path().join("t.fgb");
        let geoms = vec![
            Some(point!(x: 700000.0, y: 160000.0).into()),
            None,
            Some(point!(x: 1.0, y: 2.0).into()),
        ];
        let cols = vec![
            Column::from_values("n", vec![Value::Int(3), Value::Null, Value::Int(-1)]),
            Column::from_values(
                "nama",
                vec![
                    Value::Text("Sário".into()),
                    Value::Null,
                    Value::Text("x".into()),
                ],
            ),
            Column::from_values("nul", vec![Value::Null, Value::Null, Value::Null]),
        ];
        let l =
            Layer::new("t", Role::Facilities, Some(Crs::Epsg(32651)), geoms, cols).expect("layer");
        write(&l, &p).expect("write");
        let r = read(&p, &ReadOptions::new("t", Role::Facilities)).expect("read");
        assert_eq!(r.crs, Some(Crs::Epsg(32651)));
        assert_eq!(r.geometries, l.geometries);
        assert_eq!(r.columns, l.columns);
    }

    #[test]
    fn mixed_types_and_collections() {
        let dir = tempfile::tempdir().expect("tempdir");
        let p = dir.path().join("m.fgb");
        let poly = polygon![(x: 0.0, y: 0.0), (x: 1.0, y: 0.0), (x: 1.0, y: 1.0), (x: 0.0, y: 0.0)];
        let multi = geo::MultiPolygon(vec![poly.clone(), poly.clone()]);
        let geoms = vec![
            Some(point!(x: 1.0, y: 2.0).into()),
            Some(poly.clone().into()),
            Some(multi.into()),
            None,
        ];
        let l = Layer::new("m", Role::Context, None, geoms, vec![]).expect("layer");
        write(&l, &p).expect("write");
        let r = read(&p, &ReadOptions::new("m", Role::Context)).expect("read");
        assert_eq!(r.geometries, l.geometries);
        assert_eq!(r.crs, None);

        // Collections are refused, not garbled.
        let gc = Geometry::GeometryCollection(geo::GeometryCollection(vec![
            point!(x: 5.0, y: 5.0).into(),
            poly.into(),
        ]));
        let l = Layer::new("c", Role::Context, None, vec![Some(gc), None], vec![]).expect("layer");
        let e = write(&l, &p).expect_err("collection");
        assert!(e.to_string().contains("collection"), "{e}");
    }

    #[test]
    fn garbage_is_an_error() {
        let dir = tempfile::tempdir().expect("tempdir");
        let p = dir.path().join("g.fgb");
        std::fs::write(&p, b"fgb\x03fgb\x00\xff\xff\xff\x7fxxxx").expect("write");
        assert!(read(&p, &ReadOptions::new("g", Role::Context)).is_err());
        std::fs::write(&p, b"not a flatgeobuf").expect("write");
        let e = read(&p, &ReadOptions::new("g", Role::Context)).expect_err("bad");
        assert!(e.to_string().contains("g.fgb"), "{e}");
    }
}
