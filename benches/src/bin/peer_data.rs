//! Writes the peer comparison's inputs to `benches/peers/data/` (or `--out DIR`):
//!
//! - `points_<N>.csv`: `x,y`
//! - `polygons_<M>.csv`: `id,wkt` (ids 0..M, row-major cells)
//! - `facilities_<K>.csv`: `id,x,y`
//!
//! CSV + WKT because every peer reads them without extra drivers, and the coordinates are
//! dyadic (see `tepat_benches`), so the text is exact. Existing files are kept (the data is
//! a pure function of N / M / K and the fixed seeds) unless `--force`.
//!
//! `peer_data [--out DIR] [--points N,..] [--polygons M,..] [--facilities K,..] [--force]`

use anyhow::{bail, Context, Result};
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use tepat_benches::{facilities, points, polygons, SEED_FACILITIES, SEED_POINTS, SEED_POLYGONS};
use wkt::ToWkt;

fn main() -> Result<()> {
    let mut out = PathBuf::from("benches/peers/data");
    let (mut ns, mut ms, mut ks) = (Vec::new(), Vec::new(), Vec::new());
    let mut force = false;
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        let mut value = || args.next().with_context(|| format!("{a} needs a value"));
        match a.as_str() {
            "--out" => out = PathBuf::from(value()?),
            "--points" => ns = sizes(&value()?)?,
            "--polygons" => ms = sizes(&value()?)?,
            "--facilities" => ks = sizes(&value()?)?,
            "--force" => force = true,
            _ => bail!("unknown argument {a}; usage: peer_data [--out DIR] [--points N,..] [--polygons M,..] [--facilities K,..] [--force]"),
        }
    }
    std::fs::create_dir_all(&out).with_context(|| format!("creating {}", out.display()))?;
    for n in ns {
        write_if_missing(&out.join(format!("points_{n}.csv")), force, |w| {
            writeln!(w, "x,y")?;
            for p in points(n, SEED_POINTS) {
                writeln!(w, "{},{}", p.x, p.y)?;
            }
            Ok(())
        })?;
    }
    for m in ms {
        write_if_missing(&out.join(format!("polygons_{m}.csv")), force, |w| {
            writeln!(w, "id,wkt")?;
            for (i, p) in polygons(m, SEED_POLYGONS).iter().enumerate() {
                writeln!(w, "{i},\"{}\"", p.wkt_string())?;
            }
            Ok(())
        })?;
    }
    for k in ks {
        write_if_missing(&out.join(format!("facilities_{k}.csv")), force, |w| {
            writeln!(w, "id,x,y")?;
            for (i, p) in facilities(k, SEED_FACILITIES).iter().enumerate() {
                writeln!(w, "{i},{},{}", p.x, p.y)?;
            }
            Ok(())
        })?;
    }
    Ok(())
}

fn sizes(s: &str) -> Result<Vec<usize>> {
    s.split(',')
        .filter(|t| !t.is_empty())
        .map(|t| t.trim().parse().with_context(|| format!("bad size '{t}'")))
        .collect()
}

/// Writes via a `.part` file and a rename, so an interrupted run never leaves a truncated
/// file that a later run would take as complete.
fn write_if_missing(
    path: &Path,
    force: bool,
    body: impl FnOnce(&mut dyn Write) -> std::io::Result<()>,
) -> Result<()> {
    if path.exists() && !force {
        eprintln!("keeping {}", path.display());
        return Ok(());
    }
    let tmp = path.with_extension("csv.part");
    let file =
        std::fs::File::create(&tmp).with_context(|| format!("creating {}", tmp.display()))?;
    let mut w = BufWriter::with_capacity(1 << 20, file);
    body(&mut w).with_context(|| format!("writing {}", tmp.display()))?;
    w.flush()?;
    drop(w);
    std::fs::rename(&tmp, path).with_context(|| format!("renaming to {}", path.display()))?;
    eprintln!("wrote {}", path.display());
    Ok(())
}
