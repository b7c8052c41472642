//! Health and education facilities: puskesmas (one or two per kecamatan), three hospitals
//! near the centre, and some 250 schools (SD, SMP, SMA in the usual proportions) spread by
//! population. Sites are drawn from populated cells well inside a kelurahan, so some stand
//! in flood zones, as in real cities.

use crate::fields;
use crate::grid::Grid;
use crate::names::HOSPITALS;
use crate::sample::{point_in_cell, WeightedCells};
use crate::zones::{apportion, Household, Zones};
use geo::{Geometry, Point};
use rand::Rng;
use rand_chacha::ChaCha8Rng;
use tepat_engine::layer::{Layer, Role};
use tepat_engine::project::LayerSpec;
use tepat_engine::Result;

/// What the facility generators need to know about the city.
pub(crate) struct Sites<'a> {
    pub grid: &'a Grid,
    pub zones: &'a Zones,
    pub density: &'a [f64],
    /// Cells well inside one kelurahan and away from the river.
    pub interior: &'a [bool],
    pub kel_codes: &'a [String],
    pub kel_names: &'a [String],
    pub people: &'a [Household],
}

impl Sites<'_> {
    /// Draws a site among `cells` (weighted) at least `gap` metres from `taken`.
    fn draw(
        &self,
        cells: &WeightedCells,
        taken: &[Point],
        gap: f64,
        rng: &mut ChaCha8Rng,
    ) -> Option<(usize, Point)> {
        let mut fallback = None;
        for _ in 0..40 {
            let k = cells.pick(rng)?;
            let p = point_in_cell(self.grid, k, 0.1, rng);
            if taken
                .iter()
                .all(|t| (t.x() - p.x()).hypot(t.y() - p.y()) >= gap)
            {
                return Some((k, p));
            }
            fallback.get_or_insert((k, p));
        }
        fallback
    }

    fn kel_of(&self, k: usize) -> usize {
        self.zones.kel[k] as usize - 1
    }
}

struct Site {
    cell: usize,
    point: Point,
}

/// The `puskesmas`, `rumah_sakit` and `sekolah` layers.
pub(crate) fn layers(s: &Sites, rng: &mut ChaCha8Rng) -> Result<Vec<(LayerSpec, Layer)>> {
    Ok(vec![
        puskesmas(s, rng)?,
        hospitals(s, rng)?,
        schools(s, rng)?,
    ])
}

fn puskesmas(s: &Sites, rng: &mut ChaCha8Rng) -> Result<(LayerSpec, Layer)> {
    let n_kec = s.zones.n_kec;
    let total = rng.random_range(14..=16usize).max(n_kec);
    // People per kecamatan; extra puskesmas go where each serves the most people.
    let mut pop = vec![0.0; n_kec];
    for (h, &k) in s.people.iter().zip(&s.zones.kel_kec) {
        pop[k as usize - 1] += h.population as f64;
    }
    let mut per_kec = vec![1usize; n_kec];
    for _ in n_kec..total {
        let i = (0..n_kec)
            .max_by(|&a, &b| {
                (pop[a] / per_kec[a] as f64)
                    .total_cmp(&(pop[b] / per_kec[b] as f64))
                    .then(b.cmp(&a))
            })
            .unwrap_or(0);
        per_kec[i] += 1;
    }
    let mut by_kec: Vec<Vec<usize>> = vec![Vec::new(); n_kec];
    for k in (0..s.grid.len()).filter(|&k| s.interior[k]) {
        by_kec[s.zones.kec[k] as usize - 1].push(k);
    }
    let mut sites: Vec<Site> = Vec::new();
    for (i, &n) in per_kec.iter().enumerate() {
        let cells = WeightedCells::new(by_kec[i].iter().copied(), |k| s.density[k].powi(2));
        let mut taken: Vec<Point> = Vec::new();
        for _ in 0..n {
            if let Some((cell, point)) = s.draw(&cells, &taken, 1_200.0, rng) {
                taken.push(point);
                sites.push(Site { cell, point });
            }
        }
    }
    sites.sort_by(|a, b| s.kel_codes[s.kel_of(a.cell)].cmp(&s.kel_codes[s.kel_of(b.cell)]));
    let mut names: Vec<String> = Vec::new();
    for site in &sites {
        let base = format!("Puskesmas {}", s.kel_names[s.kel_of(site.cell)]);
        let name = if names.contains(&base) {
            format!("{base} II")
        } else {
            base
        };
        names.push(name);
    }
    let n = sites.len();
    let mut spec = fields::spec("puskesmas", Role::Facilities, "puskesmas.geojson");
    spec.id = Some("kode".into());
    spec.kind = Some("kind".into());
    spec.capacity = Some("capacity".into());
    let capacity: Vec<i64> = (0..n).map(|_| rng.random_range(40..=80) * 500).collect();
    let inpatient: Vec<bool> = (0..n).map(|_| rng.random_bool(0.35)).collect();
    let columns = vec![
        fields::text("kode", (1..=n).map(|i| format!("PKM-{i:02}"))),
        fields::text("nama", names),
        fields::text("kind", vec!["puskesmas"; n]),
        fields::int("capacity", capacity),
        fields::boolean("rawat_inap", inpatient),
        fields::text(
            "kode_kel",
            sites.iter().map(|x| s.kel_codes[s.kel_of(x.cell)].clone()),
        ),
    ];
    let geoms = sites
        .iter()
        .map(|x| Some(Geometry::Point(x.point)))
        .collect();
    Ok((
        spec.clone(),
        fields::layer(&spec, Role::Facilities, geoms, columns)?,
    ))
}

fn hospitals(s: &Sites, rng: &mut ChaCha8Rng) -> Result<(LayerSpec, Layer)> {
    let cells = WeightedCells::new((0..s.grid.len()).filter(|&k| s.interior[k]), |k| {
        s.density[k].powi(3)
    });
    let plan: [(&str, std::ops::RangeInclusive<i64>); 3] =
        [("B", 250..=400), ("C", 100..=200), ("C", 80..=150)];
    let mut taken: Vec<Point> = Vec::new();
    let (mut geoms, mut kelas, mut beds, mut kel) =
        (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    for (class, range) in plan {
        if let Some((cell, point)) = s.draw(&cells, &taken, 1_800.0, rng) {
            taken.push(point);
            geoms.push(Some(Geometry::Point(point)));
            kelas.push(class);
            beds.push(rng.random_range(range) / 10 * 10);
            kel.push(s.kel_codes[s.kel_of(cell)].clone());
        }
    }
    let n = geoms.len();
    let mut spec = fields::spec("rumah_sakit", Role::Facilities, "rumah_sakit.geojson");
    spec.id = Some("kode".into());
    spec.kind = Some("kind".into());
    spec.capacity = Some("beds".into());
    let columns = vec![
        fields::text("kode", (1..=n).map(|i| format!("RS-{i:02}"))),
        fields::text("nama", HOSPITALS.iter().take(n).copied()),
        fields::text("kind", vec!["rumah_sakit"; n]),
        fields::text("kelas", kelas),
        fields::int("beds", beds),
        fields::text("kode_kel", kel),
    ];
    Ok((
        spec.clone(),
        fields::layer(&spec, Role::Facilities, geoms, columns)?,
    ))
}

/// A school level and how the city's schools of that level look.
struct SchoolLevel {
    name: &'static str,
    /// How many in the city.
    count: std::ops::RangeInclusive<usize>,
    /// Capacity range (pupils).
    capacity: (i64, i64),
    /// Share run privately.
    private: f64,
}

const LEVELS: [SchoolLevel; 3] = [
    SchoolLevel {
        name: "SD",
        count: 150..=160,
        capacity: (150, 360),
        private: 0.25,
    },
    SchoolLevel {
        name: "SMP",
        count: 58..=64,
        capacity: (280, 760),
        private: 0.3,
    },
    SchoolLevel {
        name: "SMA",
        count: 34..=40,
        capacity: (360, 1_080),
        private: 0.35,
    },
];

const PRIVATE: [&str; 4] = ["GMIM", "Katolik", "Kristen", "Islam"];

fn schools(s: &Sites, rng: &mut ChaCha8Rng) -> Result<(LayerSpec, Layer)> {
    let pop: Vec<f64> = s.people.iter().map(|h| h.population as f64).collect();
    let mut by_kel: Vec<Vec<usize>> = vec![Vec::new(); s.zones.n_kel];
    for k in (0..s.grid.len()).filter(|&k| s.interior[k]) {
        by_kel[s.kel_of(k)].push(k);
    }
    let mut rows: Vec<(usize, usize, Site)> = Vec::new(); // (level, kel, site)
    for (lvl, level) in LEVELS.iter().enumerate() {
        let n = rng.random_range(level.count.clone());
        let per_kel = apportion(&pop, n, 0);
        for (kel, &m) in per_kel.iter().enumerate() {
            let cells = WeightedCells::new(by_kel[kel].iter().copied(), |k| s.density[k]);
            let mut taken: Vec<Point> = rows
                .iter()
                .filter(|r| r.1 == kel)
                .map(|r| r.2.point)
                .collect();
            for _ in 0..m {
                if let Some((cell, point)) = s.draw(&cells, &taken, 150.0, rng) {
                    taken.push(point);
                    rows.push((lvl, kel, Site { cell, point }));
                }
            }
        }
    }
    rows.sort_by(|a, b| a.0.cmp(&b.0).then(s.kel_codes[a.1].cmp(&s.kel_codes[b.1])));
    let (mut kode, mut nama, mut jenjang, mut status) = (vec![], vec![], vec![], vec![]);
    let (mut capacity, mut students, mut kel, mut geoms) = (vec![], vec![], vec![], vec![]);
    let mut public_no = [0usize; 4];
    let mut private_no = [0usize; 3];
    for (i, (lvl, k, site)) in rows.iter().enumerate() {
        let SchoolLevel {
            name: level,
            capacity: (lo, hi),
            private: private_share,
            ..
        } = &LEVELS[*lvl];
        let private = rng.random_bool(*private_share);
        let name = if private {
            private_no[*lvl] += 1;
            let kind = PRIVATE[rng.random_range(0..PRIVATE.len())];
            format!("{level} {kind} {} {}", s.kel_names[*k], private_no[*lvl])
        } else {
            // Vocational upper-secondary schools (SMK) count as SMA, numbered apart.
            let (slot, label) = if *lvl == 2 && rng.random_bool(0.3) {
                (3, "SMK")
            } else {
                (*lvl, *level)
            };
            public_no[slot] += 1;
            format!("{label} Negeri {} Kota Demo", public_no[slot])
        };
        let cap = rng.random_range(*lo / 6..=*hi / 6) * 6;
        kode.push(format!("4010{:04}", i + 1));
        nama.push(name);
        jenjang.push(*level);
        status.push(if private { "swasta" } else { "negeri" });
        capacity.push(cap);
        students.push((cap as f64 * rng.random_range(0.72..1.12)).round() as i64);
        kel.push(s.kel_codes[*k].clone());
        geoms.push(Some(Geometry::Point(site.point)));
    }
    let mut spec = fields::spec("sekolah", Role::Facilities, "sekolah.geojson");
    spec.id = Some("kode".into());
    spec.kind = Some("jenjang".into());
    spec.capacity = Some("capacity".into());
    let columns = vec![
        fields::text("kode", kode),
        fields::text("nama", nama),
        fields::text("jenjang", jenjang),
        fields::text("status", status),
        fields::int("capacity", capacity),
        fields::int("students", students),
        fields::text("kode_kel", kel),
    ];
    Ok((
        spec.clone(),
        fields::layer(&spec, Role::Facilities, geoms, columns)?,
    ))
}
