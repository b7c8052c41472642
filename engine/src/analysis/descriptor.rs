//! What an analysis says about itself, once, in its own file: its title and description in
//! Bahasa Indonesia and English, and each output column's label, unit, kind and direction.
//! The params say the rest about themselves as `x-tepat-*` annotations on their JSON Schema
//! (see [`annotate`]). Forms, legends, palettes, result tables, compare sentences, index
//! reasons and the clients read this; none of them keeps its own table of columns.

use serde::Serialize;
use serde_json::{Map, Value};

/// A text in Bahasa Indonesia and English.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Text {
    /// Bahasa Indonesia.
    pub id: &'static str,
    /// English.
    pub en: &'static str,
}

/// `Text { id, en }` in one call, for descriptor tables.
pub const fn text(id: &'static str, en: &'static str) -> Text {
    Text { id, en }
}

/// What a column's numbers count or measure in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Unit {
    /// People.
    #[serde(rename = "jiwa")]
    People,
    /// Households.
    #[serde(rename = "rumah tangga")]
    Households,
    /// Metres.
    #[serde(rename = "m")]
    Metres,
    /// Square metres.
    #[serde(rename = "m²")]
    SquareMetres,
    /// Square kilometres.
    #[serde(rename = "km²")]
    SquareKm,
    /// Minutes.
    #[serde(rename = "menit")]
    Minutes,
    /// Days.
    #[serde(rename = "hari")]
    Days,
    /// A share in [0, 1], shown as a percentage.
    #[serde(rename = "%")]
    Percent,
    /// Rupiah.
    #[serde(rename = "Rp")]
    Rupiah,
    /// Facilities or sites.
    #[serde(rename = "fasilitas")]
    Facilities,
    /// Events (complaints, reports).
    #[serde(rename = "kejadian")]
    Events,
    /// Features of a layer, or no unit at all (a score, a rank, an index).
    #[serde(rename = "")]
    None,
}

impl Unit {
    /// Every unit, in declaration order.
    pub const ALL: [Unit; 12] = [
        Unit::People,
        Unit::Households,
        Unit::Metres,
        Unit::SquareMetres,
        Unit::SquareKm,
        Unit::Minutes,
        Unit::Days,
        Unit::Percent,
        Unit::Rupiah,
        Unit::Facilities,
        Unit::Events,
        Unit::None,
    ];
}

// By hand, not derived: utoipa drops an empty `rename`, so `Unit::None` would show as "None"
// instead of the "" serde writes. The values are what serde writes, so they cannot drift.
#[cfg(feature = "openapi")]
impl utoipa::PartialSchema for Unit {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        use utoipa::openapi::schema::{ObjectBuilder, SchemaType, Type};
        let values: Vec<Value> = Unit::ALL
            .iter()
            .filter_map(|u| serde_json::to_value(u).ok())
            .collect();
        ObjectBuilder::new()
            .schema_type(SchemaType::Type(Type::String))
            .description(Some("What a column's numbers count or measure in."))
            .enum_values(Some(values))
            .into()
    }
}

#[cfg(feature = "openapi")]
impl utoipa::ToSchema for Unit {
    fn name() -> std::borrow::Cow<'static, str> {
        std::borrow::Cow::Borrowed("Unit")
    }
}

/// What kind of quantity a column holds; decides its format and its legend.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    /// A count or a total (people, facilities, events).
    Count,
    /// A part of a whole in [0, 1].
    Share,
    /// A ratio per something (per 1,000 people, per facility); not bounded by 1.
    Rate,
    /// Money.
    Money,
    /// A distance.
    Distance,
    /// A travel or waiting time.
    Time,
    /// An area.
    Area,
    /// A score or statistic (an index, a z-score, an access value).
    Score,
    /// A rank: 1 first.
    Rank,
    /// One of a fixed set of values, listed in [`Column::values`], or a label such as a
    /// cluster number.
    Category,
    /// A name or other text.
    Text,
    /// Yes or no.
    Flag,
    /// A nested object or list (contributions, reasons) shown in a row's details.
    Detail,
}

/// Which way is good news.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Better {
    /// More is better (access, coverage, capacity).
    Higher,
    /// Less is better (need, exposure, distance, the uncovered).
    Lower,
    /// Neither (how many people live there, a zone's area, a category).
    Neutral,
}

/// One value of a category column.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Category {
    /// The value as the rows carry it.
    pub value: &'static str,
    /// Its label.
    pub label: Text,
}

/// One output column of an analysis' rows.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Column {
    /// The column's name in the rows. A `{placeholder}` stands for any non-empty text, for
    /// columns named after a param's values: `sum_{field}` is one column per field of
    /// `sum`. The label may use the same placeholder.
    pub name: &'static str,
    /// Label in both languages.
    pub label: Text,
    /// Unit of its numbers.
    pub unit: Unit,
    /// Kind of quantity.
    pub kind: Kind,
    /// Which way is good news.
    pub better: Better,
    /// The column the map shows first (one per analysis).
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub headline: bool,
    /// A category column's values with their labels.
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    pub values: &'static [Category],
}

impl Column {
    /// A column with no headline mark and no category values; the builders below set them.
    pub const fn new(
        name: &'static str,
        label: Text,
        unit: Unit,
        kind: Kind,
        better: Better,
    ) -> Column {
        Column {
            name,
            label,
            unit,
            kind,
            better,
            headline: false,
            values: &[],
        }
    }

    /// This column is the one the map shows first.
    pub const fn headline(mut self) -> Column {
        self.headline = true;
        self
    }

    /// A category column's values.
    pub const fn values(mut self, values: &'static [Category]) -> Column {
        self.values = values;
        self
    }

    /// Whether a row key is this column: equal to its name, or matching its placeholders.
    pub fn matches(&self, key: &str) -> bool {
        template_matches(self.name, key)
    }
}

/// What an analysis says about itself.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Descriptor {
    /// Title.
    pub title: Text,
    /// One line on what it answers.
    pub description: Text,
    /// Every column its rows may carry besides `id`.
    pub columns: &'static [Column],
}

impl Descriptor {
    /// The column a row key is, if the descriptor describes it. An exact name wins over a
    /// template (`count` over `{class}`).
    pub fn column(&self, key: &str) -> Option<&Column> {
        self.columns
            .iter()
            .find(|c| c.name == key)
            .or_else(|| self.columns.iter().find(|c| c.matches(key)))
    }

    /// The headline column's name (templates are not headlines).
    pub fn headline(&self) -> Option<&'static str> {
        self.columns.iter().find(|c| c.headline).map(|c| c.name)
    }
}

/// Whether `key` fits `template`, where each `{…}` stands for one or more characters.
pub fn template_matches(template: &str, key: &str) -> bool {
    // Split the template into literal pieces around its placeholders.
    let mut pieces = Vec::new();
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        let Some(close) = rest[open..].find('}') else {
            break;
        };
        pieces.push(&rest[..open]);
        rest = &rest[open + close + 1..];
    }
    pieces.push(rest);
    if pieces.len() == 1 {
        return template == key;
    }
    let first = pieces[0];
    let last = pieces[pieces.len() - 1];
    if !key.starts_with(first) || key.len() < first.len() + last.len() {
        return false;
    }
    let mut body = &key[first.len()..];
    if !body.ends_with(last) {
        return false;
    }
    body = &body[..body.len() - last.len()];
    // Each placeholder takes at least one character; middle literals are found greedily
    // from the left, which is exact for the single-placeholder templates used here and
    // for any template whose middle literals do not repeat.
    let middle = &pieces[1..pieces.len() - 1];
    for lit in middle {
        let Some(at) = body.get(1..).and_then(|b| b.find(lit)) else {
            return false;
        };
        body = &body[at + 1 + lit.len()..];
    }
    !body.is_empty()
}

/// The JSON Schema extension keys the params carry (set with schemars' `extend`):
/// - `x-tepat-label`: `{"id", "en"}`, the param's label;
/// - `x-tepat-help`: `{"id"}` (its `en` is filled from the doc comment, the schema's
///   `description`), the param's help;
/// - `x-tepat-layer`: `{"roles": [...], "geometry": [...]}`, the param names a layer;
/// - `x-tepat-field`: `{"of": "<param>", "types": ["int", "float", "text"]}`, the param
///   names fields of the layer that sibling param `of` names;
/// - `x-tepat-column`: `{"analysis": "<param>" | "<name>"}`, the param names an output column
///   of another analysis, given by a sibling param or by name.
pub const EXTENSIONS: [&str; 5] = [
    "x-tepat-label",
    "x-tepat-help",
    "x-tepat-layer",
    "x-tepat-field",
    "x-tepat-column",
];

/// Completes the `x-tepat-help` of every property in `schema` (root and `$defs`) with its
/// English from the property's `description`, so the English help is written once, as the
/// doc comment.
pub fn annotate(schema: &mut Value) {
    fn props(obj: &mut Map<String, Value>) {
        let Some(Value::Object(p)) = obj.get_mut("properties") else {
            return;
        };
        for prop in p.values_mut() {
            let Value::Object(prop) = prop else { continue };
            let en = prop
                .get("description")
                .and_then(Value::as_str)
                .map(str::to_string);
            if let (Some(Value::Object(help)), Some(en)) = (prop.get_mut("x-tepat-help"), en) {
                help.entry("en").or_insert(Value::String(en));
            }
        }
    }
    let Value::Object(root) = schema else { return };
    props(root);
    if let Some(Value::Object(defs)) = root.get_mut("$defs") {
        for def in defs.values_mut() {
            if let Value::Object(def) = def {
                props(def);
            }
        }
    }
}

/// Problems with an analysis' params schema: a property without a label or help in both
/// languages, a field param whose `of` names no sibling, a layer param without roles.
/// Empty when the schema describes itself fully.
pub fn schema_problems(schema: &Value) -> Vec<String> {
    let mut out = Vec::new();
    let mut check = |owner: &str, obj: &Value| {
        let Some(props) = obj.get("properties").and_then(Value::as_object) else {
            return;
        };
        for (name, p) in props {
            for key in ["x-tepat-label", "x-tepat-help"] {
                for lang in ["id", "en"] {
                    if p[key][lang].as_str().is_none_or(str::is_empty) {
                        out.push(format!("{owner}.{name}: no {key}.{lang}"));
                    }
                }
            }
            if let Some(of) = p["x-tepat-field"].get("of").and_then(Value::as_str) {
                if !props.contains_key(of) && owner == "params" {
                    out.push(format!(
                        "{owner}.{name}: x-tepat-field.of names no param '{of}'"
                    ));
                }
            }
            if let Some(layer) = p.get("x-tepat-layer") {
                if !layer["roles"].is_array() {
                    out.push(format!("{owner}.{name}: x-tepat-layer without roles"));
                }
            }
        }
    };
    check("params", schema);
    if let Some(defs) = schema.get("$defs").and_then(Value::as_object) {
        for (name, def) in defs {
            check(name, def);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_unit_is_listed() {
        // Exhaustive: a new unit fails to compile here until it gets an index, and then
        // this test until `Unit::ALL` lists it (the OpenAPI enum is built from that list).
        fn index(u: Unit) -> usize {
            match u {
                Unit::People => 0,
                Unit::Households => 1,
                Unit::Metres => 2,
                Unit::SquareMetres => 3,
                Unit::SquareKm => 4,
                Unit::Minutes => 5,
                Unit::Days => 6,
                Unit::Percent => 7,
                Unit::Rupiah => 8,
                Unit::Facilities => 9,
                Unit::Events => 10,
                Unit::None => 11,
            }
        }
        let listed: Vec<usize> = Unit::ALL.iter().map(|&u| index(u)).collect();
        assert_eq!(listed, (0..12).collect::<Vec<_>>());
    }

    #[test]
    fn templates_match_one_or_more_characters_per_placeholder() {
        assert!(template_matches("count", "count"));
        assert!(!template_matches("count", "counts"));
        assert!(template_matches("sum_{field}", "sum_students"));
        assert!(!template_matches("sum_{field}", "sum_"));
        assert!(!template_matches("sum_{field}", "mean_students"));
        assert!(template_matches("{class}_population", "tinggi_population"));
        assert!(!template_matches("{class}_population", "_population"));
        assert!(template_matches(
            "exposed_{what}_{class}",
            "exposed_poor_tinggi"
        ));
        assert!(!template_matches(
            "exposed_{what}_{class}",
            "exposed__tinggi"
        ));
        assert!(template_matches("{category}", "banjir"));
    }

    #[test]
    fn an_exact_name_wins_over_a_template() {
        const COLS: &[Column] = &[
            Column::new(
                "{category}",
                text("{category}", "{category}"),
                Unit::Events,
                Kind::Count,
                Better::Lower,
            ),
            Column::new(
                "count",
                text("Jumlah", "Count"),
                Unit::Events,
                Kind::Count,
                Better::Lower,
            )
            .headline(),
        ];
        let d = Descriptor {
            title: text("t", "t"),
            description: text("d", "d"),
            columns: COLS,
        };
        assert_eq!(d.column("count").map(|c| c.label.en), Some("Count"));
        assert_eq!(d.column("sampah").map(|c| c.name), Some("{category}"));
        assert_eq!(d.headline(), Some("count"));
    }

    #[test]
    fn help_takes_its_english_from_the_description() {
        let mut s = serde_json::json!({
            "properties": {"zones": {"description": "Zones", "x-tepat-help": {"id": "Zona"},
                                     "x-tepat-label": {"id": "Zona", "en": "Zones"}}},
            "$defs": {"F": {"properties": {"field": {"description": "A field"}}}}
        });
        annotate(&mut s);
        assert_eq!(s["properties"]["zones"]["x-tepat-help"]["en"], "Zones");
        let problems = schema_problems(&s);
        assert_eq!(
            problems,
            vec![
                "F.field: no x-tepat-label.id",
                "F.field: no x-tepat-label.en",
                "F.field: no x-tepat-help.id",
                "F.field: no x-tepat-help.en",
            ]
        );
    }
}
