//! Administrative zones: about ten kecamatan tiling the city and about eighty kelurahan
//! tiling them, drawn on the grid as domain-warped Voronoi cells of Lloyd-relaxed seeds
//! (denser areas get smaller zones), cleaned to one piece each, then coded BPS-style and
//! given populations. Polygons come from [`crate::partition`], so they share edges exactly.

use crate::fields::{self, round_to};
use crate::grid::Grid;
use crate::noise::Noise;
use crate::sample::WeightedCells;
use crate::KOTA_CODE;
use geo::{Area, Geometry};
use rand::Rng;
use rand_chacha::ChaCha8Rng;
use std::collections::BTreeMap;
use tepat_engine::layer::{Layer, Role};
use tepat_engine::project::LayerSpec;
use tepat_engine::Result;

/// Marks a cell waiting to be re-assigned while cleaning.
const PENDING: u32 = u32::MAX;

/// Zone labels per cell (0 outside the city), numbered in code order.
#[derive(Debug, Clone)]
pub(crate) struct Zones {
    /// Kecamatan label per cell, 1..=n_kec.
    pub kec: Vec<u32>,
    /// Kelurahan label per cell, 1..=n_kel.
    pub kel: Vec<u32>,
    /// Kecamatan label of kelurahan `l` at index `l - 1`.
    pub kel_kec: Vec<u32>,
    /// Number of kecamatan.
    pub n_kec: usize,
    /// Number of kelurahan.
    pub n_kel: usize,
}

/// A domain warp: positions are displaced by smooth noise before the nearest seed is
/// found, so Voronoi edges wander like real boundaries.
struct Warp {
    nx: Noise,
    ny: Noise,
    amp: f64,
    scale: f64,
}

impl Warp {
    fn apply(&self, (x, y): (f64, f64)) -> (f64, f64) {
        let (u, v) = (x / self.scale, y / self.scale);
        (
            x + self.amp * self.nx.fbm(u, v, 3),
            y + self.amp * self.ny.fbm(u, v, 3),
        )
    }
}

fn nearest(p: (f64, f64), seeds: &[(f64, f64)]) -> usize {
    let (mut best, mut at) = (f64::INFINITY, 0);
    for (i, s) in seeds.iter().enumerate() {
        let (dx, dy) = (p.0 - s.0, p.1 - s.1);
        let d = dx * dx + dy * dy;
        if d < best {
            best = d;
            at = i;
        }
    }
    at
}

/// Lloyd relaxation of `n` seeds over `cells` (weighted), distances in warped space.
fn relaxed_seeds(
    grid: &Grid,
    cells: &[usize],
    warped: &[(f64, f64)],
    weight: &[f64],
    n: usize,
    min_gap: f64,
    rng: &mut ChaCha8Rng,
) -> Vec<(f64, f64)> {
    let pick = WeightedCells::new(cells.iter().copied(), |k| weight[k]);
    let mut seeds: Vec<(f64, f64)> = Vec::with_capacity(n);
    for attempt in 0..n * 60 {
        if seeds.len() == n {
            break;
        }
        let Some(k) = pick.pick(rng) else { break };
        let p = grid.center(k);
        let gap = if attempt < n * 40 { min_gap } else { 0.0 };
        if seeds.iter().all(|s| (s.0 - p.0).hypot(s.1 - p.1) >= gap) {
            seeds.push(p);
        }
    }
    for _ in 0..8 {
        let mut acc = vec![(0.0, 0.0, 0.0); seeds.len()];
        for &k in cells {
            let s = nearest(warped[k], &seeds);
            let w = weight[k];
            let (x, y) = grid.center(k);
            acc[s].0 += w;
            acc[s].1 += w * x;
            acc[s].2 += w * y;
        }
        for (s, a) in seeds.iter_mut().zip(&acc) {
            if a.0 > 0.0 {
                *s = (a.1 / a.0, a.2 / a.0);
            }
        }
    }
    seeds
}

/// Keeps only the largest 4-connected piece of every label; the other pieces are given
/// to the neighbouring label they touch most that `allowed(cell, label)` permits.
fn one_piece_each(grid: &Grid, labels: &mut [u32], allowed: &dyn Fn(usize, u32) -> bool) {
    for _ in 0..8 {
        let (comp, info) = grid.components(labels);
        let mut best: BTreeMap<u32, (usize, u32)> = BTreeMap::new();
        for (c, &(label, size)) in info.iter().enumerate() {
            let e = best.entry(label).or_insert((0, 0));
            if size > e.0 {
                *e = (size, c as u32);
            }
        }
        let original = labels.to_vec();
        let mut orphans = false;
        for (k, l) in labels.iter_mut().enumerate() {
            if *l != 0 && best.get(l).map(|b| b.1) != Some(comp[k]) {
                *l = PENDING;
                orphans = true;
            }
        }
        if !orphans {
            return;
        }
        loop {
            let mut progress = false;
            let mut pending = false;
            for k in 0..labels.len() {
                if labels[k] != PENDING {
                    continue;
                }
                let mut counts: BTreeMap<u32, usize> = BTreeMap::new();
                for m in grid.neighbours4(k) {
                    let l = labels[m];
                    if l != 0 && l != PENDING && allowed(k, l) {
                        *counts.entry(l).or_default() += 1;
                    }
                }
                match counts.iter().max_by_key(|(l, c)| (**c, u32::MAX - **l)) {
                    Some((&l, _)) => {
                        labels[k] = l;
                        progress = true;
                    }
                    None => pending = true,
                }
            }
            if !pending {
                break;
            }
            if !progress {
                for (l, o) in labels.iter_mut().zip(&original) {
                    if *l == PENDING {
                        *l = *o;
                    }
                }
                break;
            }
        }
    }
}

/// Splits `total` into integer parts proportional to `weights` (largest remainder), each
/// at least `min`.
pub(crate) fn apportion(weights: &[f64], total: usize, min: usize) -> Vec<usize> {
    let n = weights.len();
    if n == 0 {
        return Vec::new();
    }
    let free = total.saturating_sub(min * n);
    let sum: f64 = weights.iter().sum();
    let quotas: Vec<f64> = weights
        .iter()
        .map(|w| {
            if sum > 0.0 {
                w / sum * free as f64
            } else {
                free as f64 / n as f64
            }
        })
        .collect();
    let mut parts: Vec<usize> = quotas.iter().map(|q| q.floor() as usize).collect();
    let mut order: Vec<usize> = (0..n).collect();
    order.sort_by(|&a, &b| {
        let (ra, rb) = (quotas[a] - quotas[a].floor(), quotas[b] - quotas[b].floor());
        rb.total_cmp(&ra).then(a.cmp(&b))
    });
    let short = free.saturating_sub(parts.iter().sum());
    for &i in order.iter().cycle().take(short) {
        parts[i] += 1;
    }
    parts.iter().map(|p| p + min).collect()
}

/// Centroid of the cells with each label `1..=n` (index `l - 1`).
fn centroids(grid: &Grid, labels: &[u32], n: usize) -> Vec<(f64, f64)> {
    let mut acc = vec![(0.0, 0.0, 0.0); n];
    for (k, &l) in labels.iter().enumerate() {
        if l != 0 && (l as usize) <= n {
            let (x, y) = grid.center(k);
            let a = &mut acc[l as usize - 1];
            a.0 += 1.0;
            a.1 += x;
            a.2 += y;
        }
    }
    acc.into_iter()
        .map(|(c, x, y)| if c > 0.0 { (x / c, y / c) } else { (0.0, 0.0) })
        .collect()
}

impl Zones {
    /// Draws the kecamatan and kelurahan of the `city` cells.
    pub(crate) fn generate(
        grid: &Grid,
        city: &[bool],
        density: &[f64],
        centre: (f64, f64),
        seed: u64,
        rng: &mut ChaCha8Rng,
    ) -> Zones {
        let cells: Vec<usize> = (0..grid.len()).filter(|&k| city[k]).collect();
        let max_d = density.iter().copied().fold(0.0, f64::max).max(1e-12);
        let rel = |k: usize| density[k] / max_d;

        // Kecamatan.
        let warp = Warp {
            nx: Noise::new(seed, 41),
            ny: Noise::new(seed, 42),
            amp: 450.0,
            scale: 2_200.0,
        };
        let mut warped = vec![(0.0, 0.0); grid.len()];
        for &k in &cells {
            warped[k] = warp.apply(grid.center(k));
        }
        let n_kec = rng.random_range(9..=11);
        let kec_weight: Vec<f64> = (0..grid.len()).map(|k| 0.1 + rel(k)).collect();
        let seeds = relaxed_seeds(grid, &cells, &warped, &kec_weight, n_kec, 2_500.0, rng);
        let n_kec = seeds.len();
        let mut kec = vec![0u32; grid.len()];
        for &k in &cells {
            kec[k] = nearest(warped[k], &seeds) as u32 + 1;
        }
        one_piece_each(grid, &mut kec, &|_, _| true);
        // Code order: outwards from the old town.
        let cen = centroids(grid, &kec, n_kec);
        let mut order: Vec<usize> = (0..n_kec).collect();
        order.sort_by(|&a, &b| {
            let da = (cen[a].0 - centre.0).hypot(cen[a].1 - centre.1);
            let db = (cen[b].0 - centre.0).hypot(cen[b].1 - centre.1);
            da.total_cmp(&db).then(a.cmp(&b))
        });
        let mut rank = vec![0u32; n_kec];
        for (r, &i) in order.iter().enumerate() {
            rank[i] = r as u32 + 1;
        }
        for l in kec.iter_mut().filter(|l| **l != 0) {
            *l = rank[*l as usize - 1];
        }

        // Kelurahan: how many per kecamatan (by people and, less, by area).
        let mut by_kec: Vec<Vec<usize>> = vec![Vec::new(); n_kec];
        for &k in &cells {
            by_kec[kec[k] as usize - 1].push(k);
        }
        let pop: Vec<f64> = by_kec
            .iter()
            .map(|c| c.iter().map(|&k| density[k]).sum())
            .collect();
        let (pop_sum, area_sum): (f64, f64) = (pop.iter().sum(), cells.len() as f64);
        let weights: Vec<f64> = by_kec
            .iter()
            .zip(&pop)
            .map(|(c, p)| 0.7 * p / pop_sum.max(1e-12) + 0.3 * c.len() as f64 / area_sum)
            .collect();
        let n_kel_total = rng.random_range(77..=83);
        let counts = apportion(&weights, n_kel_total, 4);
        let kwarp = Warp {
            nx: Noise::new(seed, 43),
            ny: Noise::new(seed, 44),
            amp: 170.0,
            scale: 900.0,
        };
        for &k in &cells {
            warped[k] = kwarp.apply(grid.center(k));
        }
        let kel_weight: Vec<f64> = (0..grid.len()).map(|k| 0.08 + rel(k).powf(0.8)).collect();
        let mut kel = vec![0u32; grid.len()];
        let mut kel_kec = Vec::new();
        for (i, kcells) in by_kec.iter().enumerate() {
            let seeds = relaxed_seeds(grid, kcells, &warped, &kel_weight, counts[i], 700.0, rng);
            let base = kel_kec.len() as u32;
            for &k in kcells {
                kel[k] = base + nearest(warped[k], &seeds) as u32 + 1;
            }
            kel_kec.extend(std::iter::repeat_n(i as u32 + 1, seeds.len()));
        }
        {
            let kel_kec = &kel_kec;
            let kec = &kec;
            one_piece_each(grid, &mut kel, &|k, l| kel_kec[l as usize - 1] == kec[k]);
        }
        // Drop labels that lost all their cells, then number in code order: by kecamatan,
        // then north to south, west to east.
        let n_raw = kel_kec.len();
        let cen = centroids(grid, &kel, n_raw);
        let mut present = vec![false; n_raw];
        for &l in kel.iter().filter(|l| **l != 0) {
            present[l as usize - 1] = true;
        }
        let mut order: Vec<usize> = (0..n_raw).filter(|&i| present[i]).collect();
        order.sort_by(|&a, &b| {
            kel_kec[a]
                .cmp(&kel_kec[b])
                .then((-cen[a].1).total_cmp(&-cen[b].1))
                .then(cen[a].0.total_cmp(&cen[b].0))
                .then(a.cmp(&b))
        });
        let mut rank = vec![0u32; n_raw];
        for (r, &i) in order.iter().enumerate() {
            rank[i] = r as u32 + 1;
        }
        for l in kel.iter_mut().filter(|l| **l != 0) {
            *l = rank[*l as usize - 1];
        }
        let kel_kec = order.iter().map(|&i| kel_kec[i]).collect::<Vec<_>>();
        Zones {
            kec,
            kel,
            n_kec,
            n_kel: kel_kec.len(),
            kel_kec,
        }
    }

    /// Kecamatan code, e.g. `7179010` for the first.
    pub(crate) fn kec_code(label: u32) -> String {
        format!("{KOTA_CODE}{:03}", label * 10)
    }

    /// Kelurahan codes in label order (`7179010001`, …).
    pub(crate) fn kel_codes(&self) -> Vec<String> {
        let mut seq = vec![0u32; self.n_kec + 1];
        self.kel_kec
            .iter()
            .map(|&k| {
                seq[k as usize] += 1;
                format!("{}{:03}", Zones::kec_code(k), seq[k as usize])
            })
            .collect()
    }

    /// Number of kelurahan in each kecamatan (index `label - 1`).
    pub(crate) fn kel_counts(&self) -> Vec<usize> {
        let mut c = vec![0; self.n_kec];
        for &k in &self.kel_kec {
            c[k as usize - 1] += 1;
        }
        c
    }
}

/// People and households of one kelurahan.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Household {
    pub population: i64,
    pub households: i64,
    pub poor_households: i64,
    pub under5: i64,
    pub elderly: i64,
}

/// Per-kelurahan facts the statistics are drawn from (index `label - 1`).
#[derive(Debug, Clone, Default)]
pub(crate) struct Exposure {
    /// Summed density of the kelurahan's cells.
    pub density: Vec<f64>,
    /// Share of its cells in the 25-year flood zone.
    pub flooded: Vec<f64>,
    /// Share of its cells within 1 km of the sea.
    pub coastal: Vec<f64>,
}

/// Populations summing to `total`, households and their make-up, per kelurahan.
pub(crate) fn households(
    exposure: &Exposure,
    total: usize,
    rng: &mut ChaCha8Rng,
) -> Vec<Household> {
    let pops = apportion(&exposure.density, total, 0);
    pops.iter()
        .enumerate()
        .map(|(i, &p)| {
            let p = p as f64;
            let flood = exposure.flooded.get(i).copied().unwrap_or(0.0);
            let coast = exposure.coastal.get(i).copied().unwrap_or(0.0);
            let size = 3.4 + 0.35 * flood + rng.random_range(0.0..0.5);
            let hh = (p / size).round();
            let poverty = 0.04 + 0.12 * flood + 0.05 * coast + rng.random_range(0.0..0.04);
            Household {
                population: p as i64,
                households: hh as i64,
                poor_households: (hh * poverty).round() as i64,
                under5: (p * (0.08 + 0.01 * flood + rng.random_range(0.0..0.01))).round() as i64,
                elderly: (p * rng.random_range(0.055..0.095)).round() as i64,
            }
        })
        .collect()
}

/// The kecamatan, kelurahan and `statistik` layers.
pub(crate) struct ZoneLayers {
    pub kecamatan: (LayerSpec, Layer),
    pub kelurahan: (LayerSpec, Layer),
    pub statistik: (LayerSpec, Layer),
}

/// Builds the zone layers from the polygons, names and household figures.
pub(crate) fn layers(
    zones: &Zones,
    kec_polys: Vec<Option<Geometry>>,
    kel_polys: Vec<Option<Geometry>>,
    people: &[Household],
    rng: &mut ChaCha8Rng,
) -> Result<ZoneLayers> {
    let kec_names = crate::names::kecamatan(zones.n_kec, rng);
    let kel_names: Vec<String> = crate::names::kelurahan(&zones.kel_counts(), rng)
        .into_iter()
        .flatten()
        .collect();
    let kel_codes = zones.kel_codes();
    let kec_codes: Vec<String> = (1..=zones.n_kec as u32).map(Zones::kec_code).collect();

    let mut spec = fields::spec("kelurahan", Role::Zones, "kelurahan.geojson");
    spec.id = Some("kode".into());
    spec.population = Some("population".into());
    spec.parent = Some("kecamatan".into());
    spec.parent_key = Some("kode_kec".into());
    let areas: Vec<f64> = kel_polys
        .iter()
        .map(|g| g.as_ref().map_or(0.0, |g| g.unsigned_area()))
        .collect();
    let columns = vec![
        fields::text("kode", kel_codes.clone()),
        fields::text("nama", kel_names.clone()),
        fields::text(
            "kode_kec",
            zones.kel_kec.iter().map(|&k| Zones::kec_code(k)),
        ),
        fields::int("population", people.iter().map(|h| h.population)),
        fields::int("households", people.iter().map(|h| h.households)),
        fields::int("poor_households", people.iter().map(|h| h.poor_households)),
        fields::int("under5", people.iter().map(|h| h.under5)),
        fields::int("elderly", people.iter().map(|h| h.elderly)),
    ];
    let kelurahan = fields::layer(&spec, Role::Zones, kel_polys, columns)?;
    let kel_spec = spec;

    let mut spec = fields::spec("kecamatan", Role::Zones, "kecamatan.geojson");
    spec.id = Some("kode".into());
    spec.population = Some("population".into());
    let mut pop = vec![0i64; zones.n_kec];
    let mut hh = vec![0i64; zones.n_kec];
    let mut nkel = vec![0i64; zones.n_kec];
    for (h, &k) in people.iter().zip(&zones.kel_kec) {
        pop[k as usize - 1] += h.population;
        hh[k as usize - 1] += h.households;
        nkel[k as usize - 1] += 1;
    }
    let columns = vec![
        fields::text("kode", kec_codes),
        fields::text("nama", kec_names),
        fields::int("population", pop),
        fields::int("households", hh),
        fields::int("jumlah_kelurahan", nkel),
    ];
    let kecamatan = fields::layer(&spec, Role::Zones, kec_polys, columns)?;
    let kec_spec = spec;

    // The BPS sheet: a separate source, so its counts differ a little from the zones'.
    let mut spec = fields::spec("statistik", Role::Table, "statistik.csv");
    spec.id = Some("kode".into());
    spec.join_to = Some("kelurahan".into());
    spec.key = Some("kode".into());
    let n = kel_codes.len();
    let mut bps = Vec::with_capacity(n);
    let mut luas = Vec::with_capacity(n);
    let mut miskin = Vec::with_capacity(n);
    for (h, a) in people.iter().zip(&areas) {
        bps.push((h.population as f64 * (1.0 + rng.random_range(-0.02..0.02))).round() as i64);
        luas.push(round_to(
            a / 1e6 * (1.0 + rng.random_range(-0.015..0.015)),
            2,
        ));
        miskin.push(
            (h.poor_households as f64 * (1.0 + rng.random_range(-0.08..0.08))).round() as i64,
        );
    }
    let columns = vec![
        fields::text("kode", kel_codes),
        fields::text("nama", kel_names),
        fields::int("tahun", vec![2024; n]),
        fields::int("penduduk_bps", bps),
        fields::float("luas_km2", luas),
        fields::int("rumah_tangga_miskin", miskin),
    ];
    let statistik = fields::layer(&spec, Role::Table, vec![None; n], columns)?;
    Ok(ZoneLayers {
        kecamatan: (kec_spec, kecamatan),
        kelurahan: (kel_spec, kelurahan),
        statistik: (spec, statistik),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn apportion_sums_and_respects_minimum() {
        let p = apportion(&[1.0, 2.0, 7.0], 20, 3);
        assert_eq!(p.iter().sum::<usize>(), 20);
        assert!(p.iter().all(|&x| x >= 3));
        assert_eq!(apportion(&[1.0, 1.0, 1.0], 10, 0), vec![4, 3, 3]);
        assert_eq!(apportion(&[0.0, 0.0], 3, 0).iter().sum::<usize>(), 3);
        assert!(apportion(&[], 5, 1).is_empty());
    }

    #[test]
    fn codes_are_hierarchical() {
        assert_eq!(Zones::kec_code(1), "7179010");
        assert_eq!(Zones::kec_code(10), "7179100");
        let z = Zones {
            kec: vec![],
            kel: vec![],
            kel_kec: vec![1, 1, 2],
            n_kec: 2,
            n_kel: 3,
        };
        assert_eq!(
            z.kel_codes(),
            vec!["7179010001", "7179010002", "7179020001"]
        );
        assert_eq!(z.kel_counts(), vec![2, 1]);
    }
}
