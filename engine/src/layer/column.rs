//! Typed attribute columns with nulls, and the single-cell [`Value`].

use serde::Serialize;

/// The type of an attribute column.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum FieldType {
    /// 64-bit signed integer.
    Int,
    /// 64-bit float.
    Float,
    /// UTF-8 text.
    Text,
    /// Boolean.
    Bool,
}

/// One attribute value (a cell), as read from a file or written to a result.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(untagged)]
pub enum Value {
    /// Missing.
    Null,
    /// Integer.
    Int(i64),
    /// Float.
    Float(f64),
    /// Text.
    Text(String),
    /// Boolean.
    Bool(bool),
}

impl Value {
    /// The value as a number, if it is one (ints widen to float).
    pub fn as_f64(&self) -> Option<f64> {
        match self {
            Value::Int(i) => Some(*i as f64),
            Value::Float(f) => Some(*f),
            _ => None,
        }
    }

    /// The value as a key string: text as is, integers in decimal; used to join by code.
    pub fn as_key(&self) -> Option<String> {
        match self {
            Value::Text(s) => Some(s.clone()),
            Value::Int(i) => Some(i.to_string()),
            Value::Float(f) if f.fract() == 0.0 && f.is_finite() => Some(format!("{}", *f as i64)),
            Value::Float(f) => Some(f.to_string()),
            Value::Bool(b) => Some(b.to_string()),
            Value::Null => None,
        }
    }

    /// Converts a JSON value (a GeoJSON property) to a cell; nested objects become JSON text.
    pub fn from_json(v: &serde_json::Value) -> Value {
        match v {
            serde_json::Value::Null => Value::Null,
            serde_json::Value::Bool(b) => Value::Bool(*b),
            serde_json::Value::Number(n) => match n.as_i64() {
                Some(i) => Value::Int(i),
                None => n.as_f64().map(Value::Float).unwrap_or(Value::Null),
            },
            serde_json::Value::String(s) => Value::Text(s.clone()),
            other => Value::Text(other.to_string()),
        }
    }

    /// Converts the cell to JSON (non-finite floats become null, as JSON has no NaN).
    pub fn to_json(&self) -> serde_json::Value {
        match self {
            Value::Null => serde_json::Value::Null,
            Value::Int(i) => (*i).into(),
            Value::Float(f) => serde_json::Number::from_f64(*f)
                .map(serde_json::Value::Number)
                .unwrap_or(serde_json::Value::Null),
            Value::Text(s) => s.clone().into(),
            Value::Bool(b) => (*b).into(),
        }
    }
}

/// The values of one column, typed; `None` is null.
#[derive(Debug, Clone, PartialEq)]
pub enum ColumnData {
    /// Integers.
    Int(Vec<Option<i64>>),
    /// Floats.
    Float(Vec<Option<f64>>),
    /// Text.
    Text(Vec<Option<String>>),
    /// Booleans.
    Bool(Vec<Option<bool>>),
}

/// A named, typed attribute column.
#[derive(Debug, Clone, PartialEq)]
pub struct Column {
    /// Field name as in the source file.
    pub name: String,
    /// The values, one per feature.
    pub data: ColumnData,
}

impl Column {
    /// The column's type.
    pub fn field_type(&self) -> FieldType {
        match self.data {
            ColumnData::Int(_) => FieldType::Int,
            ColumnData::Float(_) => FieldType::Float,
            ColumnData::Text(_) => FieldType::Text,
            ColumnData::Bool(_) => FieldType::Bool,
        }
    }

    /// Number of rows.
    pub fn len(&self) -> usize {
        match &self.data {
            ColumnData::Int(v) => v.len(),
            ColumnData::Float(v) => v.len(),
            ColumnData::Text(v) => v.len(),
            ColumnData::Bool(v) => v.len(),
        }
    }

    /// True when the column has no rows.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The value of row `i` (Null when out of range).
    pub fn get(&self, i: usize) -> Value {
        match &self.data {
            ColumnData::Int(v) => v.get(i).copied().flatten().map_or(Value::Null, Value::Int),
            ColumnData::Float(v) => v
                .get(i)
                .copied()
                .flatten()
                .map_or(Value::Null, Value::Float),
            ColumnData::Text(v) => v.get(i).cloned().flatten().map_or(Value::Null, Value::Text),
            ColumnData::Bool(v) => v.get(i).copied().flatten().map_or(Value::Null, Value::Bool),
        }
    }

    /// Row `i` as a number (ints widen), or None when null or not numeric.
    pub fn f64_at(&self, i: usize) -> Option<f64> {
        match &self.data {
            ColumnData::Int(v) => v.get(i).copied().flatten().map(|x| x as f64),
            ColumnData::Float(v) => v.get(i).copied().flatten(),
            _ => None,
        }
    }

    /// Number of null cells.
    pub fn null_count(&self) -> usize {
        match &self.data {
            ColumnData::Int(v) => v.iter().filter(|x| x.is_none()).count(),
            ColumnData::Float(v) => v.iter().filter(|x| x.is_none()).count(),
            ColumnData::Text(v) => v.iter().filter(|x| x.is_none()).count(),
            ColumnData::Bool(v) => v.iter().filter(|x| x.is_none()).count(),
        }
    }

    /// True for integer and float columns.
    pub fn is_numeric(&self) -> bool {
        matches!(self.data, ColumnData::Int(_) | ColumnData::Float(_))
    }

    /// Builds a column from cells, inferring the narrowest type that holds them all:
    /// all ints → Int; ints and floats → Float; all bools → Bool; anything else → Text
    /// (numbers are then written as text, so codes like `7171` survive). All-null → Text.
    pub fn from_values(name: impl Into<String>, values: Vec<Value>) -> Column {
        let (mut ints, mut floats, mut bools, mut texts) = (0usize, 0usize, 0usize, 0usize);
        for v in &values {
            match v {
                Value::Int(_) => ints += 1,
                Value::Float(_) => floats += 1,
                Value::Bool(_) => bools += 1,
                Value::Text(_) => texts += 1,
                Value::Null => {}
            }
        }
        let data = if texts > 0 || (bools > 0 && ints + floats > 0) || ints + floats + bools == 0 {
            ColumnData::Text(
                values
                    .into_iter()
                    .map(|v| match v {
                        Value::Null => None,
                        Value::Text(s) => Some(s),
                        other => other.as_key(),
                    })
                    .collect(),
            )
        } else if bools > 0 {
            ColumnData::Bool(
                values
                    .into_iter()
                    .map(|v| match v {
                        Value::Bool(b) => Some(b),
                        _ => None,
                    })
                    .collect(),
            )
        } else if floats > 0 {
            ColumnData::Float(values.iter().map(Value::as_f64).collect())
        } else {
            ColumnData::Int(
                values
                    .into_iter()
                    .map(|v| match v {
                        Value::Int(i) => Some(i),
                        _ => None,
                    })
                    .collect(),
            )
        };
        Column {
            name: name.into(),
            data,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn infers_narrowest_type() {
        let c = Column::from_values("a", vec![Value::Int(1), Value::Null, Value::Int(3)]);
        assert_eq!(c.field_type(), FieldType::Int);
        assert_eq!(c.null_count(), 1);
        let c = Column::from_values("a", vec![Value::Int(1), Value::Float(2.5)]);
        assert_eq!(c.field_type(), FieldType::Float);
        assert_eq!(c.f64_at(0), Some(1.0));
        let c = Column::from_values("a", vec![Value::Int(7171), Value::Text("71.71".into())]);
        assert_eq!(c.field_type(), FieldType::Text);
        assert_eq!(c.get(0), Value::Text("7171".into()));
        let c = Column::from_values("a", vec![Value::Null, Value::Null]);
        assert_eq!(c.field_type(), FieldType::Text);
        assert_eq!(c.null_count(), 2);
        let c = Column::from_values("b", vec![Value::Bool(true), Value::Null]);
        assert_eq!(c.field_type(), FieldType::Bool);
    }

    #[test]
    fn json_round_trip_drops_nan() {
        assert_eq!(Value::Float(f64::NAN).to_json(), serde_json::Value::Null);
        assert_eq!(Value::from_json(&serde_json::json!(3)), Value::Int(3));
        assert_eq!(Value::from_json(&serde_json::json!(3.5)), Value::Float(3.5));
    }
}
