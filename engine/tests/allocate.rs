//! `allocate`: the exact knapsack against brute force on small instances (with and without
//! the equity rules), the curve, reasons, and a run on the demo city.

use serde_json::{json, Value};
use std::sync::OnceLock;
use std::time::Duration;
use tepat_engine::analysis::allocate::{solve, Knapsack};
use tepat_engine::analysis::{self, AnalysisResult};
use tepat_engine::project::Project;
use tepat_engine::Error;

fn lcg(seed: &mut u64) -> f64 {
    *seed = seed
        .wrapping_mul(6364136223846793005)
        .wrapping_add(1442695040888963407);
    (*seed >> 11) as f64 / (1u64 << 53) as f64
}

fn random_problem(seed: u64, n: usize, groups: usize) -> Knapsack {
    let mut s = seed;
    Knapsack {
        cost: (0..n).map(|_| (1.0 + 20.0 * lcg(&mut s)).round()).collect(),
        benefit: (0..n).map(|_| (100.0 * lcg(&mut s)).round()).collect(),
        group: (0..n).map(|i| Some(i % groups)).collect(),
        groups,
        min_one_per_group: false,
        max_group_share: None,
    }
}

/// The best benefit over all 2^n subsets satisfying the rules (None: no subset does).
fn brute_force(pb: &Knapsack, budget: f64) -> Option<f64> {
    let n = pb.cost.len();
    let mut best: Option<f64> = None;
    for mask in 0u32..(1 << n) {
        let on = |i: usize| mask & (1 << i) != 0;
        let spent: f64 = (0..n).filter(|&i| on(i)).map(|i| pb.cost[i]).sum();
        if spent > budget {
            continue;
        }
        let mut ok = true;
        for g in 0..pb.groups {
            let members: Vec<usize> = (0..n).filter(|&i| pb.group[i] == Some(g)).collect();
            if pb.min_one_per_group && !members.iter().any(|&i| on(i)) {
                ok = false;
            }
            if let Some(s) = pb.max_group_share {
                let gs: f64 = members
                    .iter()
                    .filter(|&&i| on(i))
                    .map(|&i| pb.cost[i])
                    .sum();
                if gs > s * budget {
                    ok = false;
                }
            }
        }
        if !ok {
            continue;
        }
        let b: f64 = (0..n).filter(|&i| on(i)).map(|i| pb.benefit[i]).sum();
        if best.is_none_or(|x| b > x) {
            best = Some(b);
        }
    }
    best
}

#[test]
fn knapsack_equals_brute_force_with_and_without_equity_rules() {
    let mut checked = 0;
    for seed in 1..=6u64 {
        for (min_one, share) in [
            (false, None),
            (true, None),
            (false, Some(0.4)),
            (true, Some(0.5)),
        ] {
            let mut pb = random_problem(seed, 12, 3);
            pb.min_one_per_group = min_one;
            pb.max_group_share = share;
            let total: f64 = pb.cost.iter().sum();
            for budget in [0.2 * total, 0.45 * total] {
                let budget = budget.round();
                let want = brute_force(&pb, budget);
                match (solve(&pb, budget, Duration::from_secs(10)), want) {
                    (Ok(c), Some(w)) => {
                        assert_eq!(c.status, "optimal");
                        assert!(
                            (c.benefit - w).abs() < 1e-9,
                            "seed {seed} rules {min_one}/{share:?} budget {budget}: {} vs {w}",
                            c.benefit
                        );
                        assert!(c.spent <= budget + 1e-9);
                        checked += 1;
                    }
                    (Err(_), None) => checked += 1,
                    (got, want) => panic!("seed {seed}: {got:?} vs brute force {want:?}"),
                }
            }
        }
    }
    assert_eq!(checked, 6 * 4 * 2);
}

#[test]
fn equity_rule_that_cannot_hold_is_an_error() {
    let mut pb = random_problem(3, 6, 3);
    pb.min_one_per_group = true;
    assert!(solve(&pb, 1.0, Duration::from_secs(5)).is_err());
}

fn demo() -> &'static Project {
    static P: OnceLock<(tempfile::TempDir, Project)> = OnceLock::new();
    &P.get_or_init(|| {
        let dir = tempfile::tempdir().expect("tmp");
        let toml = tepat_datasets::write_demo(dir.path()).expect("write demo");
        let p = Project::load(&toml).expect("load demo");
        (dir, p)
    })
    .1
}

fn f(v: &Value) -> f64 {
    v.as_f64().unwrap_or(f64::NAN)
}

fn run(params: Value) -> AnalysisResult {
    analysis::run(demo(), "allocate", params.clone()).unwrap_or_else(|e| panic!("{params}: {e}"))
}

#[test]
fn demo_programme_per_kelurahan_with_equity_rules() {
    // A programme costing per household, benefiting poor households; 30 % of what funding
    // every kelurahan would cost; every kecamatan gets one; none takes over 25 %.
    let kel = demo().layers.get("kelurahan").expect("kelurahan");
    let hh = kel.numeric_column("households").expect("households");
    let total: f64 = (0..kel.len()).filter_map(|i| hh.f64_at(i)).sum();
    let budget = (0.3 * total).round();
    let r = run(
        json!({"layer": "kelurahan", "cost": "households", "benefit": "poor_households",
                       "budget": budget, "group_zones": "kecamatan", "min_one_per_group": true,
                       "max_group_share": 0.25}),
    );
    let s = &r.summary;
    assert_eq!(s["status"], "optimal");
    assert!(f(&s["spent"]) <= budget + 1e-9);
    let groups = s["groups"].as_object().expect("groups");
    assert!(!groups.is_empty());
    for (name, g) in groups {
        assert!(
            g["funded"].as_u64().expect("funded") >= 1,
            "kecamatan {name} funded"
        );
        assert!(
            f(&g["spent"]) <= 0.25 * budget + 1e-9,
            "kecamatan {name} under its cap"
        );
    }
    // Rows: reasons for all, benefit adds up.
    let mut benefit = 0.0;
    for row in &r.rows {
        assert!(!row["reasons"].as_array().expect("reasons").is_empty());
        if row["funded"] == true {
            benefit += f(&row["benefit"]);
        }
    }
    assert!((benefit - f(&s["objective"])).abs() < 1e-9);
    // The curve: benefit never falls as the budget grows, and the budget itself is on it.
    let curve = s["curve"].as_array().expect("curve");
    assert_eq!(curve.len(), 6);
    let mut last = f64::NEG_INFINITY;
    for pt in curve.iter().filter(|p| p["benefit"].is_number()) {
        assert!(f(&pt["benefit"]) >= last - 1e-9);
        last = f(&pt["benefit"]);
        if (f(&pt["budget"]) - budget).abs() < 1e-9 {
            assert!((f(&pt["benefit"]) - f(&s["objective"])).abs() < 1e-9);
        }
    }
}

#[test]
fn demo_benefit_from_another_analysis() {
    // Benefit = people exposed to the 25-year flood, per kelurahan (the `exposure` rows).
    let r = run(json!({"layer": "kelurahan", "cost": "households",
                       "benefit_from": {"analysis": "exposure", "field": "exposed_population",
                                        "params": {"zones": "kelurahan", "hazard": "banjir_q25"}},
                       "budget": 20000}));
    assert_eq!(r.summary["status"], "optimal");
    assert!(f(&r.summary["objective"]) > 0.0);
}

#[test]
fn bad_params_name_the_param() {
    let e = analysis::run(
        demo(),
        "allocate",
        json!({"layer": "kelurahan", "cost": "households", "benefit": "poor_households",
               "budget": 1000, "min_one_per_group": true}),
    );
    assert!(matches!(e, Err(Error::InvalidParams { ref param, .. }) if param == "group"));
    let e = analysis::run(
        demo(),
        "allocate",
        json!({"layer": "kelurahan", "cost": "households", "benefit": "poor_households",
               "budget": 1, "group_zones": "kecamatan", "min_one_per_group": true}),
    );
    assert!(matches!(e, Err(Error::InvalidParams { ref param, .. }) if param == "budget"));
}
