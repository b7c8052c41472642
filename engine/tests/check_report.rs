//! Exit codes (0 clean, 1 warnings only, 2 any error), the text report naming every
//! finding, and the JSON shape the CLI's `--json` and the API return.

use crate::check_fixtures::{city, Plants};
use tepat_engine::check::{check_project, Severity};

#[test]
fn clean_project_exits_zero() {
    let r = check_project(&city(&Plants::default()));
    assert_eq!(r.findings().count(), 0, "{}", r.to_text());
    assert_eq!(r.exit_code(), 0);
    assert!(r.to_text().contains("result: clean (exit code 0)"));
}

#[test]
fn warnings_only_exit_one() {
    for p in [
        Plants {
            overlap: true,
            ..Plants::default()
        },
        Plants {
            hole: true,
            ..Plants::default()
        },
        Plants {
            sliver: true,
            ..Plants::default()
        },
        Plants {
            total_mismatch: true,
            ..Plants::default()
        },
        Plants {
            negative_count: true,
            ..Plants::default()
        },
        Plants {
            bad_shares: true,
            ..Plants::default()
        },
    ] {
        let r = check_project(&city(&p));
        assert!(
            r.counts.warning > 0 && r.counts.error == 0,
            "{p:?}\n{}",
            r.to_text()
        );
        assert_eq!(r.exit_code(), 1, "{p:?}");
    }
}

#[test]
fn any_error_exits_two() {
    for p in [
        Plants {
            bad_geometry: true,
            ..Plants::default()
        },
        Plants {
            empty_layer: true,
            ..Plants::default()
        },
        Plants {
            code_mismatch: true,
            ..Plants::default()
        },
        Plants {
            bad_parent: true,
            ..Plants::default()
        },
        Plants {
            orphan_parent: true,
            ..Plants::default()
        },
        Plants {
            facilities: true,
            ..Plants::default()
        },
    ] {
        let r = check_project(&city(&p));
        assert!(r.counts.error > 0, "{p:?}\n{}", r.to_text());
        assert_eq!(r.exit_code(), 2, "{p:?}");
    }
}

#[test]
fn text_report_mentions_every_finding() {
    let r = check_project(&city(&Plants::all()));
    let text = r.to_text();
    for f in r.findings() {
        assert!(text.contains(&f.message), "missing {:?}\n{text}", f.message);
        assert!(text.contains(f.code), "missing code {}", f.code);
        for id in &f.features {
            assert!(text.contains(id.as_str()), "missing feature {id}");
        }
    }
    for layer in [
        "banjir",
        "jalan",
        "kecamatan",
        "kelurahan",
        "puskesmas",
        "statistik",
    ] {
        assert!(
            text.contains(&format!("  {layer} (")),
            "layer {layer} not summarised\n{text}"
        );
    }
    assert!(
        text.contains("11 error(s), 10 warning(s), 1 info"),
        "{text}"
    );
    assert!(text.contains("result: errors (exit code 2)"), "{text}");
    // Errors are listed before warnings, warnings before infos.
    let first = |label: &str| text.find(&format!("  {label} ")).expect(label);
    assert!(first("ERROR") < first("WARNING") && first("WARNING") < first("INFO"));
}

#[test]
fn json_shape() {
    let r = check_project(&city(&Plants::all()));
    let v = serde_json::to_value(&r).expect("json");
    assert_eq!(v["project"], "Kota Uji");
    assert_eq!(v["crs"], "EPSG:32651");
    assert_eq!(v["counts"]["error"], 11);
    let kel = v["layers"]
        .as_array()
        .expect("layers")
        .iter()
        .find(|l| l["name"] == "kelurahan")
        .expect("kel");
    assert_eq!(kel["role"], "zones");
    let overlap = kel["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .find(|f| f["code"] == "zone-overlap")
        .expect("overlap");
    assert_eq!(overlap["severity"], "warning");
    assert_eq!(
        overlap["features"],
        serde_json::json!(["7171009", "7171010"])
    );
    assert_eq!(overlap["feature_count"], 2);
    assert!(overlap["location"].is_array());
    let cross = v["cross_layer"].as_array().expect("cross");
    assert!(cross.iter().any(|f| f["code"] == "point-outside-zones"));
    assert_eq!(
        r.findings()
            .filter(|f| f.severity == Severity::Info)
            .count(),
        1
    );
}
