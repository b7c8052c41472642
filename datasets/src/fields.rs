//! Typed attribute columns and layer assembly for the generated layers.

use tepat_engine::crs::Crs;
use tepat_engine::layer::{Column, ColumnData, Layer, Role};
use tepat_engine::project::LayerSpec;
use tepat_engine::Result;

/// A text column.
pub(crate) fn text<S: Into<String>>(name: &str, values: impl IntoIterator<Item = S>) -> Column {
    Column {
        name: name.to_string(),
        data: ColumnData::Text(values.into_iter().map(|s| Some(s.into())).collect()),
    }
}

/// A text column with nulls.
pub(crate) fn text_opt(name: &str, values: impl IntoIterator<Item = Option<String>>) -> Column {
    Column {
        name: name.to_string(),
        data: ColumnData::Text(values.into_iter().collect()),
    }
}

/// An integer column.
pub(crate) fn int(name: &str, values: impl IntoIterator<Item = i64>) -> Column {
    Column {
        name: name.to_string(),
        data: ColumnData::Int(values.into_iter().map(Some).collect()),
    }
}

/// A float column.
pub(crate) fn float(name: &str, values: impl IntoIterator<Item = f64>) -> Column {
    Column {
        name: name.to_string(),
        data: ColumnData::Float(values.into_iter().map(Some).collect()),
    }
}

/// A boolean column.
pub(crate) fn boolean(name: &str, values: impl IntoIterator<Item = bool>) -> Column {
    Column {
        name: name.to_string(),
        data: ColumnData::Bool(values.into_iter().map(Some).collect()),
    }
}

/// Rounds to `digits` decimals (areas, lengths), so files show tidy numbers.
pub(crate) fn round_to(x: f64, digits: i32) -> f64 {
    let f = 10f64.powi(digits);
    (x * f).round() / f
}

/// A layer in the working CRS with its ids taken from `spec.id`.
pub(crate) fn layer(
    spec: &LayerSpec,
    role: Role,
    geometries: Vec<Option<geo::Geometry>>,
    columns: Vec<Column>,
) -> Result<Layer> {
    let mut layer = Layer::new(
        spec.name.clone(),
        role,
        (role != Role::Table).then_some(Crs::Epsg(crate::EPSG)),
        geometries,
        columns,
    )?;
    if let Some(id) = &spec.id {
        layer.set_id_field(id)?;
    }
    Ok(layer)
}

/// What every demo layer says of its source: a brief built on the demo must not pass for
/// one built on a city's data.
pub(crate) const SOURCE: &str =
    "Kota Demo: data sintetis tepat-datasets, bukan kota nyata (synthetic data, not a real city)";

/// A layer entry for `name` (role `role`, file `path`); set the other keys on the result.
pub(crate) fn spec(name: &str, role: Role, path: &str) -> LayerSpec {
    LayerSpec {
        name: name.to_string(),
        role: role.as_str().to_string(),
        path: path.into(),
        source: Some(SOURCE.to_string()),
        ..LayerSpec::default()
    }
}
