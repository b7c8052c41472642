//! Where the tests find the shared real data (`../shared/datasets/real`, beside the
//! repository), and what they do without it: say why and skip, or fail when
//! `TEPAT_REQUIRE_REAL_DATA=1` (as `.ci/run` sets it).

use std::path::{Path, PathBuf};

/// `../shared/datasets/real/<sub>` (relative to the repository root), canonical, when every
/// one of `files` (relative to it) is there; otherwise `None` after [`missing`].
pub fn dir(sub: &str, files: &[&str]) -> Option<PathBuf> {
    let base = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../shared/datasets/real")
        .join(sub);
    if files.iter().all(|f| base.join(f).is_file()) {
        if let Ok(d) = base.canonicalize() {
            return Some(d);
        }
    }
    let what = if sub.is_empty() { "real-city" } else { sub };
    missing(&format!(
        "{what} data not found at ../shared/datasets/real (relative to the repository root)"
    ));
    None
}

/// The libpysal classic datasets (`libpysal-classic/`), which are shapefiles: GDAL reads them.
pub fn classic(files: &[&str]) -> Option<PathBuf> {
    if !cfg!(feature = "gdal") {
        missing("the libpysal-classic shapefiles need the gdal feature");
        return None;
    }
    dir("libpysal-classic", files)
}

/// Skips, printing why, or under `TEPAT_REQUIRE_REAL_DATA=1` fails.
pub fn missing(msg: &str) {
    if std::env::var("TEPAT_REQUIRE_REAL_DATA").as_deref() == Ok("1") {
        panic!("{msg}, and TEPAT_REQUIRE_REAL_DATA=1");
    }
    eprintln!("skipping: {msg}");
}
