//! Layer uploads over HTTP, in-process (`tower::ServiceExt::oneshot`) on the demo city:
//! each format (GeoJSON, GeoPackage, zipped Shapefile, CSV), each kind of bad input, the
//! roles that may upload, the size limit, analyses on an uploaded layer, deletion, and
//! reloading from the data directory.

use crate::common::{self, send, Reply};
use anyhow::{Context, Result};
use axum::body::Body;
use axum::http::{header, Method, Request, StatusCode};
use serde_json::{json, Value};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;
use tepat::state::Options;
use tepat::store::{Store, UserRole};
use tepat::AppState;
use tepat_engine::project::Project;

fn demo() -> Result<Project> {
    static P: OnceLock<std::result::Result<Project, String>> = OnceLock::new();
    P.get_or_init(|| tepat_datasets::demo_project().map_err(|e| e.to_string()))
        .clone()
        .map_err(|e| anyhow::anyhow!("demo city: {e}"))
}

/// A server on the demo city with its store in `dir` (in memory without), and an admin token.
fn server(dir: Option<&Path>) -> Result<(AppState, String)> {
    let store = match dir {
        Some(d) => Store::open(d)?,
        None => Store::in_memory()?,
    };
    let state = AppState::with_store(demo()?, store, Options::default())?;
    let admin = state.store().create_token(UserRole::Admin, Some("gis"))?;
    Ok((state, admin))
}

fn engine_fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../engine/tests/data/io")
        .join(name)
}

/// One part of a multipart form.
enum Part<'a> {
    Text(&'a str, &'a str),
    /// Part name, file name (none: no `filename=`), content.
    File(&'a str, Option<&'a str>, Vec<u8>),
}

const BOUNDARY: &str = "tepat-test-boundary-7d1f";

fn form(parts: &[Part<'_>]) -> Vec<u8> {
    let mut b = Vec::new();
    for p in parts {
        b.extend_from_slice(format!("--{BOUNDARY}\r\n").as_bytes());
        match p {
            Part::Text(name, value) => {
                b.extend_from_slice(
                    format!("Content-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n")
                        .as_bytes(),
                );
            }
            Part::File(name, file_name, data) => {
                let fname = file_name
                    .map(|f| format!("; filename=\"{f}\""))
                    .unwrap_or_default();
                b.extend_from_slice(
                    format!(
                        "Content-Disposition: form-data; name=\"{name}\"{fname}\r\n\
                         Content-Type: application/octet-stream\r\n\r\n"
                    )
                    .as_bytes(),
                );
                b.extend_from_slice(data);
                b.extend_from_slice(b"\r\n");
            }
        }
    }
    b.extend_from_slice(format!("--{BOUNDARY}--\r\n").as_bytes());
    b
}

async fn request(state: &AppState, request: Request<Body>) -> Result<Reply> {
    common::oneshot(state, request).await
}

async fn upload(state: &AppState, token: Option<&str>, parts: &[Part<'_>]) -> Result<Reply> {
    let body = form(parts);
    let mut b = Request::builder()
        .method(Method::POST)
        .uri("/api/v1/layers")
        .header(
            header::CONTENT_TYPE,
            format!("multipart/form-data; boundary={BOUNDARY}"),
        )
        .header(header::CONTENT_LENGTH, body.len());
    if let Some(t) = token {
        b = b.header(header::AUTHORIZATION, format!("Bearer {t}"));
    }
    request(state, b.body(Body::from(body))?).await
}

/// Flood posts on the eastern side of the demo city, in lon/lat.
const POSTS: [(f64, f64); 5] = [
    (124.880, 1.470),
    (124.890, 1.480),
    (124.900, 1.490),
    (124.870, 1.500),
    (124.905, 1.460),
];

fn points_geojson(points: &[(f64, f64)], extra: impl Fn(usize) -> Value) -> Vec<u8> {
    let features: Vec<Value> = points
        .iter()
        .enumerate()
        .map(|(i, (x, y))| {
            let mut props = json!({"kode": format!("POS-{}", i + 1), "kapasitas": 10 * (i + 1), "jenis": "pos"});
            if let (Some(p), Value::Object(e)) = (props.as_object_mut(), extra(i)) {
                p.extend(e);
            }
            json!({"type": "Feature", "properties": props,
                   "geometry": {"type": "Point", "coordinates": [x, y]}})
        })
        .collect();
    json!({"type": "FeatureCollection", "features": features})
        .to_string()
        .into_bytes()
}

fn polygon_geojson(rings: &[Vec<[f64; 2]>]) -> Vec<u8> {
    let features: Vec<Value> = rings
        .iter()
        .enumerate()
        .map(|(i, ring)| {
            json!({"type": "Feature", "properties": {"kode": format!("Z{i}")},
                   "geometry": {"type": "Polygon", "coordinates": [ring]}})
        })
        .collect();
    json!({"type": "FeatureCollection", "features": features})
        .to_string()
        .into_bytes()
}

fn posts_csv() -> Vec<u8> {
    let mut s = String::from("kode,nama,lon,lat\n");
    for (i, (x, y)) in POSTS.iter().enumerate() {
        s.push_str(&format!("P{},Pos {},{x},{y}\n", i + 1, i + 1));
    }
    s.into_bytes()
}

/// A zip of the given entries.
fn zip_of(entries: &[(&str, &[u8])]) -> Result<Vec<u8>> {
    let mut z = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    for (name, data) in entries {
        z.start_file(*name, zip::write::SimpleFileOptions::default())?;
        z.write_all(data)?;
    }
    Ok(z.finish()?.into_inner())
}

#[tokio::test]
async fn geojson_upload_is_listed_and_an_analysis_runs_on_it() -> Result<()> {
    let (state, admin) = server(None)?;
    let r = upload(
        &state,
        Some(&admin),
        &[
            Part::Text("name", "pos_banjir"),
            Part::Text("role", "facilities"),
            Part::Text("id_field", "kode"),
            Part::Text("capacity", "kapasitas"),
            Part::File(
                "file",
                Some("Pos Banjir.geojson"),
                points_geojson(&POSTS, |_| json!({})),
            ),
        ],
    )
    .await?;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    assert_eq!(
        r.headers
            .get(header::LOCATION)
            .and_then(|v| v.to_str().ok()),
        Some("/api/v1/layers/pos_banjir")
    );
    let v = r.json()?;
    assert_eq!(v["name"], "pos_banjir");
    assert_eq!(v["role"], "facilities");
    assert_eq!(v["features"], 5);
    assert_eq!(v["geometry"], "point");
    assert_eq!(v["crs"], "EPSG:32651", "reprojected to the working CRS");
    assert_eq!(v["id_field"], "kode");
    assert_eq!(v["spec"]["capacity"], "kapasitas");
    assert_eq!(v["integrity"]["counts"]["error"], 0);
    assert_eq!(v["integrity"]["layers"][0]["name"], "pos_banjir");
    assert_eq!(v["upload"]["original_name"], "Pos Banjir.geojson");
    assert_eq!(v["upload"]["format"], "geojson");
    let hash = v["upload"]["content_hash"]
        .as_str()
        .context("hash")?
        .to_string();
    let [lon0, lat0, lon1, lat1] = [0, 1, 2, 3].map(|i| v["bbox"][i].as_f64().unwrap_or(f64::NAN));
    assert!(
        (lon0 - 124.870).abs() < 1e-3 && (lat1 - 1.500).abs() < 1e-3 && lon1 > lon0 && lat1 > lat0,
        "{}",
        v["bbox"]
    );

    let list = send(&state, Method::GET, "/api/v1/layers", None, None)
        .await?
        .json()?;
    let names: Vec<&str> = list
        .as_array()
        .context("list")?
        .iter()
        .filter_map(|l| l["name"].as_str())
        .collect();
    assert!(
        names.contains(&"pos_banjir") && names.contains(&"kelurahan"),
        "{names:?}"
    );
    let d = send(&state, Method::GET, "/api/v1/layers/pos_banjir", None, None).await?;
    assert_eq!(d.status, StatusCode::OK);
    assert_eq!(d.json()?["id_field"], "kode");
    let f = send(
        &state,
        Method::GET,
        "/api/v1/layers/pos_banjir/features",
        None,
        None,
    )
    .await?
    .json()?;
    let ids: Vec<&str> = f["features"]
        .as_array()
        .context("features")?
        .iter()
        .filter_map(|f| f["properties"]["kode"].as_str())
        .collect();
    assert_eq!(ids.len(), 5, "{ids:?}");

    // Analyses take the uploaded layer like any other, and say which data they read.
    let r = send(
        &state,
        Method::POST,
        "/api/v1/analyses/aggregate",
        None,
        Some(json!({"zones": "kelurahan", "layer": "pos_banjir", "sum": ["kapasitas"]})),
    )
    .await?;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let a = r.json()?;
    assert_eq!(a["meta"]["layers"]["pos_banjir"], hash.as_str());
    let rows = a["rows"].as_array().context("rows")?;
    let counted: f64 = rows.iter().filter_map(|r| r["count"].as_f64()).sum();
    let summed: f64 = rows
        .iter()
        .filter_map(|r| r["sum_kapasitas"].as_f64())
        .sum();
    assert_eq!(counted, 5.0, "every post lies in a kelurahan");
    assert_eq!(summed, 150.0, "10 + 20 + 30 + 40 + 50");

    let r = send(
        &state,
        Method::POST,
        "/api/v1/analyses/access",
        None,
        Some(json!({"demand": "kelurahan", "facilities": "pos_banjir"})),
    )
    .await?;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    assert_eq!(r.json()?["meta"]["layers"]["pos_banjir"], hash.as_str());

    let audit = send(&state, Method::GET, "/api/v1/audit", None, None)
        .await?
        .json()?;
    assert_eq!(audit[0]["action"], "layer.upload");
    assert_eq!(audit[0]["target"], "pos_banjir");
    assert_eq!(audit[0]["role"], "admin");
    assert_eq!(audit[0]["detail"]["content_hash"], hash.as_str());
    Ok(())
}

#[tokio::test]
async fn csv_points_with_default_and_named_columns() -> Result<()> {
    let (state, admin) = server(None)?;
    let r = upload(
        &state,
        Some(&admin),
        &[
            Part::Text("name", "pos_csv"),
            Part::Text("role", "events"),
            Part::File("file", Some("pos.csv"), posts_csv()),
        ],
    )
    .await?;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    let v = r.json()?;
    assert_eq!(
        (v["features"].as_u64(), v["geometry"].as_str()),
        (Some(5), Some("point"))
    );
    assert_eq!(v["spec"]["x"], "lon");
    let text = String::from_utf8(posts_csv())?.replace("lon,lat", "bujur,lintang");
    let r = upload(
        &state,
        Some(&admin),
        &[
            Part::Text("name", "pos_csv2"),
            Part::Text("x", "bujur"),
            Part::Text("y", "lintang"),
            Part::File("file", Some("pos2.csv"), text.clone().into_bytes()),
        ],
    )
    .await?;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    assert_eq!(r.json()?["role"], "context", "the default role");
    // Without naming them, the columns are not found: the field is named.
    let r = upload(
        &state,
        Some(&admin),
        &[
            Part::Text("name", "pos_csv3"),
            Part::File("file", Some("pos3.csv"), text.into_bytes()),
        ],
    )
    .await?;
    let p = r.problem_with(StatusCode::UNPROCESSABLE_ENTITY)?;
    assert!(
        p.detail.contains("'lon'") && p.detail.contains("bujur"),
        "{p:?}"
    );
    Ok(())
}

#[cfg(feature = "gdal")]
#[tokio::test]
async fn geopackage_layers_are_picked_by_name() -> Result<()> {
    let (state, admin) = server(None)?;
    let gpkg = std::fs::read(engine_fixture("kota.gpkg"))?;
    let r = upload(
        &state,
        Some(&admin),
        &[
            Part::Text("name", "puskesmas_baru"),
            Part::Text("role", "facilities"),
            Part::Text("layer", "puskesmas"),
            Part::File("file", Some("kota.gpkg"), gpkg.clone()),
        ],
    )
    .await?;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    let v = r.json()?;
    assert_eq!(v["features"], 2);
    let fields: Vec<&str> = v["fields"]
        .as_array()
        .context("fields")?
        .iter()
        .filter_map(|f| f["name"].as_str())
        .collect();
    assert_eq!(fields, ["nama", "tempat_tidur", "rawat_inap"]);
    // The first layer (kelurahan) has a feature without geometry: refused, naming it.
    let r = upload(
        &state,
        Some(&admin),
        &[
            Part::Text("name", "kel_baru"),
            Part::Text("role", "zones"),
            Part::Text("id_field", "kode"),
            Part::File("file", Some("kota.gpkg"), gpkg.clone()),
        ],
    )
    .await?;
    let p = r.problem_with(StatusCode::UNPROCESSABLE_ENTITY)?;
    assert_eq!(p.type_uri, "https://tepat.dev/problems/integrity");
    assert!(
        p.detail.contains("kota.gpkg")
            && p.detail.contains("null geometry")
            && p.detail.contains("0712000004"),
        "{p:?}"
    );
    // A layer the file does not have.
    let r = upload(
        &state,
        Some(&admin),
        &[
            Part::Text("name", "x"),
            Part::Text("layer", "sekolah"),
            Part::File("file", Some("kota.gpkg"), gpkg),
        ],
    )
    .await?;
    let p = r.problem_with(StatusCode::UNPROCESSABLE_ENTITY)?;
    assert!(
        p.detail.contains("sekolah") && p.detail.contains("puskesmas"),
        "{p:?}"
    );
    // Not a GeoPackage inside.
    let r = upload(
        &state,
        Some(&admin),
        &[
            Part::Text("name", "x"),
            Part::File(
                "file",
                Some("rusak.gpkg"),
                b"not a database at all".to_vec(),
            ),
        ],
    )
    .await?;
    let p = r.problem_with(StatusCode::UNPROCESSABLE_ENTITY)?;
    assert!(p.detail.contains("rusak.gpkg"), "{p:?}");
    Ok(())
}

/// A point Shapefile of the posts in UTM 51N, written with GDAL: `.shp`, `.shx`, `.dbf`
/// and (with `prj`) `.prj`, each as (file name, bytes).
#[cfg(feature = "gdal")]
fn shapefile(dir: &Path, prj: bool) -> Result<Vec<(String, Vec<u8>)>> {
    use gdal::spatial_ref::SpatialRef;
    use gdal::vector::{
        Feature, Geometry, LayerAccess, LayerOptions, OGRFieldType, OGRwkbGeometryType,
    };
    use gdal::DriverManager;
    let path = dir.join("pos.shp");
    {
        let driver = DriverManager::get_driver_by_name("ESRI Shapefile")?;
        let mut ds = driver.create_vector_only(&path)?;
        let srs = SpatialRef::from_epsg(32651)?;
        let lyr = ds.create_layer(LayerOptions {
            name: "pos",
            srs: Some(&srs),
            ty: OGRwkbGeometryType::wkbPoint,
            options: None,
        })?;
        lyr.create_defn_fields(&[
            ("kode", OGRFieldType::OFTString),
            ("kapasitas", OGRFieldType::OFTInteger),
        ])?;
        for (i, (x, y)) in [
            (705_000.0, 163_000.0),
            (708_000.0, 165_000.0),
            (710_500.0, 161_000.0),
        ]
        .into_iter()
        .enumerate()
        {
            let mut f = Feature::new(lyr.defn())?;
            f.set_field_string(0, &format!("S{}", i + 1))?;
            f.set_field_integer(1, 5 * (i as i32 + 1))?;
            f.set_geometry(Geometry::from_wkt(&format!("POINT ({x} {y})"))?)?;
            f.create(&lyr)?;
        }
    }
    let mut out = Vec::new();
    for ext in ["shp", "shx", "dbf", "prj"] {
        if ext == "prj" && !prj {
            continue;
        }
        out.push((
            format!("pos.{ext}"),
            std::fs::read(dir.join(format!("pos.{ext}")))?,
        ));
    }
    Ok(out)
}

#[cfg(feature = "gdal")]
#[tokio::test]
async fn zipped_shapefiles_and_bad_zips() -> Result<()> {
    let (state, admin) = server(None)?;
    let dir = tempfile::tempdir()?;
    let files = shapefile(dir.path(), true)?;
    let entries: Vec<(String, &[u8])> = files
        .iter()
        .map(|(n, b)| (format!("data/{n}"), b.as_slice()))
        .collect();
    let refs: Vec<(&str, &[u8])> = entries.iter().map(|(n, b)| (n.as_str(), *b)).collect();
    let r = upload(
        &state,
        Some(&admin),
        &[
            Part::Text("name", "pos_shp"),
            Part::Text("role", "facilities"),
            Part::Text("id_field", "kode"),
            Part::File("file", Some("pos.zip"), zip_of(&refs)?),
        ],
    )
    .await?;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    let v = r.json()?;
    assert_eq!(
        (v["features"].as_u64(), v["crs"].as_str()),
        (Some(3), Some("EPSG:32651"))
    );

    let shp = files
        .iter()
        .find(|(n, _)| n == "pos.shp")
        .context("shp")?
        .1
        .clone();
    let shx = files
        .iter()
        .find(|(n, _)| n == "pos.shx")
        .context("shx")?
        .1
        .clone();
    let dbf = files
        .iter()
        .find(|(n, _)| n == "pos.dbf")
        .context("dbf")?
        .1
        .clone();
    let bad: Vec<(&str, Vec<u8>, &str)> = vec![
        (
            "no shp",
            zip_of(&[("readme.txt", b"hello")])?,
            "no Shapefile",
        ),
        (
            "no dbf",
            zip_of(&[("pos.shp", &shp), ("pos.shx", &shx)])?,
            "missing .dbf",
        ),
        (
            "no shx",
            zip_of(&[("pos.shp", &shp), ("pos.dbf", &dbf)])?,
            "missing .shx",
        ),
        (
            "traversal",
            zip_of(&[
                ("../pos.shp", &shp),
                ("../pos.shx", &shx),
                ("../pos.dbf", &dbf),
            ])?,
            "outside the archive",
        ),
        (
            "not a zip",
            b"PK\x03\x04 truncated".to_vec(),
            "not a valid zip",
        ),
        // No .prj: nothing says the CRS.
        (
            "no prj",
            zip_of(&[("pos.shp", &shp), ("pos.shx", &shx), ("pos.dbf", &dbf)])?,
            "does not say its CRS",
        ),
    ];
    for (case, bytes, want) in bad {
        let r = upload(
            &state,
            Some(&admin),
            &[
                Part::Text("name", "pos_rusak"),
                Part::File("file", Some("kiriman.zip"), bytes),
            ],
        )
        .await?;
        let p = r.problem_with(StatusCode::UNPROCESSABLE_ENTITY)?;
        assert!(p.detail.contains(want), "{case}: {p:?}");
        assert!(
            p.detail.contains("kiriman.zip"),
            "{case}: names the file: {p:?}"
        );
        assert!(
            !p.detail.contains(".upload-"),
            "{case}: not the server's path: {p:?}"
        );
    }
    // The same Shapefile without .prj is accepted once the CRS is given.
    let r = upload(
        &state,
        Some(&admin),
        &[
            Part::Text("name", "pos_tanpa_prj"),
            Part::Text("crs", "EPSG:32651"),
            Part::File(
                "file",
                Some("pos.zip"),
                zip_of(&[("pos.shp", &shp), ("pos.shx", &shx), ("pos.dbf", &dbf)])?,
            ),
        ],
    )
    .await?;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    Ok(())
}

#[tokio::test]
async fn bad_content_is_a_422_naming_file_and_field() -> Result<()> {
    let (state, admin) = server(None)?;
    let geojson = |v: &Value| v.to_string().into_bytes();
    let bowtie = vec![
        [124.88, 1.47],
        [124.89, 1.48],
        [124.89, 1.47],
        [124.88, 1.48],
        [124.88, 1.47],
    ];
    let square = vec![
        [124.88, 1.47],
        [124.89, 1.47],
        [124.89, 1.48],
        [124.88, 1.48],
        [124.88, 1.47],
    ];
    // (what, form parts, file name, file bytes, problem type, words the detail must hold)
    type Case<'a> = (
        &'a str,
        Vec<(&'a str, &'a str)>,
        &'a str,
        Vec<u8>,
        &'a str,
        &'a str,
    );
    let cases: Vec<Case> = vec![
        (
            "self-intersecting polygon",
            vec![("role", "hazard")],
            "banjir.geojson",
            polygon_geojson(&[square.clone(), bowtie]),
            "integrity",
            "self-intersecting",
        ),
        (
            "projected coordinates in GeoJSON",
            vec![],
            "utm.geojson",
            points_geojson(&[(705_000.0, 163_000.0)], |_| json!({})),
            "invalid-coordinates",
            "feature 1 has coordinate (705000, 163000)",
        ),
        (
            "far from the city (Jakarta)",
            vec![],
            "jakarta.geojson",
            points_geojson(&[(106.82, -6.18)], |_| json!({})),
            "outside-project-area",
            "project's area",
        ),
        (
            "wrong CRS given for lon/lat data",
            vec![("crs", "EPSG:32651")],
            "pos.csv",
            posts_csv(),
            "outside-project-area",
            "CRS",
        ),
        (
            "missing id field",
            vec![("id_field", "nomor")],
            "pos.geojson",
            points_geojson(&POSTS, |_| json!({})),
            "unknown-field",
            "'nomor'",
        ),
        (
            "null id",
            vec![("id_field", "kode")],
            "pos.geojson",
            points_geojson(&POSTS, |i| {
                if i == 2 {
                    json!({"kode": null})
                } else {
                    json!({})
                }
            }),
            "geometry",
            "null",
        ),
        (
            "duplicate ids",
            vec![("id_field", "jenis")],
            "pos.geojson",
            points_geojson(&POSTS, |_| json!({})),
            "integrity",
            "used by more than one feature",
        ),
        (
            "capacity not numeric",
            vec![("role", "facilities"), ("capacity", "jenis")],
            "pos.geojson",
            points_geojson(&POSTS, |_| json!({})),
            "field-type",
            "capacity",
        ),
        (
            "role field missing",
            vec![("role", "facilities"), ("kind", "tipe")],
            "pos.geojson",
            points_geojson(&POSTS, |_| json!({})),
            "unknown-field",
            "kind",
        ),
        (
            "points as zones",
            vec![("role", "zones")],
            "pos.geojson",
            points_geojson(&POSTS, |_| json!({})),
            "geometry",
            "zones layer cannot hold Point",
        ),
        (
            "empty layer",
            vec![],
            "kosong.geojson",
            geojson(&json!({"type": "FeatureCollection", "features": []})),
            "empty-layer",
            "no features",
        ),
        (
            "empty file",
            vec![],
            "nol.geojson",
            Vec::new(),
            "empty-layer",
            "nol.geojson",
        ),
        (
            "malformed GeoJSON",
            vec![],
            "rusak.geojson",
            b"{\"type\": \"FeatureCollection\", \"features\": [".to_vec(),
            "parse",
            "rusak.geojson",
        ),
        (
            "points as a hazard (CSV)",
            vec![("role", "hazard")],
            "pos.csv",
            posts_csv(),
            "geometry",
            "hazard layer cannot hold Point",
        ),
    ];
    for (case, extra, file_name, bytes, kind, want) in cases {
        let mut parts = vec![Part::Text("name", "uji")];
        parts.extend(extra.iter().map(|(k, v)| Part::Text(k, v)));
        parts.push(Part::File("file", Some(file_name), bytes));
        let r = upload(&state, Some(&admin), &parts).await?;
        let p = r
            .problem_with(StatusCode::UNPROCESSABLE_ENTITY)
            .with_context(|| case.to_string())?;
        assert_eq!(
            p.type_uri,
            format!("https://tepat.dev/problems/{kind}"),
            "{case}: {p:?}"
        );
        assert!(p.detail.contains(want), "{case}: {p:?}");
        assert!(
            !p.detail.contains(".upload-"),
            "{case}: not the server's path: {p:?}"
        );
    }
    // Nothing of it was kept: no layer, no audit entry, no file.
    assert!(state.project().layers.get("uji").is_err());
    let audit = state.store().audit_log(100)?;
    assert!(
        audit.iter().all(|e| e.action != "layer.upload"),
        "{audit:?}"
    );
    assert_eq!(std::fs::read_dir(state.layer_files().dir())?.count(), 0);
    Ok(())
}

#[tokio::test]
async fn an_unclosed_ring_is_repaired_and_reported() -> Result<()> {
    let (state, admin) = server(None)?;
    let open = vec![
        [124.88, 1.47],
        [124.89, 1.47],
        [124.89, 1.48],
        [124.88, 1.48],
    ];
    let r = upload(
        &state,
        Some(&admin),
        &[
            Part::Text("name", "genangan"),
            Part::Text("role", "hazard"),
            Part::File("file", Some("genangan.geojson"), polygon_geojson(&[open])),
        ],
    )
    .await?;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    let v = r.json()?;
    let findings = &v["integrity"]["layers"][0]["findings"];
    assert_eq!(findings[0]["code"], "repaired-geometry", "{findings}");
    assert_eq!(findings[0]["severity"], "warning");
    assert_eq!(v["integrity"]["counts"]["warning"], 1);
    Ok(())
}

#[tokio::test]
async fn bad_forms_names_and_formats() -> Result<()> {
    let (state, admin) = server(None)?;
    let a = Some(admin.as_str());
    let geo = || points_geojson(&POSTS, |_| json!({}));
    for bad in ["../x", "a/b", "Pos", "1pos", "pos.geojson", "pos banjir"] {
        let r = upload(
            &state,
            a,
            &[
                Part::Text("name", bad),
                Part::File("file", Some("p.geojson"), geo()),
            ],
        )
        .await?;
        let p = r.problem_with(StatusCode::UNPROCESSABLE_ENTITY)?;
        assert_eq!(
            p.type_uri, "https://tepat.dev/problems/invalid-layer-name",
            "{bad}"
        );
        assert!(p.detail.starts_with("name:"), "{bad}: {p:?}");
    }
    let r = upload(
        &state,
        a,
        &[
            Part::Text("name", "kelurahan"),
            Part::File("file", Some("p.geojson"), geo()),
        ],
    )
    .await?;
    let p = r.problem_with(StatusCode::CONFLICT)?;
    assert_eq!(p.type_uri, "https://tepat.dev/problems/layer-exists");
    // A source date a report cannot sort is refused, naming the part; nothing is kept.
    let r = upload(
        &state,
        a,
        &[
            Part::Text("name", "pos"),
            Part::Text("source_date", "2024/25"),
            Part::File("file", Some("p.geojson"), geo()),
        ],
    )
    .await?;
    let p = r.problem_with(StatusCode::UNPROCESSABLE_ENTITY)?;
    assert!(
        p.detail.starts_with("source_date:") && p.detail.contains("2024/25"),
        "{p:?}"
    );
    assert!(state.project().layers.get("pos").is_err());
    let r = upload(
        &state,
        a,
        &[
            Part::Text("name", "pos"),
            Part::File("file", Some("pos.kml"), geo()),
        ],
    )
    .await?;
    let p = r.problem_with(StatusCode::UNSUPPORTED_MEDIA_TYPE)?;
    assert!(p.detail.contains("pos.kml"), "{p:?}");
    let r = upload(
        &state,
        a,
        &[
            Part::Text("name", "pos"),
            Part::File("file", None, b"kode;x;y\n".to_vec()),
        ],
    )
    .await?;
    r.problem_with(StatusCode::UNSUPPORTED_MEDIA_TYPE)?;
    // Without a file name the format is read off the content.
    let r = upload(
        &state,
        a,
        &[
            Part::Text("name", "pos_tanpa_nama"),
            Part::File("file", None, geo()),
        ],
    )
    .await?;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    for (parts, want) in [
        (vec![Part::Text("name", "pos")], "part 'file' is missing"),
        (
            vec![Part::File("file", Some("p.geojson"), geo())],
            "part 'name' is missing",
        ),
        (
            vec![
                Part::Text("name", "pos"),
                Part::Text("id", "kode"),
                Part::File("file", Some("p.geojson"), geo()),
            ],
            "unknown part 'id'",
        ),
        (
            vec![
                Part::Text("name", "pos"),
                Part::File("file", Some("p.geojson"), geo()),
                Part::File("file", Some("q.geojson"), geo()),
            ],
            "twice",
        ),
    ] {
        let r = upload(&state, a, &parts).await?;
        let p = r.problem_with(StatusCode::UNPROCESSABLE_ENTITY)?;
        assert!(p.detail.contains(want), "{want}: {p:?}");
    }
    // Not multipart at all.
    let r = send(
        &state,
        Method::POST,
        "/api/v1/layers",
        a,
        Some(json!({"name": "pos"})),
    )
    .await?;
    let p = r.problem_with(StatusCode::UNSUPPORTED_MEDIA_TYPE)?;
    assert!(p.detail.contains("multipart/form-data"), "{p:?}");
    Ok(())
}

#[tokio::test]
async fn only_admins_upload_and_delete() -> Result<()> {
    let (state, admin) = server(None)?;
    let parts = || {
        vec![
            Part::Text("name", "pos"),
            Part::File(
                "file",
                Some("p.geojson"),
                points_geojson(&POSTS, |_| json!({})),
            ),
        ]
    };
    let r = upload(&state, None, &parts()).await?;
    r.problem_with(StatusCode::UNAUTHORIZED)?;
    assert_eq!(
        r.headers
            .get(header::WWW_AUTHENTICATE)
            .and_then(|v| v.to_str().ok()),
        Some("Bearer")
    );
    for role in [UserRole::Planner, UserRole::Leader, UserRole::Researcher] {
        let t = state.store().create_token(role, None)?;
        let r = upload(&state, Some(&t), &parts()).await?;
        let p = r.problem_with(StatusCode::FORBIDDEN)?;
        assert!(p.detail.contains("admin"), "{p:?}");
    }
    let r = upload(&state, Some(&admin), &parts()).await?;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    let r = send(&state, Method::DELETE, "/api/v1/layers/pos", None, None).await?;
    r.problem_with(StatusCode::UNAUTHORIZED)?;
    let planner = state.store().create_token(UserRole::Planner, None)?;
    let r = send(
        &state,
        Method::DELETE,
        "/api/v1/layers/pos",
        Some(&planner),
        None,
    )
    .await?;
    r.problem_with(StatusCode::FORBIDDEN)?;
    // A clone takes the latest snapshot of the layers (this `state` predates the upload).
    assert!(
        state.clone().project().layers.get("pos").is_ok(),
        "still there"
    );
    assert_eq!(
        tepat::auth::need(&Method::DELETE, "/api/v1/layers/pos"),
        tepat::auth::Need::Write(tepat::auth::ADMINS)
    );
    Ok(())
}

#[tokio::test]
async fn the_upload_limit_is_its_own_and_a_413_problem() -> Result<()> {
    let (state, admin) = server(None)?;
    // An upload over the 1 MiB of other requests but under the upload limit goes through.
    let padded = points_geojson(
        &POSTS,
        |i| json!({"catatan": "x".repeat(if i == 0 { 1_500_000 } else { 1 })}),
    );
    assert!(padded.len() > tepat::limits::MAX_BODY_BYTES);
    let r = upload(
        &state,
        Some(&admin),
        &[
            Part::Text("name", "pos_besar"),
            Part::File("file", Some("besar.geojson"), padded.clone()),
        ],
    )
    .await?;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    // Other routes keep 1 MiB.
    let big = json!({"zones": "kelurahan", "pad": "x".repeat(tepat::limits::MAX_BODY_BYTES)});
    let r = send(
        &state,
        Method::POST,
        "/api/v1/analyses/aggregate",
        None,
        Some(big),
    )
    .await?;
    r.problem_with(StatusCode::PAYLOAD_TOO_LARGE)?;

    state.set_max_upload_bytes(100_000);
    let parts = [
        Part::Text("name", "pos_lagi"),
        Part::File("file", Some("besar.geojson"), padded),
    ];
    // Declared too large: refused before the body is read.
    let r = upload(&state, Some(&admin), &parts).await?;
    let p = r.problem_with(StatusCode::PAYLOAD_TOO_LARGE)?;
    assert_eq!(p.type_uri, "https://tepat.dev/problems/payload-too-large");
    assert!(p.detail.contains("100000"), "{p:?}");
    // Streamed without a length: cut off at the limit.
    let body = form(&parts);
    let chunks: Vec<std::result::Result<Vec<u8>, std::io::Error>> =
        body.chunks(8192).map(|c| Ok(c.to_vec())).collect();
    let req = Request::builder()
        .method(Method::POST)
        .uri("/api/v1/layers")
        .header(
            header::CONTENT_TYPE,
            format!("multipart/form-data; boundary={BOUNDARY}"),
        )
        .header(header::AUTHORIZATION, format!("Bearer {admin}"))
        .body(Body::from_stream(futures_util::stream::iter(chunks)))?;
    let r = request(&state, req).await?;
    let p = r.problem_with(StatusCode::PAYLOAD_TOO_LARGE)?;
    assert_eq!(p.type_uri, "https://tepat.dev/problems/payload-too-large");
    assert!(state.project().layers.get("pos_lagi").is_err());
    let left: Vec<_> = std::fs::read_dir(state.layer_files().dir())?
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(
        left.len(),
        1,
        "only pos_besar's file, no half upload: {left:?}"
    );
    Ok(())
}

#[tokio::test]
async fn deleting_removes_layer_file_and_is_audited() -> Result<()> {
    let (state, admin) = server(None)?;
    let a = Some(admin.as_str());
    let r = upload(
        &state,
        a,
        &[
            Part::Text("name", "pos"),
            Part::File(
                "file",
                Some("p.geojson"),
                points_geojson(&POSTS, |_| json!({})),
            ),
        ],
    )
    .await?;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    let hash = r.json()?["upload"]["content_hash"]
        .as_str()
        .context("hash")?
        .to_string();
    let file = state
        .layer_files()
        .dir()
        .join(r.json()?["upload"]["file"].as_str().context("file")?);
    assert!(file.exists());
    // Taken while it exists.
    let r = upload(
        &state,
        a,
        &[
            Part::Text("name", "pos"),
            Part::File(
                "file",
                Some("p.geojson"),
                points_geojson(&POSTS, |_| json!({})),
            ),
        ],
    )
    .await?;
    r.problem_with(StatusCode::CONFLICT)?;

    let before = state.clone();
    let r = send(&state, Method::DELETE, "/api/v1/layers/pos", a, None).await?;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.text());
    assert!(!file.exists());
    assert!(
        before.project().layers.get("pos").is_ok(),
        "a request in flight keeps its layers"
    );
    assert!(
        state.clone().project().layers.get("pos").is_err(),
        "the next one does not"
    );
    let r = send(&state, Method::GET, "/api/v1/layers/pos", None, None).await?;
    r.problem_with(StatusCode::NOT_FOUND)?;
    let r = send(
        &state,
        Method::POST,
        "/api/v1/analyses/aggregate",
        None,
        Some(json!({"zones": "kelurahan", "layer": "pos"})),
    )
    .await?;
    r.problem_with(StatusCode::NOT_FOUND)?;
    let r = send(&state, Method::DELETE, "/api/v1/layers/pos", a, None).await?;
    r.problem_with(StatusCode::NOT_FOUND)?;
    let r = send(&state, Method::DELETE, "/api/v1/layers/kelurahan", a, None).await?;
    let p = r.problem_with(StatusCode::CONFLICT)?;
    assert!(p.detail.contains("project file"), "{p:?}");
    let audit = state.store().audit_log(10)?;
    assert_eq!(
        (audit[0].action.as_str(), audit[0].target.as_deref()),
        ("layer.delete", Some("pos"))
    );
    assert_eq!(audit[0].detail["content_hash"], hash.as_str());
    // The name is free again.
    let r = upload(
        &state,
        a,
        &[
            Part::Text("name", "pos"),
            Part::File("file", Some("p.csv"), posts_csv()),
        ],
    )
    .await?;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    Ok(())
}

#[tokio::test]
async fn uploads_are_loaded_again_from_the_data_directory() -> Result<()> {
    let dir = tempfile::tempdir()?;
    let (hash, file) = {
        let (state, admin) = server(Some(dir.path()))?;
        let r = upload(
            &state,
            Some(&admin),
            &[
                Part::Text("name", "pos_banjir"),
                Part::Text("role", "facilities"),
                Part::Text("id_field", "kode"),
                Part::Text("source", "BPBD Kota Manado, pos pengungsian"),
                Part::Text("source_date", "2025-01"),
                Part::File(
                    "file",
                    Some("pos.geojson"),
                    points_geojson(&POSTS, |_| json!({})),
                ),
            ],
        )
        .await?;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
        let v = r.json()?;
        (
            v["upload"]["content_hash"]
                .as_str()
                .context("hash")?
                .to_string(),
            v["upload"]["file"].as_str().context("file")?.to_string(),
        )
    };
    let layers = dir.path().join("layers");
    assert!(layers.join(&file).exists());
    // What a killed server leaves: a half-received upload, and a file renamed into place
    // whose row was never written.
    std::fs::write(
        layers.join(".upload-00000000deadbeef.part"),
        b"{\"type\": \"Feat",
    )?;
    std::fs::write(
        layers.join("setengah.0000000000000001.geojson"),
        points_geojson(&POSTS, |_| json!({})),
    )?;

    let (state, _) = server(Some(dir.path()))?;
    let layer = state.project().layers.get("pos_banjir")?;
    assert_eq!(layer.content_hash(), hash, "the same data after a restart");
    assert_eq!(layer.id_field.as_deref(), Some("kode"));
    assert_eq!(
        state.project().spec("pos_banjir").map(|s| s.role.as_str()),
        Some("facilities")
    );
    assert!(state.project().layers.get("setengah").is_err());
    let mut left: Vec<String> = std::fs::read_dir(&layers)?
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    left.sort();
    assert_eq!(
        left,
        vec![file.clone()],
        "leftovers removed, the layer's file kept"
    );
    let r = send(&state, Method::GET, "/api/v1/layers/pos_banjir", None, None).await?;
    assert_eq!(r.status, StatusCode::OK);
    // Its source and date too, as the leader's brief lists them.
    let v = r.json()?;
    assert_eq!(v["spec"]["source"], "BPBD Kota Manado, pos pengungsian");
    assert_eq!(v["spec"]["source_date"], "2025-01");

    // A listed layer whose file changed stops the start, naming it.
    drop(state);
    std::fs::write(
        layers.join(&file),
        points_geojson(&POSTS[..2], |_| json!({})),
    )?;
    let e = server(Some(dir.path()))
        .err()
        .context("must not start")?
        .to_string();
    assert!(e.contains("pos_banjir") && e.contains("changed"), "{e}");
    Ok(())
}
