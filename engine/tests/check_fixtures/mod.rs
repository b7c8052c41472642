//! A small hand-built city in EPSG:32651 for the integrity-check tests, with switches that
//! plant one problem each. Coordinates are offsets in metres from (X0, Y0) near Manado.
//!
//! Kelurahan: a 4 × 3 grid of 100 m squares, ids `7171001` … `7171012` (row-major from the
//! south-west corner: index = row · 4 + col + 1), nested in kecamatan `717101` (columns
//! 0–1) and `717102` (columns 2–3).

#![allow(dead_code)] // each test file uses a different part

use geo::{line_string, point, polygon, Geometry, LineString, Polygon};
use tepat_engine::crs::Crs;
use tepat_engine::layer::{Column, FeatureNote, Layer, Role, Value};
use tepat_engine::project::{LayerSpec, Project};

pub const X0: f64 = 704_000.0;
pub const Y0: f64 = 165_000.0;

/// Which problems to plant.
#[derive(Debug, Clone, Copy, Default)]
pub struct Plants {
    /// Kelurahan 7171009 reaches 10 m into 7171010: 10 × 100 = 1000 m² overlap.
    pub overlap: bool,
    /// Kelurahan 7171007 ends at x = 290: a 10 × 100 = 1000 m² hole between six zones.
    pub hole: bool,
    /// Kelurahan 7171002 starts at x = 101: a 1 × 100 = 100 m² crack open to the south.
    pub sliver: bool,
    /// Kelurahan 7171012 names kecamatan 717109, which does not exist.
    pub bad_parent: bool,
    /// Kecamatan 717103 (far away) has no kelurahan.
    pub orphan_parent: bool,
    /// Kecamatan 717102 says pop 5300 where its kelurahan add up to less.
    pub total_mismatch: bool,
    /// Kelurahan 7171005 has kk = -3.
    pub negative_count: bool,
    /// Statistik: 7171003 pct_miskin = 120, 7171004 share_lansia = 1.5.
    pub bad_shares: bool,
    /// Statistik lacks 7171012 and has a row 7171099.
    pub code_mismatch: bool,
    /// Puskesmas: a second P2, P3 beds = -5, P1 type null, P3 nama null, P8 in the hole
    /// strip (x 295, y 150) and P9 west of the city.
    pub facilities: bool,
    /// Banjir: B2 bow-tie, B3 null, B4 empty, B5 too few points, B6 unclosed ring (note).
    pub bad_geometry: bool,
    /// Jalan has no features.
    pub empty_layer: bool,
}

impl Plants {
    pub fn all() -> Plants {
        Plants {
            overlap: true,
            hole: true,
            sliver: true,
            bad_parent: true,
            orphan_parent: true,
            total_mismatch: true,
            negative_count: true,
            bad_shares: true,
            code_mismatch: true,
            facilities: true,
            bad_geometry: true,
            empty_layer: true,
        }
    }
}

pub fn rect(x0: f64, y0: f64, x1: f64, y1: f64) -> Polygon {
    polygon![
        (x: X0 + x0, y: Y0 + y0), (x: X0 + x1, y: Y0 + y0),
        (x: X0 + x1, y: Y0 + y1), (x: X0 + x0, y: Y0 + y1)
    ]
}

pub fn pt(x: f64, y: f64) -> Option<Geometry> {
    Some(point!(x: X0 + x, y: Y0 + y).into())
}

fn text(name: &str, v: Vec<Option<String>>) -> Column {
    Column::from_values(
        name,
        v.into_iter()
            .map(|s| s.map_or(Value::Null, Value::Text))
            .collect(),
    )
}

fn ints(name: &str, v: Vec<i64>) -> Column {
    Column::from_values(name, v.into_iter().map(Value::Int).collect())
}

fn floats(name: &str, v: Vec<f64>) -> Column {
    Column::from_values(name, v.into_iter().map(Value::Float).collect())
}

pub fn utm() -> Option<Crs> {
    Some(Crs::Epsg(32651))
}

fn spec(name: &str, role: &str) -> LayerSpec {
    LayerSpec {
        name: name.into(),
        role: role.into(),
        path: format!("{name}.geojson").into(),
        ..LayerSpec::default()
    }
}

pub fn kel_id(idx: usize) -> String {
    format!("7171{idx:03}")
}

fn layer(
    name: &str,
    role: Role,
    geoms: Vec<Option<Geometry>>,
    cols: Vec<Column>,
    id: Option<&str>,
) -> Layer {
    let mut l = Layer::new(name, role, utm(), geoms, cols).expect("layer");
    if let Some(id) = id {
        l.set_id_field(id).expect("id field");
    }
    l
}

pub fn kelurahan(p: &Plants) -> (LayerSpec, Layer) {
    let (mut g, mut kode, mut kec, mut pop, mut kk) = (vec![], vec![], vec![], vec![], vec![]);
    for row in 0..3 {
        for col in 0..4 {
            let idx = row * 4 + col + 1;
            let (mut x0, y0) = (col as f64 * 100.0, row as f64 * 100.0);
            let (mut x1, y1) = (x0 + 100.0, y0 + 100.0);
            if p.overlap && idx == 9 {
                x1 = 110.0;
            }
            if p.hole && idx == 7 {
                x1 = 290.0;
            }
            if p.sliver && idx == 2 {
                x0 = 101.0;
            }
            g.push(Some(rect(x0, y0, x1, y1).into()));
            kode.push(Some(kel_id(idx)));
            let parent = if col < 2 {
                "717101"
            } else if p.bad_parent && idx == 12 {
                "717109"
            } else {
                "717102"
            };
            kec.push(Some(parent.to_string()));
            pop.push(1000 + idx as i64);
            kk.push(if p.negative_count && idx == 5 {
                -3
            } else {
                250 + idx as i64
            });
        }
    }
    let l = layer(
        "kelurahan",
        Role::Zones,
        g,
        vec![
            text("kode", kode),
            text("kec", kec),
            ints("pop", pop),
            ints("kk", kk),
        ],
        Some("kode"),
    );
    let s = LayerSpec {
        id: Some("kode".into()),
        population: Some("pop".into()),
        parent: Some("kecamatan".into()),
        parent_key: Some("kec".into()),
        ..spec("kelurahan", "zones")
    };
    (s, l)
}

pub fn kecamatan(p: &Plants, kel: &Layer) -> (LayerSpec, Layer) {
    // Each kecamatan's pop is the sum of its kelurahan, unless a mismatch is planted.
    let sum = |code: &str| -> i64 {
        let kec = kel.column("kec").expect("kec");
        let pop = kel.column("pop").expect("pop");
        (0..kel.len())
            .filter(|&i| kec.get(i).as_key().as_deref() == Some(code))
            .map(|i| pop.f64_at(i).unwrap_or(0.0) as i64)
            .sum()
    };
    let mut g = vec![
        Some(rect(0.0, 0.0, 200.0, 300.0).into()),
        Some(rect(200.0, 0.0, 400.0, 300.0).into()),
    ];
    let mut kode = vec![Some("717101".to_string()), Some("717102".to_string())];
    let mut pop = vec![
        sum("717101"),
        if p.total_mismatch {
            5300
        } else {
            sum("717102")
        },
    ];
    if p.orphan_parent {
        g.push(Some(rect(1000.0, 0.0, 1100.0, 100.0).into()));
        kode.push(Some("717103".to_string()));
        pop.push(100);
    }
    let l = layer(
        "kecamatan",
        Role::Zones,
        g,
        vec![text("kode", kode), ints("pop", pop)],
        Some("kode"),
    );
    let s = LayerSpec {
        id: Some("kode".into()),
        population: Some("pop".into()),
        ..spec("kecamatan", "zones")
    };
    (s, l)
}

pub fn statistik(p: &Plants) -> (LayerSpec, Layer) {
    let (mut kode, mut pct, mut share) = (vec![], vec![], vec![]);
    for idx in 1..=12 {
        if p.code_mismatch && idx == 12 {
            continue;
        }
        kode.push(Some(kel_id(idx)));
        pct.push(if p.bad_shares && idx == 3 {
            120.0
        } else {
            10.0 + idx as f64 / 2.0
        });
        share.push(if p.bad_shares && idx == 4 {
            1.5
        } else {
            0.05 + idx as f64 / 100.0
        });
    }
    if p.code_mismatch {
        kode.push(Some("7171099".into()));
        pct.push(11.0);
        share.push(0.1);
    }
    let n = kode.len();
    let l = layer(
        "statistik",
        Role::Table,
        vec![None; n],
        vec![
            text("kode", kode),
            floats("pct_miskin", pct),
            floats("share_lansia", share),
        ],
        Some("kode"),
    );
    let s = LayerSpec {
        id: Some("kode".into()),
        join_to: Some("kelurahan".into()),
        key: Some("kode".into()),
        ..spec("statistik", "table")
    };
    (s, l)
}

pub fn puskesmas(p: &Plants) -> (LayerSpec, Layer) {
    let mut g = vec![pt(50.0, 50.0), pt(150.0, 150.0), pt(250.0, 250.0)];
    let mut kode: Vec<Option<String>> = ["P1", "P2", "P3"]
        .iter()
        .map(|s| Some(s.to_string()))
        .collect();
    let mut nama: Vec<Option<String>> = ["Bahu", "Tikala", "Sario"]
        .iter()
        .map(|s| Some(s.to_string()))
        .collect();
    let mut kind: Vec<Option<String>> = vec![Some("puskesmas".into()); 3];
    let mut beds = vec![10, 12, 8];
    if p.facilities {
        beds[2] = -5;
        kind[0] = None;
        nama[2] = None;
        for (id, x, y) in [
            ("P2", 350.0, 150.0),
            ("P8", 295.0, 150.0),
            ("P9", -500.0, 50.0),
        ] {
            g.push(pt(x, y));
            kode.push(Some(id.into()));
            nama.push(Some(format!("Puskesmas {id}")));
            kind.push(Some("pustu".into()));
            beds.push(4);
        }
    }
    let l = layer(
        "puskesmas",
        Role::Facilities,
        g,
        vec![
            text("kode", kode),
            text("nama", nama),
            text("type", kind),
            ints("beds", beds),
        ],
        Some("kode"),
    );
    let s = LayerSpec {
        id: Some("kode".into()),
        kind: Some("type".into()),
        capacity: Some("beds".into()),
        ..spec("puskesmas", "facilities")
    };
    (s, l)
}

pub fn banjir(p: &Plants) -> (LayerSpec, Layer) {
    let mut g: Vec<Option<Geometry>> = vec![Some(rect(0.0, 0.0, 150.0, 40.0).into())];
    let mut ids = vec!["B1"];
    let mut notes = vec![];
    if p.bad_geometry {
        let bowtie: Polygon = polygon![
            (x: X0, y: Y0), (x: X0 + 50.0, y: Y0 + 50.0), (x: X0 + 50.0, y: Y0), (x: X0, y: Y0 + 50.0)
        ];
        let thin: Polygon = polygon![(x: X0, y: Y0), (x: X0 + 10.0, y: Y0), (x: X0, y: Y0)];
        g.push(Some(bowtie.into()));
        g.push(None);
        g.push(Some(Polygon::new(LineString::new(vec![]), vec![]).into()));
        g.push(Some(thin.into()));
        g.push(Some(rect(200.0, 0.0, 260.0, 30.0).into()));
        ids.extend(["B2", "B3", "B4", "B5", "B6"]);
        notes.push(FeatureNote {
            feature: 5,
            kind: "unclosed-ring".into(),
            message: "ring 0 was not closed; closed it".into(),
        });
    }
    let col = text("id", ids.iter().map(|s| Some(s.to_string())).collect());
    let mut l = layer("banjir", Role::Hazard, g, vec![col], Some("id"));
    l.notes = notes;
    (
        LayerSpec {
            id: Some("id".into()),
            ..spec("banjir", "hazard")
        },
        l,
    )
}

pub fn jalan(p: &Plants) -> (LayerSpec, Layer) {
    let g: Vec<Option<Geometry>> = if p.empty_layer {
        vec![]
    } else {
        vec![Some(Geometry::LineString(
            line_string![(x: X0, y: Y0 + 5.0), (x: X0 + 400.0, y: Y0 + 5.0)],
        ))]
    };
    (
        spec("jalan", "network"),
        layer("jalan", Role::Network, g, vec![], None),
    )
}

/// The city with the chosen problems planted.
pub fn city(p: &Plants) -> Project {
    let kel = kelurahan(p);
    let kec = kecamatan(p, &kel.1);
    let items = vec![kel, kec, statistik(p), puskesmas(p), banjir(p), jalan(p)];
    Project::from_layers("Kota Uji", Crs::Epsg(32651), items).expect("project")
}
