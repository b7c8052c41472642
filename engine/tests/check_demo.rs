//! The demo city must check clean: no errors, no warnings (exit code 0).

#[test]
fn demo_city_checks_clean() -> anyhow::Result<()> {
    let project = tepat_datasets::demo_project()?;
    let report = tepat_engine::check::check_project(&project);
    assert_eq!(report.exit_code(), 0, "{}", report.to_text());
    assert!(report
        .layers
        .iter()
        .any(|l| l.name == "kelurahan" && l.count > 0));
    Ok(())
}
