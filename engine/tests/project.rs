//! Loading `tepat.toml`: reprojection into the working CRS, the chosen UTM zone, and one
//! clear error per kind of bad input, naming the file, layer and field.

use geo::Area;
use std::path::{Path, PathBuf};
use tepat_engine::crs::Crs;
use tepat_engine::project::Project;
use tepat_engine::{Error, Role};

const ZONES: &str = r#"{"type":"FeatureCollection","features":[
 {"type":"Feature","properties":{"kode":"7179010001","nama":"Tikala Ares","pop":1200},
  "geometry":{"type":"Polygon","coordinates":[[[124.84,1.48],[124.85,1.48],[124.85,1.49],[124.84,1.49],[124.84,1.48]]]}},
 {"type":"Feature","properties":{"kode":"7179010002","nama":"Sário","pop":800},
  "geometry":{"type":"Polygon","coordinates":[[[124.85,1.48],[124.86,1.48],[124.86,1.49],[124.85,1.49],[124.85,1.48]]]}}
]}"#;

const FACILITIES: &str = "kode,nama,lon,lat,beds\nP1,Puskesmas Tikala,124.845,1.485,10\nP2,Puskesmas Sario,124.855,1.485,12\n";

fn write_project(dir: &Path, toml: &str) -> PathBuf {
    std::fs::write(dir.join("kelurahan.geojson"), ZONES).expect("zones");
    std::fs::write(dir.join("puskesmas.csv"), FACILITIES).expect("facilities");
    let p = dir.join("tepat.toml");
    std::fs::write(&p, toml).expect("toml");
    p
}

const GOOD: &str = r#"
name = "Kota Uji"
crs = "EPSG:32651"

[[layers]]
name = "kelurahan"
role = "zones"
path = "kelurahan.geojson"
id = "kode"
population = "pop"

[[layers]]
name = "puskesmas"
role = "facilities"
path = "puskesmas.csv"
x = "lon"
y = "lat"
crs = "EPSG:4326"
id = "kode"
capacity = "beds"
"#;

fn load(toml: &str) -> (tempfile::TempDir, Result<Project, Error>) {
    let dir = tempfile::tempdir().expect("tmp");
    let p = write_project(dir.path(), toml);
    let r = Project::load(&p);
    (dir, r)
}

fn err(toml: &str) -> String {
    let (_d, r) = load(toml);
    match r {
        Ok(_) => panic!("expected an error for:\n{toml}"),
        Err(e) => e.to_string(),
    }
}

#[test]
fn loads_and_reprojects_to_metres() {
    let (_d, r) = load(GOOD);
    let p = r.expect("project loads");
    assert_eq!(p.crs, Crs::Epsg(32651));
    let z = p.layers.get("kelurahan").expect("zones");
    assert_eq!(z.role, Role::Zones);
    assert_eq!(z.ids, vec!["7179010001", "7179010002"]);
    assert_eq!(z.crs, Some(Crs::Epsg(32651)));
    // 0.01° × 0.01° at 1.5°N: ≈ 1,113 m × 1,106 m (UTM scale ≈ 1.0002 at 1.8° from the CM).
    let area = z.geometries[0].as_ref().expect("geom").unsigned_area();
    assert!((area - 1.232e6).abs() < 0.01e6, "area {area}");
    let f = p.layers.get("puskesmas").expect("facilities");
    let pt = match f.geometries[0].as_ref().expect("pt") {
        geo::Geometry::Point(p) => *p,
        other => panic!("{other:?}"),
    };
    assert!(pt.x() > 700_000.0 && pt.x() < 710_000.0, "{pt:?}");
    assert!(p.notes.is_empty());
}

#[test]
fn chooses_utm_when_no_crs_and_says_so() {
    let (_d, r) = load(&GOOD.replace("crs = \"EPSG:32651\"\n", ""));
    let p = r.expect("project loads");
    assert_eq!(p.crs, Crs::Epsg(32651));
    assert!(
        p.notes.iter().any(|n| n.contains("EPSG:32651")),
        "{:?}",
        p.notes
    );
}

#[test]
fn missing_file_names_the_file() {
    let m = err(&GOOD.replace("kelurahan.geojson", "nope.geojson"));
    assert!(m.contains("nope.geojson"), "{m}");
}

#[test]
fn unknown_role_names_layer_and_key() {
    let m = err(&GOOD.replace("role = \"zones\"", "role = \"zone\""));
    assert!(
        m.contains("layer 'kelurahan'") && m.contains("role") && m.contains("zones"),
        "{m}"
    );
}

#[test]
fn missing_id_field_names_it() {
    let m = err(&GOOD.replace("id = \"kode\"\npopulation", "id = \"kode_kel\"\npopulation"));
    assert!(
        m.contains("layer 'kelurahan'") && m.contains("kode_kel"),
        "{m}"
    );
}

#[test]
fn csv_without_crs_is_refused() {
    let m = err(&GOOD.replace("crs = \"EPSG:4326\"\n", ""));
    assert!(m.contains("layer 'puskesmas'") && m.contains("CRS"), "{m}");
}

#[test]
fn geographic_working_crs_is_refused() {
    let m = err(&GOOD.replace("crs = \"EPSG:32651\"", "crs = \"EPSG:4326\""));
    assert!(m.contains("geographic"), "{m}");
}

#[test]
fn unknown_crs_is_refused() {
    let m = err(&GOOD.replace("crs = \"EPSG:32651\"", "crs = \"metres\""));
    assert!(m.contains("metres"), "{m}");
}

#[test]
fn typo_in_key_is_named() {
    let m = err(&GOOD.replace("capacity = \"beds\"", "capacty = \"beds\""));
    assert!(m.contains("tepat.toml") && m.contains("capacty"), "{m}");
}

#[test]
fn named_fields_must_exist_and_be_numeric() {
    let m = err(&GOOD.replace("capacity = \"beds\"", "capacity = \"kasur\""));
    assert!(
        m.contains("layer 'puskesmas'") && m.contains("kasur"),
        "{m}"
    );
    let m = err(&GOOD.replace("capacity = \"beds\"", "capacity = \"nama\""));
    assert!(m.contains("numeric"), "{m}");
}

#[test]
fn csv_geometry_needs_x_and_y() {
    let m = err(&GOOD.replace("y = \"lat\"\n", ""));
    assert!(m.contains("layer 'puskesmas'"), "{m}");
}

#[test]
fn role_forbids_geometry() {
    let m = err(&GOOD.replace("role = \"facilities\"", "role = \"zones\""));
    assert!(
        m.contains("layer 'puskesmas'") && m.contains("zones layer cannot hold Point"),
        "{m}"
    );
}

#[test]
fn duplicate_layer_names_and_unknown_parent() {
    let dup = format!("{GOOD}\n[[layers]]\nname = \"kelurahan\"\nrole = \"zones\"\npath = \"kelurahan.geojson\"\n");
    let m = err(&dup);
    assert!(m.contains("used twice"), "{m}");
    let m = err(&GOOD.replace(
        "population = \"pop\"",
        "population = \"pop\"\nparent = \"kecamatan\"\nparent_key = \"kode\"",
    ));
    assert!(m.contains("kecamatan") && m.contains("parent"), "{m}");
}

#[test]
fn broken_toml_names_the_file() {
    let m = err("name = \"x\"\n[[layers]\n");
    assert!(m.contains("tepat.toml"), "{m}");
}

#[test]
fn source_and_its_date_are_kept_and_the_date_checked() {
    let with = |date: &str| {
        GOOD.replace(
            "population = \"pop\"",
            &format!(
                "population = \"pop\"\nsource = \"BPS Kota Manado, Dalam Angka 2024\"\nsource_date = \"{date}\""
            ),
        )
    };
    for ok in ["2024", "2024-06", "2024-02-29", "2023-12-31"] {
        let (_d, r) = load(&with(ok));
        let p = r.expect("project loads");
        let s = p.spec("kelurahan").expect("spec");
        assert_eq!(
            s.source.as_deref(),
            Some("BPS Kota Manado, Dalam Angka 2024")
        );
        assert_eq!(s.source_date.as_deref(), Some(ok));
    }
    for bad in [
        "2024/25",
        "24",
        "2023-02-29",
        "2024-13",
        "2024-6-1",
        "2024-06-31",
        "Juni 2024",
    ] {
        let m = err(&with(bad));
        assert!(
            m.contains("layer 'kelurahan'") && m.contains("source_date") && m.contains(bad),
            "{bad}: {m}"
        );
    }
}
