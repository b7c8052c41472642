//! GeoJSON (RFC 7946) reader and writer.
//!
//! Why a hand-driven serde walk instead of `geojson::GeoJson::from_reader`: city layers can
//! hold a million features, and building the whole `FeatureCollection` (every property as a
//! `serde_json::Value`, every feature in a `Vec`) before converting would need several times
//! the file's size in memory. Here the `features` array is streamed from a `BufReader`: each
//! feature's geometry is parsed with the `geojson` crate's own types and converted to `geo`,
//! and its properties go straight into a [`LayerBuilder`] (keys interned, values converted
//! like [`Value::from_json`] without an intermediate JSON tree).
//!
//! Accepted input: a FeatureCollection, a single Feature or a bare Geometry. The CRS is
//! EPSG:4326 as RFC 7946 says, unless a legacy (2008 spec) `"crs"` member names another.
//! Feature `id`s become the layer's ids when every feature has one.
//!
//! The writer always writes EPSG:4326 (reprojecting a copy when the layer is in another CRS).

use crate::crs::{Crs, Transformer};
use crate::error::{Error, Result};
use crate::io::ReadOptions;
use crate::layer::{ColumnData, FeatureNote, Layer, LayerBuilder, Value};
use geo::Geometry;
use serde::de::{self, DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde::ser::{SerializeMap, Serializer};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::fmt;
use std::fs::File;
use std::io::{BufReader, BufWriter, Read, Write};
use std::path::Path;

/// Reads a GeoJSON file into a layer (CRS EPSG:4326 unless a legacy `crs` member says otherwise).
pub fn read(path: &Path, opts: &ReadOptions) -> Result<Layer> {
    read_with_limit(path, opts, SLURP_LIMIT)
}

fn read_with_limit(path: &Path, opts: &ReadOptions, slurp_limit: u64) -> Result<Layer> {
    let file = File::open(path).map_err(|e| Error::io(path, e))?;
    let size = file.metadata().map_err(|e| Error::io(path, e))?.len();
    let mut state = State::default();
    // Parsing from memory is 2–3× faster than from a reader (serde_json's reader path tracks
    // line and column per byte), so files up to SLURP_LIMIT are read whole; bigger ones are
    // streamed so memory stays bounded.
    let parsed = if size <= slurp_limit {
        let mut bytes = Vec::with_capacity(size as usize + 1);
        BufReader::new(file)
            .read_to_end(&mut bytes)
            .map_err(|e| Error::io(path, e))?;
        parse(
            &mut serde_json::Deserializer::from_slice(&bytes),
            &mut state,
        )
    } else {
        let reader = BufReader::with_capacity(1 << 16, file);
        parse(
            &mut serde_json::Deserializer::from_reader(reader),
            &mut state,
        )
    };
    if let Err(e) = parsed {
        let feature = state.in_features.then(|| state.builder.len());
        return Err(json_error(path, &e, feature));
    }
    finish(path, opts, state)
}

/// Files up to this size are parsed from memory.
const SLURP_LIMIT: u64 = 256 << 20;

fn parse<'de, R: serde_json::de::Read<'de>>(
    de: &mut serde_json::Deserializer<R>,
    state: &mut State,
) -> serde_json::Result<()> {
    Top(state).deserialize(&mut *de)?;
    de.end()
}

/// Everything the walk collects.
#[derive(Default)]
struct State {
    builder: LayerBuilder,
    /// Property names seen so far; properties refer to them by index while parsing.
    names: Names,
    /// Reused buffer for one feature's properties.
    props: Vec<(usize, Value)>,
    /// Feature ids in order; `None` where a feature had no id.
    ids: Vec<Option<String>>,
    /// Indexes of features with a ring whose last position differs from its first.
    unclosed: Vec<usize>,
    in_features: bool,
    saw_features: bool,
    kind: Option<String>,
    crs: Option<serde_json::Value>,
    /// Members of a top-level single Feature.
    top_geometry: Option<geojson::Geometry>,
    top_id: Option<String>,
    top_props: bool,
    /// Other top-level members (a bare Geometry's `coordinates` / `geometries`).
    rest: serde_json::Map<String, serde_json::Value>,
}

#[derive(Default)]
struct Names {
    index: HashMap<String, usize>,
    list: Vec<String>,
}

impl Names {
    fn intern(&mut self, s: &str) -> usize {
        if let Some(&i) = self.index.get(s) {
            return i;
        }
        let i = self.list.len();
        self.list.push(s.to_string());
        self.index.insert(s.to_string(), i);
        i
    }
}

impl State {
    /// Adds one parsed feature to the builder, remembering whether its rings were closed.
    fn push_raw(
        &mut self,
        geometry: Option<geojson::Geometry>,
        id: Option<String>,
    ) -> std::result::Result<(), String> {
        if geometry
            .as_ref()
            .is_some_and(|g| has_unclosed_ring(&g.value))
        {
            self.unclosed.push(self.ids.len());
        }
        let geometry = geometry.map(to_geo).transpose()?;
        self.push(geometry, id);
        Ok(())
    }

    /// Adds one converted feature to the builder.
    fn push(&mut self, geometry: Option<Geometry>, id: Option<String>) {
        let names = &self.names.list;
        self.builder.push(
            geometry,
            self.props.drain(..).map(|(i, v)| (names[i].as_str(), v)),
        );
        self.ids.push(id);
    }
}

fn finish(path: &Path, opts: &ReadOptions, mut state: State) -> Result<Layer> {
    let kind = state.kind.take();
    match kind.as_deref() {
        Some("FeatureCollection") | None if state.saw_features => {}
        Some("FeatureCollection") => {
            return Err(Error::parse(
                path,
                "a FeatureCollection without a \"features\" array",
            ))
        }
        Some("Feature") => {
            let geometry = state.top_geometry.take();
            let id = state.top_id.take();
            state
                .push_raw(geometry, id)
                .map_err(|m| Error::parse(path, m))?;
        }
        Some(
            t @ ("Point" | "MultiPoint" | "LineString" | "MultiLineString" | "Polygon"
            | "MultiPolygon" | "GeometryCollection"),
        ) => {
            let mut object = std::mem::take(&mut state.rest);
            object.insert("type".into(), t.into());
            let g: geojson::Geometry = serde_json::from_value(object.into())
                .map_err(|e| Error::parse(path, format!("bad {t}: {e}")))?;
            state.props.clear();
            state
                .push_raw(Some(g), None)
                .map_err(|m| Error::parse(path, m))?;
        }
        Some(other) => {
            return Err(Error::parse(
                path,
                format!("\"type\": \"{other}\" is not a GeoJSON object type"),
            ))
        }
        None => {
            return Err(Error::parse(
                path,
                "not GeoJSON: the top-level object has no \"type\"",
            ))
        }
    }
    let crs = match state.crs.take() {
        Some(member) => legacy_crs(path, &member)?,
        None => Some(Crs::WGS84),
    };
    let all_ids = state.ids.iter().all(Option::is_some) && !state.ids.is_empty();
    let ids = std::mem::take(&mut state.ids);
    let unclosed = std::mem::take(&mut state.unclosed);
    let mut layer = state.builder.finish(&opts.name, opts.role, crs)?;
    // geo closes rings silently; the integrity check reports what the file really held.
    layer
        .notes
        .extend(unclosed.into_iter().map(|feature| FeatureNote {
            feature,
            kind: "unclosed-ring".into(),
            message: "a polygon ring does not end where it starts (closed on reading)".into(),
        }));
    if all_ids {
        layer.ids = ids.into_iter().flatten().collect();
    }
    Ok(layer)
}

/// The pre-RFC 7946 `"crs"` member: `{"type":"name","properties":{"name":"urn:ogc:def:crs:EPSG::32651"}}`
/// (or the older `{"type":"EPSG","properties":{"code":32651}}`). `null` means the default.
fn legacy_crs(path: &Path, member: &serde_json::Value) -> Result<Option<Crs>> {
    if member.is_null() {
        return Ok(Some(Crs::WGS84));
    }
    let props = member.get("properties");
    let named = props.and_then(|p| p.get("name")).and_then(|n| n.as_str());
    let code = props.and_then(|p| p.get("code")).and_then(|c| c.as_u64());
    let bad = |message: String| Error::Crs {
        context: path.display().to_string(),
        message,
    };
    if let Some(name) = named {
        return Crs::parse(name)
            .map(Some)
            .map_err(|_| bad(format!("the \"crs\" member names an unknown CRS '{name}'")));
    }
    if let Some(code) = code.and_then(|c| u32::try_from(c).ok()) {
        return Ok(Some(Crs::Epsg(code)));
    }
    Err(bad(format!(
        "cannot understand the \"crs\" member {member} (expected {{\"type\":\"name\",\"properties\":{{\"name\":\"EPSG:…\"}}}})"
    )))
}

/// True when a polygon ring's last position differs from its first (RFC 7946 §3.1.6).
fn has_unclosed_ring(v: &geojson::GeometryValue) -> bool {
    let open = |ring: &Vec<geojson::Position>| ring.len() > 1 && ring.first() != ring.last();
    match v {
        geojson::GeometryValue::Polygon { coordinates } => coordinates.iter().any(open),
        geojson::GeometryValue::MultiPolygon { coordinates } => {
            coordinates.iter().flatten().any(open)
        }
        geojson::GeometryValue::GeometryCollection { geometries } => {
            geometries.iter().any(|g| has_unclosed_ring(&g.value))
        }
        _ => false,
    }
}

fn to_geo(g: geojson::Geometry) -> std::result::Result<Geometry, String> {
    Geometry::try_from(g).map_err(|e| e.to_string())
}

/// Turns serde_json's error into one naming the file, line and (inside `features`) feature.
fn json_error(path: &Path, e: &serde_json::Error, feature: Option<usize>) -> Error {
    use serde_json::error::Category;
    let text = e.to_string();
    // serde_json appends " at line L column C"; we report the line in our own way.
    let base = text
        .rsplit_once(" at line ")
        .map_or(text.as_str(), |(head, _)| head);
    let mut message = match e.classify() {
        Category::Eof => "the file ends early (truncated?)".to_string(),
        _ => base.to_string(),
    };
    if e.line() > 0 {
        message = format!("column {}: {message}", e.column());
    }
    if let Some(f) = feature {
        if e.line() > 0 {
            message = format!("{message} (feature {f})");
        }
    }
    Error::Parse {
        path: path.to_path_buf(),
        line: (e.line() > 0).then_some(e.line()),
        feature,
        message,
    }
}

// ---------------------------------------------------------------------------------------
// The streaming walk. `Top` visits the top-level object; `Features` streams the array;
// `FeatureSeed` visits one feature; `Props` fills the property buffer.

/// Object keys we act on; anything else is skipped (or kept at the top level).
enum Key {
    Type,
    Features,
    Crs,
    Geometry,
    Properties,
    Id,
    Other(String),
}

impl<'de> Deserialize<'de> for Key {
    fn deserialize<D: Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        struct KeyVisitor;
        impl Visitor<'_> for KeyVisitor {
            type Value = Key;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("an object key")
            }
            fn visit_str<E: de::Error>(self, s: &str) -> std::result::Result<Key, E> {
                Ok(match s {
                    "type" => Key::Type,
                    "features" => Key::Features,
                    "crs" => Key::Crs,
                    "geometry" => Key::Geometry,
                    "properties" => Key::Properties,
                    "id" => Key::Id,
                    other => Key::Other(other.to_string()),
                })
            }
        }
        d.deserialize_identifier(KeyVisitor)
    }
}

struct Top<'a>(&'a mut State);

impl<'de> DeserializeSeed<'de> for Top<'_> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> std::result::Result<(), D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for Top<'_> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a GeoJSON object (FeatureCollection, Feature or Geometry)")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> std::result::Result<(), A::Error> {
        let st = self.0;
        while let Some(key) = map.next_key::<Key>()? {
            match key {
                Key::Type => st.kind = Some(map.next_value()?),
                Key::Features => {
                    st.saw_features = true;
                    st.in_features = true;
                    map.next_value_seed(Features(&mut *st))?;
                    st.in_features = false;
                }
                Key::Crs => st.crs = Some(map.next_value()?),
                Key::Geometry => st.top_geometry = map.next_value()?,
                Key::Id => st.top_id = map.next_value_seed(IdSeed)?,
                Key::Properties => {
                    // Only meaningful for a single Feature; buffered until we know.
                    st.props.clear();
                    map.next_value_seed(Props {
                        names: &mut st.names,
                        out: &mut st.props,
                    })?;
                    st.top_props = true;
                }
                Key::Other(k) => {
                    let v: serde_json::Value = map.next_value()?;
                    st.rest.insert(k, v);
                }
            }
        }
        if st.kind.as_deref() != Some("Feature") && st.top_props {
            st.props.clear();
        }
        Ok(())
    }
}

struct Features<'a>(&'a mut State);

impl<'de> DeserializeSeed<'de> for Features<'_> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> std::result::Result<(), D::Error> {
        d.deserialize_seq(self)
    }
}

impl<'de> Visitor<'de> for Features<'_> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("an array of features")
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> std::result::Result<(), A::Error> {
        let st = self.0;
        if let Some(n) = seq.size_hint() {
            st.ids.reserve(n);
        }
        while seq.next_element_seed(FeatureSeed(&mut *st))?.is_some() {}
        Ok(())
    }
}

struct FeatureSeed<'a>(&'a mut State);

impl<'de> DeserializeSeed<'de> for FeatureSeed<'_> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> std::result::Result<(), D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for FeatureSeed<'_> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a Feature object")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> std::result::Result<(), A::Error> {
        let st = self.0;
        let index = st.builder.len();
        st.props.clear();
        let mut geometry: Option<geojson::Geometry> = None;
        let mut id = None;
        while let Some(key) = map.next_key::<Key>()? {
            match key {
                Key::Type => {
                    let t: TypeName = map.next_value()?;
                    if !t.0 {
                        return Err(de::Error::custom(format!(
                            "feature {index}: \"type\" must be \"Feature\""
                        )));
                    }
                }
                Key::Geometry => geometry = map.next_value()?,
                Key::Properties => map.next_value_seed(Props {
                    names: &mut st.names,
                    out: &mut st.props,
                })?,
                Key::Id => id = map.next_value_seed(IdSeed)?,
                _ => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        st.push_raw(geometry, id)
            .map_err(|m| de::Error::custom(format!("feature {index}: {m}")))
    }
}

/// Checks a feature's `"type"` without allocating: true when it is `"Feature"`.
struct TypeName(bool);

impl<'de> Deserialize<'de> for TypeName {
    fn deserialize<D: Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = TypeName;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a type name")
            }
            fn visit_str<E: de::Error>(self, s: &str) -> std::result::Result<TypeName, E> {
                Ok(TypeName(s == "Feature"))
            }
        }
        d.deserialize_str(V)
    }
}

/// A feature's `properties` object (or null), into `(name index, value)` pairs.
struct Props<'a> {
    names: &'a mut Names,
    out: &'a mut Vec<(usize, Value)>,
}

impl<'de> DeserializeSeed<'de> for Props<'_> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> std::result::Result<(), D::Error> {
        d.deserialize_option(self)
    }
}

impl<'de> Visitor<'de> for Props<'_> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a properties object or null")
    }
    fn visit_none<E: de::Error>(self) -> std::result::Result<(), E> {
        Ok(())
    }
    fn visit_unit<E: de::Error>(self) -> std::result::Result<(), E> {
        Ok(())
    }
    fn visit_some<D: Deserializer<'de>>(self, d: D) -> std::result::Result<(), D::Error> {
        d.deserialize_map(self)
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> std::result::Result<(), A::Error> {
        while let Some(i) = map.next_key_seed(NameSeed(&mut *self.names))? {
            let v = map.next_value_seed(CellSeed)?;
            self.out.push((i, v));
        }
        Ok(())
    }
}

/// A property name, interned.
struct NameSeed<'a>(&'a mut Names);

impl<'de> DeserializeSeed<'de> for NameSeed<'_> {
    type Value = usize;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> std::result::Result<usize, D::Error> {
        d.deserialize_str(self)
    }
}

impl Visitor<'_> for NameSeed<'_> {
    type Value = usize;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a property name")
    }
    fn visit_str<E: de::Error>(self, s: &str) -> std::result::Result<usize, E> {
        Ok(self.0.intern(s))
    }
}

/// One property value, converted as [`Value::from_json`] does (nested values become JSON text).
struct CellSeed;

impl<'de> DeserializeSeed<'de> for CellSeed {
    type Value = Value;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> std::result::Result<Value, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for CellSeed {
    type Value = Value;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a property value")
    }
    fn visit_bool<E: de::Error>(self, v: bool) -> std::result::Result<Value, E> {
        Ok(Value::Bool(v))
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> std::result::Result<Value, E> {
        Ok(Value::Int(v))
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> std::result::Result<Value, E> {
        Ok(i64::try_from(v).map_or(Value::Float(v as f64), Value::Int))
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> std::result::Result<Value, E> {
        Ok(Value::Float(v))
    }
    fn visit_str<E: de::Error>(self, v: &str) -> std::result::Result<Value, E> {
        Ok(Value::Text(v.to_string()))
    }
    fn visit_string<E: de::Error>(self, v: String) -> std::result::Result<Value, E> {
        Ok(Value::Text(v))
    }
    fn visit_unit<E: de::Error>(self) -> std::result::Result<Value, E> {
        Ok(Value::Null)
    }
    fn visit_none<E: de::Error>(self) -> std::result::Result<Value, E> {
        Ok(Value::Null)
    }
    fn visit_some<D: Deserializer<'de>>(self, d: D) -> std::result::Result<Value, D::Error> {
        d.deserialize_any(self)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> std::result::Result<Value, A::Error> {
        let v = serde_json::Value::deserialize(de::value::SeqAccessDeserializer::new(seq))?;
        Ok(Value::from_json(&v))
    }
    fn visit_map<A: MapAccess<'de>>(self, map: A) -> std::result::Result<Value, A::Error> {
        let v = serde_json::Value::deserialize(de::value::MapAccessDeserializer::new(map))?;
        Ok(Value::from_json(&v))
    }
}

/// A feature `id` (string or number) as the layer's id string; null means none.
struct IdSeed;

impl<'de> DeserializeSeed<'de> for IdSeed {
    type Value = Option<String>;
    fn deserialize<D: Deserializer<'de>>(
        self,
        d: D,
    ) -> std::result::Result<Option<String>, D::Error> {
        match CellSeed.deserialize(d)? {
            Value::Text(s) => Ok(Some(s)),
            other => Ok(other.as_key()),
        }
    }
}

// ---------------------------------------------------------------------------------------
// Writer.

/// Writes a layer as a GeoJSON FeatureCollection in EPSG:4326.
pub fn write(layer: &Layer, path: &Path) -> Result<()> {
    let reprojected;
    let geometries: &[Option<Geometry>] = match &layer.crs {
        Some(crs) if *crs != Crs::WGS84 => {
            let t = Transformer::new(crs, &Crs::WGS84)?;
            let mut copy = layer.geometries.clone();
            t.geometries(&mut copy).map_err(|(i, e)| Error::Crs {
                context: format!("layer '{}' feature {}", layer.name, layer.ids[i]),
                message: format!("cannot reproject to EPSG:4326 for GeoJSON: {e}"),
            })?;
            reprojected = copy;
            &reprojected
        }
        _ => &layer.geometries,
    };
    let file = File::create(path).map_err(|e| Error::io(path, e))?;
    let mut w = BufWriter::with_capacity(1 << 16, file);
    let io = |e: std::io::Error| Error::io(path, e);
    let json = |e: serde_json::Error| Error::io(path, std::io::Error::other(e));
    w.write_all(b"{\"type\":\"FeatureCollection\",\"name\":")
        .map_err(io)?;
    serde_json::to_writer(&mut w, &layer.name).map_err(json)?;
    w.write_all(b",\"features\":[\n").map_err(io)?;
    let numeric_ids = match &layer.id_field {
        Some(f) => layer
            .column(f)
            .is_ok_and(|c| matches!(c.data, ColumnData::Int(_))),
        None => true,
    };
    for (i, g) in geometries.iter().enumerate() {
        if i > 0 {
            w.write_all(b",\n").map_err(io)?;
        }
        let feature = FeatureOut {
            layer,
            row: i,
            geometry: g.as_ref(),
            numeric_ids,
        };
        serde_json::to_writer(&mut w, &feature).map_err(json)?;
    }
    w.write_all(b"\n]}\n").map_err(io)?;
    w.flush().map_err(io)
}

/// One feature, serialised straight from the layer's columns (no per-feature JSON map).
struct FeatureOut<'a> {
    layer: &'a Layer,
    row: usize,
    geometry: Option<&'a Geometry>,
    numeric_ids: bool,
}

impl Serialize for FeatureOut<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        let mut m = s.serialize_map(Some(4))?;
        m.serialize_entry("type", "Feature")?;
        let id = &self.layer.ids[self.row];
        // Integer ids stay numbers (as they came); codes like "0712" stay strings.
        match id.parse::<i64>() {
            Ok(n) if self.numeric_ids && n.to_string() == *id => m.serialize_entry("id", &n)?,
            _ => m.serialize_entry("id", id)?,
        }
        m.serialize_entry(
            "properties",
            &PropsOut {
                layer: self.layer,
                row: self.row,
            },
        )?;
        let geometry = self
            .geometry
            .map(|g| geojson::Geometry::new(geojson::GeometryValue::from(g)));
        m.serialize_entry("geometry", &geometry)?;
        m.end()
    }
}

struct PropsOut<'a> {
    layer: &'a Layer,
    row: usize,
}

impl Serialize for PropsOut<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        let i = self.row;
        let mut m = s.serialize_map(Some(self.layer.columns.len()))?;
        for c in &self.layer.columns {
            match &c.data {
                ColumnData::Int(v) => m.serialize_entry(&c.name, &v[i])?,
                // serde_json writes non-finite floats as null.
                ColumnData::Float(v) => m.serialize_entry(&c.name, &v[i])?,
                ColumnData::Text(v) => m.serialize_entry(&c.name, &v[i])?,
                ColumnData::Bool(v) => m.serialize_entry(&c.name, &v[i])?,
            }
        }
        m.end()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::layer::{FieldType, Role};

    fn read_str(text: &str) -> Result<Layer> {
        let dir = tempfile::tempdir().expect("tempdir");
        let p = dir.path().join("t.geojson");
        std::fs::write(&p, text).expect("write");
        let opts = ReadOptions::new("t", Role::Context);
        // Both the in-memory and the streaming path must agree.
        let streamed = read_with_limit(&p, &opts, 0);
        let slurped = read(&p, &opts);
        match (&streamed, &slurped) {
            (Ok(a), Ok(b)) => {
                assert_eq!(a.ids, b.ids);
                assert_eq!(a.geometries, b.geometries);
                assert_eq!(a.columns, b.columns);
            }
            // serde_json's two readers may differ by one in the column.
            (Err(a), Err(b)) => assert_eq!(
                (a.kind(), location(a)),
                (b.kind(), location(b)),
                "{a} vs {b}"
            ),
            _ => panic!("paths disagree: {streamed:?} vs {slurped:?}"),
        }
        slurped
    }

    fn location(e: &Error) -> (Option<usize>, Option<usize>) {
        match e {
            Error::Parse { line, feature, .. } => (*line, *feature),
            _ => (None, None),
        }
    }

    #[test]
    fn feature_collection_with_typed_properties() {
        let l = read_str(
            r#"{"type":"FeatureCollection","features":[
            {"type":"Feature","id":"a","properties":{"n":1,"x":1.5,"s":"Sário","b":true,"o":{"k":1}},
             "geometry":{"type":"Point","coordinates":[124.8,1.5]}},
            {"type":"Feature","id":7,"properties":{"n":null,"x":2,"s":"Ranotana Weru"},"geometry":null}]}"#,
        )
        .expect("read");
        assert_eq!(l.len(), 2);
        assert_eq!(l.ids, vec!["a", "7"]);
        assert_eq!(l.crs, Some(Crs::WGS84));
        assert_eq!(l.column("n").expect("n").field_type(), FieldType::Int);
        assert_eq!(l.column("x").expect("x").field_type(), FieldType::Float);
        assert_eq!(
            l.column("s").expect("s").get(0),
            Value::Text("Sário".into())
        );
        assert_eq!(l.column("b").expect("b").get(1), Value::Null);
        assert_eq!(
            l.column("o").expect("o").get(0),
            Value::Text("{\"k\":1}".into())
        );
        assert!(l.geometries[1].is_none());
    }

    #[test]
    fn single_feature_and_bare_geometry() {
        let l = read_str(r#"{"properties":{"a":1},"type":"Feature","geometry":{"type":"LineString","coordinates":[[0,0],[1,1]]}}"#)
            .expect("feature");
        assert_eq!(l.len(), 1);
        assert_eq!(l.column("a").expect("a").get(0), Value::Int(1));
        let l = read_str(r#"{"coordinates":[[[0,0],[1,0],[1,1],[0,0]]],"type":"Polygon"}"#)
            .expect("geometry");
        assert_eq!(l.len(), 1);
        assert!(matches!(l.geometries[0], Some(Geometry::Polygon(_))));
        assert!(l.columns.is_empty());
    }

    #[test]
    fn legacy_crs_member() {
        let l = read_str(r#"{"type":"FeatureCollection","crs":{"type":"name","properties":{"name":"urn:ogc:def:crs:EPSG::32651"}},"features":[]}"#)
            .expect("read");
        assert_eq!(l.crs, Some(Crs::Epsg(32651)));
        assert!(l.is_empty());
        let e = read_str(r#"{"type":"FeatureCollection","crs":{"type":"name","properties":{"name":"nonsense"}},"features":[]}"#)
            .expect_err("bad crs");
        assert!(e.to_string().contains("nonsense"), "{e}");
    }

    #[test]
    fn errors_name_line_and_feature() {
        let e = read_str("{\"type\":\"FeatureCollection\",\"features\":[\n{\"type\":\"Feature\",\"properties\":{},\"geometry\":{\"type\":\"Point\",\"coordinates\":[1]}}]}")
            .expect_err("short position");
        match &e {
            Error::Parse { line, feature, .. } => {
                assert_eq!(*line, Some(2));
                assert_eq!(*feature, Some(0));
            }
            other => panic!("{other:?}"),
        }
        let e = read_str("[1,2]").expect_err("array");
        assert!(matches!(e, Error::Parse { .. }), "{e}");
        let e = read_str(r#"{"type":"Topology"}"#).expect_err("topojson");
        assert!(e.to_string().contains("Topology"), "{e}");
    }
}
