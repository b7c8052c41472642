//! tepat's side of the peer comparison (`benches/peers/run.py`).
//!
//! Loads the files `peer_data` wrote, then times only the compute, as the peers do after
//! loading: building the R-tree plus the join plus the per-target counts. Prints one JSON
//! object: `{task, tool, n_points, n_polygons | n_facilities, seconds, counts_checksum, ...}`
//! and, with `--counts-out F`, writes the counts one per line (target order) for `run.py` to
//! compare with the peers'.
//!
//! ```text
//! peer_rust --task join    --points P.csv --polygons G.csv   [--counts-out F] [--repeat R]
//! peer_rust --task nearest --points P.csv --facilities F.csv [--counts-out F] [--repeat R]
//! ```
//! With `--repeat R` the compute runs R times and the fastest is reported.

use anyhow::{bail, Context, Result};
use geo::coordinate_position::{CoordPos, CoordinatePosition};
use geo::{Coord, Geometry};
use rayon::prelude::*;
use serde_json::json;
use std::path::PathBuf;
use std::time::Instant;
use tepat_benches::{counts, counts_checksum, read_points_csv, read_polygons_csv};
use tepat_engine::kernels::{nearest, point_in_polygon};
use tepat_engine::rtree::{PointIndex, SpatialIndex};

#[derive(Default)]
struct Args {
    task: String,
    points: Option<PathBuf>,
    polygons: Option<PathBuf>,
    facilities: Option<PathBuf>,
    counts_out: Option<PathBuf>,
    repeat: usize,
}

fn parse_args() -> Result<Args> {
    let mut a = Args {
        repeat: 1,
        ..Args::default()
    };
    let mut it = std::env::args().skip(1);
    while let Some(k) = it.next() {
        let mut v = || it.next().with_context(|| format!("{k} needs a value"));
        match k.as_str() {
            "--task" => a.task = v()?,
            "--points" => a.points = Some(v()?.into()),
            "--polygons" => a.polygons = Some(v()?.into()),
            "--facilities" => a.facilities = Some(v()?.into()),
            "--counts-out" => a.counts_out = Some(v()?.into()),
            "--repeat" => a.repeat = v()?.parse::<usize>().context("--repeat")?.max(1),
            _ => bail!("unknown argument {k} (see the doc comment of peer_rust.rs)"),
        }
    }
    Ok(a)
}

fn main() -> Result<()> {
    let args = parse_args()?;
    let points_path = args.points.as_ref().context("--points is required")?;
    let points: Vec<Option<Coord>> = read_points_csv(points_path)?
        .into_iter()
        .map(Some)
        .collect();
    let report = match args.task.as_str() {
        "join" => {
            let path = args
                .polygons
                .as_ref()
                .context("--polygons is required for join")?;
            let zones: Vec<Option<Geometry>> =
                read_polygons_csv(path)?.into_iter().map(Some).collect();
            let mut best = f64::INFINITY;
            let mut result = Vec::new();
            for _ in 0..args.repeat {
                let t = Instant::now();
                let index = SpatialIndex::build(&zones);
                let assignment = point_in_polygon::assign(&points, &zones, &index);
                let c = counts(&assignment, zones.len());
                best = best.min(t.elapsed().as_secs_f64());
                result = c;
            }
            if let Some(v) = std::env::var_os("PEER_RUST_PHASES") {
                // Development aid: per-phase wall (best of R) and CPU seconds per run.
                let r: usize = v.to_str().and_then(|s| s.parse().ok()).unwrap_or(5);
                let cpu = || -> f64 {
                    let s = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
                    let f: Vec<&str> = s
                        .rsplit(')')
                        .next()
                        .unwrap_or("")
                        .split_whitespace()
                        .collect();
                    let t = |i: usize| f.get(i).and_then(|x| x.parse::<f64>().ok()).unwrap_or(0.0);
                    (t(11) + t(12)) / 100.0
                };
                let flt = || -> f64 {
                    let s = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
                    let f: Vec<&str> = s
                        .rsplit(')')
                        .next()
                        .unwrap_or("")
                        .split_whitespace()
                        .collect();
                    f.get(7).and_then(|x| x.parse::<f64>().ok()).unwrap_or(0.0)
                };
                let phase = |name: &str, f: &mut dyn FnMut()| {
                    let (c0, f0, mut best) = (cpu(), flt(), f64::INFINITY);
                    for _ in 0..r {
                        let t = Instant::now();
                        f();
                        best = best.min(t.elapsed().as_secs_f64());
                    }
                    eprintln!(
                        "{name}: wall {best:.4}s cpu {:.4}s minor faults {}",
                        (cpu() - c0) / r as f64,
                        (flt() - f0) / r as f64
                    );
                };
                phase("rtree", &mut || drop(SpatialIndex::build(&zones)));
                let target = (points.len() / 2).clamp(16 * zones.len(), 256 * zones.len());
                let mut prepared = None;
                phase("prepare", &mut || {
                    prepared = point_in_polygon::PreparedZones::with_cells(&zones, target)
                });
                let prepared = prepared.context("prepare")?;
                phase("assign", &mut || drop(prepared.assign(&points, &zones)));
            }
            // Untimed sanity figure: points exactly on some zone's boundary are where the
            // boundary rule (lowest index wins) and the peers' `within` (boundary excluded)
            // would differ.
            let index = SpatialIndex::build(&zones);
            let on_boundary = points
                .par_iter()
                .flatten()
                .filter(|c| {
                    index.at_point(**c).any(|z| {
                        zones[z]
                            .as_ref()
                            .is_some_and(|g| g.coordinate_position(*c) == CoordPos::OnBoundary)
                    })
                })
                .count();
            write_counts(&args, &result)?;
            json!({
                "task": "join", "tool": "tepat", "n_points": points.len(),
                "n_polygons": zones.len(), "seconds": best,
                "counts_checksum": counts_checksum(&result),
                "matched": result.iter().sum::<u64>(),
                "boundary_points": on_boundary,
                "threads": rayon::current_num_threads(),
            })
        }
        "nearest" => {
            let path = args
                .facilities
                .as_ref()
                .context("--facilities is required for nearest")?;
            let fac = read_points_csv(path)?;
            let mut best = f64::INFINITY;
            let mut result = Vec::new();
            for _ in 0..args.repeat {
                let t = Instant::now();
                let index = PointIndex::from_coords(&fac);
                let near = nearest::nearest_k(&points, &index, 1);
                let first: Vec<Option<usize>> =
                    near.iter().map(|v| v.first().map(|(i, _)| *i)).collect();
                let c = counts(&first, fac.len());
                best = best.min(t.elapsed().as_secs_f64());
                result = c;
            }
            // Untimed: origins whose two nearest facilities are exactly equidistant (tepat
            // takes the lower index; the peers must do the same for the counts to agree).
            let index = PointIndex::from_coords(&fac);
            let ties = nearest::nearest_k(&points, &index, 2)
                .iter()
                .filter(|v| v.len() == 2 && v[0].1 == v[1].1)
                .count();
            write_counts(&args, &result)?;
            json!({
                "task": "nearest", "tool": "tepat", "n_points": points.len(),
                "n_facilities": fac.len(), "seconds": best,
                "counts_checksum": counts_checksum(&result),
                "matched": result.iter().sum::<u64>(),
                "ties": ties,
                "threads": rayon::current_num_threads(),
            })
        }
        other => bail!("unknown --task '{other}' (join or nearest)"),
    };
    println!("{report}");
    Ok(())
}

fn write_counts(args: &Args, counts: &[u64]) -> Result<()> {
    let Some(p) = &args.counts_out else {
        return Ok(());
    };
    let text: String = counts.iter().map(|c| format!("{c}\n")).collect();
    std::fs::write(p, text).with_context(|| format!("writing {}", p.display()))
}
