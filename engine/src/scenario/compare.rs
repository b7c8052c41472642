//! Comparing scenarios: the same analyses on the baseline and on each scenario, with
//! per-row and summary deltas and sentences that say what changed.

use super::{apply, sentences, Applied, Budget, Scenario, ScenarioError};
use crate::analysis::{self, AnalysisResult, Meta, Row};
use crate::error::Result;
use crate::project::Project;
use rayon::prelude::*;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use std::collections::{BTreeMap, BTreeSet};
use std::time::Instant;

/// Most scenarios one comparison shows side by side (with the baseline).
pub const MAX_SCENARIOS: usize = 5;

/// One analysis to run in a comparison.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AnalysisRequest {
    /// Registered analysis name.
    pub name: String,
    /// Its params (as for `POST /analyses/{name}`).
    #[serde(default)]
    pub params: Value,
}

/// The analyses a comparison runs when none are named.
pub const DEFAULT_ANALYSES: [&str; 3] = ["exposure", "access", "index"];

impl AnalysisRequest {
    /// Analysis `name` with the params it defaults to on `project` for `scenarios` (see
    /// [`crate::analysis::Analysis::default_params`]).
    pub fn default_for(project: &Project, scenarios: &[Scenario], name: &str) -> Result<Self> {
        let params = crate::analysis::find(name)?
            .default_params(project, &crate::analysis::Focus::of(scenarios))?;
        Ok(AnalysisRequest {
            name: name.to_string(),
            params,
        })
    }
}

/// Requests for `names`: each analysis' params from `given` (an object keyed by analysis
/// name) when there, else its defaults.
pub fn requests(
    project: &Project,
    scenarios: &[Scenario],
    names: &[String],
    given: &Value,
) -> Result<Vec<AnalysisRequest>> {
    names
        .iter()
        .map(|name| match given.get(name) {
            Some(p) => Ok(AnalysisRequest {
                name: name.clone(),
                params: p.clone(),
            }),
            None => AnalysisRequest::default_for(project, scenarios, name),
        })
        .collect()
}

/// The answer of [`compare`].
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(
    feature = "openapi",
    schema(description = "The answer of a comparison.")
)]
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Comparison {
    /// The scenarios compared, in request order.
    pub scenarios: Vec<ScenarioInfo>,
    /// One entry per requested analysis, in request order.
    pub analyses: Vec<AnalysisComparison>,
    /// Wall time of the whole comparison.
    pub elapsed_ms: u64,
}

/// What a scenario is, as compared.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ScenarioInfo {
    /// Name.
    pub name: String,
    /// Version.
    #[cfg_attr(feature = "openapi", schema(minimum = 1))]
    pub version: u32,
    /// SHA-256 of the scenario (`Scenario::fingerprint`): changes with every edit.
    pub fingerprint: String,
    /// Number of edits.
    pub edits: usize,
    /// Layers the edits changed.
    pub edited_layers: Vec<String>,
    /// Facilities closed, by layer.
    pub closed: BTreeMap<String, Vec<String>>,
    /// Budget, if set.
    pub budget: Option<Budget>,
    /// Σ cost of the new facilities.
    pub spend: f64,
    /// The money, in words (English).
    pub sentences: Vec<String>,
    /// The same, in Bahasa Indonesia.
    pub sentences_id: Vec<String>,
}

/// One analysis on the baseline and on every scenario.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct AnalysisComparison {
    /// Analysis name.
    pub analysis: String,
    /// The full baseline result.
    pub baseline: AnalysisResult,
    /// Per scenario, in request order.
    pub scenarios: Vec<ScenarioOutcome>,
}

/// One analysis on one scenario, against the baseline.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ScenarioOutcome {
    /// Scenario name.
    pub scenario: String,
    /// Scenario version.
    pub version: u32,
    /// The scenario's summary.
    pub summary: Map<String, Value>,
    /// Scenario − baseline, for every numeric summary entry both have.
    pub summary_delta: Map<String, Value>,
    /// Per row (sorted by id): `id`, `name` when there is one, every numeric column's
    /// scenario value and `<column>_delta` (scenario − baseline), boolean columns as they are.
    #[cfg_attr(feature = "openapi", schema(value_type = Vec<crate::analysis::RowSchema>))]
    pub rows: Vec<Row>,
    /// Row ids the scenario no longer has (an excluded zone, a removed facility).
    pub only_in_baseline: Vec<String>,
    /// Row ids only the scenario has (a new facility).
    pub only_in_scenario: Vec<String>,
    /// What changed, in words (English).
    pub sentences: Vec<String>,
    /// The same, in Bahasa Indonesia.
    pub sentences_id: Vec<String>,
    /// Provenance of the scenario run (the edited layers' hashes differ from the baseline's).
    pub meta: Meta,
}

/// Runs `analyses` on `base` and on each of `scenarios` (at most [`MAX_SCENARIOS`]).
/// The scenario runs share every unedited layer with the baseline and run in parallel.
pub fn compare(
    base: &Project,
    scenarios: &[Scenario],
    analyses: &[AnalysisRequest],
) -> Result<Comparison, ScenarioError> {
    let start = Instant::now();
    if analyses.is_empty() {
        return Err(ScenarioError::InvalidCompare(
            "name at least one analysis".into(),
        ));
    }
    if scenarios.is_empty() || scenarios.len() > MAX_SCENARIOS {
        return Err(ScenarioError::InvalidCompare(format!(
            "give 1 to {MAX_SCENARIOS} scenarios (got {})",
            scenarios.len()
        )));
    }
    for a in analyses {
        analysis::find(&a.name).map_err(|source| ScenarioError::Analysis {
            scenario: None,
            source,
        })?;
    }
    let applied: Vec<Applied> = scenarios
        .iter()
        .map(|s| apply(base, s))
        .collect::<Result<_, _>>()?;
    // Every (view, analysis) pair is independent: view 0 is the baseline.
    let views: Vec<(Option<&Scenario>, &Project)> = std::iter::once((None, base))
        .chain(
            scenarios
                .iter()
                .zip(&applied)
                .map(|(s, a)| (Some(s), &a.project)),
        )
        .collect();
    let jobs: Vec<(usize, usize)> = (0..views.len())
        .flat_map(|v| (0..analyses.len()).map(move |a| (v, a)))
        .collect();
    let counter = crate::progress::Counter::new(jobs.len());
    let results: Vec<AnalysisResult> = jobs
        .par_iter()
        .map(|&(v, a)| {
            let _done = Tick(&counter);
            let (scenario, project) = views[v];
            analysis::run(project, &analyses[a].name, analyses[a].params.clone()).map_err(
                |source| ScenarioError::Analysis {
                    scenario: scenario.map(|s| s.name.clone()),
                    source,
                },
            )
        })
        .collect::<Result<_, _>>()?;
    let mut results = results.into_iter();
    // `jobs` is view-major: the first `analyses.len()` results are the baseline's.
    let mut by_view: Vec<Vec<AnalysisResult>> = Vec::with_capacity(views.len());
    for _ in 0..views.len() {
        by_view.push(results.by_ref().take(analyses.len()).collect());
    }
    let mut baseline = by_view.remove(0).into_iter();
    let mut per_scenario: Vec<std::vec::IntoIter<AnalysisResult>> =
        by_view.into_iter().map(Vec::into_iter).collect();
    let mut out = Vec::with_capacity(analyses.len());
    for req in analyses {
        let base_result = baseline
            .next()
            .ok_or_else(|| ScenarioError::InvalidCompare("missing baseline result".into()))?;
        let mut outcomes = Vec::with_capacity(scenarios.len());
        for (s, results) in scenarios.iter().zip(per_scenario.iter_mut()) {
            let r = results
                .next()
                .ok_or_else(|| ScenarioError::InvalidCompare("missing scenario result".into()))?;
            outcomes.push(outcome(&req.name, s, &base_result, r));
        }
        out.push(AnalysisComparison {
            analysis: req.name.clone(),
            baseline: base_result,
            scenarios: outcomes,
        });
    }
    let infos = scenarios
        .iter()
        .zip(&applied)
        .map(|(s, a)| {
            let said = sentences::money(a);
            ScenarioInfo {
                name: s.name.clone(),
                version: s.version,
                fingerprint: s.fingerprint(),
                edits: s.edits.len(),
                edited_layers: a.edited_layers.clone(),
                closed: a.closed.clone(),
                budget: a.budget.clone(),
                spend: a.spend,
                sentences: said.en,
                sentences_id: said.id,
            }
        })
        .collect();
    Ok(Comparison {
        scenarios: infos,
        analyses: out,
        elapsed_ms: start.elapsed().as_millis() as u64,
    })
}

fn outcome(name: &str, s: &Scenario, base: &AnalysisResult, r: AnalysisResult) -> ScenarioOutcome {
    let base_rows: BTreeMap<&str, &Row> = base
        .rows
        .iter()
        .filter_map(|row| Some((row.get("id")?.as_str()?, row)))
        .collect();
    let mut seen = BTreeSet::new();
    let mut rows = Vec::with_capacity(r.rows.len());
    let mut only_in_scenario = Vec::new();
    for row in &r.rows {
        let Some(id) = row.get("id").and_then(Value::as_str) else {
            continue;
        };
        seen.insert(id.to_string());
        let before = base_rows.get(id);
        if before.is_none() {
            only_in_scenario.push(id.to_string());
        }
        let mut o = Row::new();
        o.insert("id".into(), Value::String(id.to_string()));
        if let Some(n @ Value::String(_)) = row.get("name") {
            o.insert("name".into(), n.clone());
        }
        for (k, v) in row {
            match v {
                Value::Number(x) => {
                    o.insert(k.clone(), v.clone());
                    let b = before.and_then(|b| b.get(k)).and_then(Value::as_f64);
                    if let (Some(x), Some(b)) = (x.as_f64(), b) {
                        o.insert(format!("{k}_delta"), analysis::num(x - b));
                    }
                }
                Value::Bool(_) => {
                    o.insert(k.clone(), v.clone());
                }
                _ => {}
            }
        }
        rows.push(o);
    }
    let only_in_baseline = base_rows
        .keys()
        .filter(|id| !seen.contains(**id))
        .map(|id| id.to_string())
        .collect();
    let mut summary_delta = Map::new();
    for (k, v) in &r.summary {
        if let (Some(x), Some(b)) = (v.as_f64(), base.summary.get(k).and_then(Value::as_f64)) {
            summary_delta.insert(k.clone(), analysis::num(x - b));
        }
    }
    let said = sentences::outcome(name, s, base, &r, &summary_delta);
    ScenarioOutcome {
        scenario: s.name.clone(),
        version: s.version,
        summary: r.summary,
        summary_delta,
        rows,
        only_in_baseline,
        only_in_scenario,
        sentences: said.en,
        sentences_id: said.id,
        meta: r.meta,
    }
}

/// Ticks a progress counter when one (view, analysis) run ends, however it ends.
struct Tick<'a>(&'a crate::progress::Counter);

impl Drop for Tick<'_> {
    fn drop(&mut self) {
        self.0.tick();
    }
}
