//! What a comparison says in words, in English and in Bahasa Indonesia: the headline
//! figure of the analyses tepat knows ("+12,400 people within 2 km of a puskesmas" /
//! "+12.400 jiwa dalam jarak 2 km dari puskesmas"), the changed summary figures of any
//! other, and the money. The hazard is named as the scenario sees it: after a swap the
//! sentence names the swapped-in layer, not the one the analysis params name.
//!
//! What a figure counts (people, households, facilities) and how it reads (a share, a
//! distance, rupiah) come from the analysis' descriptor, and so do the labels of the
//! figures of any other analysis; the words that come from params ("within 2 km of a
//! puskesmas", the hazard's name) are the only ones kept here. Numbers, units and layer
//! names are written by [`crate::words`].

use super::{Applied, Edit, Scenario};
use crate::analysis::descriptor::{Column, Kind};
use crate::analysis::AnalysisResult;
use crate::words::{
    change, count, decimal, distance, facility_label, label_of, money_id, signed, signed_value,
    unit_noun, Lang,
};
use serde_json::{Map, Value};

/// Sentences in both languages, in the same order.
#[derive(Debug, Default)]
pub(super) struct Said {
    pub en: Vec<String>,
    pub id: Vec<String>,
}

impl Said {
    fn push(&mut self, en: String, id: String) {
        self.en.push(en);
        self.id.push(id);
    }
}

/// The sentences of analysis `name` run on scenario `s`, against the baseline `base`.
pub(super) fn outcome(
    name: &str,
    s: &Scenario,
    base: &AnalysisResult,
    r: &AnalysisResult,
    delta: &Map<String, Value>,
) -> Said {
    let d = |k: &str| delta.get(k).and_then(Value::as_f64);
    let p = &r.params;
    let mut out = Said::default();
    match name {
        "access" => {
            let (noun_id, noun_en) = facility_noun(p);
            // The uncovered and the unreachable are the same people as the covered.
            let (people_en, people_id) = counted(name, "covered_population");
            if let Some(x) = d("covered_population") {
                let (reach_en, reach_id) = match p.get("radius_m").and_then(Value::as_f64) {
                    Some(m) => (
                        format!("within {} of a", distance(m, Lang::En)),
                        format!("dalam jarak {} dari", distance(m, Lang::Id)),
                    ),
                    None => (
                        "able to reach a".to_string(),
                        "dapat menjangkau".to_string(),
                    ),
                };
                out.push(
                    format!("{}{people_en} {reach_en} {noun_en}", signed(x, Lang::En)),
                    format!("{}{people_id} {reach_id} {noun_id}", signed(x, Lang::Id)),
                );
            }
            if let Some(x) = d("facilities_open").filter(|x| *x != 0.0) {
                out.push(
                    format!("{} {noun_en} open", signed(x, Lang::En)),
                    format!("{} {noun_id} beroperasi", signed(x, Lang::Id)),
                );
            }
            if let Some(x) = d("unreachable_population").filter(|x| *x != 0.0) {
                out.push(
                    format!(
                        "{}{people_en} who can reach no {noun_en}",
                        signed(x, Lang::En)
                    ),
                    format!(
                        "{}{people_id} tidak dapat menjangkau {noun_id} mana pun",
                        signed(x, Lang::Id)
                    ),
                );
            }
        }
        "exposure" => {
            let (h_en, h_id) = match p.get("hazard").and_then(Value::as_str) {
                Some(h) => hazard_as_seen(s, h),
                None => ("the hazard".to_string(), "bahaya".to_string()),
            };
            if let Some(x) = d("exposed_population") {
                let (en, id) = counted(name, "exposed_population");
                out.push(
                    format!("{}{en} exposed to {h_en}", signed(x, Lang::En)),
                    format!("{}{id} terpapar {h_id}", signed(x, Lang::Id)),
                );
            }
            if let Some(x) = d("displaced").filter(|x| *x != 0.0) {
                let (en, id) = counted(name, "displaced");
                out.push(
                    format!("{}{en} displaced", signed(x, Lang::En)),
                    format!("{}{id} mengungsi", signed(x, Lang::Id)),
                );
            }
            if let Some(x) = d("facilities_exposed").filter(|x| *x != 0.0) {
                let (en, id) = counted(name, "facilities_exposed");
                out.push(
                    format!("{}{en} in {h_en}", signed(x, Lang::En)),
                    format!("{}{id} di zona {h_id}", signed(x, Lang::Id)),
                );
            }
        }
        "index" => {
            let zones = p.get("zones").and_then(Value::as_str).unwrap_or("zones");
            let n = p.get("top_n").and_then(Value::as_u64).unwrap_or(10);
            let before = top_list(base);
            let after = top_list(r);
            let left: Vec<&(String, String)> =
                before.iter().filter(|z| !after.contains(z)).collect();
            let entered: Vec<&(String, String)> =
                after.iter().filter(|z| !before.contains(z)).collect();
            if left.is_empty() && entered.is_empty() {
                out.push(
                    format!("the top {n} {zones} are unchanged"),
                    format!("{n} {zones} teratas tidak berubah"),
                );
            }
            if !left.is_empty() {
                out.push(
                    format!("{} {zones} leave the top {n}: {}", left.len(), names(&left)),
                    format!(
                        "{} {zones} keluar dari {n} teratas: {}",
                        left.len(),
                        names(&left)
                    ),
                );
            }
            if !entered.is_empty() {
                out.push(
                    format!(
                        "{} {zones} enter the top {n}: {}",
                        entered.len(),
                        names(&entered)
                    ),
                    format!(
                        "{} {zones} masuk {n} teratas: {}",
                        entered.len(),
                        names(&entered)
                    ),
                );
            }
        }
        _ => {
            for (k, v) in delta {
                let x = v.as_f64().unwrap_or(0.0);
                if x != 0.0 && out.en.len() < 5 {
                    let (en, id) = figure(name, k, x);
                    out.push(en, id);
                }
            }
        }
    }
    out
}

/// Column `key` of analysis `name`, as its descriptor describes it.
fn column(name: &str, key: &str) -> Option<Column> {
    crate::analysis::find(name)
        .ok()?
        .descriptor()
        .column(key)
        .copied()
}

/// What column `key` of analysis `name` counts, as words to put after a number, each with
/// its leading space: (" people", " jiwa"); empty when its descriptor names no such unit.
fn counted(name: &str, key: &str) -> (String, String) {
    column(name, key)
        .and_then(|c| unit_noun(c.unit))
        .map_or_else(Default::default, |(id, en)| {
            (format!(" {en}"), format!(" {id}"))
        })
}

/// A changed summary figure in words, (English, Indonesian): by its column's label and
/// unit when the descriptor describes one of that name ("People covered +1,200 people"),
/// else by its key ("total_count +3").
fn figure(name: &str, key: &str, x: f64) -> (String, String) {
    let Some(c) = column(name, key).filter(|c| !matches!(c.kind, Kind::Text | Kind::Detail)) else {
        return (
            format!("{key} {}", signed_value(x, Lang::En)),
            format!("{key} {}", signed_value(x, Lang::Id)),
        );
    };
    let [en, id] = [Lang::En, Lang::Id]
        .map(|lang| format!("{} {}", label_of(&c, key, lang), change(x, &c, lang)));
    (en, id)
}

/// The money: spend against the budget.
pub(super) fn money(a: &Applied) -> Said {
    let mut out = Said::default();
    match &a.budget {
        Some(b) => {
            out.push(
                format!(
                    "spends {} of a budget of {} {}",
                    count(a.spend, Lang::En),
                    count(b.amount, Lang::En),
                    b.currency
                ),
                format!(
                    "membelanjakan {} dari anggaran {}",
                    money_id(a.spend, &b.currency),
                    money_id(b.amount, &b.currency)
                ),
            );
            if a.spend > b.amount {
                out.push(
                    format!(
                        "over budget by {} {}",
                        count(a.spend - b.amount, Lang::En),
                        b.currency
                    ),
                    format!(
                        "melebihi anggaran sebesar {}",
                        money_id(a.spend - b.amount, &b.currency)
                    ),
                );
            }
        }
        None if a.spend > 0.0 => out.push(
            format!("new facilities cost {}", count(a.spend, Lang::En)),
            format!("fasilitas baru senilai {}", money_id(a.spend, "IDR")),
        ),
        None => {}
    }
    out
}

/// Hazard layer `layer` as scenario `s` sees it, (English, Indonesian): its name, or the
/// layer swapped in for it, with any scaling or buffer the scenario applies to it.
fn hazard_as_seen(s: &Scenario, layer: &str) -> (String, String) {
    let mut name = layer.to_string();
    let mut changes: Vec<(String, String)> = Vec::new();
    for e in &s.edits {
        match e {
            Edit::SwapHazard { layer: l, to } if l == layer => {
                name = to.clone();
                changes.clear();
            }
            Edit::ScaleHazard { layer: l, factor } if l == layer => changes.push((
                format!("scaled ×{}", decimal(*factor, 2, Lang::En)),
                format!("diperbesar ×{}", decimal(*factor, 2, Lang::Id)),
            )),
            Edit::BufferHazard {
                layer: l,
                distance_m,
            } if l == layer => {
                let (en, id) = if *distance_m >= 0.0 {
                    ("grown by", "diperluas")
                } else {
                    ("shrunk by", "dipersempit")
                };
                changes.push((
                    format!("{en} {}", distance(distance_m.abs(), Lang::En)),
                    format!("{id} {}", distance(distance_m.abs(), Lang::Id)),
                ));
            }
            _ => {}
        }
    }
    let mut en = name.clone();
    let mut id = name.clone();
    for (e, i) in &changes {
        en.push_str(&format!(", {e}"));
        id.push_str(&format!(", {i}"));
    }
    if name != layer {
        en.push_str(&format!(" (in place of {layer})"));
        id.push_str(&format!(" (menggantikan {layer})"));
    }
    (en, id)
}

/// What the access params call a facility, (Indonesian, English): the one kind asked for,
/// else the layer's name.
fn facility_noun(p: &Value) -> (String, String) {
    match p.get("kind").and_then(Value::as_array).map(Vec::as_slice) {
        Some([Value::String(k)]) => (k.clone(), k.clone()),
        _ => match p.get("facilities").and_then(Value::as_str) {
            Some(layer) => {
                let (id, _) = facility_label(layer, None);
                (id, layer.to_string())
            }
            None => ("fasilitas".to_string(), "facility".to_string()),
        },
    }
}

/// The index summary's top list as (id, display name).
fn top_list(r: &AnalysisResult) -> Vec<(String, String)> {
    r.summary
        .get("top")
        .and_then(Value::as_array)
        .map(|top| {
            top.iter()
                .filter_map(|z| {
                    let id = z.get("id")?.as_str()?.to_string();
                    let name = z
                        .get("name")
                        .and_then(Value::as_str)
                        .map_or_else(|| id.clone(), str::to_string);
                    Some((id, name))
                })
                .collect()
        })
        .unwrap_or_default()
}

fn names(zones: &[&(String, String)]) -> String {
    zones
        .iter()
        .map(|(_, n)| n.as_str())
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn other_figures_read_by_their_descriptor() {
        let both = |en: &str, id: &str| (en.to_string(), id.to_string());
        assert_eq!(
            figure("access", "covered_population", 1234.4),
            both(
                "People covered +1,234 people",
                "Penduduk terlayani +1.234 jiwa"
            )
        );
        assert_eq!(
            figure("exposure", "exposed_share", -0.0123),
            both(
                "Share of people exposed -1.2 percentage points",
                "Persentase penduduk terpapar -1,2 poin persen"
            )
        );
        assert_eq!(
            figure("access", "nearest_m", 1500.0),
            both(
                "Distance to the nearest facility +1.5 km",
                "Jarak ke fasilitas terdekat +1,5 km"
            )
        );
        // A template's placeholder is filled from the key; a count without a unit reads whole.
        assert_eq!(
            figure("exposure", "exposed_jumlah_kelurahan", 3.0),
            both(
                "jumlah kelurahan exposed +3",
                "jumlah kelurahan terpapar +3"
            )
        );
        // An undescribed key, or one that is no number in the rows, reads as before.
        assert_eq!(
            figure("aggregate", "total_count", 3.0),
            both("total_count +3.000", "total_count +3,000")
        );
        assert_eq!(
            counted("exposure", "facilities_exposed"),
            both(" facilities", " fasilitas")
        );
        assert_eq!(counted("access", "access"), both("", ""));
    }

    #[test]
    fn the_hazard_is_named_as_the_scenario_sees_it() {
        let s: Scenario = serde_json::from_value(serde_json::json!({
            "name": "s",
            "edits": [
                {"op": "scale_hazard", "layer": "banjir_q25", "factor": 1.5},
                {"op": "swap_hazard", "layer": "banjir_q25", "to": "banjir_q100"},
                {"op": "buffer_hazard", "layer": "banjir_q25", "distance_m": 50.0},
                {"op": "buffer_hazard", "layer": "rob", "distance_m": -20.0}
            ]
        }))
        .expect("scenario");
        assert_eq!(
            hazard_as_seen(&s, "banjir_q25"),
            (
                "banjir_q100, grown by 50 m (in place of banjir_q25)".to_string(),
                "banjir_q100, diperluas 50 m (menggantikan banjir_q25)".to_string()
            )
        );
        assert_eq!(
            hazard_as_seen(&s, "rob"),
            (
                "rob, shrunk by 20 m".to_string(),
                "rob, dipersempit 20 m".to_string()
            )
        );
        assert_eq!(
            hazard_as_seen(&s, "longsor"),
            ("longsor".to_string(), "longsor".to_string())
        );
    }
}
