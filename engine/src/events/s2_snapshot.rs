//! TEMPORARY (helper s2): dumps analysis results for a before/after comparison. Removed
//! before hand-off.
#[test]
#[ignore]
fn s2_dump() {
    let cases: Vec<(String, serde_json::Value)> =
        serde_json::from_str(&std::fs::read_to_string("/tmp/s2snap/cases.json").unwrap()).unwrap();
    let only: Vec<String> = std::env::var("S2_ONLY")
        .unwrap_or_default()
        .split(',')
        .filter(|s| !s.is_empty())
        .map(String::from)
        .collect();
    let project =
        crate::project::Project::load(std::path::Path::new("/tmp/s2-city/tepat.toml")).unwrap();
    let _ = std::fs::create_dir_all("/tmp/s2snap/lib");
    for (i, (name, p)) in cases.iter().enumerate() {
        if !only.is_empty() && !only.contains(name) {
            continue;
        }
        let v = match crate::analysis::run(&project, name, p.clone()) {
            Ok(r) => serde_json::json!({"ok": r}),
            Err(e) => serde_json::json!({"err": e.to_string()}),
        };
        std::fs::write(format!("/tmp/s2snap/lib/{i:03}_{name}.json"), v.to_string()).unwrap();
    }
}
