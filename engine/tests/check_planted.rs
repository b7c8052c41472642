//! The integrity check finds each kind of problem planted into a small hand-built city,
//! with the right code, severity, layer, field, feature ids and (for overlaps, gaps and
//! totals) the measure computed by hand; and nothing else.

use crate::check_fixtures::{city, kel_id, Plants};
use tepat_engine::check::{check_project, CheckReport, Finding, Severity};

fn find<'a>(r: &'a CheckReport, code: &str, layer: &str, field: Option<&str>) -> Vec<&'a Finding> {
    r.findings()
        .filter(|f| {
            f.code == code && f.layer.as_deref() == Some(layer) && f.field.as_deref() == field
        })
        .collect()
}

fn one<'a>(r: &'a CheckReport, code: &str, layer: &str, field: Option<&str>) -> &'a Finding {
    let v = find(r, code, layer, field);
    assert_eq!(
        v.len(),
        1,
        "expected one {code} on {layer}.{field:?}, got {v:#?}\n{}",
        r.to_text()
    );
    v[0]
}

fn kel(idx: &[usize]) -> Vec<String> {
    idx.iter().map(|&i| kel_id(i)).collect()
}

#[test]
fn finds_every_planted_problem() {
    let r = check_project(&city(&Plants::all()));
    let text = r.to_text();

    // Zone overlap: 7171009 reaches 10 m into 7171010 → 10 m × 100 m.
    let f = one(&r, "zone-overlap", "kelurahan", None);
    assert_eq!(f.severity, Severity::Warning);
    assert_eq!(f.features, kel(&[9, 10]));
    assert!((f.value.expect("m²") - 1000.0).abs() < 1e-6, "{f:?}");
    assert!(f.location.is_some());

    // Gaps: the 10 m × 100 m hole beside 7171007 and the 1 m × 100 m crack beside 7171002.
    let gaps = find(&r, "zone-gap", "kelurahan", None);
    assert_eq!(gaps.len(), 2, "{gaps:#?}");
    let hole = gaps
        .iter()
        .find(|g| g.features.contains(&kel_id(7)))
        .expect("hole gap");
    assert!((hole.value.expect("m²") - 1000.0).abs() < 1e-3, "{hole:?}");
    // Its neighbours: 7 (west), 8 (east), 3 and 11 (south, north along an edge), 4 and 12
    // (at the strip's corners).
    assert_eq!(hole.features, kel(&[3, 4, 7, 8, 11, 12]));
    assert_eq!(hole.severity, Severity::Warning);
    let sliver = gaps
        .iter()
        .find(|g| g.features.contains(&kel_id(2)))
        .expect("sliver gap");
    assert!(
        (sliver.value.expect("m²") - 100.0).abs() < 1e-3,
        "{sliver:?}"
    );
    assert_eq!(sliver.features, kel(&[1, 2, 5, 6]));

    // Points outside every kelurahan: P8 in the hole, P9 west of the city.
    let f = one(&r, "point-outside-zones", "puskesmas", None);
    assert_eq!(f.severity, Severity::Warning);
    assert_eq!(f.features, vec!["P8", "P9"]);
    assert!(f.message.contains("kelurahan"), "{}", f.message);

    // Invalid geometry, one finding per reason, all errors.
    let geo: Vec<(&str, Vec<String>)> = find(&r, "invalid-geometry", "banjir", None)
        .iter()
        .map(|f| {
            assert_eq!(f.severity, Severity::Error);
            (f.message.as_str(), f.features.clone())
        })
        .collect();
    let ids_with = |what: &str| -> Vec<String> {
        geo.iter()
            .filter(|(m, _)| m.contains(what))
            .flat_map(|(_, ids)| ids.clone())
            .collect()
    };
    assert_eq!(ids_with("self-intersecting"), vec!["B2"], "{geo:#?}");
    assert_eq!(ids_with("null geometry"), vec!["B3"]);
    assert_eq!(ids_with("empty geometry"), vec!["B4"]);
    assert_eq!(ids_with("too few"), vec!["B5"]);
    assert_eq!(ids_with("unclosed ring"), vec!["B6"]);
    assert_eq!(geo.len(), 5, "{geo:#?}");

    // Duplicate ids.
    let f = one(&r, "duplicate-id", "puskesmas", Some("kode"));
    assert_eq!(
        (f.severity, f.features.clone()),
        (Severity::Error, vec!["P2".to_string()])
    );

    // Empty layer.
    let f = one(&r, "empty-layer", "jalan", None);
    assert_eq!(f.severity, Severity::Error);

    // Nulls: a key field named by the spec (kind = "type") warns; another field is info.
    let f = one(&r, "null-values", "puskesmas", Some("type"));
    assert_eq!(
        (f.severity, f.features.clone()),
        (Severity::Warning, vec!["P1".to_string()])
    );
    let f = one(&r, "null-values", "puskesmas", Some("nama"));
    assert_eq!(
        (f.severity, f.features.clone()),
        (Severity::Info, vec!["P3".to_string()])
    );

    // Out of range: negative capacity and household count, a share > 1, a percentage > 100.
    let f = one(&r, "out-of-range", "puskesmas", Some("beds"));
    assert_eq!(
        (f.features.clone(), f.value),
        (vec!["P3".to_string()], Some(-5.0))
    );
    let f = one(&r, "out-of-range", "kelurahan", Some("kk"));
    assert_eq!((f.features.clone(), f.value), (kel(&[5]), Some(-3.0)));
    let f = one(&r, "out-of-range", "statistik", Some("pct_miskin"));
    assert_eq!((f.features.clone(), f.value), (kel(&[3]), Some(120.0)));
    let f = one(&r, "out-of-range", "statistik", Some("share_lansia"));
    assert_eq!(
        (f.features.clone(), f.value, f.severity),
        (kel(&[4]), Some(1.5), Severity::Warning)
    );

    // Code mismatches, both ways, for the join and for the hierarchy.
    let f = one(&r, "code-mismatch", "statistik", Some("kode"));
    assert_eq!(
        (f.severity, f.features.clone()),
        (Severity::Error, vec!["7171099".to_string()])
    );
    let f = one(&r, "code-mismatch", "kelurahan", Some("kec"));
    assert_eq!(f.features, kel(&[12]));
    assert!(f.message.contains("717109"), "{}", f.message);
    let km = find(&r, "code-mismatch", "kelurahan", Some("kode"));
    assert_eq!(km.len(), 1, "{km:#?}");
    assert_eq!(
        km[0].features,
        kel(&[12]),
        "7171012 has no row in statistik"
    );
    let f = one(&r, "code-mismatch", "kecamatan", Some("kode"));
    assert_eq!(f.features, vec!["717103"]);

    // Totals: 717102's kelurahan (3, 4, 7, 8, 11; 12 names another parent) sum to
    // 5 × 1000 + 33 = 5033 against 5300: 267 off (5.0 %). 717101 adds up (6033).
    let f = one(&r, "total-mismatch", "kecamatan", Some("pop"));
    assert_eq!(f.severity, Severity::Warning);
    assert_eq!(f.features, vec!["717102"]);
    assert_eq!(f.value, Some(267.0));
    assert!(
        f.message.contains("5033") && f.message.contains("5300"),
        "{}",
        f.message
    );

    // Nothing else, and the counts add up.
    let expected = 1 + 2 + 1 + 5 + 1 + 1 + 2 + 4 + 4 + 1;
    assert_eq!(r.findings().count(), expected, "{text}");
    assert_eq!(
        (r.counts.error, r.counts.warning, r.counts.info),
        (11, 10, 1),
        "{text}"
    );
    assert_eq!(r.exit_code(), 2);
}

#[test]
fn layer_summaries() {
    let r = check_project(&city(&Plants::default()));
    let kel = r
        .layers
        .iter()
        .find(|l| l.name == "kelurahan")
        .expect("kelurahan");
    assert_eq!(kel.count, 12);
    assert_eq!(kel.crs.as_deref(), Some("EPSG:32651"));
    let b = kel.bbox.expect("bbox");
    assert_eq!(b, [704_000.0, 165_000.0, 704_400.0, 165_300.0]);
    // Near Manado: about 124.8° E, 1.49° N.
    let g = kel.bbox_lonlat.expect("lon/lat bbox");
    assert!(
        g[0] > 124.8 && g[2] < 124.9 && g[1] > 1.4 && g[3] < 1.6,
        "{g:?}"
    );
    assert!(g[0] < g[2] && g[1] < g[3]);
    let pop = kel.fields.iter().find(|f| f.name == "pop").expect("pop");
    assert_eq!(
        (pop.min, pop.max, pop.nulls),
        (Some(1001.0), Some(1012.0), 0)
    );
    let stat = r
        .layers
        .iter()
        .find(|l| l.name == "statistik")
        .expect("statistik");
    assert_eq!((stat.count, stat.bbox), (12, None));
    let names: Vec<&str> = r.layers.iter().map(|l| l.name.as_str()).collect();
    assert_eq!(
        names,
        vec![
            "banjir",
            "jalan",
            "kecamatan",
            "kelurahan",
            "puskesmas",
            "statistik"
        ]
    );
}

#[test]
fn same_input_same_report() {
    let a = serde_json::to_string(&check_project(&city(&Plants::all()))).expect("json");
    let b = serde_json::to_string(&check_project(&city(&Plants::all()))).expect("json");
    assert_eq!(a, b);
}

#[test]
fn non_finite_coordinates_are_reported_not_fatal() {
    use crate::check_fixtures::{kecamatan, kelurahan, pt, puskesmas, rect, utm};
    use geo::Geometry;
    use tepat_engine::crs::Crs;
    use tepat_engine::layer::{Layer, Role};
    use tepat_engine::project::{LayerSpec, Project};

    let p = Plants::default();
    let (ks, mut kl) = kelurahan(&p);
    // Kelurahan 7171001 gets a NaN corner; the point layer gets a NaN point.
    let mut bad = rect(0.0, 0.0, 100.0, 100.0);
    bad.exterior_mut(|r| r.0[1].x = f64::NAN);
    kl.geometries[0] = Some(bad.into());
    let kec = kecamatan(&p, &kl);
    let (fs, _) = puskesmas(&p);
    let pts: Vec<Option<Geometry>> =
        vec![pt(50.0, 50.0), Some(geo::Point::new(f64::NAN, 1.0).into())];
    let mut fl = Layer::new("puskesmas", Role::Facilities, utm(), pts, vec![]).expect("layer");
    fl.ids = vec!["P1".into(), "P2".into()];
    let fs = LayerSpec {
        kind: None,
        capacity: None,
        id: None,
        ..fs
    };
    let project = Project::from_layers("Kota Uji", Crs::Epsg(32651), vec![(ks, kl), kec, (fs, fl)])
        .expect("project");
    let r = check_project(&project);
    let f = one(&r, "invalid-geometry", "kelurahan", None);
    assert!(f.message.contains("non-finite"), "{}", f.message);
    assert_eq!(f.features, kel(&[1]));
    let f = one(&r, "invalid-geometry", "puskesmas", None);
    assert_eq!(f.features, vec!["P2"]);
    // 7171001 is left out of the topology: its square is a notch in the city's corner (open
    // to the outside and wider than a sliver, so not a gap) and P1, inside it, lies outside
    // every zone.
    let f = one(&r, "point-outside-zones", "puskesmas", None);
    assert_eq!(f.features, vec!["P1"]);
    assert_eq!(r.exit_code(), 2);
}
