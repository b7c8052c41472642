//! The location models on an abstract instance (demand × candidate sites with costs), their
//! exact MILP formulations (spopt's, solved with HiGHS) and the driver that picks between
//! the exact solver and the heuristic of [`super::heuristic`].
//!
//! Formulations, with `x_j` = site j open (binary; existing sites fixed to 1), `N_i` = the
//! sites in reach of demand `i` (cost ≤ radius for the coverage models):
//! - LSCP: min Σ x_j s.t. Σ_{N_i} x_j ≥ 1 ∀i. Capacitated (spopt CLSCP-SO): continuous
//!   `z_ij` over `N_i`, Σ_j z_ij = 1, Σ_i q_i z_ij ≤ C_j x_j.
//! - MCLP: max Σ w_i y_i s.t. y_i ≤ Σ_{N_i} x_j (y in [0, 1]; integral at any optimum).
//!   Capacitated (not in spopt): y_i binary, Σ_j z_ij = y_i, Σ_i w_i z_ij ≤ C_j x_j.
//! - p-median: min Σ w_i d_ij z_ij s.t. Σ_j z_ij = 1, z_ij ≤ x_j (z continuous; binary
//!   when capacitated, as spopt, with Σ_i w_i z_ij ≤ C_j x_j).
//! - p-center: min W s.t. Σ_j z_ij = 1, z_ij ≤ x_j, Σ_j d_ij z_ij ≤ W.
//!
//! `p` counts the *new* sites: Σ_{j not existing} x_j = p. A `budget` adds
//! Σ_{j not existing} c_j x_j ≤ budget.

use super::heuristic::{self, Fixing};
use crate::optimize::{self, Direction, Mip, Options, Status};
use std::time::{Duration, Instant};

/// Which model.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Location set covering: fewest sites covering all demand within the radius.
    Lscp,
    /// Maximal covering: most weight covered within the radius.
    Mclp,
    /// Least weighted total cost.
    PMedian,
    /// Least maximum cost.
    PCenter,
}

impl Kind {
    /// The name used in params.
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Lscp => "lscp",
            Kind::Mclp => "mclp",
            Kind::PMedian => "pmedian",
            Kind::PCenter => "pcenter",
        }
    }
}

/// Exact solver, heuristic, or the exact solver when the model is small enough.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    /// Exact below [`EXACT_NONZEROS`] constraint coefficients, else the heuristic.
    Auto,
    /// Always HiGHS (up to the time limit).
    Exact,
    /// Greedy + interchange with a Lagrangian or trivial bound only.
    Heuristic,
}

/// Models with more constraint coefficients than this go to the heuristic under `Auto`.
pub const EXACT_NONZEROS: usize = 4_000_000;

/// A location problem: demand points, candidate sites and the costs between them.
#[derive(Debug, Clone, Default)]
pub struct Instance {
    /// Demand weight per demand point (also the demand quantity against capacities).
    pub weight: Vec<f64>,
    /// Per demand, the sites it may use as (site, cost), sorted by cost then site. For the
    /// coverage models, the sites within the radius; else every reachable site.
    pub reach: Vec<Vec<(u32, f64)>>,
    /// Number of sites.
    pub sites: usize,
    /// Existing sites, open whatever the model decides.
    pub forced: Vec<bool>,
    /// Cost of opening each site (for `budget`).
    pub site_cost: Vec<f64>,
    /// Capacity per site (capacitated models).
    pub capacity: Option<Vec<f64>>,
}

impl Instance {
    /// Number of demand points.
    pub fn demand(&self) -> usize {
        self.weight.len()
    }

    /// Per site, the demand that can use it as (demand, cost).
    pub fn reverse(&self) -> Vec<Vec<(u32, f64)>> {
        let mut rev = vec![Vec::new(); self.sites];
        for (i, l) in self.reach.iter().enumerate() {
            for &(j, c) in l {
                rev[j as usize].push((i as u32, c));
            }
        }
        rev
    }
}

/// What to solve.
#[derive(Debug, Clone)]
pub struct Spec {
    /// The model.
    pub kind: Kind,
    /// New sites to open (all models but LSCP; optional with `budget`).
    pub p: Option<usize>,
    /// Budget for the new sites' costs.
    pub budget: Option<f64>,
    /// Exact, heuristic or auto.
    pub method: Method,
    /// Time limit of the exact solver.
    pub time_limit: Duration,
}

/// Why a model cannot be solved: the parameter to change and what is wrong.
#[derive(Debug, Clone, PartialEq)]
pub struct Infeasible {
    /// The parameter concerned (`radius_m`, `p`, `capacity`, `budget`).
    pub param: &'static str,
    /// What is wrong.
    pub message: String,
}

fn infeasible(param: &'static str, message: impl Into<String>) -> Infeasible {
    Infeasible {
        param,
        message: message.into(),
    }
}

/// A solution with its quality.
#[derive(Debug, Clone)]
pub struct Plan {
    /// Open sites (existing ones included).
    pub open: Vec<bool>,
    /// Per demand, the site serving it and the cost, where one does (capacitated models:
    /// the solver's assignment, the largest share; otherwise the cheapest open site in
    /// reach).
    pub assign: Vec<Option<(u32, f64)>>,
    /// Objective of this plan (as the model defines it).
    pub objective: f64,
    /// Best bound known on the optimum.
    pub bound: Option<f64>,
    /// `optimal`, `time_limit` or `heuristic`.
    pub status: &'static str,
    /// `exact` or `heuristic` (what produced the plan).
    pub method: &'static str,
    /// Solver wall time.
    pub elapsed: Duration,
    /// Sites proven closed / open in every better plan (the heuristic's Lagrangian bounds).
    pub fixing: Option<Fixing>,
}

impl Plan {
    /// Relative gap between the objective and the bound.
    pub fn gap(&self) -> Option<f64> {
        optimize::gap(self.objective, self.bound?)
    }
}

/// Checks the cases that have no solution before any solver runs.
pub fn check(inst: &Instance, spec: &Spec) -> Result<(), Infeasible> {
    let n = inst.demand();
    let new_sites = (0..inst.sites).filter(|&j| !inst.forced[j]).count();
    if let Some(p) = spec.p {
        if p > new_sites {
            return Err(infeasible(
                "p",
                format!("p = {p} new sites, but only {new_sites} candidate sites are available"),
            ));
        }
        if p == 0 && inst.forced.iter().all(|f| !f) && spec.kind != Kind::Lscp {
            return Err(infeasible(
                "p",
                "p = 0 with no existing site: there is nothing to locate",
            ));
        }
        if let Some(b) = spec.budget {
            let mut costs: Vec<f64> = (0..inst.sites)
                .filter(|&j| !inst.forced[j])
                .map(|j| inst.site_cost[j])
                .collect();
            costs.sort_by(f64::total_cmp);
            let cheapest: f64 = costs.iter().take(p).sum();
            if cheapest > b * (1.0 + 1e-12) {
                return Err(infeasible(
                    "budget",
                    format!(
                        "the {p} cheapest candidate sites cost {cheapest}, more than the budget {b}"
                    ),
                ));
            }
        }
    } else if spec.kind != Kind::Lscp && spec.budget.is_none() {
        return Err(infeasible(
            "p",
            format!("model {} needs p or budget", spec.kind.as_str()),
        ));
    }
    let must_serve_all = matches!(spec.kind, Kind::Lscp | Kind::PMedian | Kind::PCenter);
    if must_serve_all {
        if let Some(i) = (0..n).find(|&i| inst.reach[i].is_empty()) {
            let param = if spec.kind == Kind::Lscp {
                "radius_m"
            } else {
                "costs"
            };
            return Err(infeasible(
                param,
                format!("demand #{i} has no candidate site in reach, so it cannot be served"),
            ));
        }
    }
    if let Some(cap) = &inst.capacity {
        let total: f64 = inst.weight.iter().sum();
        if must_serve_all {
            // The most capacity p new sites (with the existing ones) can offer.
            let forced: f64 = (0..inst.sites)
                .filter(|&j| inst.forced[j])
                .map(|j| cap[j])
                .sum();
            let mut new: Vec<f64> = (0..inst.sites)
                .filter(|&j| !inst.forced[j])
                .map(|j| cap[j])
                .collect();
            new.sort_by(|a, b| b.total_cmp(a));
            let best = forced + new.iter().take(spec.p.unwrap_or(new.len())).sum::<f64>();
            if best < total * (1.0 - 1e-12) {
                return Err(infeasible(
                    "capacity",
                    format!(
                        "total demand {total} exceeds the most capacity the sites can offer ({best})"
                    ),
                ));
            }
        }
    }
    Ok(())
}

/// Solves `spec` on `inst`: checks, then the heuristic and/or HiGHS (see [`Method`]).
pub fn solve(inst: &Instance, spec: &Spec) -> Result<Plan, Infeasible> {
    check(inst, spec)?;
    let start = Instant::now();
    let capacitated = inst.capacity.is_some();
    let heuristic_ok = !capacitated && spec.kind != Kind::Lscp;
    let estimate = nonzeros_estimate(inst, spec.kind, capacitated);
    let run_exact = match spec.method {
        Method::Exact => true,
        Method::Heuristic => !heuristic_ok,
        Method::Auto => !heuristic_ok || estimate <= EXACT_NONZEROS,
    };
    // Progress: the heuristic (with its bound) about a third, the exact model the rest;
    // HiGHS does not say how far it is, so the last step is the answer.
    let warm = if heuristic_ok {
        crate::progress::within(0.0, 0.3, || heuristic::solve(inst, spec))
    } else {
        None
    };
    crate::progress::report(0.3);
    if let Some(h) = &warm {
        if h.gap() == Some(0.0) || !run_exact {
            let mut h = h.clone();
            h.status = if h.gap() == Some(0.0) {
                "optimal"
            } else {
                "heuristic"
            };
            h.elapsed = start.elapsed();
            return Ok(h);
        }
    }
    if let (Kind::PCenter, Some(h)) = (spec.kind, &warm) {
        // Uncapacitated p-center: a search over the radius with small covering models is
        // far faster than the min-max formulation and gives the same optimum.
        let mut plan = pcenter_by_radius(inst, spec, h, start);
        plan.elapsed = start.elapsed();
        return Ok(plan);
    }
    let remaining = spec.time_limit.saturating_sub(start.elapsed());
    // Sites the Lagrangian bound ruled out leave the model (their assignment columns too).
    let fixing = warm.as_ref().and_then(|h| h.fixing.clone());
    let reduced = fixing.as_ref().map(|f| without_closed(inst, f));
    let inst = reduced.as_ref().unwrap_or(inst);
    let (mip, layout) = formulate(inst, spec, fixing.as_ref());
    let start_values = warm.as_ref().map(|h| layout.values_of(inst, spec, h));
    let solved = mip.solve(&Options {
        time_limit: remaining.max(Duration::from_millis(10)),
        start: start_values,
        ..Options::default()
    });
    let exact = match (solved.status, &solved.values) {
        (Status::Optimal | Status::TimeLimit, Some(v)) => Some(layout.plan_of(inst, spec, v)),
        _ => None,
    };
    let maximise = spec.kind == Kind::Mclp;
    let better = |a: f64, b: f64| if maximise { a > b } else { a < b };
    let tighter = |a: Option<f64>, b: Option<f64>| match (a, b) {
        (Some(a), Some(b)) => Some(if maximise { a.min(b) } else { a.max(b) }),
        (a, b) => a.or(b),
    };
    match (exact, warm) {
        (Some(mut e), w) => {
            let bound = tighter(solved.bound, w.as_ref().and_then(|w| w.bound));
            if let Some(w) = w {
                if better(w.objective, e.objective) {
                    e = w;
                }
            }
            e.bound = bound;
            e.status = if solved.status == Status::Optimal {
                "optimal"
            } else {
                "time_limit"
            };
            e.elapsed = start.elapsed();
            Ok(e)
        }
        (None, Some(mut w)) if solved.status != Status::Infeasible => {
            w.bound = tighter(solved.bound, w.bound);
            w.status = "time_limit";
            w.elapsed = start.elapsed();
            Ok(w)
        }
        (None, _) => Err(match solved.status {
            Status::Infeasible => infeasible(
                match (spec.kind, capacitated, spec.budget) {
                    (_, true, _) => "capacity",
                    (_, _, Some(_)) => "budget",
                    (Kind::Lscp, _, _) => "radius_m",
                    _ => "p",
                },
                "the model has no feasible solution (HiGHS proved it infeasible)",
            ),
            Status::TimeLimitNoSolution => infeasible(
                "time_limit_s",
                format!(
                    "HiGHS found no feasible solution within {:.1} s; raise time_limit_s",
                    spec.time_limit.as_secs_f64()
                ),
            ),
            _ => infeasible("model", format!("the solver failed: {}", solved.detail)),
        }),
    }
}

/// Exact uncapacitated p-center by bisection over the candidate radii (the distinct costs
/// between the trivial lower bound and the heuristic's value): a radius is feasible when
/// the sites allowed by `p` / `budget` can cover every demand point within it (a covering
/// MILP). Every radius below the smallest feasible one is proven infeasible, so when time
/// runs out the bound is the first radius not yet ruled out.
fn pcenter_by_radius(inst: &Instance, spec: &Spec, warm: &Plan, start: Instant) -> Plan {
    let lb = warm.bound.unwrap_or(0.0);
    let mut radii: Vec<f64> = inst
        .reach
        .iter()
        .flatten()
        .map(|x| x.1)
        .filter(|&c| c >= lb && c <= warm.objective)
        .collect();
    radii.sort_by(f64::total_cmp);
    radii.dedup();
    let mut best = warm.clone();
    best.method = "exact";
    if radii.is_empty() {
        best.bound = Some(best.objective);
        best.status = "optimal";
        return best;
    }
    // radii[hi] is feasible (the heuristic's value); everything below radii[lo] is not.
    let (mut lo, mut hi) = (0, radii.len() - 1);
    let mut timed_out = false;
    while lo < hi {
        let mid = (lo + hi) / 2;
        let remaining = spec.time_limit.saturating_sub(start.elapsed());
        if remaining.is_zero() {
            timed_out = true;
            break;
        }
        match cover_within(inst, spec, radii[mid], remaining) {
            Some(Some(open)) => {
                hi = mid;
                let assign = heuristic::nearest_open(inst, &open);
                let objective = objective_of(inst, Kind::PCenter, &open, &assign);
                if objective < best.objective {
                    best.open = open;
                    best.assign = assign;
                    best.objective = objective;
                }
            }
            Some(None) => lo = mid + 1,
            None => {
                timed_out = true;
                break;
            }
        }
    }
    best.bound = Some(radii[lo].min(best.objective));
    best.status = if timed_out { "time_limit" } else { "optimal" };
    best
}

/// Open sites covering every demand point within `r` under the count / budget rows:
/// `Some(Some(open))` if they exist, `Some(None)` if proven not to, `None` on time-out.
fn cover_within(
    inst: &Instance,
    spec: &Spec,
    r: f64,
    limit: Duration,
) -> Option<Option<Vec<bool>>> {
    let m = inst.sites;
    let mut mip = Mip::new(Direction::Minimise);
    let x: Vec<usize> = (0..m)
        .map(|j| {
            let lo = if inst.forced[j] { 1.0 } else { 0.0 };
            mip.var(0.0, lo, 1.0, true)
        })
        .collect();
    let new: Vec<(usize, f64)> = (0..m)
        .filter(|&j| !inst.forced[j])
        .map(|j| (x[j], 1.0))
        .collect();
    if let Some(p) = spec.p {
        mip.row(p as f64, p as f64, &new);
    }
    if let Some(b) = spec.budget {
        let t: Vec<(usize, f64)> = (0..m)
            .filter(|&j| !inst.forced[j] && inst.site_cost[j] != 0.0)
            .map(|j| (x[j], inst.site_cost[j]))
            .collect();
        mip.row(f64::NEG_INFINITY, b, &t);
    }
    for l in &inst.reach {
        let t: Vec<(usize, f64)> = l
            .iter()
            .take_while(|x| x.1 <= r)
            .map(|&(j, _)| (x[j as usize], 1.0))
            .collect();
        if t.is_empty() {
            return Some(None);
        }
        mip.row(1.0, f64::INFINITY, &t);
    }
    let solved = mip.solve(&Options {
        time_limit: limit,
        ..Options::default()
    });
    match (solved.status, solved.values) {
        (Status::Optimal | Status::TimeLimit, Some(v)) => {
            Some(Some(x.iter().map(|&c| v[c] > 0.5).collect()))
        }
        (Status::Infeasible, _) => Some(None),
        _ => None,
    }
}

fn nonzeros_estimate(inst: &Instance, kind: Kind, capacitated: bool) -> usize {
    let pairs: usize = inst.reach.iter().map(Vec::len).sum();
    match (kind, capacitated) {
        (Kind::Lscp | Kind::Mclp, false) => pairs + inst.demand(),
        (Kind::PCenter, _) => 3 * pairs,
        _ => 3 * pairs + inst.demand(),
    }
}

/// Where each variable of the formulation lives.
struct Layout {
    x: Vec<usize>,
    /// Per demand, the first z column; z of (i, k-th site of reach[i]) = z0[i] + k.
    z0: Option<Vec<usize>>,
    /// MCLP coverage variables (None for a demand without one).
    y: Option<Vec<Option<usize>>>,
    w: Option<usize>,
    cols: usize,
}

/// `inst` with the sites `fixing` proved closed taken out of every demand's reach.
fn without_closed(inst: &Instance, fixing: &Fixing) -> Instance {
    let mut reduced = inst.clone();
    for l in &mut reduced.reach {
        l.retain(|&(j, _)| !fixing.closed[j as usize]);
    }
    reduced
}

fn formulate(inst: &Instance, spec: &Spec, fixing: Option<&Fixing>) -> (Mip, Layout) {
    let n = inst.demand();
    let m = inst.sites;
    let cap = inst.capacity.as_ref();
    let dir = if spec.kind == Kind::Mclp {
        Direction::Maximise
    } else {
        Direction::Minimise
    };
    let mut mip = Mip::new(dir);
    let x: Vec<usize> = (0..m)
        .map(|j| {
            let obj = if spec.kind == Kind::Lscp { 1.0 } else { 0.0 };
            let fixed = |f: fn(&Fixing) -> &Vec<bool>| fixing.is_some_and(|x| f(x)[j]);
            let lo = if inst.forced[j] || fixed(|x| &x.open) {
                1.0
            } else {
                0.0
            };
            let hi = if fixed(|x| &x.closed) { 0.0 } else { 1.0 };
            mip.var(obj, lo, hi, true)
        })
        .collect();
    if let Some(p) = spec.p {
        if spec.kind != Kind::Lscp {
            let t: Vec<(usize, f64)> = (0..m)
                .filter(|&j| !inst.forced[j])
                .map(|j| (x[j], 1.0))
                .collect();
            mip.row(p as f64, p as f64, &t);
        }
    }
    if let Some(b) = spec.budget {
        let t: Vec<(usize, f64)> = (0..m)
            .filter(|&j| !inst.forced[j] && inst.site_cost[j] != 0.0)
            .map(|j| (x[j], inst.site_cost[j]))
            .collect();
        mip.row(f64::NEG_INFINITY, b, &t);
    }
    let mut layout = Layout {
        x: x.clone(),
        z0: None,
        y: None,
        w: None,
        cols: 0,
    };
    let uses_z = match spec.kind {
        Kind::Lscp | Kind::Mclp => cap.is_some(),
        Kind::PMedian | Kind::PCenter => true,
    };
    // p-center's W first, so the rows below can name it.
    if spec.kind == Kind::PCenter {
        layout.w = Some(mip.var(1.0, 0.0, f64::INFINITY, false));
    }
    if spec.kind == Kind::Mclp {
        let y: Vec<Option<usize>> = (0..n)
            .map(|i| {
                (!inst.reach[i].is_empty() && (inst.weight[i] > 0.0 || cap.is_some()))
                    .then(|| mip.var(inst.weight[i], 0.0, 1.0, cap.is_some()))
            })
            .collect();
        layout.y = Some(y);
    }
    if uses_z {
        // Binary assignments where spopt has them and continuity would change the optimum:
        // capacitated p-median and p-center (single sourcing).
        let binary = cap.is_some() && matches!(spec.kind, Kind::PMedian | Kind::PCenter);
        let mut z0 = Vec::with_capacity(n);
        for i in 0..n {
            z0.push(mip.num_vars());
            for &(_, c) in &inst.reach[i] {
                let obj = if spec.kind == Kind::PMedian {
                    inst.weight[i] * c
                } else {
                    0.0
                };
                mip.var(obj, 0.0, 1.0, binary);
            }
        }
        for i in 0..n {
            let zs: Vec<(usize, f64)> =
                (0..inst.reach[i].len()).map(|k| (z0[i] + k, 1.0)).collect();
            match (spec.kind, &layout.y) {
                (Kind::Mclp, Some(y)) => {
                    if let Some(yi) = y[i] {
                        let mut t = zs;
                        t.push((yi, -1.0));
                        mip.row(0.0, 0.0, &t);
                    } else if !zs.is_empty() {
                        mip.row(0.0, 0.0, &zs);
                    }
                }
                _ => mip.row(1.0, 1.0, &zs),
            }
            if cap.is_none() {
                // z_ij ≤ x_j (with capacities, the capacity rows imply it).
                for (k, &(j, _)) in inst.reach[i].iter().enumerate() {
                    mip.row(
                        f64::NEG_INFINITY,
                        0.0,
                        &[(z0[i] + k, 1.0), (x[j as usize], -1.0)],
                    );
                }
            }
            if spec.kind == Kind::PCenter {
                let mut t: Vec<(usize, f64)> = inst.reach[i]
                    .iter()
                    .enumerate()
                    .map(|(k, &(_, c))| (z0[i] + k, c))
                    .collect();
                if let Some(w) = layout.w {
                    t.push((w, -1.0));
                }
                mip.row(f64::NEG_INFINITY, 0.0, &t);
            }
        }
        if let Some(cap) = cap {
            let mut per_site: Vec<Vec<(usize, f64)>> = vec![Vec::new(); m];
            for (i, &first) in z0.iter().enumerate() {
                for (k, &(j, _)) in inst.reach[i].iter().enumerate() {
                    if inst.weight[i] != 0.0 {
                        per_site[j as usize].push((first + k, inst.weight[i]));
                    }
                }
            }
            for (j, mut t) in per_site.into_iter().enumerate() {
                t.push((x[j], -cap[j]));
                mip.row(f64::NEG_INFINITY, 0.0, &t);
            }
        }
        layout.z0 = Some(z0);
    } else {
        match spec.kind {
            Kind::Lscp => {
                for l in &inst.reach {
                    let t: Vec<(usize, f64)> =
                        l.iter().map(|&(j, _)| (x[j as usize], 1.0)).collect();
                    mip.row(1.0, f64::INFINITY, &t);
                }
            }
            Kind::Mclp => {
                if let Some(y) = &layout.y {
                    for (i, l) in inst.reach.iter().enumerate() {
                        if let Some(yi) = y[i] {
                            let mut t: Vec<(usize, f64)> =
                                l.iter().map(|&(j, _)| (x[j as usize], -1.0)).collect();
                            t.push((yi, 1.0));
                            mip.row(f64::NEG_INFINITY, 0.0, &t);
                        }
                    }
                }
            }
            _ => {}
        }
    }
    layout.cols = mip.num_vars();
    (mip, layout)
}

impl Layout {
    /// The plan that column values `v` describe.
    fn plan_of(&self, inst: &Instance, spec: &Spec, v: &[f64]) -> Plan {
        let open: Vec<bool> = self.x.iter().map(|&c| v[c] > 0.5).collect();
        let assign: Vec<Option<(u32, f64)>> = match &self.z0 {
            // The largest share (ties: the cheaper site, as reach is sorted by cost).
            Some(z0) if inst.capacity.is_some() => (0..inst.demand())
                .map(|i| {
                    let mut best: Option<(usize, f64)> = None;
                    for k in 0..inst.reach[i].len() {
                        let z = v[z0[i] + k];
                        if z > 1e-6 && best.is_none_or(|b| z > b.1 + 1e-9) {
                            best = Some((k, z));
                        }
                    }
                    best.map(|(k, _)| inst.reach[i][k])
                })
                .collect(),
            _ => heuristic::nearest_open(inst, &open),
        };
        let objective = objective_of(inst, spec.kind, &open, &assign);
        Plan {
            open,
            assign,
            objective,
            bound: None,
            status: "optimal",
            method: "exact",
            elapsed: Duration::ZERO,
            fixing: None,
        }
    }

    /// Column values for a (heuristic, uncapacitated) plan, as a warm start.
    fn values_of(&self, inst: &Instance, spec: &Spec, plan: &Plan) -> Vec<f64> {
        let mut v = vec![0.0; self.cols];
        for (j, &c) in self.x.iter().enumerate() {
            v[c] = if plan.open[j] { 1.0 } else { 0.0 };
        }
        if let Some(z0) = &self.z0 {
            for i in 0..inst.demand() {
                if let Some((j, _)) = plan.assign[i] {
                    if let Some(k) = inst.reach[i].iter().position(|&(s, _)| s == j) {
                        v[z0[i] + k] = 1.0;
                    }
                }
            }
        }
        if let Some(y) = &self.y {
            for (i, yi) in y.iter().enumerate() {
                if let Some(c) = yi {
                    v[*c] = if plan.assign[i].is_some() { 1.0 } else { 0.0 };
                }
            }
        }
        if let Some(w) = self.w {
            v[w] = plan.objective;
        }
        let _ = spec;
        v
    }
}

/// The model's objective for open sites and an assignment: LSCP the number of open sites,
/// MCLP the covered weight, p-median Σ w·cost, p-center the largest cost.
pub fn objective_of(
    inst: &Instance,
    kind: Kind,
    open: &[bool],
    assign: &[Option<(u32, f64)>],
) -> f64 {
    match kind {
        Kind::Lscp => open.iter().filter(|o| **o).count() as f64,
        Kind::Mclp => assign
            .iter()
            .zip(&inst.weight)
            .filter(|(a, _)| a.is_some())
            .map(|(_, w)| *w)
            .sum(),
        Kind::PMedian => assign
            .iter()
            .zip(&inst.weight)
            .map(|(a, w)| a.map_or(f64::INFINITY, |(_, c)| w * c))
            .sum(),
        Kind::PCenter => assign
            .iter()
            .map(|a| a.map_or(f64::INFINITY, |(_, c)| c))
            .fold(0.0, f64::max),
    }
}
