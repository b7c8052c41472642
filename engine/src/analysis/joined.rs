//! Numeric fields of a layer, or of a table joined to it.
//!
//! Departments keep figures in spreadsheets (a `table` layer) rather than on the polygons:
//! SP2010 population per kecamatan, poverty per kelurahan. A table is joined to a layer by
//! its project entry: `join_to = "<layer>"` and `key = "<field holding the layer's ids>"`.
//! [`numeric_field`] finds a field on the layer itself or, failing that, in the one table
//! joined to it that has it, and returns one value per feature of the layer.
//!
//! Join rule (the same as `index` indicators read from a table): a feature takes the first
//! table row whose key equals its id; a feature without a row gets no value (`None`).

use crate::error::{Error, Result};
use crate::layer::{Layer, Role};
use crate::project::Project;
use std::collections::HashMap;

/// Where a field was found.
#[derive(Debug, Clone, PartialEq)]
pub struct Join {
    /// The table layer.
    pub table: String,
    /// Its field matching the layer's ids.
    pub key: String,
    /// Features of the layer with no row in the table.
    pub without_row: usize,
}

/// A numeric field's values, one per feature of the layer it was asked for.
#[derive(Debug, Clone)]
pub struct FieldValues {
    /// Value per feature (`None`: null, or no joined row).
    pub values: Vec<Option<f64>>,
    /// The join, when the field came from a table rather than the layer itself.
    pub join: Option<Join>,
}

/// The table layers joined to `layer`, with their key field, in project order.
pub fn tables_joined_to<'p>(project: &'p Project, layer: &str) -> Vec<(&'p Layer, &'p str)> {
    project
        .specs
        .iter()
        .filter(|s| s.join_to.as_deref() == Some(layer))
        .filter_map(|s| {
            let table = project.layers.get(&s.name).ok()?;
            Some((table.as_ref(), s.key.as_deref()?))
        })
        .filter(|(t, _)| t.role == Role::Table)
        .collect()
}

/// Field `field` of `layer` as numbers, from the layer or else from a table joined to it.
///
/// The layer's own field wins over a table's. Errors: the field is nowhere (an
/// `InvalidParams` error on `analysis`'s `param` naming the field, the layer, the joined
/// tables and their fields), is in more than one joined table, or is not numeric.
pub fn numeric_field(
    project: &Project,
    layer: &Layer,
    field: &str,
    analysis: &str,
    param: &str,
) -> Result<FieldValues> {
    if layer.column(field).is_ok() {
        let col = layer.numeric_column(field)?;
        return Ok(FieldValues {
            values: (0..layer.len()).map(|i| col.f64_at(i)).collect(),
            join: None,
        });
    }
    let tables = tables_joined_to(project, &layer.name);
    let having: Vec<&(&Layer, &str)> = tables
        .iter()
        .filter(|(t, _)| t.column(field).is_ok())
        .collect();
    let (table, key) = match having.as_slice() {
        [one] => **one,
        [] => {
            let joined = if tables.is_empty() {
                format!(
                    "no table is joined to it (a table layer with join_to = \"{}\" and key adds fields)",
                    layer.name
                )
            } else {
                let each: Vec<String> = tables
                    .iter()
                    .map(|(t, _)| format!("'{}' (fields: {})", t.name, t.field_names().join(", ")))
                    .collect();
                format!("nor in the table(s) joined to it: {}", each.join("; "))
            };
            return Err(Error::param(
                analysis,
                param,
                format!(
                    "field '{field}' is not in layer '{}' (fields: {}); {joined}",
                    layer.name,
                    layer.field_names().join(", ")
                ),
            ));
        }
        many => {
            let names: Vec<&str> = many.iter().map(|(t, _)| t.name.as_str()).collect();
            return Err(Error::param(
                analysis,
                param,
                format!(
                    "field '{field}' is in more than one table joined to '{}' ({}); rename it in all but one",
                    layer.name,
                    names.join(", ")
                ),
            ));
        }
    };
    let col = table.numeric_column(field)?;
    let key_col = table.column(key)?;
    let mut row_of: HashMap<String, usize> = HashMap::with_capacity(table.len());
    for r in 0..table.len() {
        if let Some(k) = key_col.get(r).as_key() {
            row_of.entry(k).or_insert(r);
        }
    }
    let mut without_row = 0;
    let values = layer
        .ids
        .iter()
        .map(|id| match row_of.get(id) {
            Some(&r) => col.f64_at(r),
            None => {
                without_row += 1;
                None
            }
        })
        .collect();
    Ok(FieldValues {
        values,
        join: Some(Join {
            table: table.name.clone(),
            key: key.to_string(),
            without_row,
        }),
    })
}
