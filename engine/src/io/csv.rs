//! CSV reader and writer: points from x/y columns, any geometry from a WKT column, or no
//! geometry at all (a `table` layer: statistics sheets, origin–destination costs).
//!
//! Cell types are inferred per column from all its cells: integer, float, bool
//! (`true`/`false`), else text; empty cells are null. A column is numeric only if no cell
//! has a leading zero, so administrative codes like `"0712"` stay text. Cells are kept as
//! raw text (one arena per column) until the whole file is seen, because a text cell on the
//! last line decides the type of the first.
//!
//! A bad coordinate or WKT is an error naming the file, the line (the header is line 1)
//! and the field. The delimiter is `,` (`\t` for `.tsv`), or `;`/`\t` when the header line
//! clearly uses that instead (spreadsheet exports in comma-decimal locales).

use crate::error::{Error, Result};
use crate::io::ReadOptions;
use crate::layer::{Column, ColumnData, Layer, Role};
use geo::Geometry;
use std::fmt::Write as _;
use std::fs::File;
use std::io::{BufReader, Read};
use std::path::Path;
use wkt::{ToWkt, TryFromWkt};

/// Where a CSV row's geometry comes from.
enum GeomSource {
    None,
    Xy { x: usize, y: usize },
    Wkt(usize),
}

/// Reads a CSV (or TSV) file. The CRS is `opts.crs` (a CSV cannot say its own).
pub fn read(path: &Path, opts: &ReadOptions) -> Result<Layer> {
    let delimiter = sniff_delimiter(path)?;
    let file = File::open(path).map_err(|e| Error::io(path, e))?;
    let mut rdr = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .flexible(true)
        .trim(csv::Trim::All)
        .from_reader(BufReader::with_capacity(1 << 16, file));
    let headers = read_headers(path, &mut rdr)?;
    let field = |name: &str| -> Result<usize> {
        headers
            .iter()
            .position(|h| h == name)
            .ok_or_else(|| Error::UnknownField {
                layer: opts.name.clone(),
                field: name.to_string(),
                available: headers.clone(),
            })
    };
    let source = match (opts.role, &opts.wkt, &opts.x, &opts.y) {
        (Role::Table, ..) => GeomSource::None,
        (_, Some(w), ..) => GeomSource::Wkt(field(w)?),
        (_, None, Some(x), Some(y)) => GeomSource::Xy {
            x: field(x)?,
            y: field(y)?,
        },
        _ => {
            return Err(Error::parse(
                path,
                "no geometry columns: give `x` and `y` (or `wkt`) for this CSV, or use role = \"table\"",
            ))
        }
    };
    // Every column except a WKT one is an attribute (x/y stay, as in the file).
    let attr_idx: Vec<usize> = (0..headers.len())
        .filter(|&i| !matches!(source, GeomSource::Wkt(w) if w == i))
        .collect();
    let mut acc: Vec<ColumnAcc> = attr_idx.iter().map(|_| ColumnAcc::default()).collect();
    let mut geometries: Vec<Option<Geometry>> = Vec::new();
    let mut record = csv::ByteRecord::new();
    loop {
        match rdr.read_byte_record(&mut record) {
            Ok(true) => {}
            Ok(false) => break,
            Err(e) => return Err(csv_error(path, &e)),
        }
        let line = record.position().map_or(0, |p| p.line() as usize);
        if record.len() > headers.len() {
            return Err(parse_at(
                path,
                line,
                format!(
                    "{} fields, but the header has {}",
                    record.len(),
                    headers.len()
                ),
            ));
        }
        // Missing trailing fields (some spreadsheet exports drop them) are empty.
        let cell = |i: usize| -> Result<&str> {
            let bytes = record.get(i).unwrap_or_default();
            std::str::from_utf8(bytes).map_err(|_| {
                parse_at(
                    path,
                    line,
                    format!(
                        "field '{}': not valid UTF-8 (save the file as UTF-8)",
                        headers[i]
                    ),
                )
            })
        };
        let geometry = match source {
            GeomSource::None => None,
            GeomSource::Xy { x, y } => {
                let xv = number(path, line, &headers[x], cell(x)?)?;
                let yv = number(path, line, &headers[y], cell(y)?)?;
                Some(Geometry::Point(geo::Point::new(xv, yv)))
            }
            GeomSource::Wkt(w) => parse_wkt(path, line, &headers[w], cell(w)?)?,
        };
        geometries.push(geometry);
        for (a, &i) in acc.iter_mut().zip(&attr_idx) {
            a.push(cell(i)?);
        }
    }
    let columns = attr_idx
        .iter()
        .zip(acc)
        .map(|(&i, a)| a.finish(&headers[i]))
        .collect();
    Layer::new(&opts.name, opts.role, opts.crs.clone(), geometries, columns)
}

/// Header names; blank ones get `field_N`, repeated ones a `_2`, `_3` suffix.
fn read_headers<R: Read>(path: &Path, rdr: &mut csv::Reader<R>) -> Result<Vec<String>> {
    let raw = rdr.byte_headers().map_err(|e| csv_error(path, &e))?.clone();
    let mut out: Vec<String> = Vec::with_capacity(raw.len());
    for (i, h) in raw.iter().enumerate() {
        let h = std::str::from_utf8(h).map_err(|_| {
            parse_at(
                path,
                1,
                format!("header {}: not valid UTF-8 (save the file as UTF-8)", i + 1),
            )
        })?;
        let mut name = if h.is_empty() {
            format!("field_{}", i + 1)
        } else {
            h.to_string()
        };
        let mut n = 2;
        while out.contains(&name) {
            name = format!("{h}_{n}");
            n += 1;
        }
        out.push(name);
    }
    Ok(out)
}

/// `,` unless the header line has more `;` or tabs than commas (or the file is `.tsv`).
fn sniff_delimiter(path: &Path) -> Result<u8> {
    if crate::io::extension(path) == "tsv" {
        return Ok(b'\t');
    }
    let mut head = Vec::with_capacity(8192);
    File::open(path)
        .and_then(|f| f.take(8192).read_to_end(&mut head))
        .map_err(|e| Error::io(path, e))?;
    let first = head.split(|&b| b == b'\n').next().unwrap_or_default();
    let count = |c: u8| first.iter().filter(|&&b| b == c).count();
    let (commas, semis, tabs) = (count(b','), count(b';'), count(b'\t'));
    Ok(if semis > commas && semis >= tabs {
        b';'
    } else if tabs > commas && tabs > semis {
        b'\t'
    } else {
        b','
    })
}

fn parse_at(path: &Path, line: usize, message: String) -> Error {
    Error::Parse {
        path: path.to_path_buf(),
        line: (line > 0).then_some(line),
        feature: None,
        message,
    }
}

fn csv_error(path: &Path, e: &csv::Error) -> Error {
    if let csv::ErrorKind::Io(io) = e.kind() {
        return Error::io(path, std::io::Error::new(io.kind(), io.to_string()));
    }
    let line = e.position().map_or(0, |p| p.line() as usize);
    parse_at(path, line, e.to_string())
}

/// A coordinate: must be a finite number.
fn number(path: &Path, line: usize, field: &str, s: &str) -> Result<f64> {
    if s.is_empty() {
        return Err(parse_at(
            path,
            line,
            format!("field '{field}': empty, a number is needed"),
        ));
    }
    match looks_numeric(s).then(|| s.parse::<f64>()) {
        Some(Ok(v)) if v.is_finite() => Ok(v),
        _ => {
            let hint = if s.contains(',') {
                " (use '.' as the decimal separator)"
            } else {
                ""
            };
            Err(parse_at(
                path,
                line,
                format!("field '{field}': '{s}' is not a number{hint}"),
            ))
        }
    }
}

/// A WKT cell; empty means no geometry (as written for null geometries).
fn parse_wkt(path: &Path, line: usize, field: &str, s: &str) -> Result<Option<Geometry>> {
    if s.is_empty() {
        return Ok(None);
    }
    match Geometry::<f64>::try_from_wkt_str(s) {
        Ok(g) => Ok(Some(g)),
        Err(e) => {
            let shown: String = s.chars().take(60).collect();
            let more = if shown.len() < s.len() { "…" } else { "" };
            Err(parse_at(
                path,
                line,
                format!("field '{field}': bad WKT '{shown}{more}': {e}"),
            ))
        }
    }
}

/// Digits, sign, point and exponent only: rejects `inf`, `NaN` and names like "Nan".
fn looks_numeric(s: &str) -> bool {
    s.bytes().any(|b| b.is_ascii_digit())
        && s.bytes()
            .all(|b| b.is_ascii_digit() || matches!(b, b'.' | b'-' | b'+' | b'e' | b'E'))
}

/// `0712`, `-007`: a code, not a number.
fn has_leading_zero(s: &str) -> bool {
    let digits = s.trim_start_matches(['+', '-']).as_bytes();
    digits.len() > 1 && digits[0] == b'0' && digits[1].is_ascii_digit()
}

fn parse_bool(s: &str) -> Option<bool> {
    if s.eq_ignore_ascii_case("true") {
        Some(true)
    } else if s.eq_ignore_ascii_case("false") {
        Some(false)
    } else {
        None
    }
}

/// One column's raw cells (in a single arena) and what they could all be.
struct ColumnAcc {
    text: String,
    ends: Vec<usize>,
    values: usize,
    ints: bool,
    floats: bool,
    bools: bool,
}

impl Default for ColumnAcc {
    fn default() -> Self {
        ColumnAcc {
            text: String::new(),
            ends: Vec::new(),
            values: 0,
            ints: true,
            floats: true,
            bools: true,
        }
    }
}

impl ColumnAcc {
    fn push(&mut self, s: &str) {
        self.text.push_str(s);
        self.ends.push(self.text.len());
        if s.is_empty() {
            return;
        }
        self.values += 1;
        if self.ints || self.floats {
            let numeric = looks_numeric(s) && !has_leading_zero(s);
            self.ints &= numeric && s.parse::<i64>().is_ok();
            self.floats &= numeric && s.parse::<f64>().is_ok();
        }
        if self.bools {
            self.bools = parse_bool(s).is_some();
        }
    }

    fn cells(&self) -> impl Iterator<Item = Option<&str>> + '_ {
        let starts = std::iter::once(0).chain(self.ends.iter().copied());
        starts.zip(&self.ends).map(|(a, &b)| {
            let s = &self.text[a..b];
            (!s.is_empty()).then_some(s)
        })
    }

    fn finish(self, name: &str) -> Column {
        let data = if self.values == 0 {
            ColumnData::Text(vec![None; self.ends.len()])
        } else if self.ints {
            ColumnData::Int(
                self.cells()
                    .map(|c| c.and_then(|s| s.parse().ok()))
                    .collect(),
            )
        } else if self.floats {
            ColumnData::Float(
                self.cells()
                    .map(|c| c.and_then(|s| s.parse().ok()))
                    .collect(),
            )
        } else if self.bools {
            ColumnData::Bool(self.cells().map(|c| c.and_then(parse_bool)).collect())
        } else {
            ColumnData::Text(self.cells().map(|c| c.map(str::to_string)).collect())
        };
        Column {
            name: name.to_string(),
            data,
        }
    }
}

/// Writes a layer as CSV: an `id` column first when the layer has no id field, then the
/// attributes, then the geometry as WKT in a `geometry` column (omitted for tables).
/// Coordinates stay in the layer's CRS.
pub fn write(layer: &Layer, path: &Path) -> Result<()> {
    let file = File::create(path).map_err(|e| Error::io(path, e))?;
    let mut w = csv::Writer::from_writer(std::io::BufWriter::with_capacity(1 << 16, file));
    let err = |e: csv::Error| Error::io(path, std::io::Error::other(e));
    let names = layer.field_names();
    let with_id = layer.id_field.is_none() && !names.iter().any(|n| n == "id");
    let with_geometry = layer.role != Role::Table || layer.geometries.iter().any(Option::is_some);
    let mut geometry_name = "geometry".to_string();
    while names.contains(&geometry_name) {
        geometry_name.push('_');
    }
    let mut header: Vec<&str> = Vec::with_capacity(names.len() + 2);
    if with_id {
        header.push("id");
    }
    header.extend(names.iter().map(String::as_str));
    if with_geometry {
        header.push(&geometry_name);
    }
    w.write_record(&header).map_err(err)?;
    let mut buf = String::new();
    for i in 0..layer.len() {
        if with_id {
            w.write_field(&layer.ids[i]).map_err(err)?;
        }
        for c in &layer.columns {
            buf.clear();
            match &c.data {
                ColumnData::Int(v) => {
                    if let Some(x) = v[i] {
                        let _ = write!(buf, "{x}");
                    }
                }
                // `{:?}` keeps a `.0` on whole numbers, so the column reads back as float.
                ColumnData::Float(v) => {
                    if let Some(x) = v[i].filter(|x| x.is_finite()) {
                        let _ = write!(buf, "{x:?}");
                    }
                }
                ColumnData::Text(v) => {
                    if let Some(s) = &v[i] {
                        buf.push_str(s);
                    }
                }
                ColumnData::Bool(v) => {
                    if let Some(b) = v[i] {
                        buf.push_str(if b { "true" } else { "false" });
                    }
                }
            }
            w.write_field(&buf).map_err(err)?;
        }
        if with_geometry {
            match &layer.geometries[i] {
                Some(g) => w.write_field(g.wkt_string()).map_err(err)?,
                None => w.write_field("").map_err(err)?,
            }
        }
        w.write_record(None::<&[u8]>).map_err(err)?;
    }
    w.flush().map_err(|e| Error::io(path, e))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::layer::{FieldType, Value};

    fn read_str(text: &str, opts: &ReadOptions) -> Result<Layer> {
        let dir = tempfile::tempdir().expect("tempdir");
        let p = dir.path().join("faskes.csv");
        std::fs::write(&p, text).expect("write");
        read(&p, opts)
    }

    fn xy() -> ReadOptions {
        let mut o = ReadOptions::new("faskes", Role::Facilities);
        o.x = Some("lon".into());
        o.y = Some("lat".into());
        o
    }

    #[test]
    fn infers_types_and_keeps_codes() {
        let l = read_str(
            "\u{feff}lon,lat,kode,n,x,ok,nama\n124.8,1.5,0712,3,1.5,true,Sário\n124.9,1.6,0713,,2,FALSE,\n",
            &xy(),
        )
        .expect("read");
        assert_eq!(l.len(), 2);
        assert_eq!(
            l.column("kode").expect("kode").field_type(),
            FieldType::Text
        );
        assert_eq!(
            l.column("kode").expect("kode").get(0),
            Value::Text("0712".into())
        );
        assert_eq!(l.column("n").expect("n").field_type(), FieldType::Int);
        assert_eq!(l.column("n").expect("n").get(1), Value::Null);
        assert_eq!(l.column("x").expect("x").field_type(), FieldType::Float);
        assert_eq!(l.column("ok").expect("ok").get(1), Value::Bool(false));
        assert_eq!(l.column("nama").expect("nama").get(1), Value::Null);
        assert_eq!(l.column("lon").expect("lon").field_type(), FieldType::Float);
        assert!(matches!(l.geometries[0], Some(Geometry::Point(p)) if p.x() == 124.8));
    }

    #[test]
    fn bad_number_names_line_and_field() {
        let e = read_str("lon,lat\n1,2\n1,abc\n", &xy()).expect_err("bad");
        assert!(
            e.to_string()
                .ends_with("faskes.csv line 3: field 'lat': 'abc' is not a number"),
            "{e}"
        );
        let e = read_str("lon,lat\n1,2\n,2\n", &xy()).expect_err("empty");
        assert!(e.to_string().contains("line 3: field 'lon': empty"), "{e}");
        let e = read_str("lon,lat\n1,NaN\n", &xy()).expect_err("nan");
        assert!(e.to_string().contains("'NaN' is not a number"), "{e}");
    }

    #[test]
    fn semicolons_and_tables() {
        let mut o = ReadOptions::new("t", Role::Table);
        o.x = Some("ignored".into());
        let l = read_str("kode;jumlah\n7171;10\n7172;20\n", &o).expect("read");
        assert_eq!(l.field_names(), vec!["kode", "jumlah"]);
        assert!(l.geometries.iter().all(Option::is_none));
    }

    #[test]
    fn leading_zero_rule() {
        assert!(has_leading_zero("0712"));
        assert!(has_leading_zero("-07"));
        assert!(!has_leading_zero("0"));
        assert!(!has_leading_zero("0.5"));
        assert!(!looks_numeric("Nan"));
        assert!(!looks_numeric("inf"));
    }
}
