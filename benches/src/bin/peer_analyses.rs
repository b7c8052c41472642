//! tepat's side of the analyses' peer comparison (`benches/peers/analyses.py`).
//!
//! Loads a project (untimed, as the peers load their files), then runs each task — one
//! registered analysis with its JSON params, through `tepat_engine::analysis::run`, so the
//! time is what a caller of the engine pays: params, the whole computation, the result rows —
//! `--repeat R` times, and prints one JSON line per task:
//!
//! ```text
//! {"task", "analysis", "tool": "tepat", "seconds" (fastest run), "repeat", "rows",
//!  "sums": {numeric row field: its sum over the rows}, "summary", "threads", "load_seconds"}
//! ```
//! `sums` are the checksums (exposure: total hazard area per class, exposed population;
//! interpolate: the interpolated totals; access: Σ access_raw, Σ access). With
//! `--rows-dir DIR` the rows of each task's last run go to `DIR/<task>.json` (a JSON array of
//! row objects, sorted by id) for the per-zone comparison.
//!
//! ```text
//! peer_analyses --project P/tepat.toml [--repeat R] [--rows-dir DIR]
//!               --task LABEL ANALYSIS PARAMS [--task LABEL ANALYSIS PARAMS ...]
//! ```
//! PARAMS is JSON text or `@file`. Threads: rayon's default (all cores) unless
//! `RAYON_NUM_THREADS` says otherwise.

use anyhow::{bail, Context, Result};
use serde_json::{json, Value};
use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::Instant;
use tepat_engine::project::Project;

struct Task {
    label: String,
    analysis: String,
    params: Value,
}

fn main() -> Result<()> {
    let (mut project, mut repeat, mut rows_dir) = (None, 1usize, None);
    let mut tasks = Vec::new();
    let mut it = std::env::args().skip(1);
    while let Some(k) = it.next() {
        let mut v = || it.next().with_context(|| format!("{k} needs a value"));
        match k.as_str() {
            "--project" => project = Some(PathBuf::from(v()?)),
            "--repeat" => repeat = v()?.parse::<usize>().context("--repeat")?.max(1),
            "--rows-dir" => rows_dir = Some(PathBuf::from(v()?)),
            "--task" => {
                let (label, analysis, text) = (v()?, v()?, v()?);
                let text = match text.strip_prefix('@') {
                    Some(f) => {
                        std::fs::read_to_string(f).with_context(|| format!("reading {f}"))?
                    }
                    None => text,
                };
                let params = serde_json::from_str(&text)
                    .with_context(|| format!("params of task {label}"))?;
                tasks.push(Task {
                    label,
                    analysis,
                    params,
                });
            }
            _ => bail!("unknown argument {k} (see the doc comment of peer_analyses.rs)"),
        }
    }
    let path = project.context("--project is required")?;
    if tasks.is_empty() {
        bail!("no --task given");
    }
    if let Some(d) = &rows_dir {
        std::fs::create_dir_all(d).with_context(|| format!("creating {}", d.display()))?;
    }
    let t = Instant::now();
    let project = Project::load(&path).with_context(|| format!("loading {}", path.display()))?;
    let load_seconds = t.elapsed().as_secs_f64();

    for task in &tasks {
        let mut best = f64::INFINITY;
        let mut last = None;
        for _ in 0..repeat {
            let params = task.params.clone();
            let t = Instant::now();
            let r = tepat_engine::analysis::run(&project, &task.analysis, params)
                .with_context(|| format!("task {} ({})", task.label, task.analysis))?;
            best = best.min(t.elapsed().as_secs_f64());
            last = Some(r);
        }
        let r = last.context("no run")?;
        let mut sums: BTreeMap<String, f64> = BTreeMap::new();
        for row in &r.rows {
            for (k, v) in row {
                if let Some(x) = v.as_f64().filter(|x| x.is_finite()) {
                    *sums.entry(k.clone()).or_default() += x;
                }
            }
        }
        if let Some(d) = &rows_dir {
            let f = d.join(format!("{}.json", task.label));
            let rows: Vec<Value> = r.rows.iter().cloned().map(Value::Object).collect();
            std::fs::write(&f, serde_json::to_vec(&rows)?)
                .with_context(|| format!("writing {}", f.display()))?;
        }
        let report = json!({
            "task": task.label, "analysis": task.analysis, "tool": "tepat",
            "project": project.name, "seconds": best, "repeat": repeat,
            "rows": r.rows.len(), "sums": sums, "summary": Value::Object(r.summary.clone()),
            "params": r.params, "threads": rayon::current_num_threads(),
            "load_seconds": load_seconds,
        });
        println!("{report}");
    }
    Ok(())
}
