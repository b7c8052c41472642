//! `clusters` against scikit-learn 1.9.1 (k-means, silhouette, DBSCAN) and spopt 0.7.0
//! (SKATER): inputs and golden labels in `golden/clusters_*.csv` / `clusters_sklearn.json`,
//! written by `golden/make_clusters.py`. Labels are compared up to a permutation of the
//! cluster numbers. Then the demo city (k-means of kelurahan indicators, DBSCAN of
//! drainage complaints in the rainy months, SKATER service areas with a population floor:
//! contiguity and floor checked), and every bad input with the parameter it names.

use geo::polygon;
use serde_json::{json, Value};
use std::collections::{BTreeMap, HashMap};
use std::sync::OnceLock;
use tepat_engine::analysis::clusters::kmeans;
use tepat_engine::analysis::{self, AnalysisResult};
use tepat_engine::crs::Crs;
use tepat_engine::error::Error;
use tepat_engine::layer::{Column, Layer, Role, Value as Cell};
use tepat_engine::project::{LayerSpec, Project};
use tepat_engine::weights::{WeightsKind, WeightsSpec};

fn golden_dir() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/golden")
}

fn golden() -> &'static Value {
    static G: OnceLock<Value> = OnceLock::new();
    G.get_or_init(|| {
        let text = std::fs::read_to_string(golden_dir().join("clusters_sklearn.json"))
            .expect("golden json");
        serde_json::from_str(&text).expect("json")
    })
}

/// A CSV golden input: header and rows of cells.
fn csv(name: &str) -> (Vec<String>, Vec<Vec<String>>) {
    let text = std::fs::read_to_string(golden_dir().join(name)).expect("golden csv");
    let mut lines = text.lines();
    let header = lines
        .next()
        .expect("header")
        .split(',')
        .map(str::to_string)
        .collect();
    let rows = lines
        .map(|l| l.split(',').map(str::to_string).collect())
        .collect();
    (header, rows)
}

fn square(x: f64, y: f64) -> Option<geo::Geometry> {
    Some(
        polygon![(x: x, y: y), (x: x + 1.0, y: y), (x: x + 1.0, y: y + 1.0), (x: x, y: y + 1.0)]
            .into(),
    )
}

fn spec(name: &str, role: &str) -> LayerSpec {
    LayerSpec {
        name: name.into(),
        role: role.into(),
        id: Some("id".into()),
        ..LayerSpec::default()
    }
}

/// A layer from a golden CSV: numeric columns as floats, `id` as the ids.
fn layer_from(
    name: &str,
    role: Role,
    file: &str,
    geom: impl Fn(&HashMap<&str, f64>) -> Option<geo::Geometry>,
) -> Layer {
    let (header, rows) = csv(file);
    let mut geoms = Vec::new();
    let mut cols: Vec<Vec<Cell>> = vec![Vec::new(); header.len()];
    for r in &rows {
        let vals: HashMap<&str, f64> = header
            .iter()
            .zip(r)
            .filter_map(|(h, v)| Some((h.as_str(), v.parse::<f64>().ok()?)))
            .collect();
        geoms.push(geom(&vals));
        for (k, v) in r.iter().enumerate() {
            cols[k].push(if header[k] == "id" {
                Cell::Text(v.clone())
            } else {
                Cell::Float(v.parse().expect("number"))
            });
        }
    }
    let columns = header
        .iter()
        .zip(cols)
        .map(|(h, c)| Column::from_values(h, c))
        .collect();
    let mut l = Layer::new(name, role, None, geoms, columns).expect("layer");
    l.set_id_field("id").expect("ids");
    l
}

fn golden_project() -> &'static Project {
    static P: OnceLock<Project> = OnceLock::new();
    P.get_or_init(|| {
        let km = layer_from("zona", Role::Zones, "clusters_kmeans.csv", |_| None);
        let grid = layer_from("grid", Role::Zones, "clusters_grid.csv", |v| {
            square(v["col"], v["row"])
        });
        let pts = layer_from("titik", Role::Events, "clusters_points.csv", |v| {
            Some(geo::Point::new(v["x"], v["y"]).into())
        });
        Project::from_layers(
            "golden",
            Crs::parse("EPSG:32651").expect("crs"),
            vec![
                (spec("zona", "zones"), km),
                (spec("grid", "zones"), grid),
                (spec("titik", "events"), pts),
            ],
        )
        .expect("project")
    })
}

fn run_on(p: &Project, params: Value) -> AnalysisResult {
    analysis::run(p, "clusters", params).unwrap_or_else(|e| panic!("clusters: {e}"))
}

fn err_on(p: &Project, name: &str, params: Value) -> Error {
    match analysis::run(p, name, params) {
        Ok(_) => panic!("{name} should fail"),
        Err(e) => e,
    }
}

fn f(v: &Value) -> f64 {
    v.as_f64().unwrap_or(f64::NAN)
}

/// The rows' `cluster` by id (None for null), in the golden's id order.
fn labels_by(r: &AnalysisResult, ids: &[String]) -> Vec<Option<i64>> {
    let by: HashMap<&str, Option<i64>> = r
        .rows
        .iter()
        .map(|row| {
            (
                row["id"].as_str().unwrap_or_default(),
                row["cluster"].as_i64(),
            )
        })
        .collect();
    ids.iter()
        .map(|id| *by.get(id.as_str()).expect("row for id"))
        .collect()
}

/// Two labelings (None / −1 = noise) are equal up to a bijection of the cluster numbers.
fn same_partition(ours: &[Option<i64>], theirs: &[i64]) -> bool {
    assert_eq!(ours.len(), theirs.len());
    let mut fwd = HashMap::new();
    let mut back = HashMap::new();
    for (a, &b) in ours.iter().zip(theirs) {
        match (a, b) {
            (None, -1) => {}
            (Some(a), b) if b >= 0 => {
                if *fwd.entry(*a).or_insert(b) != b || *back.entry(b).or_insert(*a) != *a {
                    return false;
                }
            }
            _ => return false,
        }
    }
    true
}

fn ints(v: &Value) -> Vec<i64> {
    v.as_array()
        .expect("array")
        .iter()
        .map(|x| x.as_i64().expect("int"))
        .collect()
}

fn ids_of(file: &str) -> Vec<String> {
    csv(file).1.into_iter().map(|r| r[0].clone()).collect()
}

#[test]
fn kmeans_from_fixed_centroids_equals_sklearn_lloyd() {
    let g = &golden()["kmeans"];
    let z: Vec<f64> = g["standardised"]
        .as_array()
        .expect("rows")
        .iter()
        .flat_map(|r| r.as_array().expect("row").iter().map(f).collect::<Vec<_>>())
        .collect();
    // Our standardisation equals StandardScaler's.
    let p = golden_project();
    let layer = p.layers.get("zona").expect("zona");
    let ind = tepat_engine::analysis::clusters::indicators::gather(
        p,
        "clusters",
        layer,
        &["a".into(), "b".into(), "c".into()],
        &[],
        3,
    )
    .expect("indicators");
    assert_eq!(ind.z.len(), z.len());
    for (a, b) in ind.z.iter().zip(&z) {
        assert!((a - b).abs() < 1e-12, "z {a} vs sklearn {b}");
    }
    let init: Vec<f64> = ints(&g["fixed"]["init_ids"])
        .iter()
        .flat_map(|&id| z[(id as usize - 1) * 3..id as usize * 3].to_vec())
        .collect();
    let fit = kmeans::fit(
        &ind.z,
        3,
        4,
        &kmeans::Options {
            n_init: 1,
            max_iterations: 1000,
            seed: 0,
            init: Some(init),
        },
    );
    let ours: Vec<Option<i64>> = fit.labels.iter().map(|&l| Some(l as i64)).collect();
    assert!(
        same_partition(&ours, &ints(&g["fixed"]["labels"])),
        "labels differ from sklearn's"
    );
    let want = f(&g["fixed"]["inertia"]);
    assert!(
        (fit.inertia - want).abs() <= 1e-9 * want,
        "inertia {} vs {want}",
        fit.inertia
    );
}

#[test]
fn kmeans_k3_and_silhouette_equal_sklearn() {
    let g = &golden()["kmeans"];
    let r = run_on(
        golden_project(),
        json!({"layer": "zona", "fields": ["a", "b", "c"], "k": 3, "seed": 1}),
    );
    let ids = ids_of("clusters_kmeans.csv");
    assert!(same_partition(
        &labels_by(&r, &ids),
        &ints(&g["plusplus"]["labels_k3"])
    ));
    let want = &g["plusplus"]["3"];
    assert!((f(&r.summary["inertia"]) - f(&want["inertia"])).abs() < 1e-9 * f(&want["inertia"]));
    assert!((f(&r.summary["silhouette"]) - f(&want["silhouette"])).abs() < 1e-12);
    let by: HashMap<&str, f64> = r
        .rows
        .iter()
        .map(|row| {
            (
                row["id"].as_str().unwrap_or_default(),
                f(&row["silhouette"]),
            )
        })
        .collect();
    for (id, s) in ids.iter().zip(g["silhouette"].as_array().expect("samples")) {
        assert!((by[id.as_str()] - f(s)).abs() < 1e-12, "silhouette of {id}");
    }
    // Sizes add up, centroids in original units are the members' means.
    let clusters = r.summary["clusters"].as_array().expect("clusters");
    assert_eq!(
        clusters
            .iter()
            .map(|c| c["size"].as_u64().unwrap_or(0))
            .sum::<u64>(),
        90
    );
    let (_, rows) = csv("clusters_kmeans.csv");
    let a: HashMap<&str, f64> = rows
        .iter()
        .map(|r| (r[0].as_str(), r[1].parse().unwrap_or(f64::NAN)))
        .collect();
    for c in clusters {
        let k = c["cluster"].as_i64();
        let members: Vec<f64> = r
            .rows
            .iter()
            .filter(|row| row["cluster"].as_i64() == k)
            .map(|row| a[row["id"].as_str().unwrap_or_default()])
            .collect();
        let mean = members.iter().sum::<f64>() / members.len() as f64;
        assert!((f(&c["centroid"]["a"]) - mean).abs() < 1e-9, "centroid a");
    }
    // Numbered by first id: zone "1" is in cluster 1.
    assert_eq!(
        r.rows.iter().find(|row| row["id"] == "1").expect("id 1")["cluster"],
        1
    );
}

#[test]
fn kmeans_chooses_k_by_silhouette() {
    let g = &golden()["kmeans"]["plusplus"];
    let params =
        json!({"layer": "zona", "fields": ["a", "b", "c"], "k_min": 2, "k_max": 6, "n_init": 50});
    let r = run_on(golden_project(), params.clone());
    assert_eq!(r.summary["k"], 3, "the three groups");
    assert_eq!(r.params["seed"], 12345);
    let tried = r.summary["silhouette_by_k"].as_array().expect("by k");
    assert_eq!(tried.len(), 5);
    for t in tried {
        let k = t["k"].to_string();
        let (ours, theirs) = (f(&t["inertia"]), f(&g[&k]["inertia"]));
        // Different seeds stop in different local optima for k > 3 (90 points, many
        // optima): with 50 restarts ours is at least as good as scikit-learn's best of 10,
        // and where the optimum is the same, so is the silhouette.
        assert!(
            ours <= theirs * (1.0 + 1e-9),
            "k = {k}: inertia {ours} vs sklearn {theirs}"
        );
        if (ours - theirs).abs() < 1e-9 * theirs {
            assert!(
                (f(&t["silhouette"]) - f(&g[&k]["silhouette"])).abs() < 1e-12,
                "k = {k}"
            );
        }
    }
    // Same params, same result.
    let again = run_on(golden_project(), params);
    assert_eq!(r.rows, again.rows);
}

#[test]
fn dbscan_equals_sklearn() {
    let ids = ids_of("clusters_points.csv");
    for case in golden()["dbscan"].as_array().expect("cases") {
        let r = run_on(
            golden_project(),
            json!({"method": "dbscan", "layer": "titik", "eps": case["eps"], "min_points": case["min_samples"]}),
        );
        assert!(
            same_partition(&labels_by(&r, &ids), &ints(&case["labels"])),
            "eps {}",
            case["eps"]
        );
        assert_eq!(r.summary["clusters_found"], case["clusters"]);
        assert_eq!(r.summary["noise"], case["noise"]);
        for c in r.summary["clusters"].as_array().expect("clusters") {
            let hull = c["geometry"].as_str().expect("wkt");
            assert!(hull.starts_with("POLYGON"), "{hull}");
        }
    }
}

/// Queen neighbours on the 10 × 10 lattice of the golden grid (ids 1..=100 row-major).
fn lattice_neighbors(id: usize) -> Vec<usize> {
    let (r, c) = ((id - 1) / 10, (id - 1) % 10);
    let mut v = Vec::new();
    for dr in -1i64..=1 {
        for dc in -1i64..=1 {
            let (rr, cc) = (r as i64 + dr, c as i64 + dc);
            if (dr, dc) != (0, 0) && (0..10).contains(&rr) && (0..10).contains(&cc) {
                v.push((rr * 10 + cc + 1) as usize);
            }
        }
    }
    v
}

/// Every region is one connected piece under `neighbors`.
fn contiguous(labels: &BTreeMap<usize, i64>, neighbors: impl Fn(usize) -> Vec<usize>) -> bool {
    let mut regions: BTreeMap<i64, Vec<usize>> = BTreeMap::new();
    labels
        .iter()
        .for_each(|(&id, &l)| regions.entry(l).or_default().push(id));
    regions.values().all(|members| {
        let mut seen = std::collections::BTreeSet::from([members[0]]);
        let mut stack = vec![members[0]];
        while let Some(u) = stack.pop() {
            for v in neighbors(u) {
                if labels.get(&v) == labels.get(&u) && seen.insert(v) {
                    stack.push(v);
                }
            }
        }
        seen.len() == members.len()
    })
}

#[test]
fn skater_equals_spopt_and_keeps_regions_contiguous() {
    let ids = ids_of("clusters_grid.csv");
    for case in golden()["skater"].as_array().expect("cases") {
        let mut params =
            json!({"method": "skater", "layer": "grid", "fields": ["a", "b"], "k": case["k"]});
        if !case["floor"].is_null() {
            params["floor"] = case["floor"].clone();
        }
        let r = run_on(golden_project(), params);
        let ours = labels_by(&r, &ids);
        let want = ints(&case["labels"]);
        assert!(
            same_partition(&ours, &want),
            "k {} floor {}",
            case["k"],
            case["floor"]
        );
        let regions = want.iter().collect::<std::collections::BTreeSet<_>>().len();
        assert_eq!(r.summary["regions"], regions);
        let lab: BTreeMap<usize, i64> = ids
            .iter()
            .zip(&ours)
            .map(|(id, l)| (id.parse().expect("id"), l.expect("clustered")))
            .collect();
        assert!(contiguous(&lab, lattice_neighbors));
        if let Some(floor) = case["floor"].as_f64() {
            for c in r.summary["clusters"].as_array().expect("clusters") {
                assert!(c["size"].as_f64().unwrap_or(0.0) >= floor, "floor of zones");
            }
        }
        if regions < case["k"].as_u64().unwrap_or(0) as usize {
            assert!(r.summary["note"]
                .as_str()
                .is_some_and(|n| n.contains("floor")));
        }
    }
}

#[test]
fn skater_population_floor_on_the_grid() {
    // Floor on a field: every region holds at least 20,000 of `pop`.
    let r = run_on(
        golden_project(),
        json!({"method": "skater", "layer": "grid", "fields": ["a", "b"], "k": 6, "floor": 20000, "floor_field": "pop"}),
    );
    let ids = ids_of("clusters_grid.csv");
    let ours = labels_by(&r, &ids);
    let (_, rows) = csv("clusters_grid.csv");
    let mut sums: BTreeMap<i64, f64> = BTreeMap::new();
    for (row, l) in rows.iter().zip(&ours) {
        *sums.entry(l.expect("clustered")).or_default() += row[5].parse::<f64>().expect("pop");
    }
    assert!(sums.len() >= 2);
    assert!(sums.values().all(|&s| s >= 20000.0), "{sums:?}");
    let lab: BTreeMap<usize, i64> = ids
        .iter()
        .zip(&ours)
        .map(|(id, l)| (id.parse().expect("id"), l.expect("l")))
        .collect();
    assert!(contiguous(&lab, lattice_neighbors));
    for c in r.summary["clusters"].as_array().expect("clusters") {
        assert!((f(&c["floor_sum"]) - sums[&c["cluster"].as_i64().expect("id")]).abs() < 1e-6);
    }
    // Cutting lowers the within-region sum of squares.
    assert!(f(&r.summary["within_ssd"]) < f(&r.summary["total_ssd"]));
}

// --- the demo city -------------------------------------------------------------------

fn demo() -> &'static Project {
    static P: OnceLock<Project> = OnceLock::new();
    P.get_or_init(|| tepat_datasets::demo_project().expect("demo"))
}

#[test]
fn demo_kmeans_of_kelurahan_indicators() {
    let r = run_on(
        demo(),
        json!({"layer": "kelurahan", "fields": ["population", "poor_households", "under5", "elderly"]}),
    );
    let kel = demo().layers.get("kelurahan").expect("kelurahan");
    assert_eq!(r.rows.len(), kel.len());
    let k = r.summary["k"].as_u64().expect("k") as usize;
    assert!((2..=8).contains(&k));
    // The chosen k has the highest silhouette of those tried.
    let best = r.summary["silhouette_by_k"]
        .as_array()
        .expect("by k")
        .iter()
        .map(|t| f(&t["silhouette"]))
        .fold(f64::NEG_INFINITY, f64::max);
    assert_eq!(f(&r.summary["silhouette"]), best);
    let sizes: u64 = r.summary["clusters"]
        .as_array()
        .expect("c")
        .iter()
        .filter_map(|c| c["size"].as_u64())
        .sum();
    assert_eq!(sizes as usize, kel.len());
    // Each zone is nearest to its own centroid (a k-means fixed point).
    let cz: Vec<Vec<f64>> = r.summary["clusters"]
        .as_array()
        .expect("c")
        .iter()
        .map(|c| {
            c["centroid_z"]
                .as_object()
                .expect("z")
                .values()
                .map(f)
                .collect()
        })
        .collect();
    let mean: Vec<f64> = r.summary["mean"]
        .as_object()
        .expect("mean")
        .values()
        .map(f)
        .collect();
    let sd: Vec<f64> = r.summary["sd"]
        .as_object()
        .expect("sd")
        .values()
        .map(f)
        .collect();
    let names = ["population", "poor_households", "under5", "elderly"];
    for (i, row) in r.rows.iter().enumerate() {
        let z: Vec<f64> = names
            .iter()
            .enumerate()
            .map(|(j, n)| {
                (kel.numeric_column(n).expect("col").f64_at(i).expect("v") - mean[j]) / sd[j]
            })
            .collect();
        let d: Vec<f64> = cz
            .iter()
            .map(|c| c.iter().zip(&z).map(|(a, b)| (a - b).powi(2)).sum::<f64>())
            .collect();
        let own = row["cluster"].as_u64().expect("cluster") as usize - 1;
        assert!(d.iter().all(|&x| d[own] <= x + 1e-9), "zone {i}");
        assert!((f(&row["distance"]) - d[own].sqrt()).abs() < 1e-9);
    }
}

#[test]
fn demo_kmeans_on_a_column_of_index() {
    let r = run_on(
        demo(),
        json!({"layer": "kelurahan", "fields": ["population"], "k": 3,
               "columns": [{"analysis": "hotspots", "params": {"layer": "kelurahan", "field": "poor_households", "permutations": 0}, "field": "z", "name": "lisa_z"}]}),
    );
    assert_eq!(r.summary["indicators"], json!(["population", "lisa_z"]));
    assert_eq!(r.summary["clusters"].as_array().map(Vec::len), Some(3));
}

#[test]
fn demo_dbscan_of_drainage_complaints_in_the_rainy_months() {
    let params = json!({"method": "dbscan", "layer": "pengaduan", "category": "drainase",
                        "from": "2025-01-01", "to": "2025-03-31", "eps": 300, "min_points": 8});
    let r = run_on(demo(), params);
    assert_eq!(r.params["category_field"], "kategori");
    assert_eq!(r.params["time_field"], "waktu");
    let ev = demo().layers.get("pengaduan").expect("pengaduan");
    let (cat, t) = (
        ev.column("kategori").expect("k"),
        ev.column("waktu").expect("w"),
    );
    let want = (0..ev.len())
        .filter(|&i| {
            let time = t.get(i).as_key().unwrap_or_default();
            cat.get(i).as_key().as_deref() == Some("drainase")
                && time.as_str() >= "2025-01-01"
                && time.as_str() < "2025-04-01"
        })
        .count();
    assert_eq!(r.rows.len(), want, "one row per drainage complaint of Q1");
    assert_eq!(r.summary["points"], want);
    let found = r.summary["clusters_found"].as_u64().expect("n");
    assert!(found >= 1, "drainage complaints cluster in the flood zones");
    let clustered = r
        .rows
        .iter()
        .filter(|row| !row["cluster"].is_null())
        .count();
    assert_eq!(
        clustered + r.summary["noise"].as_u64().expect("noise") as usize,
        want
    );
    // DBSCAN's definition, by brute force: a noise point is not a core point (fewer than 8
    // selected points within 300 m, itself included), and a clustered point is a core
    // point or within 300 m of a core point of its own cluster.
    let xy: Vec<(f64, f64, Option<i64>)> = r
        .rows
        .iter()
        .map(|row| {
            let i = ev
                .ids
                .iter()
                .position(|id| row["id"] == id.as_str())
                .expect("event");
            match &ev.geometries[i] {
                Some(geo::Geometry::Point(p)) => (p.x(), p.y(), row["cluster"].as_i64()),
                _ => panic!("a point"),
            }
        })
        .collect();
    let near = |a: &(f64, f64, Option<i64>), b: &(f64, f64, Option<i64>)| {
        (a.0 - b.0).hypot(a.1 - b.1) <= 300.0
    };
    let core: Vec<bool> = xy
        .iter()
        .map(|a| xy.iter().filter(|b| near(a, b)).count() >= 8)
        .collect();
    for (k, a) in xy.iter().enumerate() {
        match a.2 {
            None => assert!(!core[k], "a core point is never noise"),
            Some(c) => assert!(
                core[k]
                    || xy
                        .iter()
                        .zip(&core)
                        .any(|(b, &bc)| bc && b.2 == Some(c) && near(a, b)),
                "a border point sits by a core point of its cluster"
            ),
        }
    }
    for c in r.summary["clusters"].as_array().expect("clusters") {
        let hull: wkt::Wkt<f64> = c["geometry"]
            .as_str()
            .expect("wkt")
            .parse()
            .expect("valid WKT");
        let g: geo::Geometry = hull.try_into().expect("geometry");
        let (cx, cy) = (f(&c["centroid"][0]), f(&c["centroid"][1]));
        use geo::Contains;
        assert!(
            g.contains(&geo::Point::new(cx, cy)),
            "centroid inside its hull"
        );
    }
}

#[test]
fn demo_skater_service_areas() {
    let kel = demo().layers.get("kelurahan").expect("kelurahan");
    let r = run_on(
        demo(),
        json!({"method": "skater", "layer": "kelurahan", "fields": ["poor_households", "under5", "elderly"], "k": 8, "floor": 30000}),
    );
    assert_eq!(
        r.params["floor_field"], "population",
        "the layer's population field"
    );
    assert_eq!(r.params["weights"]["type"], "queen");
    let pop = kel.numeric_column("population").expect("pop");
    let mut sums: BTreeMap<i64, f64> = BTreeMap::new();
    for (i, row) in r.rows.iter().enumerate() {
        assert_eq!(row["id"], kel.ids[i].as_str());
        *sums.entry(row["cluster"].as_i64().expect("c")).or_default() +=
            pop.f64_at(i).unwrap_or(0.0);
    }
    assert!(sums.values().all(|&s| s >= 30000.0), "{sums:?}");
    assert_eq!(
        sums.len() as u64,
        r.summary["regions"].as_u64().expect("regions")
    );
    // Contiguous under the same queen weights.
    let w = WeightsSpec::of(WeightsKind::Queen)
        .build(kel, "test", "weights")
        .expect("queen");
    let lab: BTreeMap<usize, i64> = r
        .rows
        .iter()
        .enumerate()
        .map(|(i, row)| (i, row["cluster"].as_i64().expect("c")))
        .collect();
    assert!(contiguous(&lab, |i| w.neighbors(i).to_vec()));
}

// --- bad input ------------------------------------------------------------------------

fn tiny() -> Project {
    let n = 5;
    let geoms = (0..n).map(|i| square(i as f64, 0.0)).collect();
    let cols = vec![
        Column::from_values("id", (0..n).map(|i| Cell::Text(format!("z{i}"))).collect()),
        Column::from_values("a", (0..n).map(|i| Cell::Float(i as f64 * 1.5)).collect()),
        Column::from_values("same", vec![Cell::Int(4); n]),
        Column::from_values("pop", vec![Cell::Int(100); n]),
    ];
    let mut l = Layer::new("z", Role::Zones, None, geoms, cols).expect("layer");
    l.set_id_field("id").expect("id");
    let mut s = spec("z", "zones");
    s.population = Some("pop".into());
    Project::from_layers("tiny", Crs::parse("EPSG:32651").expect("crs"), vec![(s, l)])
        .expect("project")
}

fn param_of(e: &Error) -> String {
    match e {
        Error::InvalidParams { param, .. } => param.clone(),
        Error::FieldType { field, .. } => format!("field {field}"),
        other => format!("{other}"),
    }
}

#[test]
fn bad_input_names_the_parameter() {
    let t = tiny();
    let cases: Vec<(Value, &str)> = vec![
        (
            json!({"layer": "z", "fields": ["a", "same"], "k": 2}),
            "field same",
        ),
        (json!({"layer": "z", "fields": ["a"], "k": 5}), "k"),
        (json!({"layer": "z", "fields": ["a"], "k": 1}), "k"),
        (json!({"layer": "z", "fields": ["a"], "k_max": 9}), "k_max"),
        (json!({"layer": "z", "fields": []}), "fields"),
        (
            json!({"layer": "z", "fields": ["a"], "k": 2, "eps": 10}),
            "eps",
        ),
        (
            json!({"layer": "z", "fields": ["a"], "k": 2, "k_min": 2}),
            "k_min",
        ),
        (
            json!({"layer": "z", "fields": ["a"], "columns": [{"analysis": "clusters", "field": "x"}]}),
            "columns[0]",
        ),
        (
            json!({"method": "skater", "layer": "z", "fields": ["a"]}),
            "k",
        ),
        (
            json!({"method": "skater", "layer": "z", "fields": ["a"], "k": 2, "floor": 501}),
            "floor",
        ),
        (
            json!({"method": "skater", "layer": "z", "fields": ["a"], "k": 2, "weights": {"type": "knn"}}),
            "weights.type",
        ),
        (
            json!({"method": "skater", "layer": "z", "fields": ["a"], "k": 9}),
            "k",
        ),
        (
            json!({"method": "dbscan", "layer": "z", "eps": 10}),
            "layer",
        ),
    ];
    for (params, want) in cases {
        let e = err_on(&t, "clusters", params.clone());
        assert_eq!(param_of(&e), want, "{params}: {e}");
    }
    // Too few features: two zones with values.
    let e = err_on(
        golden_project(),
        "clusters",
        json!({"layer": "titik", "fields": ["x"]}),
    );
    assert_eq!(
        param_of(&e),
        "layer",
        "a point layer where zones are needed: {e}"
    );
}

#[test]
fn bad_event_filters_name_the_parameter() {
    let cases: Vec<(Value, &str)> = vec![
        (
            json!({"method": "dbscan", "layer": "pengaduan", "eps": 200, "category": "banjir"}),
            "category",
        ),
        (
            json!({"method": "dbscan", "layer": "pengaduan", "eps": 200, "from": "2030-01-01"}),
            "from",
        ),
        (
            json!({"method": "dbscan", "layer": "pengaduan", "eps": 200, "from": "2025-05-01", "to": "2025-04-01"}),
            "to",
        ),
        (
            json!({"method": "dbscan", "layer": "pengaduan", "eps": 200, "from": "kemarin"}),
            "from",
        ),
        (json!({"method": "dbscan", "layer": "pengaduan"}), "eps"),
        (
            json!({"method": "dbscan", "layer": "pengaduan", "eps": -1}),
            "eps",
        ),
        (
            json!({"method": "dbscan", "layer": "pengaduan", "eps": 100, "min_points": 0}),
            "min_points",
        ),
        (
            json!({"method": "dbscan", "layer": "pengaduan", "eps": 100, "k": 3}),
            "k",
        ),
    ];
    for (params, want) in cases {
        let e = err_on(demo(), "clusters", params.clone());
        assert_eq!(param_of(&e), want, "{params}: {e}");
    }
    let e = err_on(
        demo(),
        "clusters",
        json!({"method": "dbscan", "layer": "pengaduan", "eps": 200, "category": "banjir"}),
    );
    assert!(
        e.to_string().contains("drainase"),
        "lists the categories: {e}"
    );
}

#[test]
fn too_few_features_for_kmeans() {
    let geoms = (0..2).map(|i| square(i as f64, 0.0)).collect();
    let a = Column::from_values("a", vec![Cell::Int(1), Cell::Int(2)]);
    let l = Layer::new("two", Role::Zones, None, geoms, vec![a]).expect("layer");
    let mut s = spec("two", "zones");
    s.id = None;
    let p = Project::from_layers("two", Crs::parse("EPSG:32651").expect("crs"), vec![(s, l)])
        .expect("project");
    let e = err_on(
        &p,
        "clusters",
        json!({"layer": "two", "fields": ["a"], "k": 2}),
    );
    assert_eq!(param_of(&e), "layer", "{e}");
    assert!(e.to_string().contains("at least 3"), "{e}");
}
