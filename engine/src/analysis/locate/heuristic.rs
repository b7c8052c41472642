//! Greedy construction + interchange (swap) local search for the uncapacitated MCLP,
//! p-median and p-center, with a bound so the gap of the result is honest:
//! - MCLP: a Lagrangian bound (coverage rows relaxed, subgradient steps), which is as tight
//!   as the LP relaxation at its best and costs one pass over the coverage pairs per step;
//!   its relaxed picks are plans too, and it fixes sites as the p-median's does. With whole
//!   weights the bound is rounded down, which often proves the plan optimal with no MILP;
//! - p-median: a Lagrangian bound (assignment rows relaxed, Beasley 1993), which also
//!   proves sites closed or open in every plan better than the heuristic's, so the exact
//!   model that follows is built without them;
//! - p-center: max_i (cost to the nearest candidate).
//!
//! MCLP and p-median share one "sum" machinery: a demand pays `f(i, c)` at an open site in
//! reach (MCLP 0, p-median w_i·c) and `D_i` when none is (MCLP w_i, i.e. uncovered; p-median
//! a large penalty). Swaps are evaluated for every (in, out) pair at once from each
//! demand's best and second-best open site (Whitaker's fast interchange).

use super::models::{objective_of, Instance, Kind, Plan, Spec};
use std::time::{Duration, Instant};

/// Per demand, the cheapest open site in reach and its cost.
pub fn nearest_open(inst: &Instance, open: &[bool]) -> Vec<Option<(u32, f64)>> {
    inst.reach
        .iter()
        .map(|l| l.iter().copied().find(|&(j, _)| open[j as usize]))
        .collect()
}

/// The heuristic plan (None for models it does not handle: LSCP, capacitated ones).
pub fn solve(inst: &Instance, spec: &Spec) -> Option<Plan> {
    if inst.capacity.is_some() || spec.kind == Kind::Lscp {
        return None;
    }
    let start = Instant::now();
    let rev = inst.reverse();
    // Local search gets at most half the time limit; the exact solver the rest.
    let deadline = start + spec.time_limit / 2;
    let mut open = match spec.kind {
        Kind::PCenter => center_search(inst, spec, &rev, deadline),
        _ => sum_search(inst, spec, &rev, deadline, None),
    };
    let mut assign = nearest_open(inst, &open);
    let mut objective = objective_of(inst, spec.kind, &open, &assign);
    let mut fixing = None;
    let bound = match spec.kind {
        Kind::Mclp => {
            let lag = mclp_lagrangian(inst, spec, &rev, objective, start);
            // As for the p-median: a relaxed pick that covers more is a better start.
            if let Some((obj, from)) = lag.primal {
                if obj > objective {
                    open = sum_search(inst, spec, &rev, deadline, Some(from));
                    assign = nearest_open(inst, &open);
                    objective = objective_of(inst, spec.kind, &open, &assign);
                }
            }
            // Fix again at the best multipliers, against the final (highest) objective.
            let mut f = lag.fixing;
            if let Some(p) = spec.p.filter(|_| spec.budget.is_none()) {
                let (l, v, _) = mclp_relaxed(inst, spec, &rev, &lag.lambda);
                let tol = 1e-9 * objective.abs().max(1.0);
                fix_sites(inst, p, &v, -l, -(objective - tol), &mut f);
            }
            fixing = f.closed.iter().chain(&f.open).any(|&b| b).then_some(f);
            // With whole weights the optimum is whole too.
            Some(if integral_weights(inst) {
                (lag.bound + 1e-9 * lag.bound.abs().max(1.0)).floor()
            } else {
                lag.bound
            })
        }
        Kind::PMedian => {
            let lag = pmedian_lagrangian(inst, spec, &rev, objective, start);
            // The interchange stops at a local optimum (1.8 % above the optimum on the
            // 2,000 × 200 bench); the Lagrangian's own plans are often better starts.
            if let Some((obj, from)) = lag.primal {
                if obj < objective {
                    open = sum_search(inst, spec, &rev, deadline, Some(from));
                    assign = nearest_open(inst, &open);
                    objective = objective_of(inst, spec.kind, &open, &assign);
                }
            }
            // Fix again at the best multipliers, against the final (lowest) objective.
            let mut f = lag.fixing;
            if let Some(p) = spec.p.filter(|_| spec.budget.is_none()) {
                let v = site_values(inst, &rev, &lag.lambda);
                let (inner, _) = relaxed_pick(inst, spec, &v);
                let l = lag.lambda.iter().sum::<f64>() - inner;
                fix_sites(
                    inst,
                    p,
                    &v,
                    l,
                    objective + 1e-9 * objective.abs().max(1.0),
                    &mut f,
                );
            }
            fixing = f.closed.iter().chain(&f.open).any(|&b| b).then_some(f);
            Some(lag.bound)
        }
        _ => Some(
            inst.reach
                .iter()
                .map(|l| l.first().map_or(0.0, |x| x.1))
                .fold(0.0, f64::max),
        ),
    }
    .map(|b| match spec.kind {
        // A bound never better than a proven solution: clamp rounding noise.
        Kind::Mclp => b.max(objective),
        _ => b.min(objective),
    });
    Some(Plan {
        open,
        assign,
        objective,
        bound,
        status: "heuristic",
        method: "heuristic",
        elapsed: start.elapsed(),
        fixing,
    })
}

/// Sites a Lagrangian bound proved closed (or open) in every plan better than a known one:
/// the exact model is built without them (or with them open), which shrinks it without
/// losing an optimum.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Fixing {
    /// Proven closed.
    pub closed: Vec<bool>,
    /// Proven open (new sites; they count in `p`).
    pub open: Vec<bool>,
}

/// Lagrangian bound of the uncapacitated p-median (Beasley 1993). The assignment rows
/// Σ_j z_ij = 1 are relaxed with free multipliers λ_i:
/// `L(λ) = Σ_i λ_i + min_x Σ_j x_j ρ_j`, `ρ_j = Σ_{i ∈ N_j} min(0, w_i c_ij − λ_i)`,
/// the inner min over the count / budget rows in relaxed form ([`relaxed_pick`] on −ρ), so
/// every `L(λ)` is a valid bound; subgradient `g_i = 1 − #{open j : w_i c_ij < λ_i}`.
/// With `p` and no budget every `L(λ)` also fixes sites: forcing a site into (out of) the
/// relaxed pick raises L by its exchange with the p-th ((p+1)-th) best value, and a site
/// whose forced L exceeds `upper` (the heuristic's objective) is in no better plan.
fn pmedian_lagrangian(
    inst: &Instance,
    spec: &Spec,
    rev: &[Vec<(u32, f64)>],
    upper: f64,
    start: Instant,
) -> Lagrangian {
    let n = inst.demand();
    let m = inst.sites;
    let budget_time = (spec.time_limit / 4).min(Duration::from_secs(3));
    let cost = |i: usize, c: f64| inst.weight[i] * c;
    // Start at the trivial bound: every demand at its cheapest site.
    let mut lambda: Vec<f64> = (0..n)
        .map(|i| inst.reach[i].first().map_or(0.0, |&(_, c)| cost(i, c)))
        .collect();
    let fix_p = spec.p.filter(|_| spec.budget.is_none());
    let mut out = Lagrangian {
        bound: f64::NEG_INFINITY,
        lambda: lambda.clone(),
        fixing: Fixing {
            closed: vec![false; m],
            open: vec![false; m],
        },
        primal: None,
    };
    let mut upper = upper;
    let mut theta = 2.0;
    let mut since_better = 0;
    let mut x = vec![false; m];
    let mut g = vec![0.0; n];
    for _ in 0..1000 {
        let v = site_values(inst, rev, &lambda);
        let (inner, chosen) = relaxed_pick(inst, spec, &v);
        let l = lambda.iter().sum::<f64>() - inner;
        x.iter_mut().for_each(|b| *b = false);
        for &j in &chosen {
            x[j] = true;
        }
        // The relaxed pick is itself a plan (with p and no budget): keep the best.
        if fix_p.is_some() {
            let assign = nearest_open(inst, &x);
            if assign.iter().all(Option::is_some) {
                let obj = objective_of(inst, Kind::PMedian, &x, &assign);
                if obj < upper {
                    upper = obj;
                    out.primal = Some((obj, x.clone()));
                }
            }
        }
        let tol = 1e-9 * upper.abs().max(1.0);
        if let Some(p) = fix_p {
            fix_sites(inst, p, &v, l, upper + tol, &mut out.fixing);
        }
        if !out.bound.is_finite() || l > out.bound + 1e-12 * out.bound.abs().max(1.0) {
            out.bound = l;
            out.lambda.clone_from(&lambda);
            since_better = 0;
        } else {
            since_better += 1;
            if since_better >= 20 {
                theta /= 2.0;
                since_better = 0;
            }
        }
        if upper - out.bound <= tol || theta < 1e-4 || start.elapsed() > budget_time {
            break;
        }
        let mut norm = 0.0;
        for i in 0..n {
            let served = inst.reach[i]
                .iter()
                .take_while(|&&(_, c)| cost(i, c) < lambda[i])
                .filter(|&&(j, _)| x[j as usize])
                .count() as f64;
            g[i] = 1.0 - served;
            norm += g[i] * g[i];
        }
        if norm == 0.0 {
            break;
        }
        let step = theta * (upper - l).max(tol) / norm;
        for i in 0..n {
            lambda[i] += step * g[i];
        }
    }
    out
}

/// What [`pmedian_lagrangian`] or [`mclp_lagrangian`] found.
struct Lagrangian {
    /// The best bound.
    bound: f64,
    /// The multipliers that gave it.
    lambda: Vec<f64>,
    /// Sites fixed along the way.
    fixing: Fixing,
    /// The best plan among the relaxed picks, when better than the heuristic's.
    primal: Option<(f64, Vec<bool>)>,
}

/// −ρ_j = −Σ_{i ∈ N_j} min(0, w_i c_ij − λ_i) ≥ 0: what opening site j saves at multipliers λ.
fn site_values(inst: &Instance, rev: &[Vec<(u32, f64)>], lambda: &[f64]) -> Vec<f64> {
    rev.iter()
        .map(|r| {
            -r.iter()
                .map(|&(i, c)| (inst.weight[i as usize] * c - lambda[i as usize]).min(0.0))
                .sum::<f64>()
        })
        .collect()
}

/// With the relaxed pick's values `v` (top `p` new sites, existing ones always in) and its
/// bound `l`: a new site outside the top p whose forced entry would lift the bound above
/// `limit` is closed; one inside whose forced exit would is open.
fn fix_sites(inst: &Instance, p: usize, v: &[f64], l: f64, limit: f64, fixing: &mut Fixing) {
    let mut new: Vec<usize> = (0..inst.sites).filter(|&j| !inst.forced[j]).collect();
    if p == 0 || p > new.len() {
        return;
    }
    new.sort_by(|&a, &b| v[b].total_cmp(&v[a]).then(a.cmp(&b)));
    let pth = v[new[p - 1]];
    let next = new.get(p).map(|&j| v[j]);
    for (rank, &j) in new.iter().enumerate() {
        if rank >= p {
            if l + (pth - v[j]) > limit {
                fixing.closed[j] = true;
            }
        } else if let Some(next) = next {
            if l + (v[j] - next) > limit {
                fixing.open[j] = true;
            }
        }
    }
}

/// Budget and count bookkeeping shared by the searches.
struct Limits<'a> {
    inst: &'a Instance,
    p: Option<usize>,
    budget: Option<f64>,
}

impl Limits<'_> {
    fn spent(&self, open: &[bool]) -> f64 {
        (0..open.len())
            .filter(|&j| open[j] && !self.inst.forced[j])
            .map(|j| self.inst.site_cost[j])
            .sum()
    }

    /// Can `j` be added now so that `p` can still be reached within the budget?
    fn can_add(&self, open: &[bool], j: usize, added: usize) -> bool {
        let Some(b) = self.budget else {
            return true;
        };
        let rest = b - self.spent(open) - self.inst.site_cost[j];
        if rest < -1e-9 * b.abs().max(1.0) {
            return false;
        }
        let Some(p) = self.p else {
            return true;
        };
        let need = p.saturating_sub(added + 1);
        let mut cheapest: Vec<f64> = (0..open.len())
            .filter(|&k| !open[k] && k != j && !self.inst.forced[k])
            .map(|k| self.inst.site_cost[k])
            .collect();
        cheapest.sort_by(f64::total_cmp);
        cheapest.iter().take(need).sum::<f64>() <= rest + 1e-9 * b.abs().max(1.0)
    }
}

/// Greedy construction (or `from`, when given) then best-improvement interchange.
fn sum_search(
    inst: &Instance,
    spec: &Spec,
    rev: &[Vec<(u32, f64)>],
    deadline: Instant,
    from: Option<Vec<bool>>,
) -> Vec<bool> {
    let n = inst.demand();
    let m = inst.sites;
    let mclp = spec.kind == Kind::Mclp;
    let max_cost = inst
        .reach
        .iter()
        .flat_map(|l| l.last().map(|x| x.1))
        .fold(0.0, f64::max);
    let total_w: f64 = inst.weight.iter().sum();
    let penalty = 1e3 * (max_cost * total_w.max(1.0) + 1.0);
    let f = |i: usize, c: f64| if mclp { 0.0 } else { inst.weight[i] * c };
    let dflt: Vec<f64> = (0..n)
        .map(|i| if mclp { inst.weight[i] } else { penalty })
        .collect();
    let lim = Limits {
        inst,
        p: spec.p,
        budget: spec.budget,
    };

    let mut open = match from {
        Some(open) => open,
        None => greedy(inst, spec, rev, &lim, &f, &dflt),
    };

    // Interchange: best swap per pass until none improves.
    let mut s1 = vec![u32::MAX; n];
    let mut b1 = vec![0.0; n];
    let mut b2 = vec![0.0; n];
    let mut extra = vec![0.0; m];
    let mut touched: Vec<usize> = Vec::new();
    let mut loss = vec![0.0; m];
    let scale = total_w.max(1.0) * max_cost.max(1.0);
    let mut passes = 0;
    while Instant::now() < deadline && passes < 10 * m.max(1) {
        passes += 1;
        for i in 0..n {
            let mut it = inst.reach[i].iter().filter(|&&(j, _)| open[j as usize]);
            match it.next() {
                Some(&(j, c)) => {
                    s1[i] = j;
                    b1[i] = f(i, c);
                    b2[i] = it.next().map_or(dflt[i], |&(_, c2)| f(i, c2));
                }
                None => {
                    s1[i] = u32::MAX;
                    b1[i] = dflt[i];
                    b2[i] = dflt[i];
                }
            }
        }
        loss.iter_mut().for_each(|l| *l = 0.0);
        for i in 0..n {
            if s1[i] != u32::MAX {
                loss[s1[i] as usize] += b2[i] - b1[i];
            }
        }
        let spent = lim.spent(&open);
        let outs: Vec<usize> = (0..m).filter(|&j| open[j] && !inst.forced[j]).collect();
        let mut best: Option<(usize, usize, f64)> = None;
        for j_in in 0..m {
            if open[j_in] {
                continue;
            }
            let mut gain = 0.0;
            for &(i, c) in &rev[j_in] {
                let i = i as usize;
                let v = f(i, c);
                if v < b1[i] {
                    gain += b1[i] - v;
                    if s1[i] != u32::MAX {
                        let s = s1[i] as usize;
                        if extra[s] == 0.0 {
                            touched.push(s);
                        }
                        extra[s] -= b2[i] - b1[i];
                    }
                } else if v < b2[i] && s1[i] != u32::MAX {
                    let s = s1[i] as usize;
                    if extra[s] == 0.0 {
                        touched.push(s);
                    }
                    extra[s] -= b2[i] - v;
                }
            }
            for &j_out in &outs {
                if let Some(b) = spec.budget {
                    let after = spent - inst.site_cost[j_out] + inst.site_cost[j_in];
                    if after > b + 1e-9 * b.abs().max(1.0) {
                        continue;
                    }
                }
                let delta = -gain + loss[j_out] + extra[j_out];
                if best.is_none_or(|b| delta < b.2) {
                    best = Some((j_in, j_out, delta));
                }
            }
            // Budget-only plans may also just add an affordable site.
            if spec.p.is_none() && lim.can_add(&open, j_in, 0) {
                let delta = -gain;
                if best.is_none_or(|b| delta < b.2) {
                    best = Some((j_in, usize::MAX, delta));
                }
            }
            for &s in &touched {
                extra[s] = 0.0;
            }
            touched.clear();
        }
        match best {
            Some((j_in, j_out, delta)) if delta < -1e-9 * scale => {
                open[j_in] = true;
                if j_out != usize::MAX {
                    open[j_out] = false;
                }
            }
            _ => break,
        }
    }
    open
}

/// Greedy: add the site that lowers the total most (per rupiah when only a budget binds).
fn greedy(
    inst: &Instance,
    spec: &Spec,
    rev: &[Vec<(u32, f64)>],
    lim: &Limits,
    f: &dyn Fn(usize, f64) -> f64,
    dflt: &[f64],
) -> Vec<bool> {
    let m = inst.sites;
    let mut open = inst.forced.clone();
    let mut b1 = dflt.to_vec();
    for j in (0..m).filter(|&j| open[j]) {
        for &(i, c) in &rev[j] {
            let i = i as usize;
            b1[i] = b1[i].min(f(i, c));
        }
    }
    let mut added = 0;
    loop {
        if spec.p.is_some_and(|p| added >= p) {
            break;
        }
        let mut best: Option<(usize, f64, f64)> = None;
        for j in 0..m {
            if open[j] || !lim.can_add(&open, j, added) {
                continue;
            }
            let gain: f64 = rev[j]
                .iter()
                .map(|&(i, c)| (b1[i as usize] - f(i as usize, c)).max(0.0))
                .sum();
            let score = if spec.p.is_none() {
                let cost = inst.site_cost[j];
                if cost > 0.0 {
                    gain / cost
                } else if gain > 0.0 {
                    f64::INFINITY
                } else {
                    0.0
                }
            } else {
                gain
            };
            if best.is_none_or(|b| score > b.1) {
                best = Some((j, score, gain));
            }
        }
        let Some((j, _, gain)) = best else { break };
        if spec.p.is_none() && gain <= 0.0 {
            break;
        }
        open[j] = true;
        added += 1;
        for &(i, c) in &rev[j] {
            let i = i as usize;
            b1[i] = b1[i].min(f(i, c));
        }
    }

    open
}

fn center_search(
    inst: &Instance,
    spec: &Spec,
    rev: &[Vec<(u32, f64)>],
    deadline: Instant,
) -> Vec<bool> {
    let n = inst.demand();
    let m = inst.sites;
    let lim = Limits {
        inst,
        p: spec.p,
        budget: spec.budget,
    };
    let mut open = inst.forced.clone();
    let mut b1 = vec![f64::INFINITY; n];
    for j in (0..m).filter(|&j| open[j]) {
        for &(i, c) in &rev[j] {
            b1[i as usize] = b1[i as usize].min(c);
        }
    }
    // Greedy: add the site that lowers the maximum most (ties: the sum).
    let mut added = 0;
    let mut cand = vec![0.0; n];
    while spec.p.is_none_or(|p| added < p) {
        let mut best: Option<(usize, f64, f64)> = None;
        for j in 0..m {
            if open[j] || !lim.can_add(&open, j, added) {
                continue;
            }
            cand.copy_from_slice(&b1);
            for &(i, c) in &rev[j] {
                cand[i as usize] = cand[i as usize].min(c);
            }
            let mx = cand.iter().copied().fold(0.0, f64::max);
            let sum: f64 = cand.iter().map(|c| c.min(1e300)).sum();
            if best.is_none_or(|b| mx < b.1 || (mx == b.1 && sum < b.2)) {
                best = Some((j, mx, sum));
            }
        }
        let Some((j, mx, _)) = best else { break };
        if spec.p.is_none() && mx >= b1.iter().copied().fold(0.0, f64::max) {
            break;
        }
        open[j] = true;
        added += 1;
        for &(i, c) in &rev[j] {
            b1[i as usize] = b1[i as usize].min(c);
        }
    }
    // Interchange on the maximum (ties broken by the sum of costs, so plateaus move).
    let mut passes = 0;
    while Instant::now() < deadline && passes < 10 * m.max(1) {
        passes += 1;
        let current = eval_center(inst, &open);
        let spent = lim.spent(&open);
        let outs: Vec<usize> = (0..m).filter(|&j| open[j] && !inst.forced[j]).collect();
        let mut best: Option<(usize, usize, (f64, f64))> = None;
        let ins: Vec<usize> = (0..m).filter(|&j| !open[j]).collect();
        for j_in in ins {
            for &j_out in &outs {
                if let Some(b) = spec.budget {
                    let after = spent - inst.site_cost[j_out] + inst.site_cost[j_in];
                    if after > b + 1e-9 * b.abs().max(1.0) {
                        continue;
                    }
                }
                open[j_in] = true;
                open[j_out] = false;
                let v = eval_center(inst, &open);
                open[j_in] = false;
                open[j_out] = true;
                if best.is_none_or(|b| v < b.2) {
                    best = Some((j_in, j_out, v));
                }
            }
            if Instant::now() >= deadline {
                break;
            }
        }
        match best {
            Some((j_in, j_out, v))
                if v.0 < current.0 - 1e-12 * current.0.abs().max(1.0)
                    || (v.0 <= current.0 && v.1 < current.1 - 1e-9 * current.1.abs().max(1.0)) =>
            {
                open[j_in] = true;
                open[j_out] = false;
            }
            _ => break,
        }
    }
    open
}

/// (max, sum) of the cost to the nearest open site.
fn eval_center(inst: &Instance, open: &[bool]) -> (f64, f64) {
    let mut mx: f64 = 0.0;
    let mut sum = 0.0;
    for l in &inst.reach {
        let c = l
            .iter()
            .find(|&&(j, _)| open[j as usize])
            .map_or(f64::INFINITY, |x| x.1);
        mx = mx.max(c);
        sum += c.min(1e300);
    }
    (mx, sum)
}

/// Lagrangian bound of the uncapacitated MCLP: the coverage rows y_i ≤ Σ_{N_i} x_j are
/// relaxed with multipliers λ_i ≥ 0, `L(λ) = Σ_i max(0, w_i − λ_i) + max_x Σ_j x_j v_j`,
/// `v_j = Σ_{i ∈ N_j} λ_i`, the inner max over the count / budget rows in relaxed form, so
/// every `L(λ)` is a valid upper bound; subgradient `g_i = Σ_{N_i} x_j − y_i`. Each relaxed
/// pick is also a plan (kept when it covers more than `lower`), and with `p` and no budget
/// every `L(λ)` fixes sites as [`fix_sites`] does. With integer weights every plan's
/// coverage is an integer, so the search may stop once the bound is within 1 of `lower`.
fn mclp_lagrangian(
    inst: &Instance,
    spec: &Spec,
    rev: &[Vec<(u32, f64)>],
    lower: f64,
    start: Instant,
) -> Lagrangian {
    let n = inst.demand();
    let m = inst.sites;
    let budget_time = (spec.time_limit / 4).min(Duration::from_secs(3));
    let integral = integral_weights(inst);
    let mut lambda: Vec<f64> = (0..n)
        .map(|i| {
            if inst.reach[i].is_empty() {
                0.0
            } else {
                inst.weight[i] / inst.reach[i].len() as f64
            }
        })
        .collect();
    let fix_p = spec.p.filter(|_| spec.budget.is_none());
    let mut out = Lagrangian {
        bound: f64::INFINITY,
        lambda: lambda.clone(),
        fixing: Fixing {
            closed: vec![false; m],
            open: vec![false; m],
        },
        primal: None,
    };
    let mut lower = lower;
    let mut theta = 2.0;
    let mut since_better = 0;
    let mut x = vec![false; m];
    let mut g = vec![0.0; n];
    for _ in 0..500 {
        let (l, v, chosen) = mclp_relaxed(inst, spec, rev, &lambda);
        x.iter_mut().for_each(|b| *b = false);
        for j in chosen {
            x[j] = true;
        }
        // The relaxed pick opens exactly what the count or budget allows: a plan.
        let covered: f64 = (0..n)
            .filter(|&i| inst.reach[i].iter().any(|&(j, _)| x[j as usize]))
            .map(|i| inst.weight[i])
            .sum();
        if covered > lower && fits(inst, spec, &x) {
            lower = covered;
            out.primal = Some((covered, x.clone()));
        }
        let tol = 1e-9 * lower.abs().max(1.0);
        if let Some(p) = fix_p {
            // Maximising: a site whose forced entry drops the bound below `lower` is in no
            // plan as good as the one known (fix_sites works on −L for a minimum).
            fix_sites(inst, p, &v, -l, -(lower - tol), &mut out.fixing);
        }
        if !out.bound.is_finite() || l < out.bound - 1e-12 * out.bound.abs().max(1.0) {
            out.bound = l;
            out.lambda.clone_from(&lambda);
            since_better = 0;
        } else {
            since_better += 1;
            if since_better >= 20 {
                theta /= 2.0;
                since_better = 0;
            }
        }
        let proven = if integral {
            (out.bound + tol).floor() <= lower
        } else {
            out.bound - lower <= tol
        };
        if proven || theta < 1e-4 || start.elapsed() > budget_time {
            break;
        }
        // Subgradient of L at λ: Σ_{N_i} x_j − y_i.
        let mut norm = 0.0;
        for i in 0..n {
            if inst.reach[i].is_empty() {
                g[i] = 0.0;
                continue;
            }
            let y = if inst.weight[i] > lambda[i] { 1.0 } else { 0.0 };
            let cover = inst.reach[i]
                .iter()
                .filter(|&&(j, _)| x[j as usize])
                .count() as f64;
            g[i] = cover - y;
            norm += g[i] * g[i];
        }
        if norm == 0.0 {
            break;
        }
        let step = theta * (l - lower).max(tol) / norm;
        for i in 0..n {
            lambda[i] = (lambda[i] - step * g[i]).max(0.0);
        }
    }
    out
}

/// `L(λ)` of the MCLP relaxation, the site values `v` and the sites the relaxed pick opens.
fn mclp_relaxed(
    inst: &Instance,
    spec: &Spec,
    rev: &[Vec<(u32, f64)>],
    lambda: &[f64],
) -> (f64, Vec<f64>, Vec<usize>) {
    let v: Vec<f64> = rev
        .iter()
        .map(|r| r.iter().map(|&(i, _)| lambda[i as usize]).sum())
        .collect();
    let (inner, chosen) = relaxed_pick(inst, spec, &v);
    // Demand with no site in reach cannot be covered: y_i = 0 for it.
    let free: f64 = (0..inst.demand())
        .filter(|&i| !inst.reach[i].is_empty())
        .map(|i| (inst.weight[i] - lambda[i]).max(0.0))
        .sum();
    (free + inner, v, chosen)
}

/// Are all demand weights whole numbers (so every plan's MCLP coverage is one)?
pub fn integral_weights(inst: &Instance) -> bool {
    inst.weight
        .iter()
        .all(|w| w.fract() == 0.0 && w.abs() < 9.0e15)
}

/// Is a relaxed pick a plan: exactly `p` new sites, within the budget? (With both limits the
/// pick follows whichever binds, and may break the other.)
fn fits(inst: &Instance, spec: &Spec, open: &[bool]) -> bool {
    let new = (0..inst.sites).filter(|&j| open[j] && !inst.forced[j]);
    spec.p.is_none_or(|p| new.clone().count() == p)
        && spec.budget.is_none_or(|b| {
            let spent: f64 = new.map(|j| inst.site_cost[j]).sum();
            spent <= b + 1e-9 * b.abs().max(1.0)
        })
}

/// max Σ v_j x_j over the open-site choices, relaxed: existing sites are in; then the top
/// `p` new sites, or a fractional knapsack under the budget (the smaller of the two when
/// both bind). Returns the value and the sites picked (for the subgradient).
fn relaxed_pick(inst: &Instance, spec: &Spec, v: &[f64]) -> (f64, Vec<usize>) {
    let m = inst.sites;
    let forced: f64 = (0..m).filter(|&j| inst.forced[j]).map(|j| v[j]).sum();
    let mut picked: Vec<usize> = (0..m).filter(|&j| inst.forced[j]).collect();
    let mut new: Vec<usize> = (0..m).filter(|&j| !inst.forced[j]).collect();
    let mut best = f64::INFINITY;
    let mut chosen: Vec<usize> = Vec::new();
    if let Some(p) = spec.p {
        new.sort_by(|&a, &b| v[b].total_cmp(&v[a]).then(a.cmp(&b)));
        let top: f64 = new.iter().take(p).map(|&j| v[j]).sum();
        best = top;
        chosen = new.iter().take(p).copied().collect();
    }
    if let Some(b) = spec.budget {
        let ratio = |j: usize| {
            let c = inst.site_cost[j];
            if c > 0.0 {
                v[j] / c
            } else {
                f64::INFINITY
            }
        };
        new.sort_by(|&a, &b| ratio(b).total_cmp(&ratio(a)).then(a.cmp(&b)));
        let (mut left, mut val) = (b, 0.0);
        let mut take = Vec::new();
        for &j in &new {
            let c = inst.site_cost[j];
            if c <= left {
                left -= c;
                val += v[j];
                take.push(j);
            } else {
                val += v[j] * (left / c);
                break;
            }
        }
        if val < best {
            best = val;
            chosen = take;
        }
    }
    picked.extend(chosen);
    (forced + best, picked)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::locate::models::{solve as solve_model, Method};

    /// Demand on a line at 0..10, sites at the same places, euclidean costs.
    fn line(n: usize, radius: Option<f64>) -> Instance {
        let reach = (0..n)
            .map(|i| {
                let mut l: Vec<(u32, f64)> = (0..n)
                    .map(|j| (j as u32, (i as f64 - j as f64).abs()))
                    .filter(|x| radius.is_none_or(|r| x.1 <= r))
                    .collect();
                l.sort_by(|a, b| a.1.total_cmp(&b.1).then(a.0.cmp(&b.0)));
                l
            })
            .collect();
        Instance {
            weight: (0..n).map(|i| 1.0 + (i % 3) as f64).collect(),
            reach,
            sites: n,
            forced: vec![false; n],
            site_cost: vec![1.0; n],
            capacity: None,
        }
    }

    fn spec(kind: Kind, p: usize, method: Method) -> Spec {
        Spec {
            kind,
            p: Some(p),
            budget: None,
            method,
            time_limit: Duration::from_secs(20),
        }
    }

    #[test]
    fn heuristic_never_beats_the_optimum_and_bounds_hold() {
        for kind in [Kind::Mclp, Kind::PMedian, Kind::PCenter] {
            let inst = line(25, if kind == Kind::Mclp { Some(2.0) } else { None });
            let h = solve(&inst, &spec(kind, 3, Method::Heuristic)).expect("heuristic");
            let e = solve_model(&inst, &spec(kind, 3, Method::Exact)).expect("exact");
            assert_eq!(e.status, "optimal");
            let (ho, eo, b) = (h.objective, e.objective, h.bound.expect("bound"));
            if kind == Kind::Mclp {
                assert!(ho <= eo + 1e-9 && b >= eo - 1e-9, "{kind:?} {ho} {eo} {b}");
            } else {
                assert!(ho >= eo - 1e-9 && b <= eo + 1e-9, "{kind:?} {ho} {eo} {b}");
            }
            // On a line the interchange reaches the optimum.
            assert!(
                (ho - eo).abs() <= 1e-9 * eo.abs().max(1.0),
                "{kind:?} {ho} vs {eo}"
            );
        }
    }

    /// Random points in a 100 × 100 square (a fixed LCG), every site in reach of all.
    fn scatter(n: usize, m: usize, seed: u64) -> Instance {
        let mut s = seed;
        let mut next = move || {
            s = s
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (s >> 11) as f64 / (1u64 << 53) as f64 * 100.0
        };
        let d: Vec<(f64, f64)> = (0..n).map(|_| (next(), next())).collect();
        let c: Vec<(f64, f64)> = (0..m).map(|_| (next(), next())).collect();
        let reach = d
            .iter()
            .map(|a| {
                let mut l: Vec<(u32, f64)> = c
                    .iter()
                    .enumerate()
                    .map(|(j, b)| (j as u32, (a.0 - b.0).hypot(a.1 - b.1)))
                    .collect();
                l.sort_by(|a, b| a.1.total_cmp(&b.1).then(a.0.cmp(&b.0)));
                l
            })
            .collect();
        Instance {
            weight: (0..n).map(|i| 1.0 + (i % 5) as f64).collect(),
            reach,
            sites: m,
            forced: vec![false; m],
            site_cost: vec![1.0; m],
            capacity: None,
        }
    }

    /// Every plan of three open sites with its objective, by brute force.
    fn every_plan_of_three(inst: &Instance, kind: Kind) -> Vec<(f64, Vec<bool>)> {
        let m = inst.sites;
        let mut plans = Vec::new();
        for a in 0..m {
            for b in a + 1..m {
                for c in b + 1..m {
                    let mut open = vec![false; m];
                    for j in [a, b, c] {
                        open[j] = true;
                    }
                    let assign = nearest_open(inst, &open);
                    plans.push((objective_of(inst, kind, &open, &assign), open));
                }
            }
        }
        plans
    }

    /// None of `plans` (those at least as good as the known one) uses a site `f` closed or
    /// lacks one it opened.
    fn fixing_spares<'a>(plans: impl Iterator<Item = &'a (f64, Vec<bool>)>, f: &Fixing, seed: u64) {
        for (obj, open) in plans {
            for (j, &is_open) in open.iter().enumerate() {
                assert!(
                    !(is_open && f.closed[j]),
                    "seed {seed}: {obj} uses closed {j}"
                );
                assert!(is_open || !f.open[j], "seed {seed}: {obj} lacks open {j}");
            }
        }
    }

    #[test]
    fn pmedian_lagrangian_bounds_and_fixes_only_what_no_optimum_uses() {
        let (m, p) = (12, 3);
        for seed in 1..=6 {
            let inst = scatter(40, m, seed);
            let plans = every_plan_of_three(&inst, Kind::PMedian);
            let opt = plans.iter().map(|x| x.0).fold(f64::INFINITY, f64::min);
            let sp = spec(Kind::PMedian, p, Method::Auto);
            let rev = inst.reverse();
            // With the optimum itself as the upper value (the most fixing), and a 5 % worse one.
            for upper in [opt, opt * 1.05] {
                let lag = pmedian_lagrangian(&inst, &sp, &rev, upper, Instant::now());
                let (bound, fixing) = (lag.bound, Some(lag.fixing));
                assert!(
                    bound <= opt * (1.0 + 1e-9),
                    "seed {seed}: bound {bound} > {opt}"
                );
                assert!(
                    bound >= 0.9 * opt,
                    "seed {seed}: weak bound {bound} vs {opt}"
                );
                let Some(f) = fixing else { continue };
                let upper = lag.primal.map_or(upper, |x| x.0);
                fixing_spares(plans.iter().filter(|x| x.0 <= upper), &f, seed);
            }
            let e = solve_model(&inst, &spec(Kind::PMedian, p, Method::Exact)).expect("exact");
            assert!(
                (e.objective - opt).abs() <= 1e-9 * opt,
                "{} vs {opt}",
                e.objective
            );
            assert_eq!(e.status, "optimal");
        }
    }

    #[test]
    fn mclp_lagrangian_bounds_and_fixes_only_what_no_optimum_uses() {
        let (m, p) = (12, 3);
        let mut closed = 0;
        for seed in 1..=6 {
            let mut inst = scatter(40, m, seed);
            // A 25-unit radius: coverage is partial, so the sites differ in worth.
            for l in &mut inst.reach {
                l.retain(|&(_, c)| c <= 25.0);
            }
            let plans = every_plan_of_three(&inst, Kind::Mclp);
            let opt = plans.iter().map(|x| x.0).fold(f64::NEG_INFINITY, f64::max);
            let sp = spec(Kind::Mclp, p, Method::Auto);
            let rev = inst.reverse();
            for lower in [opt, opt * 0.95] {
                let lag = mclp_lagrangian(&inst, &sp, &rev, lower, Instant::now());
                assert!(
                    lag.bound >= opt - 1e-9,
                    "seed {seed}: bound {} < {opt}",
                    lag.bound
                );
                let lower = lag.primal.map_or(lower, |x| x.0);
                assert!(
                    lower <= opt + 1e-9,
                    "seed {seed}: a relaxed pick above the optimum"
                );
                let f = lag.fixing;
                closed += f.closed.iter().filter(|&&c| c).count();
                fixing_spares(plans.iter().filter(|x| x.0 >= lower), &f, seed);
            }
            // Whole weights: the heuristic's bound is rounded down, never below the optimum,
            // and the exact solve (built without the closed sites) still reaches it.
            let h = solve(&inst, &spec(Kind::Mclp, p, Method::Heuristic)).expect("heuristic");
            let b = h.bound.expect("bound");
            assert!(
                b >= opt && b.fract() == 0.0,
                "seed {seed}: bound {b} vs {opt}"
            );
            let e = solve_model(&inst, &spec(Kind::Mclp, p, Method::Exact)).expect("exact");
            assert_eq!(e.status, "optimal");
            assert!(
                (e.objective - opt).abs() <= 1e-9 * opt,
                "{} vs {opt}",
                e.objective
            );
        }
        // The checks above are not vacuous: sites were closed.
        assert!(closed > 0);
    }

    #[test]
    fn lagrangian_bound_is_tight_when_everything_can_be_covered() {
        let inst = line(9, Some(1.0));
        let h = solve(&inst, &spec(Kind::Mclp, 3, Method::Heuristic)).expect("heuristic");
        let total: f64 = inst.weight.iter().sum();
        assert_eq!(h.objective, total);
        assert_eq!(h.gap(), Some(0.0));
    }
}
