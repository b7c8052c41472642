//! Numbers, units and names as words, in Bahasa Indonesia and English: how the compare
//! sentences and the index reasons write a figure. One place, so "12.400 jiwa" and
//! "12,400 people" read the same wherever tepat says them.
//!
//! Indonesian groups thousands with `.` and writes decimals with `,` (12.345,6); English the
//! other way round (12,345.6). What a number counts or measures comes from its column's
//! descriptor ([`Unit`], [`Kind`]): a share reads as a percentage, metres as m or km, rupiah
//! as Rp, people as jiwa / people.

use crate::analysis::descriptor::{self, Column, Kind, Unit};

/// The two languages tepat writes in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lang {
    /// Bahasa Indonesia.
    Id,
    /// English.
    En,
}

impl Lang {
    /// The text of this language out of a pair.
    pub fn pick<'a>(self, id: &'a str, en: &'a str) -> &'a str {
        match self {
            Lang::Id => id,
            Lang::En => en,
        }
    }
}

/// `v` with `places` decimals and thousands grouping: 12.345,6 (id) / 12,345.6 (en).
pub fn decimal(v: f64, places: usize, lang: Lang) -> String {
    let (group, point) = match lang {
        Lang::Id => ('.', ','),
        Lang::En => (',', '.'),
    };
    let s = format!("{:.*}", places, v.abs());
    let (int, frac) = s.split_once('.').unwrap_or((&s, ""));
    let mut out = String::new();
    for (i, ch) in int.chars().enumerate() {
        if i > 0 && (int.len() - i) % 3 == 0 {
            out.push(group);
        }
        out.push(ch);
    }
    if !frac.is_empty() {
        out.push(point);
        out.push_str(frac);
    }
    // "-0" reads oddly; only a non-zero rounded value keeps its sign.
    if v < 0.0 && out.chars().any(|c| c.is_ascii_digit() && c != '0') {
        out.insert(0, '-');
    }
    out
}

/// A count, rounded: 12400.4 → "12,400" / "12.400".
pub fn count(x: f64, lang: Lang) -> String {
    decimal(x.round(), 0, lang)
}

/// A signed count: "+12,400", "-3,100", "±0".
pub fn signed(x: f64, lang: Lang) -> String {
    let r = x.round();
    if r == 0.0 {
        "±0".to_string()
    } else if r > 0.0 {
        format!("+{}", count(r, lang))
    } else {
        count(r, lang)
    }
}

/// A signed value that may be small (a share, a mean): counts above 100, else 3 places.
pub fn signed_value(x: f64, lang: Lang) -> String {
    if x.abs() >= 100.0 {
        signed(x, lang)
    } else {
        format!("{}{}", sign(x), decimal(x.abs(), 3, lang))
    }
}

/// A value as a whole number when it is one or is large, else with two places: 12.345, 3,
/// 0,46.
pub fn amount(v: f64, lang: Lang) -> String {
    let places = if v.abs() >= 100.0 || v.fract() == 0.0 {
        0
    } else {
        2
    };
    decimal(v, places, lang)
}

/// A share in [0, 1] as a percentage: "62%", "4,5%" (a decimal only where it tells).
pub fn percent(share: f64, lang: Lang) -> String {
    let p = share * 100.0;
    let places = if p.abs() >= 10.0 || (p - p.round()).abs() < 0.05 {
        0
    } else {
        1
    };
    format!("{}%", decimal(p, places, lang))
}

/// A change of a share, in percentage points: "+1.2 percentage points" / "-1,2 poin persen".
pub fn percentage_points(delta: f64, lang: Lang) -> String {
    let pp = decimal(delta.abs() * 100.0, 1, lang);
    format!(
        "{}{pp} {}",
        sign(delta),
        lang.pick("poin persen", "percentage points")
    )
}

/// A distance in metres as people say it: "800 m", "2 km", "1.5 km" ("1,5 km").
pub fn distance(m: f64, lang: Lang) -> String {
    if m < 1000.0 {
        format!("{} m", decimal(m, 0, lang))
    } else {
        let km = m / 1000.0;
        let places = if (km - km.round()).abs() < 1e-9 { 0 } else { 1 };
        format!("{} km", decimal(km, places, lang))
    }
}

/// A distance in metres to a tenth of a kilometre, as a comparison of zones writes it so
/// that "2,5 km" and "3,0 km" line up: "800 m", "3,0 km".
pub fn distance_tenths(m: f64, lang: Lang) -> String {
    if m.abs() >= 1000.0 {
        format!("{} km", decimal(m / 1000.0, 1, lang))
    } else {
        format!("{} m", decimal(m, 0, lang))
    }
}

/// Times a reference: "0.46×" / "0,46×".
pub fn times(v: f64, lang: Lang) -> String {
    format!("{}×", decimal(v, 2, lang))
}

/// Rupiah in full: "Rp 2.500.000" / "Rp 2,500,000".
pub fn rupiah(v: f64, lang: Lang) -> String {
    format!("Rp {}", decimal(v, 0, lang))
}

/// Money as an Indonesian reader says it: "Rp 2,5 miliar", "Rp 500 juta", "Rp 750.000";
/// another currency as "12.345 USD".
pub fn money_id(x: f64, currency: &str) -> String {
    if currency != "IDR" {
        return format!("{} {currency}", count(x, Lang::Id));
    }
    let (unit, scale) = match x.abs() {
        a if a >= 1e12 => (" triliun", 1e12),
        a if a >= 1e9 => (" miliar", 1e9),
        a if a >= 1e6 => (" juta", 1e6),
        _ => ("", 1.0),
    };
    if scale == 1.0 {
        return format!("Rp {}", count(x, Lang::Id));
    }
    let v = x / scale;
    // Two places at most, and none that are zeros: 2,5 miliar, 1,25 triliun, 20 miliar.
    let places = (0..=2)
        .find(|&p| {
            let f = 10f64.powi(p);
            ((v * f).round() - v * f).abs() < 1e-6
        })
        .unwrap_or(2) as usize;
    format!("Rp {}{unit}", decimal(v, places, Lang::Id))
}

/// What a unit counts, (Indonesian, English): jiwa / people, rumah tangga / households;
/// None for a unit a number does not count (metres, percent) or no unit.
pub fn unit_noun(unit: Unit) -> Option<(&'static str, &'static str)> {
    match unit {
        Unit::People => Some(("jiwa", "people")),
        Unit::Households => Some(("rumah tangga", "households")),
        Unit::Facilities => Some(("fasilitas", "facilities")),
        Unit::Events => Some(("kejadian", "events")),
        _ => None,
    }
}

/// The symbol written after a measure in a unit, (Indonesian, English): m², km², menit /
/// min, hari / days. None for the units [`Reads`] writes its own way, and for counts.
pub fn unit_symbol(unit: Unit) -> Option<(&'static str, &'static str)> {
    match unit {
        Unit::SquareMetres => Some(("m²", "m²")),
        Unit::SquareKm => Some(("km²", "km²")),
        Unit::Minutes => Some(("menit", "min")),
        Unit::Days => Some(("hari", "days")),
        _ => None,
    }
}

/// The sign a change is written with: "-" or "+".
fn sign(x: f64) -> &'static str {
    if x < 0.0 {
        "-"
    } else {
        "+"
    }
}

/// How a value of a column reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reads {
    /// A share, as a percentage: 62%.
    Percent,
    /// Metres, to a tenth of a kilometre: 800 m, 2,5 km.
    Metres,
    /// Times a reference: 0,46×.
    Ratio,
    /// A count or a value: 12.345, 0,46.
    Count,
    /// A count with a unit after it, (Indonesian, English): 45 menit, 1.200 m².
    With(&'static str, &'static str),
    /// Rupiah: Rp 2.500.000.
    Rupiah,
}

impl Reads {
    /// How a value of column `c` reads, by its unit and kind.
    pub fn of(c: &Column) -> Reads {
        match (c.unit, c.kind) {
            (Unit::Percent, _) | (_, Kind::Share) => Reads::Percent,
            (Unit::Metres, _) => Reads::Metres,
            (unit, kind) => match unit_symbol(unit) {
                Some((id, en)) => Reads::With(id, en),
                None if unit == Unit::Rupiah || kind == Kind::Money => Reads::Rupiah,
                None => Reads::Count,
            },
        }
    }

    /// `v` as this reads in `lang`; "–" for a value that is not a number.
    pub fn format(self, v: f64, lang: Lang) -> String {
        if !v.is_finite() {
            return "–".into();
        }
        match self {
            Reads::Percent => percent(v, lang),
            Reads::Metres => distance_tenths(v, lang),
            Reads::Ratio => times(v, lang),
            Reads::Count => amount(v, lang),
            Reads::Rupiah => rupiah(v, lang),
            Reads::With(id, en) => format!("{} {}", amount(v, lang), lang.pick(id, en)),
        }
    }
}

/// A change `x` of a figure described by column `c`, as a compare sentence writes it after
/// the figure's label: "+1,5 km", "-1,2 poin persen", "+1.234 jiwa", "+0,012".
pub fn change(x: f64, c: &Column, lang: Lang) -> String {
    match (c.unit, c.kind) {
        (Unit::Percent, _) | (_, Kind::Share) => percentage_points(x, lang),
        (Unit::Metres, _) => format!("{}{}", sign(x), distance(x.abs(), lang)),
        (Unit::Rupiah, _) | (_, Kind::Money) => match lang {
            Lang::En => format!("{} IDR", signed(x, lang)),
            Lang::Id => format!("{}{}", sign(x), money_id(x.abs(), "IDR")),
        },
        // A count of whole things reads whole; less than one of them keeps its places.
        (unit, kind) => {
            let noun = unit_noun(unit);
            if x.abs() < 1.0 || (noun.is_none() && kind != Kind::Count) {
                signed_value(x, lang)
            } else {
                match noun {
                    Some((id, en)) => format!("{} {}", signed(x, lang), lang.pick(id, en)),
                    None => signed(x, lang),
                }
            }
        }
    }
}

/// A column's label in `lang`, its placeholder filled from the row key it matched:
/// `exposed_{count}` "{count} terpapar" for `exposed_lansia` reads "lansia terpapar".
pub fn label_of(c: &Column, key: &str, lang: Lang) -> String {
    let label = lang.pick(c.label.id, c.label.en);
    let (Some(open), Some(close)) = (c.name.find('{'), c.name.find('}')) else {
        return label.to_string();
    };
    let (before, after) = (&c.name[..open], &c.name[close + 1..]);
    if after.contains('{') || !descriptor::template_matches(c.name, key) {
        return words(key);
    }
    let value = &key[before.len()..key.len() - after.len()];
    label.replace(&c.name[open..=close], &words(value))
}

/// A field or layer name as words: `jalan_rusak` → "jalan rusak".
pub fn words(field: &str) -> String {
    field.replace(['_', '-'], " ")
}

/// `s` with its first letter upper case.
pub fn capitalize(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().chain(c).collect(),
        None => String::new(),
    }
}

/// A hazard layer's name as words: `banjir_q25` → ("banjir Q25", "Q25 flood").
pub fn hazard_label(layer: &str) -> (String, String) {
    const EN: [(&str, &str); 11] = [
        ("banjir", "flood"),
        ("rob", "tidal flood"),
        ("genangan", "inundation"),
        ("longsor", "landslide"),
        ("tsunami", "tsunami"),
        ("gempa", "earthquake"),
        ("kebakaran", "fire"),
        ("erupsi", "eruption"),
        ("abrasi", "coastal erosion"),
        ("kekeringan", "drought"),
        ("bencana", "hazard"),
    ];
    let tokens: Vec<String> = layer
        .split(['_', '-', ' '])
        .filter(|t| !t.is_empty())
        .map(|t| {
            if is_code(t) {
                t.to_uppercase()
            } else {
                t.to_lowercase()
            }
        })
        .collect();
    let id = tokens.join(" ");
    let (codes, words): (Vec<&String>, Vec<&String>) = tokens.iter().partition(|t| is_code(t));
    let en: Vec<String> = codes
        .into_iter()
        .cloned()
        .chain(words.into_iter().map(|w| {
            EN.iter()
                .find(|(i, _)| i == w)
                .map_or(w.clone(), |(_, e)| e.to_string())
        }))
        .collect();
    (id, en.join(" "))
}

/// Return-period and similar codes: `q25`, `T100`, `2024`.
fn is_code(t: &str) -> bool {
    let digits = t.trim_start_matches(|c: char| c.is_ascii_alphabetic());
    !digits.is_empty() && digits.chars().all(|c| c.is_ascii_digit()) && t.len() - digits.len() <= 1
}

/// A facility layer's name (and kind filter) as words: `rumah_sakit` → ("rumah sakit", "hospital").
pub fn facility_label(layer: &str, kind: Option<&str>) -> (String, String) {
    const EN: [(&str, &str); 8] = [
        ("puskesmas", "puskesmas (health centre)"),
        ("rumah sakit", "hospital"),
        ("sekolah", "school"),
        ("faskes", "health facility"),
        ("posyandu", "posyandu (community health post)"),
        ("pasar", "market"),
        ("shelter", "shelter"),
        ("tempat evakuasi", "evacuation site"),
    ];
    let id = words(layer);
    let en = EN
        .iter()
        .find(|(i, _)| *i == id)
        .map_or(id.clone(), |(_, e)| e.to_string());
    match kind {
        Some(k) => (format!("{id} {k}"), format!("{k} {en}")),
        None => (id, en),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::descriptor::{text, Better};

    #[test]
    fn numbers_read_as_people_write_them() {
        assert_eq!(decimal(1234567.891, 2, Lang::Id), "1.234.567,89");
        assert_eq!(decimal(1234567.891, 2, Lang::En), "1,234,567.89");
        assert_eq!(decimal(-0.001, 1, Lang::En), "0.0");
        assert_eq!(count(12_400.4, Lang::En), "12,400");
        assert_eq!(count(12_400.4, Lang::Id), "12.400");
        assert_eq!(count(999.6, Lang::En), "1,000");
        assert_eq!(count(1_234_567.0, Lang::En), "1,234,567");
        assert_eq!(signed(12_400.0, Lang::En), "+12,400");
        assert_eq!(signed(-3_100.0, Lang::Id), "-3.100");
        assert_eq!(signed(0.2, Lang::En), "±0");
        assert_eq!(signed_value(0.01234, Lang::En), "+0.012");
        assert_eq!(signed_value(-0.01234, Lang::Id), "-0,012");
        assert_eq!(amount(0.456, Lang::Id), "0,46");
        assert_eq!(amount(1234.6, Lang::En), "1,235");
        assert_eq!(amount(3.0, Lang::En), "3");
        assert_eq!(percent(0.045, Lang::Id), "4,5%");
        assert_eq!(percent(0.62, Lang::En), "62%");
        assert_eq!(percentage_points(-0.0123, Lang::Id), "-1,2 poin persen");
        assert_eq!(times(0.456, Lang::En), "0.46×");
    }

    #[test]
    fn distances_and_money() {
        assert_eq!(distance(2000.0, Lang::En), "2 km");
        assert_eq!(distance(1500.0, Lang::En), "1.5 km");
        assert_eq!(distance(1500.0, Lang::Id), "1,5 km");
        assert_eq!(distance(800.0, Lang::Id), "800 m");
        assert_eq!(distance_tenths(3000.0, Lang::Id), "3,0 km");
        assert_eq!(distance_tenths(800.0, Lang::En), "800 m");
        assert_eq!(money_id(2.5e9, "IDR"), "Rp 2,5 miliar");
        assert_eq!(money_id(20e9, "IDR"), "Rp 20 miliar");
        assert_eq!(money_id(5e8, "IDR"), "Rp 500 juta");
        assert_eq!(money_id(1.25e12, "IDR"), "Rp 1,25 triliun");
        assert_eq!(money_id(750_000.0, "IDR"), "Rp 750.000");
        assert_eq!(money_id(12_345.0, "USD"), "12.345 USD");
        assert_eq!(rupiah(2_500_000.0, Lang::Id), "Rp 2.500.000");
    }

    #[test]
    fn a_column_reads_by_its_unit_and_kind() {
        let col = |unit, kind| Column::new("x", text("x", "x"), unit, kind, Better::Neutral);
        let area = col(Unit::SquareMetres, Kind::Area);
        assert_eq!(Reads::of(&area), Reads::With("m²", "m²"));
        assert_eq!(Reads::of(&area).format(20_000.0, Lang::Id), "20.000 m²");
        let minutes = col(Unit::Minutes, Kind::Time);
        assert_eq!(Reads::of(&minutes).format(45.0, Lang::En), "45 min");
        assert_eq!(Reads::of(&col(Unit::None, Kind::Share)), Reads::Percent);
        assert_eq!(Reads::of(&col(Unit::Rupiah, Kind::Money)), Reads::Rupiah);
        assert_eq!(Reads::of(&col(Unit::People, Kind::Count)), Reads::Count);
        assert_eq!(Reads::Metres.format(2500.0, Lang::Id), "2,5 km");
        assert_eq!(Reads::Count.format(f64::NAN, Lang::Id), "–");
        let people = col(Unit::People, Kind::Count);
        assert_eq!(change(1234.4, &people, Lang::Id), "+1.234 jiwa");
        assert_eq!(change(0.4, &people, Lang::En), "+0.400");
        let metres = col(Unit::Metres, Kind::Distance);
        assert_eq!(change(-1500.0, &metres, Lang::En), "-1.5 km");
        let money = col(Unit::Rupiah, Kind::Money);
        assert_eq!(change(2.5e9, &money, Lang::Id), "+Rp 2,5 miliar");
        assert_eq!(change(2.5e9, &money, Lang::En), "+2,500,000,000 IDR");
        let score = col(Unit::None, Kind::Score);
        assert_eq!(change(3.0, &score, Lang::En), "+3.000");
        assert_eq!(change(3.0, &col(Unit::None, Kind::Count), Lang::En), "+3");
    }

    #[test]
    fn labels_and_names() {
        let c = Column::new(
            "exposed_{count}",
            text("{count} terpapar", "{count} exposed"),
            Unit::None,
            Kind::Count,
            Better::Lower,
        );
        assert_eq!(
            label_of(&c, "exposed_lansia_x", Lang::Id),
            "lansia x terpapar"
        );
        assert_eq!(label_of(&c, "other", Lang::En), "other");
        assert_eq!(
            hazard_label("banjir_q100"),
            ("banjir Q100".into(), "Q100 flood".into())
        );
        assert_eq!(
            hazard_label("longsor"),
            ("longsor".into(), "landslide".into())
        );
        assert_eq!(
            facility_label("sekolah", Some("SD")),
            ("sekolah SD".into(), "SD school".into())
        );
        assert_eq!(capitalize("rumah sakit"), "Rumah sakit");
    }
}
