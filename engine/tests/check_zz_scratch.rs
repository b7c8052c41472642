mod check_fixtures;
#[test]
fn print() {
    let p = tepat_datasets::demo_project().unwrap();
    let t = std::time::Instant::now();
    let r = tepat_engine::check::check_project(&p);
    eprintln!("{}\nelapsed {:?}", r.to_text(), t.elapsed());
    let r = tepat_engine::check::check_project(&check_fixtures::city(&check_fixtures::Plants::all()));
    eprintln!("{}", r.to_text());
}
