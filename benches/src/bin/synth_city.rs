//! Writes a city as a tepat project folder (GeoJSON layers + `tepat.toml`) for the analyses'
//! peer comparison (`benches/peers/analyses.py`):
//!
//! - by default the synthetic city of `tepat_benches::synth_city` with `--zones N` kelurahan
//!   (default 20000; seed `--seed`, default `SEED_CITY`), in EPSG:32651 as generated;
//! - with `--demo`, the demo city (`tepat_datasets::write_demo`, as `tepat demo --out DIR`),
//!   so the comparison needs only this package's binaries. Its raster (`elevasi`) is left
//!   out of the written `tepat.toml`: this package builds the engine without GDAL, which
//!   rasters need, and no analysis compared here reads it.
//!
//! A folder that already holds a `tepat.toml` is kept (the city is a pure function of its
//! arguments, and `tepat.toml` is written last) unless `--force`.
//!
//! `synth_city --out DIR [--zones N] [--seed S] [--demo] [--force]`

use anyhow::{bail, Context, Result};
use std::path::PathBuf;
use tepat_benches::synth_city::{synth_city, SEED_CITY};

fn main() -> Result<()> {
    let (mut out, mut zones, mut seed) = (None, 20_000usize, SEED_CITY);
    let (mut demo, mut force) = (false, false);
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        let mut value = || args.next().with_context(|| format!("{a} needs a value"));
        match a.as_str() {
            "--out" => out = Some(PathBuf::from(value()?)),
            "--zones" => zones = value()?.parse().context("--zones")?,
            "--seed" => seed = value()?.parse().context("--seed")?,
            "--demo" => demo = true,
            "--force" => force = true,
            _ => bail!(
                "unknown argument {a}; usage: synth_city --out DIR [--zones N] [--seed S] [--demo] [--force]"
            ),
        }
    }
    let out = out.context("--out DIR is required")?;
    let toml = out.join("tepat.toml");
    if toml.exists() && !force {
        eprintln!("keeping {}", out.display());
        return Ok(());
    }
    let path = if demo {
        let path = tepat_datasets::write_demo(&out)?;
        let text = std::fs::read_to_string(&path)?;
        std::fs::write(&path, without_rasters(&text))?;
        path
    } else {
        synth_city(zones, seed)?.write(&out)?
    };
    eprintln!("wrote {}", path.display());
    Ok(())
}

/// The project file without its `role = "raster"` entries.
fn without_rasters(toml: &str) -> String {
    let mut parts = toml.split("\n[[layers]]");
    let mut out = parts.next().unwrap_or_default().to_string();
    for entry in parts {
        if !entry.lines().any(|l| l.trim() == "role = \"raster\"") {
            out.push_str("\n[[layers]]");
            out.push_str(entry);
        }
    }
    out
}
