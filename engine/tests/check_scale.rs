//! Thousands of zones with detailed boundaries and tens of thousands of points check in
//! reasonable time (no timing assertion — benchmarks live in benches/; this guards against
//! quadratic behaviour), and an exact tiling checks clean.

use geo::{Coord, Geometry, LineString, Polygon};
use tepat_engine::check::check_project;
use tepat_engine::crs::Crs;
use tepat_engine::layer::{Column, Layer, Role, Value};
use tepat_engine::project::{LayerSpec, Project};

const X0: f64 = 690_000.0;
const Y0: f64 = 150_000.0;

/// The shared edge from `a` to `b` as `n` segments bent by a deterministic wiggle, so
/// neighbouring cells (which walk it in opposite directions) share it exactly.
fn edge(a: (i64, i64), b: (i64, i64), n: usize, cell: f64) -> Vec<Coord> {
    let (lo, hi) = if a <= b { (a, b) } else { (b, a) };
    let horizontal = lo.1 == hi.1;
    let mut pts: Vec<Coord> = (0..=n)
        .map(|k| {
            let t = k as f64 / n as f64;
            let x = X0 + (lo.0 as f64 + (hi.0 - lo.0) as f64 * t) * cell;
            let y = Y0 + (lo.1 as f64 + (hi.1 - lo.1) as f64 * t) * cell;
            // Wiggle across the edge, zero at the ends; depends only on the edge itself.
            let w = (t * std::f64::consts::PI).sin()
                * ((lo.0 * 31 + lo.1 * 17) % 7) as f64
                * 0.8
                * (k % 2) as f64;
            if horizontal {
                Coord { x, y: y + w }
            } else {
                Coord { x: x + w, y }
            }
        })
        .collect();
    if a > b {
        pts.reverse();
    }
    pts
}

fn cell(i: i64, j: i64, n: usize, size: f64) -> Polygon {
    let corners = [(i, j), (i + 1, j), (i + 1, j + 1), (i, j + 1), (i, j)];
    let mut ring: Vec<Coord> = Vec::new();
    for w in corners.windows(2) {
        let e = edge(w[0], w[1], n, size);
        ring.extend_from_slice(&e[..e.len() - 1]);
    }
    ring.push(ring[0]);
    Polygon::new(LineString::new(ring), vec![])
}

pub fn grid_project(side: i64, per_edge: usize, points: usize) -> Project {
    let size = 200.0;
    let mut geoms = Vec::new();
    let mut kode = Vec::new();
    let mut pop = Vec::new();
    for j in 0..side {
        for i in 0..side {
            geoms.push(Some(Geometry::Polygon(cell(i, j, per_edge, size))));
            kode.push(Value::Text(format!("Z{:05}", j * side + i)));
            pop.push(Value::Int(1000 + (i * j) % 500));
        }
    }
    let mut zones = Layer::new(
        "kelurahan",
        Role::Zones,
        Some(Crs::Epsg(32651)),
        geoms,
        vec![
            Column::from_values("kode", kode),
            Column::from_values("pop", pop),
        ],
    )
    .expect("zones");
    zones.set_id_field("kode").expect("ids");
    // Points on a lattice strictly inside the grid, away from the wiggly edges.
    let extent = side as f64 * size;
    let per_row = (points as f64).sqrt().ceil() as usize;
    let pts: Vec<Option<Geometry>> = (0..points)
        .map(|k| {
            let (a, b) = ((k % per_row) as f64, (k / per_row) as f64);
            let x = X0 + 10.0 + (extent - 20.0) * (a + 0.5) / per_row as f64;
            let y = Y0 + 10.0 + (extent - 20.0) * (b + 0.5) / per_row as f64;
            Some(Geometry::Point(geo::Point::new(x, y)))
        })
        .collect();
    let events = Layer::new(
        "pengaduan",
        Role::Events,
        Some(Crs::Epsg(32651)),
        pts,
        vec![],
    )
    .expect("events");
    let spec = |name: &str, role: &str| LayerSpec {
        name: name.into(),
        role: role.into(),
        path: format!("{name}.geojson").into(),
        ..LayerSpec::default()
    };
    let zspec = LayerSpec {
        id: Some("kode".into()),
        population: Some("pop".into()),
        ..spec("kelurahan", "zones")
    };
    Project::from_layers(
        "Kota Besar",
        Crs::Epsg(32651),
        vec![(zspec, zones), (spec("pengaduan", "events"), events)],
    )
    .expect("project")
}

#[test]
fn thousands_of_detailed_zones() {
    // 50 × 50 = 2,500 zones of 4 × 20 = 80 vertices, 20,000 points.
    let p = grid_project(50, 20, 20_000);
    let r = check_project(&p);
    assert_eq!(r.exit_code(), 0, "{}", r.to_text());
    assert_eq!(
        r.layers
            .iter()
            .find(|l| l.name == "kelurahan")
            .map(|l| l.count),
        Some(2500)
    );
}

#[test]
fn long_rings_take_the_fast_validation_path() {
    // 10 × 10 zones of 4 × 150 = 600 vertices (above the all-pairs threshold).
    let p = grid_project(10, 150, 1_000);
    let r = check_project(&p);
    assert_eq!(r.exit_code(), 0, "{}", r.to_text());
}
