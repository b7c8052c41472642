//! The demo city's contract: deterministic, the right sizes, valid geometry, zones that
//! tile the land, nested flood zones, consistent attributes, and files that load back.

use geo::{
    Area, BooleanOps, BoundingRect, Contains, Geometry, Intersects, MultiPolygon, Validation,
};
use std::collections::{BTreeMap, BTreeSet};
use std::sync::OnceLock;
use tepat_datasets::{demo_city, demo_project, write_demo, DemoCity, DEMO_SEED};
use tepat_engine::layer::{Layer, Role};
use tepat_engine::project::Project;
use tepat_engine::Value;

fn city() -> &'static DemoCity {
    static CITY: OnceLock<DemoCity> = OnceLock::new();
    CITY.get_or_init(|| demo_city(DEMO_SEED).expect("demo city"))
}

fn layer<'a>(c: &'a DemoCity, name: &str) -> &'a Layer {
    c.layer(name).unwrap_or_else(|| panic!("no layer {name}"))
}

fn text(l: &Layer, field: &str, i: usize) -> String {
    match l.column(field).expect("field").get(i) {
        Value::Text(s) => s,
        other => panic!("{}.{field}[{i}] is {other:?}", l.name),
    }
}

fn num(l: &Layer, field: &str, i: usize) -> f64 {
    l.column(field).expect("field").f64_at(i).expect("number")
}

fn polygons(g: &Geometry) -> MultiPolygon {
    match g {
        Geometry::Polygon(p) => MultiPolygon(vec![p.clone()]),
        Geometry::MultiPolygon(m) => m.clone(),
        other => panic!("not a polygon: {other:?}"),
    }
}

/// The union of a polygon layer's features (they must not overlap for this to be a sum).
fn union(l: &Layer) -> MultiPolygon {
    let mut acc = MultiPolygon(vec![]);
    for g in l.geometries.iter().flatten() {
        acc = acc.union(&polygons(g));
    }
    acc
}

fn area(l: &Layer) -> f64 {
    l.geometries
        .iter()
        .flatten()
        .map(|g| g.unsigned_area())
        .sum()
}

#[test]
fn same_seed_same_city_other_seed_other_city() {
    let a = city();
    let b = demo_city(DEMO_SEED).expect("again");
    let c = demo_city(DEMO_SEED + 1).expect("other seed");
    assert_eq!(a.layers.len(), b.layers.len());
    for ((sa, la), (sb, lb)) in a.layers.iter().zip(&b.layers) {
        assert_eq!(sa.name, sb.name);
        assert_eq!(la.content_hash(), lb.content_hash(), "layer {}", sa.name);
        let lc = layer(&c, &sa.name);
        assert_ne!(
            la.content_hash(),
            lc.content_hash(),
            "layer {} ignores the seed",
            sa.name
        );
    }
    assert_eq!(a.rasters[0].1.data, b.rasters[0].1.data);
    assert_ne!(a.rasters[0].1.data, c.rasters[0].1.data);
}

fn check_counts(c: &DemoCity) {
    let n = |name: &str| layer(c, name).len();
    let seed = &c.name;
    assert!(
        (8..=12).contains(&n("kecamatan")),
        "{seed}: {} kecamatan",
        n("kecamatan")
    );
    assert!(
        (70..=90).contains(&n("kelurahan")),
        "{seed}: {} kelurahan",
        n("kelurahan")
    );
    assert_eq!(n("statistik"), n("kelurahan"));
    let kel = layer(c, "kelurahan");
    let pop: f64 = (0..kel.len()).map(|i| num(kel, "population", i)).sum();
    assert!((430_000.0..=470_000.0).contains(&pop), "population {pop}");
    assert!(
        (13..=17).contains(&n("puskesmas")),
        "{} puskesmas",
        n("puskesmas")
    );
    assert_eq!(n("rumah_sakit"), 3);
    assert!(
        (230..=270).contains(&n("sekolah")),
        "{} schools",
        n("sekolah")
    );
    assert!(
        (4_500..=5_500).contains(&n("pengaduan")),
        "{} complaints",
        n("pengaduan")
    );
    assert!(n("jalan") > 100, "{} roads", n("jalan"));
    assert_eq!(n("daratan"), 1);
    assert_eq!(n("sungai"), 1);
    for rp in [10, 25, 100] {
        assert!((1..=3).contains(&n(&format!("banjir_q{rp}"))));
    }
}

#[test]
fn counts_are_in_range_for_several_seeds() {
    check_counts(city());
    for seed in [1, 42] {
        check_counts(&demo_city(seed).expect("city"));
    }
}

#[test]
fn layers_have_roles_keys_and_the_working_crs() {
    let c = city();
    assert_eq!(c.name, "Kota Demo");
    assert_eq!(c.crs.to_string(), "EPSG:32651");
    let names: Vec<&str> = c.layers.iter().map(|(s, _)| s.name.as_str()).collect();
    assert_eq!(
        names,
        [
            "daratan",
            "kecamatan",
            "kelurahan",
            "statistik",
            "banjir_q10",
            "banjir_q25",
            "banjir_q100",
            "puskesmas",
            "rumah_sakit",
            "sekolah",
            "jalan",
            "pengaduan",
            "sungai"
        ]
    );
    for (spec, l) in &c.layers {
        assert_eq!(spec.role().expect("role"), l.role, "{}", spec.name);
        assert_eq!(spec.name, l.name);
        // A brief built on the demo says it is not a real city.
        assert!(
            spec.source
                .as_deref()
                .is_some_and(|s| s.contains("bukan kota nyata") && s.contains("not a real city")),
            "{}: {:?}",
            spec.name,
            spec.source
        );
        if l.role == Role::Table {
            assert!(l.geometries.iter().all(Option::is_none));
            assert_eq!(spec.path.to_string_lossy(), format!("{}.csv", spec.name));
        } else {
            assert_eq!(
                l.crs.as_ref().map(ToString::to_string).as_deref(),
                Some("EPSG:32651")
            );
            assert!(l.geometries.iter().all(Option::is_some), "{}", spec.name);
            assert_eq!(
                spec.path.to_string_lossy(),
                format!("{}.geojson", spec.name)
            );
        }
        l.check_role_geometries().expect("role geometry");
        if let Some(id) = &spec.id {
            assert_eq!(l.id_field.as_deref(), Some(id.as_str()));
            let unique: BTreeSet<&String> = l.ids.iter().collect();
            assert_eq!(unique.len(), l.len(), "{} ids are unique", spec.name);
        }
    }
    let spec = |n: &str| {
        c.layers
            .iter()
            .find(|(s, _)| s.name == n)
            .map(|(s, _)| s)
            .expect("spec")
    };
    let kel = spec("kelurahan");
    assert_eq!(kel.id.as_deref(), Some("kode"));
    assert_eq!(kel.population.as_deref(), Some("population"));
    assert_eq!(kel.parent.as_deref(), Some("kecamatan"));
    assert_eq!(kel.parent_key.as_deref(), Some("kode_kec"));
    assert_eq!(spec("kecamatan").population.as_deref(), Some("population"));
    let st = spec("statistik");
    assert_eq!(
        (st.join_to.as_deref(), st.key.as_deref()),
        (Some("kelurahan"), Some("kode"))
    );
    for rp in [10, 25, 100] {
        assert_eq!(
            spec(&format!("banjir_q{rp}")).level.as_deref(),
            Some("return_period")
        );
    }
    assert_eq!(spec("puskesmas").kind.as_deref(), Some("kind"));
    assert_eq!(spec("puskesmas").capacity.as_deref(), Some("capacity"));
    assert_eq!(spec("rumah_sakit").capacity.as_deref(), Some("beds"));
    assert_eq!(spec("sekolah").kind.as_deref(), Some("jenjang"));
    let ev = spec("pengaduan");
    assert_eq!(
        (ev.time.as_deref(), ev.category.as_deref()),
        (Some("waktu"), Some("kategori"))
    );
    let (name, dem) = &c.rasters[0];
    assert_eq!(name, "elevasi");
    assert_eq!(dem.geotransform[1], 50.0);
    assert_eq!(dem.crs.as_ref().and_then(|c| c.epsg()), Some(32651));
}

#[test]
fn every_geometry_is_valid() {
    for (spec, l) in &city().layers {
        for (i, g) in l.geometries.iter().enumerate() {
            if let Some(g) = g {
                assert!(
                    g.is_valid(),
                    "{} {}: {:?}",
                    spec.name,
                    l.ids[i],
                    g.validation_errors()
                );
                if matches!(g, Geometry::Polygon(_) | Geometry::MultiPolygon(_)) {
                    assert!(g.unsigned_area() > 0.0);
                }
            }
        }
    }
}

/// Pairs of features whose bounding boxes meet.
fn touching_pairs(l: &Layer) -> Vec<(usize, usize)> {
    let boxes: Vec<_> = l
        .geometries
        .iter()
        .map(|g| g.as_ref().and_then(|g| g.bounding_rect()))
        .collect();
    let mut pairs = Vec::new();
    for i in 0..boxes.len() {
        for j in i + 1..boxes.len() {
            if let (Some(a), Some(b)) = (boxes[i], boxes[j]) {
                if a.intersects(&b) {
                    pairs.push((i, j));
                }
            }
        }
    }
    pairs
}

#[test]
fn zones_tile_the_land_without_gaps_or_overlaps() {
    let c = city();
    let land = area(layer(c, "daratan"));
    let (w, h) = {
        let b = layer(c, "daratan").bbox().expect("bbox");
        (b.width(), b.height())
    };
    assert!(
        (12_000.0..18_000.0).contains(&w) && (10_000.0..15_000.0).contains(&h),
        "{w} × {h}"
    );
    for name in ["kecamatan", "kelurahan"] {
        let l = layer(c, name);
        let sum = area(l);
        assert!(
            (sum - land).abs() / land < 1e-3,
            "{name}: {sum} vs land {land}"
        );
        let mut neighbours = 0;
        for (i, j) in touching_pairs(l) {
            let (a, b) = (
                l.geometries[i].as_ref().expect("a"),
                l.geometries[j].as_ref().expect("b"),
            );
            let overlap = polygons(a).intersection(&polygons(b)).unsigned_area();
            assert!(
                overlap < 1.0,
                "{name} {} and {} overlap by {overlap} m²",
                l.ids[i],
                l.ids[j]
            );
            neighbours += 1;
        }
        assert!(
            neighbours > l.len(),
            "{name}: too few neighbour pairs checked"
        );
    }
    // Kelurahan lie in their kecamatan, and kecamatan are the union of their kelurahan.
    let (kec, kel) = (layer(c, "kecamatan"), layer(c, "kelurahan"));
    let kec_index: BTreeMap<&str, usize> = kec
        .ids
        .iter()
        .enumerate()
        .map(|(i, id)| (id.as_str(), i))
        .collect();
    let mut parts: BTreeMap<usize, f64> = BTreeMap::new();
    for i in 0..kel.len() {
        let parent = text(kel, "kode_kec", i);
        assert!(
            kel.ids[i].starts_with(&parent),
            "{} not under {parent}",
            kel.ids[i]
        );
        assert_eq!(kel.ids[i].len(), 10);
        let k = kec_index[parent.as_str()];
        let g = polygons(kel.geometries[i].as_ref().expect("kel"));
        let outside = g
            .difference(&polygons(kec.geometries[k].as_ref().expect("kec")))
            .unsigned_area();
        assert!(
            outside < 1.0,
            "{} sticks out of {parent} by {outside} m²",
            kel.ids[i]
        );
        *parts.entry(k).or_default() += g.unsigned_area();
    }
    for (k, sum) in parts {
        let a = kec.geometries[k].as_ref().expect("kec").unsigned_area();
        assert!((sum - a).abs() < 1.0, "{}: {sum} vs {a}", kec.ids[k]);
    }
    // One piece each.
    for g in kel.geometries.iter().chain(&kec.geometries).flatten() {
        assert!(
            matches!(g, Geometry::Polygon(_)),
            "a zone in several pieces"
        );
    }
}

#[test]
fn kecamatan_add_up_their_kelurahan() {
    let c = city();
    let (kec, kel) = (layer(c, "kecamatan"), layer(c, "kelurahan"));
    let mut pop: BTreeMap<String, (f64, f64)> = BTreeMap::new();
    for i in 0..kel.len() {
        let e = pop.entry(text(kel, "kode_kec", i)).or_default();
        e.0 += num(kel, "population", i);
        e.1 += num(kel, "households", i);
    }
    for i in 0..kec.len() {
        assert!(kec.ids[i].starts_with("7179") && kec.ids[i].len() == 7);
        let (p, h) = pop[&kec.ids[i]];
        assert_eq!(num(kec, "population", i), p);
        assert_eq!(num(kec, "households", i), h);
    }
    for i in 0..kel.len() {
        let p = num(kel, "population", i);
        let share = |f: &str| num(kel, f, i) / p;
        assert!(p > 0.0);
        assert!(
            (0.075..=0.105).contains(&share("under5")),
            "{} under5 {}",
            kel.ids[i],
            share("under5")
        );
        assert!((0.05..=0.10).contains(&share("elderly")));
        let hh = num(kel, "households", i);
        assert!((2.8..=4.6).contains(&(p / hh)), "household size {}", p / hh);
        assert!(num(kel, "poor_households", i) <= hh);
        assert!(!text(kel, "nama", i).is_empty());
    }
    // Denser by the coast and in the centre: the first kecamatan (the old town) is denser
    // than the last (the hills).
    let density = |i: usize| {
        num(kec, "population", i) / kec.geometries[i].as_ref().expect("g").unsigned_area()
    };
    assert!(density(0) > 3.0 * density(kec.len() - 1));
}

#[test]
fn statistics_sheet_joins_kelurahan_by_code() {
    let c = city();
    let (st, kel) = (layer(c, "statistik"), layer(c, "kelurahan"));
    assert_eq!(st.ids, kel.ids);
    for i in 0..st.len() {
        let (bps, pop) = (num(st, "penduduk_bps", i), num(kel, "population", i));
        assert!((bps - pop).abs() <= 0.021 * pop, "{bps} vs {pop}");
        let a = kel.geometries[i].as_ref().expect("g").unsigned_area() / 1e6;
        assert!((num(st, "luas_km2", i) - a).abs() <= 0.02 * a + 0.01);
        assert!(num(st, "rumah_tangga_miskin", i) >= 0.0);
    }
}

#[test]
fn flood_zones_nest_and_stay_on_land() {
    let c = city();
    let q: Vec<MultiPolygon> = [10, 25, 100]
        .iter()
        .map(|rp| {
            let l = layer(c, &format!("banjir_q{rp}"));
            for i in 0..l.len() {
                assert_eq!(num(l, "return_period", i), f64::from(*rp));
                assert!(
                    ["rendah", "sedang", "tinggi"].contains(&text(l, "depth_class", i).as_str())
                );
            }
            for (i, j) in touching_pairs(l) {
                let o = polygons(l.geometries[i].as_ref().expect("a"))
                    .intersection(&polygons(l.geometries[j].as_ref().expect("b")))
                    .unsigned_area();
                assert!(o < 1.0, "depth classes overlap by {o} m²");
            }
            union(l)
        })
        .collect();
    let land = union(layer(c, "daratan"));
    for w in q.windows(2) {
        let outside = w[0].difference(&w[1]).unsigned_area();
        assert!(
            outside < 1.0,
            "a smaller flood sticks out of a larger one by {outside} m²"
        );
        assert!(w[1].unsigned_area() > w[0].unsigned_area());
    }
    assert!(q[2].difference(&land).unsigned_area() < 1.0);
    let share = q[2].unsigned_area() / land.unsigned_area();
    assert!(
        (0.02..0.25).contains(&share),
        "Q100 covers {share} of the land"
    );
}

fn points(l: &Layer) -> Vec<geo::Point> {
    l.geometries
        .iter()
        .map(|g| match g {
            Some(Geometry::Point(p)) => *p,
            other => panic!("{}: not a point: {other:?}", l.name),
        })
        .collect()
}

#[test]
fn facilities_stand_in_their_kelurahan_and_some_in_flood_zones() {
    let c = city();
    let kel = layer(c, "kelurahan");
    let kel_geom: BTreeMap<&str, &Geometry> = kel
        .ids
        .iter()
        .map(String::as_str)
        .zip(kel.geometries.iter().flatten())
        .collect();
    let q100 = union(layer(c, "banjir_q100"));
    let mut flooded = 0;
    for name in ["puskesmas", "rumah_sakit", "sekolah"] {
        let l = layer(c, name);
        for (i, p) in points(l).iter().enumerate() {
            let code = text(l, "kode_kel", i);
            assert!(
                kel_geom[code.as_str()].contains(p),
                "{name} {} outside {code}",
                l.ids[i]
            );
            flooded += usize::from(q100.contains(p));
            assert!(num(l, l.column("beds").map_or("capacity", |_| "beds"), i) > 0.0);
        }
    }
    assert!(flooded >= 3, "only {flooded} facilities in the Q100 zone");
    let pk = layer(c, "puskesmas");
    assert!((0..pk.len()).all(|i| text(pk, "kind", i) == "puskesmas"));
    let kecs: BTreeSet<String> = (0..pk.len())
        .map(|i| text(pk, "kode_kel", i)[..7].to_string())
        .collect();
    assert_eq!(
        kecs.len(),
        layer(c, "kecamatan").len(),
        "a kecamatan without puskesmas"
    );
    let sk = layer(c, "sekolah");
    let mut by_level: BTreeMap<String, usize> = BTreeMap::new();
    for i in 0..sk.len() {
        *by_level.entry(text(sk, "jenjang", i)).or_default() += 1;
        assert!(num(sk, "students", i) > 0.0);
    }
    assert_eq!(by_level.keys().collect::<Vec<_>>(), ["SD", "SMA", "SMP"]);
    assert!(by_level["SD"] > 2 * by_level["SMP"] && by_level["SMP"] > by_level["SMA"]);
}

#[test]
fn roads_river_and_complaints_are_on_land() {
    let c = city();
    let land = union(layer(c, "daratan"));
    let jl = layer(c, "jalan");
    let mut classes = BTreeSet::new();
    for (i, g) in jl.geometries.iter().enumerate() {
        let Some(Geometry::LineString(ls)) = g else {
            panic!("road {i} is not a line")
        };
        assert!(land.contains(ls), "road {} leaves the land", jl.ids[i]);
        classes.insert(text(jl, "kelas", i));
    }
    assert_eq!(
        classes.into_iter().collect::<Vec<_>>(),
        ["arteri", "kolektor", "lokal"]
    );
    let Some(Geometry::LineString(river)) = &layer(c, "sungai").geometries[0] else {
        panic!("the river is a line")
    };
    assert!(river.0.len() > 50);

    let ev = layer(c, "pengaduan");
    let q25 = union(layer(c, "banjir_q25"));
    let mut in_flood: BTreeMap<String, (usize, usize)> = BTreeMap::new();
    let mut last = String::new();
    for (i, p) in points(ev).iter().enumerate() {
        assert!(land.contains(p), "complaint {} at sea", ev.ids[i]);
        let cat = text(ev, "kategori", i);
        assert!(["jalan", "drainase", "sampah", "lampu_jalan"].contains(&cat.as_str()));
        let e = in_flood.entry(cat).or_default();
        e.0 += 1;
        e.1 += usize::from(q25.contains(p));
        let t = text(ev, "waktu", i);
        assert!(
            t.starts_with("2025-") && t.ends_with("+08:00") && t.len() == 25,
            "{t}"
        );
        assert!(t >= last, "complaints are in time order");
        let done = ev.column("selesai_pada").expect("selesai_pada").get(i);
        match text(ev, "status", i).as_str() {
            "selesai" => assert!(
                matches!(&done, Value::Text(d) if *d > t),
                "{done:?} after {t}"
            ),
            "proses" => assert_eq!(done, Value::Null),
            s => panic!("status {s}"),
        }
        last = t;
    }
    let rate = |c: &str| in_flood[c].1 as f64 / in_flood[c].0 as f64;
    assert!(rate("drainase") > 2.0 * rate("lampu_jalan"), "{in_flood:?}");
}

#[test]
fn demo_project_holds_every_layer_and_the_dem() {
    let p = demo_project().expect("project");
    let c = city();
    assert_eq!(p.name, "Kota Demo");
    assert_eq!(p.crs.epsg(), Some(32651));
    for (spec, l) in &c.layers {
        let got = p.layers.get(&spec.name).expect("layer");
        assert_eq!(got.content_hash(), l.content_hash());
        assert!(p.spec(&spec.name).is_some());
    }
    let dem = p.layers.raster("elevasi").expect("dem");
    assert_eq!(dem.data.dim(), (300, 400));
    assert_eq!(p.spec("elevasi").map(|s| s.role.as_str()), Some("raster"));
}

#[test]
fn write_demo_round_trips_through_project_load() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = write_demo(dir.path()).expect("write");
    assert_eq!(path, dir.path().join("tepat.toml"));
    let toml = std::fs::read_to_string(&path).expect("toml");
    assert!(toml.contains("crs = \"EPSG:32651\""), "{toml}");
    let asc = std::fs::read_to_string(dir.path().join("elevasi.asc")).expect("asc");
    assert!(
        asc.starts_with("ncols 400\nnrows 300\nxllcorner 696000\nyllcorner 156000\ncellsize 50\n")
    );
    assert!(std::fs::read_to_string(dir.path().join("elevasi.prj"))
        .expect("prj")
        .contains("UTM zone 51N"));
    let loaded = Project::load(&path).expect("load");
    let c = city();
    assert_eq!(loaded.crs.epsg(), Some(32651));
    for (spec, l) in &c.layers {
        let got = loaded.layers.get(&spec.name).expect("layer");
        assert_eq!(got.len(), l.len(), "{}", spec.name);
        assert_eq!(got.ids, l.ids, "{}", spec.name);
        assert_eq!(got.role, l.role);
        // Through EPSG:4326 and back: coordinates survive to well under a metre.
        if let (Some(a), Some(b)) = (got.bbox(), l.bbox()) {
            assert!((a.min().x - b.min().x).abs() < 0.5 && (a.max().y - b.max().y).abs() < 0.5);
        }
    }
    let kel = loaded.layers.get("kelurahan").expect("kelurahan");
    let pop: f64 = (0..kel.len()).map(|i| num(kel, "population", i)).sum();
    let orig = layer(c, "kelurahan");
    assert_eq!(
        pop,
        (0..orig.len())
            .map(|i| num(orig, "population", i))
            .sum::<f64>()
    );
    let dem = loaded.layers.raster("elevasi").expect("dem");
    assert_eq!(dem.data.dim(), (300, 400));
}
