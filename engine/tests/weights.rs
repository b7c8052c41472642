//! `weights` against libpysal 4.14.1 on the classic datasets columbus, stl and sids2
//! (`../shared/datasets/real/libpysal-classic/`, read from their shapefiles, in file order
//! and in the files' own units, as libpysal reads them). Golden neighbour lists:
//! `golden/weights_libpysal.json`, written by `golden/make_esda.py`.
//!
//! Also: the shipped GAL files (`columbus.gal` is queen, `stl.gal` and `sids2.gal` rook),
//! read with tepat's GAL reader, equal the lists rebuilt here; the GAL written by tepat reads
//! back the same; a positive tolerance changes nothing on these clean topologies.
//!
//! Without the shared data (or without the `gdal` feature, which reads shapefiles) the tests
//! print why and pass, unless `TEPAT_REQUIRE_REAL_DATA=1`.

use serde_json::Value;
use std::path::{Path, PathBuf};
use tepat_engine::io::{read_vector, ReadOptions};
use tepat_engine::layer::{Layer, Role};
use tepat_engine::weights::{gal, Weights, WeightsKind, WeightsSpec};

const DATASETS: [(&str, &str, &str); 3] = [
    ("columbus", "columbus/columbus.shp", "columbus/columbus.gal"),
    ("stl", "stl/stl_hom.shp", "stl/stl.gal"),
    ("sids2", "sids2/sids2.shp", "sids2/sids2.gal"),
];

fn classic_dir() -> Option<PathBuf> {
    let files: Vec<&str> = DATASETS.iter().map(|d| d.1).collect();
    crate::real_data::classic(&files)
}

fn load(dir: &Path, name: &str, file: &str) -> Layer {
    read_vector(&dir.join(file), &ReadOptions::new(name, Role::Zones)).expect("read shapefile")
}

fn golden() -> Value {
    let p = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/golden/weights_libpysal.json");
    serde_json::from_str(&std::fs::read_to_string(p).expect("golden")).expect("json")
}

fn lists(w: &Weights) -> Vec<Vec<usize>> {
    (0..w.n()).map(|i| w.neighbors(i).to_vec()).collect()
}

fn golden_lists(v: &Value) -> Vec<Vec<usize>> {
    v.as_array()
        .expect("array")
        .iter()
        .map(|l| {
            l.as_array()
                .expect("list")
                .iter()
                .map(|x| x.as_u64().expect("index") as usize)
                .collect()
        })
        .collect()
}

fn build(layer: &Layer, spec: WeightsSpec) -> Weights {
    spec.build(layer, "test", "weights").expect("weights")
}

/// Same lists, or a message naming the first features that differ.
fn assert_same(got: &[Vec<usize>], want: &[Vec<usize>], what: &str) {
    assert_eq!(got.len(), want.len(), "{what}: n");
    let diff: Vec<String> = (0..got.len())
        .filter(|&i| got[i] != want[i])
        .take(5)
        .map(|i| format!("{i}: tepat {:?} libpysal {:?}", got[i], want[i]))
        .collect();
    assert!(diff.is_empty(), "{what}: {}", diff.join("; "));
}

#[test]
fn contiguity_knn_and_band_equal_libpysal() {
    let Some(dir) = classic_dir() else { return };
    let g = golden();
    for (name, shp, _) in DATASETS {
        let layer = load(&dir, name, shp);
        let want = &g[name];
        assert_eq!(layer.len() as u64, want["n"].as_u64().expect("n"));
        for kind in [WeightsKind::Queen, WeightsKind::Rook] {
            let w = build(&layer, WeightsSpec::of(kind));
            let expected = golden_lists(&want[kind.as_str()]);
            assert_same(&lists(&w), &expected, &format!("{name} {}", kind.as_str()));
            assert!(w.is_symmetric_structure());
            // A tolerance far below the data's precision finds the same neighbours (no
            // T-junction or sliver in these files).
            let mut tol = WeightsSpec::of(kind);
            tol.tolerance = Some(1e-9);
            let wt = build(&layer, tol);
            assert_same(
                &lists(&wt),
                &expected,
                &format!("{name} {} tolerance 1e-9", kind.as_str()),
            );
            let (min, mean, max) = w.cardinality_stats();
            println!(
                "{name} {}: equal to libpysal; {} pairs, neighbours min {min} mean {mean:.3} max {max}",
                kind.as_str(),
                w.nnz()
            );
        }
        let mut knn = WeightsSpec::of(WeightsKind::Knn);
        knn.k = Some(want["knn"]["k"].as_u64().expect("k") as usize);
        let w = build(&layer, knn);
        assert_same(
            &lists(&w),
            &golden_lists(&want["knn"]["neighbors"]),
            &format!("{name} knn"),
        );
        let mut band = WeightsSpec::of(WeightsKind::Distance);
        band.threshold = Some(want["distance"]["threshold"].as_f64().expect("t"));
        let w = build(&layer, band);
        assert_same(
            &lists(&w),
            &golden_lists(&want["distance"]["neighbors"]),
            &format!("{name} distance band"),
        );
        println!("{name} knn and distance band: equal to libpysal");
    }
}

#[test]
fn shipped_gal_files_are_the_rebuilt_contiguity_and_gal_round_trips() {
    let Some(dir) = classic_dir() else { return };
    for (name, shp, gal_file) in DATASETS {
        let layer = load(&dir, name, shp);
        let path = dir.join(gal_file);
        let parsed = gal::parse_gal(&std::fs::read_to_string(&path).expect("gal"), &path)
            .expect("parse gal");
        // GAL ids are 1..n in file order (columbus, stl) or a FIPS code (sids2, the layer's
        // first field order): map them to positions in the GAL's own order, which is file order.
        let pos: std::collections::HashMap<&str, usize> = parsed
            .iter()
            .enumerate()
            .map(|(k, (id, _))| (id.as_str(), k))
            .collect();
        let mut from_file: Vec<Vec<usize>> = parsed
            .iter()
            .map(|(_, nb)| nb.iter().map(|j| pos[j.as_str()]).collect())
            .collect();
        from_file.iter_mut().for_each(|l| l.sort_unstable());
        let kind = if name == "columbus" {
            WeightsKind::Queen
        } else {
            WeightsKind::Rook
        };
        let w = build(&layer, WeightsSpec::of(kind));
        assert_same(
            &lists(&w),
            &from_file,
            &format!("{gal_file} vs {}", kind.as_str()),
        );

        let text = gal::to_gal(&w, &layer.ids, name, "id");
        let back = gal::parse_gal(&text, Path::new("written.gal")).expect("reparse");
        assert_eq!(back.len(), w.n());
        for (i, (id, nb)) in back.iter().enumerate() {
            assert_eq!(id, &layer.ids[i]);
            let want: Vec<&str> = w
                .neighbors(i)
                .iter()
                .map(|&j| layer.ids[j].as_str())
                .collect();
            assert_eq!(nb, &want);
        }
    }
}

#[test]
fn bad_inputs_name_the_problem() {
    let Some(dir) = classic_dir() else { return };
    let layer = load(&dir, "columbus", "columbus/columbus.shp");
    let mut knn = WeightsSpec::of(WeightsKind::Knn);
    knn.k = Some(49);
    let e = knn.build(&layer, "hotspots", "weights").expect_err("k = n");
    assert!(
        e.to_string().contains("weights.k") && e.to_string().contains("at most k = 48"),
        "{e}"
    );
    let mut band = WeightsSpec::of(WeightsKind::Distance);
    band.threshold = Some(1e-6);
    let w = band
        .build(&layer, "hotspots", "weights")
        .expect("tiny band");
    assert_eq!(w.islands().len(), 49, "every feature an island");
}
