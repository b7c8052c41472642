//! The demo city must check clean (exit code 0): in memory, and written to disk (GeoJSON in
//! lon/lat, CSV) and loaded back, where rounding could open slivers between zones.

use tepat_engine::check::check_project;
use tepat_engine::project::Project;

#[test]
fn demo_city_checks_clean() -> anyhow::Result<()> {
    let project = tepat_datasets::demo_project()?;
    let report = check_project(&project);
    assert_eq!(report.exit_code(), 0, "{}", report.to_text());
    for layer in ["kelurahan", "kecamatan", "statistik", "puskesmas"] {
        assert!(
            report.layers.iter().any(|l| l.name == layer && l.count > 0),
            "{layer} missing\n{}",
            report.to_text()
        );
    }
    Ok(())
}

#[test]
fn demo_city_from_disk_checks_clean() -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    let toml = tepat_datasets::write_demo(dir.path())?;
    let report = check_project(&Project::load(&toml)?);
    assert_eq!(report.exit_code(), 0, "{}", report.to_text());
    Ok(())
}
