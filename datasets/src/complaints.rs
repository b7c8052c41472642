//! Citizen complaints `pengaduan` over 2025: about 5,000 reports about roads, drainage,
//! rubbish and street lights, where people live and clustered in hot spots; drainage
//! complaints gather in flood-prone areas and in the rainy months. Each has a timestamp
//! (WITA, UTC+8), a status and, once handled, when it was resolved.

use crate::fields;
use crate::grid::Grid;
use crate::sample::{point_in_cell, WeightedCells};
use crate::zones::apportion;
use geo::{Geometry, Point};
use rand::Rng;
use rand_chacha::ChaCha8Rng;
use tepat_engine::layer::{Layer, Role};
use tepat_engine::project::LayerSpec;
use tepat_engine::Result;

/// Category, share of complaints, mean days to resolve, monthly weights (Jan–Dec).
const CATEGORIES: [(&str, f64, f64, [f64; 12]); 4] = [
    (
        "jalan",
        0.30,
        14.0,
        [1.3, 1.2, 1.1, 1.0, 0.9, 0.8, 0.8, 0.8, 0.9, 1.0, 1.1, 1.3],
    ),
    (
        "drainase",
        0.25,
        9.0,
        [3.0, 2.5, 1.8, 1.2, 0.8, 0.6, 0.5, 0.5, 0.6, 0.9, 1.6, 2.6],
    ),
    (
        "sampah",
        0.30,
        3.0,
        [1.3, 1.1, 1.0, 1.0, 1.0, 0.9, 0.9, 0.9, 0.9, 1.0, 1.0, 1.4],
    ),
    ("lampu_jalan", 0.15, 6.0, [1.0; 12]),
];

/// How complaints arrive.
const CHANNELS: [(&str, f64); 4] = [
    ("aplikasi", 0.45),
    ("whatsapp", 0.30),
    ("telepon", 0.15),
    ("kantor", 0.10),
];

const DAYS_IN_MONTH: [u32; 12] = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/// Local (UTC+8) seconds since 1970-01-01 of midnight at the start of 2026: the data were
/// extracted then, so later resolutions are still `proses`.
const EXTRACTED: i64 = 20_454 * 86_400;

/// Days since 1970-01-01 of a civil date (proleptic Gregorian).
pub(crate) fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (i64::from(m) + 9) % 12;
    let doy = (153 * mp + 2) / 5 + i64::from(d) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// Civil date of a day count since 1970-01-01.
pub(crate) fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d)
}

/// ISO-8601 text of local (UTC+8) seconds since the epoch.
pub(crate) fn iso(local: i64) -> String {
    let (days, secs) = (local.div_euclid(86_400), local.rem_euclid(86_400));
    let (y, m, d) = civil_from_days(days);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}+08:00",
        secs / 3_600,
        secs % 3_600 / 60,
        secs % 60
    )
}

fn weighted_index(weights: &[f64], rng: &mut ChaCha8Rng) -> usize {
    let total: f64 = weights.iter().sum();
    let mut r = rng.random_range(0.0..total);
    for (i, w) in weights.iter().enumerate() {
        if r < *w {
            return i;
        }
        r -= w;
    }
    weights.len() - 1
}

/// Where complaints can come from and what attracts each kind.
pub(crate) struct Sources<'a> {
    pub grid: &'a Grid,
    /// Cells well inside the city's land.
    pub land: &'a [bool],
    pub density: &'a [f64],
    /// Cells in the 25-year and 100-year flood zones.
    pub flood25: &'a [bool],
    pub flood100: &'a [bool],
    /// Distance to the river (m).
    pub to_river: &'a [f64],
}

/// The `pengaduan` layer.
pub(crate) fn layer(s: &Sources, rng: &mut ChaCha8Rng) -> Result<(LayerSpec, Layer)> {
    let total = rng.random_range(4_800..=5_200);
    let shares: Vec<f64> = CATEGORIES.iter().map(|c| c.1).collect();
    let counts = apportion(&shares, total, 0);
    let cells: Vec<usize> = (0..s.grid.len()).filter(|&k| s.land[k]).collect();
    let mut rows: Vec<(i64, usize, Point, Option<i64>, usize)> = Vec::with_capacity(total);
    for (c, &(_, _, mean_days, months)) in CATEGORIES.iter().enumerate() {
        let weight = |k: usize| {
            let d = s.density[k];
            match c {
                0 => d.powf(0.8),
                1 => {
                    d * (0.3
                        + 4.0 * f64::from(u8::from(s.flood25[k]))
                        + f64::from(u8::from(s.flood100[k])))
                }
                2 => d.powf(1.3) * (1.0 + 2.0 * (-s.to_river[k] / 250.0).exp()),
                _ => d.powf(0.7),
            }
        };
        let pick = WeightedCells::new(cells.iter().copied(), weight);
        if pick.is_empty() {
            continue;
        }
        // Hot spots sit where the pull is strongest.
        let hot = WeightedCells::new(cells.iter().copied(), |k| weight(k).powi(3));
        let hotspots: Vec<(f64, f64)> = (0..6)
            .filter_map(|_| hot.pick(rng).map(|k| s.grid.center(k)))
            .collect();
        for _ in 0..counts[c] {
            let mut cell = None;
            if !hotspots.is_empty() && rng.random_bool(0.25) {
                let (hx, hy) = hotspots[rng.random_range(0..hotspots.len())];
                for _ in 0..10 {
                    let (dx, dy) = gaussian_pair(rng);
                    if let Some(k) = s.grid.locate(hx + 350.0 * dx, hy + 350.0 * dy) {
                        if s.land[k] {
                            cell = Some(k);
                            break;
                        }
                    }
                }
            }
            let Some(k) = cell.or_else(|| pick.pick(rng)) else {
                continue;
            };
            let point = point_in_cell(s.grid, k, 0.05, rng);
            let month = weighted_index(&months, rng);
            let day = rng.random_range(1..=DAYS_IN_MONTH[month]);
            let hour = weighted_index(&HOURS, rng) as i64;
            let local = days_from_civil(2025, month as u32 + 1, day) * 86_400
                + hour * 3_600
                + rng.random_range(0..3_600);
            let hours = (-(1.0 - rng.random::<f64>()).ln() * mean_days * 24.0).max(2.0);
            let resolved = local + (hours * 3_600.0) as i64;
            let stuck = rng.random_bool(0.04);
            let done = (!stuck && resolved < EXTRACTED).then_some(resolved);
            let channel = weighted_index(&CHANNELS.map(|c| c.1), rng);
            rows.push((local, c, point, done, channel));
        }
    }
    rows.sort_by(|a, b| a.0.cmp(&b.0).then(a.1.cmp(&b.1)));
    let n = rows.len();
    let mut spec = fields::spec("pengaduan", Role::Events, "pengaduan.geojson");
    spec.id = Some("id".into());
    spec.time = Some("waktu".into());
    spec.category = Some("kategori".into());
    let columns = vec![
        fields::text("id", (1..=n).map(|i| format!("ADU-25-{i:05}"))),
        fields::text("kategori", rows.iter().map(|r| CATEGORIES[r.1].0)),
        fields::text("waktu", rows.iter().map(|r| iso(r.0))),
        fields::text(
            "status",
            rows.iter()
                .map(|r| if r.3.is_some() { "selesai" } else { "proses" }),
        ),
        fields::text_opt("selesai_pada", rows.iter().map(|r| r.3.map(iso))),
        fields::text("saluran", rows.iter().map(|r| CHANNELS[r.4].0)),
    ];
    let geoms = rows.iter().map(|r| Some(Geometry::Point(r.2))).collect();
    Ok((
        spec.clone(),
        fields::layer(&spec, Role::Events, geoms, columns)?,
    ))
}

/// Hour-of-day weights: office hours and evenings.
const HOURS: [f64; 24] = [
    0.1, 0.05, 0.05, 0.05, 0.1, 0.3, 0.8, 1.5, 2.2, 2.4, 2.3, 2.0, 1.6, 1.8, 1.9, 1.7, 1.4, 1.2,
    1.3, 1.5, 1.3, 0.9, 0.5, 0.2,
];

/// Two independent standard normal draws (Box–Muller).
fn gaussian_pair(rng: &mut ChaCha8Rng) -> (f64, f64) {
    let u1: f64 = 1.0 - rng.random::<f64>();
    let u2: f64 = rng.random();
    let r = (-2.0 * u1.ln()).sqrt();
    let t = std::f64::consts::TAU * u2;
    (r * t.cos(), r * t.sin())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn calendar_round_trips() {
        assert_eq!(days_from_civil(1970, 1, 1), 0);
        assert_eq!(days_from_civil(2026, 1, 1), 20_454);
        assert_eq!(EXTRACTED, days_from_civil(2026, 1, 1) * 86_400);
        for z in [0, 20_089, 20_454, 20_147, -1, 11_016] {
            let (y, m, d) = civil_from_days(z);
            assert_eq!(days_from_civil(y, m, d), z);
        }
        assert_eq!(
            civil_from_days(days_from_civil(2025, 2, 28) + 1),
            (2025, 3, 1)
        );
        assert_eq!(
            iso(days_from_civil(2025, 3, 14) * 86_400 + 9 * 3_600 + 21 * 60 + 5),
            "2025-03-14T09:21:05+08:00"
        );
        assert_eq!(DAYS_IN_MONTH.iter().sum::<u32>(), 365);
    }
}
