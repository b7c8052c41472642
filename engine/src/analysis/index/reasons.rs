//! Reason sentences for a zone's rank, in Bahasa Indonesia and English.
//!
//! A leader reads "62% rumah tangga miskin berada di zona banjir Q25 (median kota 8%)",
//! not `poor_exposed_share = 0.62`. A column of another analysis reads as its descriptor
//! says: its label in each language, and its unit and kind decide how the value is written
//! (a share as 62%, a distance as 2,5 km). Some columns get a sentence that also names the
//! hazard or service from the analysis' params ("… di zona banjir Q25", "puskesmas terdekat
//! …"), which no label can say; common zone-layer fields (no descriptor: they are data) get
//! their own words; any other field gets "label: value"; and an indicator may bring its own
//! template. Numbers, units and names are written by [`crate::words`] (Indonesian: 12.345
//! and 4,5%).

use super::{Direction, Indicator, Source};
use crate::analysis::descriptor::Column;
use crate::words::{
    capitalize, facility_label, hazard_label, label_of, unit_noun, words, Lang, Reads,
};
use serde_json::Value;

/// An indicator's raw values, sorted, for the comparison in a sentence.
pub(crate) struct Stats {
    sorted: Vec<f64>,
    /// The city-wide value (a rate's Σ/Σ), compared against instead of the median.
    city: Option<f64>,
}

impl Stats {
    pub(crate) fn of(raw: &[Option<f64>], city: Option<f64>) -> Stats {
        let mut sorted: Vec<f64> = raw.iter().flatten().copied().collect();
        sorted.sort_by(f64::total_cmp);
        Stats { sorted, city }
    }

    fn median(&self) -> f64 {
        let n = self.sorted.len();
        match n {
            0 => f64::NAN,
            _ if n % 2 == 1 => self.sorted[n / 2],
            _ => (self.sorted[n / 2 - 1] + self.sorted[n / 2]) / 2.0,
        }
    }

    /// Whether `v` lies on the needy side of the city-wide value (a rate's Σ/Σ) or, without
    /// one, of the median: a reason must point towards need, not away from it.
    pub(crate) fn points_to_need(&self, v: f64, dir: Direction) -> bool {
        let reference = self.city.unwrap_or_else(|| self.median());
        match dir {
            Direction::HigherIsWorse => v > reference,
            Direction::HigherIsBetter => v < reference,
        }
    }

    /// 1 + the number of zones strictly more in need on this indicator.
    fn rank_of(&self, v: f64, dir: Direction) -> usize {
        1 + match dir {
            Direction::HigherIsWorse => {
                self.sorted.len() - self.sorted.partition_point(|&x| x <= v)
            }
            Direction::HigherIsBetter => self.sorted.partition_point(|&x| x < v),
        }
    }
}

/// The sentence (Indonesian, English) explaining indicator `ind`'s value `v` in one zone.
pub(crate) fn sentence(
    ind: &Indicator,
    source: &Source,
    v: f64,
    stats: &Stats,
) -> (String, String) {
    let (analysis, params) = match source {
        Source::Analysis { analysis, params } => (analysis.as_str(), Some(params)),
        Source::Layer => ("", None),
    };
    let column = described(analysis, &ind.field);
    // `access` is relative to the city's mean, so it reads as a multiple of it: part of the
    // sentence the access arm below says, not of the column's unit.
    let kind = if (ind.field.as_str(), ind.per.is_none(), analysis) == ("access", true, "access") {
        Reads::Ratio
    } else {
        reads(ind, column.as_ref())
    };
    let median = stats.median();
    if let Some(t) = &ind.reason {
        let rank = stats.rank_of(v, ind.direction).to_string();
        let n = stats.sorted.len().to_string();
        let fill = |s: &str, lang| {
            s.replace("{value}", &kind.format(v, lang))
                .replace("{median}", &kind.format(median, lang))
                .replace("{rank}", &rank)
                .replace("{n}", &n)
        };
        return (fill(&t.id, Lang::Id), fill(&t.en, Lang::En));
    }
    let text = |key: &str| params.and_then(|p| p.get(key)).and_then(Value::as_str);
    let (hid, hen) = text("hazard").map(hazard_label).unwrap_or_default();
    let (fid, fen) = text("facilities")
        .map(|f| facility_label(f, text("kind")))
        .unwrap_or_default();
    let radius = params
        .and_then(|p| p.get("radius_m"))
        .and_then(Value::as_f64);
    let [vid, ven] = [Lang::Id, Lang::En].map(|l| kind.format(v, l));
    let per = ind.per.as_deref();
    // What the column counts, after its number: " jiwa" / " people".
    let [nid, nen] = match column.and_then(|c| unit_noun(c.unit)) {
        Some((id, en)) => [format!(" {id}"), format!(" {en}")],
        None => [String::new(), String::new()],
    };
    let (id, en, compare) = match (ind.field.as_str(), per, analysis) {
        ("poor_exposed_share" | "exposed_poor_households_share", None, "exposure") => (
            format!("{vid} rumah tangga miskin berada di zona {hid}"),
            format!("{ven} of poor households are in the {hen} zone"),
            true,
        ),
        ("exposed_share", None, "exposure") => (
            format!("{vid} penduduk tinggal di zona {hid}"),
            format!("{ven} of residents live in the {hen} zone"),
            true,
        ),
        ("exposed_population", None, "exposure") => (
            format!("{vid}{nid} tinggal di zona {hid}"),
            format!("{ven}{nen} live in the {hen} zone"),
            true,
        ),
        ("exposed_poor_households", None, "exposure") => (
            format!("{vid} rumah tangga miskin berada di zona {hid}"),
            format!("{ven} poor households are in the {hen} zone"),
            true,
        ),
        ("hazard_share", None, "exposure") => (
            format!("{vid} luas wilayah berada di zona {hid}"),
            format!("{ven} of the area lies in the {hen} zone"),
            true,
        ),
        ("displaced", None, "exposure") => (
            format!("sekitar {vid}{nid} diperkirakan mengungsi akibat {hid}"),
            format!("about {ven}{nen} would be displaced by the {hen}"),
            true,
        ),
        ("nearest_m", None, "access") => (
            format!("{fid} terdekat berjarak {vid}"),
            format!("the nearest {fen} is {ven} away"),
            true,
        ),
        ("nearest_m_max", None, "access") => (
            format!("sebagian warga tinggal hingga {vid} dari {fid} terdekat"),
            format!("some residents live up to {ven} from the nearest {fen}"),
            true,
        ),
        ("access", None, "access") if v == 0.0 && radius.is_some() => {
            let r = radius.unwrap_or_default();
            (
                format!(
                    "tidak ada {fid} yang terjangkau dalam {}",
                    Reads::Metres.format(r, Lang::Id)
                ),
                format!("no {fen} within {}", Reads::Metres.format(r, Lang::En)),
                false,
            )
        }
        ("access", None, "access") => (
            format!("akses ke {fid} {vid} rata-rata kota"),
            format!("access to {fen} is {ven} the city average"),
            false,
        ),
        ("uncovered_population", None, "access") => {
            let r = radius.unwrap_or(f64::NAN);
            (
                format!(
                    "{vid}{nid} tinggal lebih dari {} dari {fid}",
                    Reads::Metres.format(r, Lang::Id)
                ),
                format!(
                    "{ven}{nen} live more than {} from a {fen}",
                    Reads::Metres.format(r, Lang::En)
                ),
                true,
            )
        }
        ("poor_households", Some("households"), _) => (
            format!("{vid} rumah tangga tergolong miskin"),
            format!("{ven} of households are poor"),
            true,
        ),
        ("poor_households" | "rumah_tangga_miskin", None, _) => (
            format!("{vid} rumah tangga miskin"),
            format!("{ven} poor households"),
            true,
        ),
        ("poverty_rate" | "persen_miskin", None, _) => (
            format!("tingkat kemiskinan {vid}"),
            format!("the poverty rate is {ven}"),
            true,
        ),
        ("under5", Some("population"), _) => (
            format!("{vid} penduduk berusia balita"),
            format!("{ven} of residents are under five"),
            true,
        ),
        ("under5", None, _) => (
            format!("{vid} balita"),
            format!("{ven} children under five"),
            true,
        ),
        ("elderly", Some("population"), _) => (
            format!("{vid} penduduk lanjut usia"),
            format!("{ven} of residents are elderly"),
            true,
        ),
        ("elderly", None, _) => (
            format!("{vid} warga lanjut usia"),
            format!("{ven} elderly residents"),
            true,
        ),
        ("population", None, _) => (format!("{vid} jiwa"), format!("{ven} residents"), true),
        (field, per, _) => {
            // An analysis' column by its label; a layer's field by its name.
            let label = |key: &str, lang: Lang| match &column {
                Some(_) => {
                    described(analysis, key).map_or_else(|| words(key), |c| label_of(&c, key, lang))
                }
                None => words(key),
            };
            let [lid, len] = [Lang::Id, Lang::En].map(|l| match per {
                Some(p) => format!("{} per {}", label(field, l), label(p, l)),
                None => label(field, l),
            });
            (format!("{lid} {vid}"), format!("{len}: {ven}"), true)
        }
    };
    let reference = match stats.city.filter(|c| c.is_finite()) {
        Some(c) => Some((c, "seluruh kota", "city-wide")),
        None => median
            .is_finite()
            .then_some((median, "median kota", "city median")),
    };
    if let (true, Some((x, rid, ren))) = (compare, reference) {
        (
            capitalize(&format!("{id} ({rid} {})", kind.format(x, Lang::Id))),
            capitalize(&format!("{en} ({ren} {})", kind.format(x, Lang::En))),
        )
    } else {
        (capitalize(&id), capitalize(&en))
    }
}

/// Column `key` of analysis `analysis`, as its descriptor describes it.
fn described(analysis: &str, key: &str) -> Option<Column> {
    crate::analysis::find(analysis)
        .ok()?
        .descriptor()
        .column(key)
        .copied()
}

/// How indicator `ind`'s value reads: a rate `per` something as a share; an analysis'
/// column by its unit and kind; a layer field (no descriptor) by its name's suffix.
fn reads(ind: &Indicator, column: Option<&Column>) -> Reads {
    if ind.per.is_some() {
        return Reads::Percent;
    }
    if let Some(c) = column {
        return Reads::of(c);
    }
    let f = ind.field.as_str();
    if f.ends_with("_share") || f.ends_with("_rate") || f.starts_with("persen") {
        Reads::Percent
    } else if f.ends_with("_m") || f.ends_with("_m_max") {
        Reads::Metres
    } else if f == "access" {
        Reads::Ratio
    } else {
        Reads::Count
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn ind(field: &str) -> Indicator {
        serde_json::from_value(json!({ "field": field })).expect("present")
    }

    #[test]
    fn the_issue_example_reads_as_written() {
        let stats = Stats::of(&[Some(0.62), Some(0.08), Some(0.0)], Some(0.12));
        let src = Source::Analysis {
            analysis: "exposure".into(),
            params: json!({"hazard": "banjir_q25", "zones": "kelurahan"}),
        };
        let (id, en) = sentence(&ind("poor_exposed_share"), &src, 0.62, &stats);
        assert_eq!(
            id,
            "62% rumah tangga miskin berada di zona banjir Q25 (seluruh kota 12%)"
        );
        assert_eq!(
            en,
            "62% of poor households are in the Q25 flood zone (city-wide 12%)"
        );
    }

    #[test]
    fn access_and_distances_name_the_service() {
        let stats = Stats::of(&[Some(2500.0), Some(800.0), Some(1200.0)], None);
        let src = Source::Analysis {
            analysis: "access".into(),
            params: json!({"facilities": "rumah_sakit", "radius_m": 3000.0}),
        };
        let (id, en) = sentence(&ind("nearest_m"), &src, 2500.0, &stats);
        assert_eq!(
            id,
            "Rumah sakit terdekat berjarak 2,5 km (median kota 1,2 km)"
        );
        assert_eq!(
            en,
            "The nearest hospital is 2.5 km away (city median 1.2 km)"
        );
        let (id, en) = sentence(&ind("access"), &src, 0.456, &stats);
        assert_eq!(id, "Akses ke rumah sakit 0,46× rata-rata kota");
        assert_eq!(en, "Access to hospital is 0.46× the city average");
        let (id, en) = sentence(&ind("access"), &src, 0.0, &stats);
        assert_eq!(id, "Tidak ada rumah sakit yang terjangkau dalam 3,0 km");
        assert_eq!(en, "No hospital within 3.0 km");
        let (id, _) = sentence(&ind("uncovered_population"), &src, 12345.0, &stats);
        assert!(
            id.starts_with("12.345 jiwa tinggal lebih dari 3,0 km"),
            "{id}"
        );
    }

    #[test]
    fn other_columns_read_by_their_descriptor() {
        let src = Source::Analysis {
            analysis: "exposure".into(),
            params: json!({"hazard": "banjir_q25", "zones": "kecamatan"}),
        };
        let stats = Stats::of(&[Some(20_000.0), Some(5_000.0), Some(0.0)], None);
        let (id, en) = sentence(&ind("hazard_area_m2"), &src, 20_000.0, &stats);
        assert_eq!(id, "Luas kawasan bahaya 20.000 m² (median kota 5.000 m²)");
        assert_eq!(en, "Hazard area: 20,000 m² (city median 5,000 m²)");
        // A template column: its label with the placeholder filled in.
        let stats = Stats::of(&[Some(3.0), Some(1.0), Some(0.0)], None);
        let (id, en) = sentence(&ind("exposed_jumlah_kelurahan"), &src, 3.0, &stats);
        assert_eq!(id, "Jumlah kelurahan terpapar 3 (median kota 1)");
        assert_eq!(en, "Jumlah kelurahan exposed: 3 (city median 1)");
        let (id, _) = sentence(&ind("exposed_population_tinggi"), &src, 3.0, &stats);
        assert_eq!(id, "Penduduk terpapar kelas tinggi 3 (median kota 1)");
    }

    #[test]
    fn custom_templates_and_generic_fields() {
        let stats = Stats::of(&[Some(1.0), Some(5.0), Some(3.0), None], None);
        let mut i = ind("pengaduan");
        i.reason = Some(super::super::ReasonText {
            id: "{value} pengaduan (peringkat {rank} dari {n})".into(),
            en: "{value} complaints ({rank} of {n})".into(),
        });
        let src = Source::Layer;
        let (id, en) = sentence(&i, &src, 3.0, &stats);
        assert_eq!(id, "3 pengaduan (peringkat 2 dari 3)");
        assert_eq!(en, "3 complaints (2 of 3)");
        let (id, en) = sentence(&ind("jalan_rusak_km"), &src, 1234.6, &stats);
        assert_eq!(id, "Jalan rusak km 1.235 (median kota 3)");
        assert_eq!(en, "Jalan rusak km: 1,235 (city median 3)");
    }

    #[test]
    fn a_reason_points_to_need() {
        let stats = Stats::of(&[Some(0.5), Some(1.0), Some(2.0)], None);
        assert!(stats.points_to_need(0.5, Direction::HigherIsBetter));
        assert!(!stats.points_to_need(1.03, Direction::HigherIsBetter));
        assert!(stats.points_to_need(1.03, Direction::HigherIsWorse));
        assert!(!stats.points_to_need(1.0, Direction::HigherIsWorse));
        // A rate is judged against the city-wide rate, not the median.
        let rate = Stats::of(&[Some(0.1), Some(0.4), Some(0.0)], Some(0.25));
        assert!(rate.points_to_need(0.4, Direction::HigherIsWorse));
        assert!(!rate.points_to_need(0.2, Direction::HigherIsWorse));
    }

    #[test]
    fn ranks_and_median() {
        let s = Stats::of(&[Some(1.0), Some(2.0), Some(2.0), Some(3.0)], None);
        assert_eq!(s.rank_of(2.0, Direction::HigherIsWorse), 2);
        assert_eq!(s.rank_of(2.0, Direction::HigherIsBetter), 2);
        assert_eq!(s.rank_of(3.0, Direction::HigherIsBetter), 4);
        assert_eq!(s.median(), 2.0);
    }
}
