//! Rebuilds the crate when the viewer's build output changes: release builds embed
//! `viewer/dist` (src/viewer.rs), and cargo only notices a folder it is told to watch —
//! including one that appears after the first build.

fn main() {
    if std::path::Path::new("../viewer/dist").exists() {
        println!("cargo:rerun-if-changed=../viewer/dist");
    } else {
        println!("cargo:rerun-if-changed=../viewer");
    }
    println!("cargo:rerun-if-changed=build.rs");
}
