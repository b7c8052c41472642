//! Row-by-row construction of a layer, as readers see their input: one feature at a time,
//! with properties that may be missing on some features. Column types are inferred at the end.

use super::{Column, Layer, Role, Value};
use crate::crs::Crs;
use crate::error::Result;
use geo::Geometry;
use std::collections::HashMap;

/// Collects features and builds a [`Layer`] with inferred column types.
#[derive(Debug, Default)]
pub struct LayerBuilder {
    names: Vec<String>,
    index: HashMap<String, usize>,
    cells: Vec<Vec<Value>>,
    geometries: Vec<Option<Geometry>>,
}

impl LayerBuilder {
    /// An empty builder.
    pub fn new() -> Self {
        Self::default()
    }

    /// Declares a field up front (keeps file order even when the first features lack it).
    pub fn declare(&mut self, name: &str) -> usize {
        if let Some(&i) = self.index.get(name) {
            return i;
        }
        let i = self.names.len();
        self.names.push(name.to_string());
        self.index.insert(name.to_string(), i);
        self.cells.push(vec![Value::Null; self.geometries.len()]);
        i
    }

    /// Adds one feature; fields it lacks are null.
    pub fn push<K: AsRef<str>>(
        &mut self,
        geometry: Option<Geometry>,
        properties: impl IntoIterator<Item = (K, Value)>,
    ) {
        let row = self.geometries.len();
        self.geometries.push(geometry);
        for (k, v) in properties {
            let col = self.declare(k.as_ref());
            let cells = &mut self.cells[col];
            if cells.len() <= row {
                cells.resize(row, Value::Null);
                cells.push(v);
            } else {
                // The same key twice in one feature: last one wins.
                cells[row] = v;
            }
        }
        for cells in &mut self.cells {
            if cells.len() <= row {
                cells.resize(row + 1, Value::Null);
            }
        }
    }

    /// Number of features so far.
    pub fn len(&self) -> usize {
        self.geometries.len()
    }

    /// True when no feature has been pushed.
    pub fn is_empty(&self) -> bool {
        self.geometries.is_empty()
    }

    /// Finishes the layer.
    pub fn finish(self, name: &str, role: Role, crs: Option<Crs>) -> Result<Layer> {
        let columns = self
            .names
            .into_iter()
            .zip(self.cells)
            .map(|(n, v)| Column::from_values(n, v))
            .collect();
        Layer::new(name, role, crs, self.geometries, columns)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::layer::FieldType;

    #[test]
    fn missing_properties_become_null() {
        let mut b = LayerBuilder::new();
        b.push(None, [("a", Value::Int(1))]);
        b.push(None, [("b", Value::Text("x".into()))]);
        b.push(None, Vec::<(String, Value)>::new());
        let l = b.finish("t", Role::Table, None).expect("layer");
        assert_eq!(l.len(), 3);
        let a = l.column("a").expect("a");
        assert_eq!(a.field_type(), FieldType::Int);
        assert_eq!(a.null_count(), 2);
        let bcol = l.column("b").expect("b");
        assert_eq!(bcol.get(1), Value::Text("x".into()));
        assert_eq!(bcol.null_count(), 2);
    }
}
