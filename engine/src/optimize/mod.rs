//! A small mixed-integer programming front end over HiGHS (the `highs` crate, which builds
//! HiGHS from source). The analyses build a [`Mip`] column by column and row by row, and
//! get back a [`Solved`] with HiGHS's status, objective, dual bound and gap, so a result
//! reached at the time limit is reported with an honest gap.

use highs::{Col, HighsModelStatus, RowProblem, Sense};
use std::time::{Duration, Instant};

/// Whether the objective is minimised or maximised.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    /// Smaller is better.
    Minimise,
    /// Larger is better.
    Maximise,
}

/// A mixed-integer linear program under construction.
#[derive(Debug)]
pub struct Mip {
    pb: RowProblem,
    cols: Vec<Col>,
    integer: Vec<bool>,
    direction: Direction,
    nonzeros: usize,
}

/// How to solve.
#[derive(Debug, Clone)]
pub struct Options {
    /// Wall-clock limit handed to HiGHS.
    pub time_limit: Duration,
    /// Relative gap at which HiGHS may stop (tiny by default: the optimum is wanted).
    pub rel_gap: f64,
    /// A feasible starting solution (one value per column), e.g. from a heuristic.
    pub start: Option<Vec<f64>>,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            time_limit: Duration::from_secs(60),
            rel_gap: 1e-9,
            start: None,
        }
    }
}

/// Outcome class of a solve.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    /// Proven optimal (within the gap tolerance).
    Optimal,
    /// Stopped at the time limit with a feasible solution.
    TimeLimit,
    /// Stopped at the time limit without any feasible solution.
    TimeLimitNoSolution,
    /// No feasible solution exists.
    Infeasible,
    /// The objective is unbounded.
    Unbounded,
    /// Anything else HiGHS reports (numerical trouble, errors).
    Failed,
}

impl Status {
    /// The name reported in results.
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Optimal => "optimal",
            Status::TimeLimit => "time_limit",
            Status::TimeLimitNoSolution => "time_limit_no_solution",
            Status::Infeasible => "infeasible",
            Status::Unbounded => "unbounded",
            Status::Failed => "failed",
        }
    }
}

/// What HiGHS found.
#[derive(Debug, Clone)]
pub struct Solved {
    /// Outcome class.
    pub status: Status,
    /// HiGHS's own status, for messages.
    pub detail: String,
    /// Objective of the best solution, if any.
    pub objective: Option<f64>,
    /// Dual bound: no solution can be better than this.
    pub bound: Option<f64>,
    /// Column values of the best solution, if any.
    pub values: Option<Vec<f64>>,
    /// Wall time of the solve.
    pub elapsed: Duration,
}

impl Solved {
    /// Relative gap |objective − bound| / max(|objective|, 1e-10), HiGHS's definition.
    pub fn gap(&self) -> Option<f64> {
        gap(self.objective?, self.bound?)
    }
}

/// Relative gap between a solution's objective and a bound (HiGHS's definition).
pub fn gap(objective: f64, bound: f64) -> Option<f64> {
    if !(objective.is_finite() && bound.is_finite()) {
        return None;
    }
    let d = (objective - bound).abs();
    if d <= 1e-12 * objective.abs().max(1.0) {
        Some(0.0)
    } else {
        Some(d / objective.abs().max(1e-10))
    }
}

impl Mip {
    /// An empty program.
    pub fn new(direction: Direction) -> Self {
        Mip {
            pb: RowProblem::default(),
            cols: Vec::new(),
            integer: Vec::new(),
            direction,
            nonzeros: 0,
        }
    }

    /// Adds a variable in `[lo, hi]` with objective coefficient `obj`; returns its index.
    pub fn var(&mut self, obj: f64, lo: f64, hi: f64, integer: bool) -> usize {
        let c = self.pb.add_column_with_integrality(obj, lo..=hi, integer);
        self.cols.push(c);
        self.integer.push(integer);
        self.cols.len() - 1
    }

    /// Adds `lo ≤ Σ coef·var ≤ hi` (use ±∞ for a one-sided row).
    pub fn row(&mut self, lo: f64, hi: f64, terms: &[(usize, f64)]) {
        self.nonzeros += terms.len();
        let cols = &self.cols;
        let items: Vec<(Col, f64)> = terms.iter().map(|&(v, c)| (cols[v], c)).collect();
        match (lo.is_finite(), hi.is_finite()) {
            (true, true) => self.pb.add_row(lo..=hi, items),
            (true, false) => self.pb.add_row(lo.., items),
            (false, true) => self.pb.add_row(..=hi, items),
            (false, false) => self.pb.add_row::<f64, _, _, _>(.., items),
        }
    }

    /// Number of variables.
    pub fn num_vars(&self) -> usize {
        self.cols.len()
    }

    /// Number of constraint coefficients so far.
    pub fn nonzeros(&self) -> usize {
        self.nonzeros
    }

    /// Solves with HiGHS (quietly, deterministically).
    pub fn solve(self, options: &Options) -> Solved {
        let start = Instant::now();
        let has_integer = self.integer.iter().any(|i| *i);
        let n = self.cols.len();
        let sense = match self.direction {
            Direction::Minimise => Sense::Minimise,
            Direction::Maximise => Sense::Maximise,
        };
        let failed = |detail: String| Solved {
            status: Status::Failed,
            detail,
            objective: None,
            bound: None,
            values: None,
            elapsed: start.elapsed(),
        };
        let mut model = match self.pb.try_optimise(sense) {
            Ok(m) => m,
            Err(e) => return failed(format!("HiGHS refused the model: {e:?}")),
        };
        model.make_quiet();
        model.set_option("time_limit", options.time_limit.as_secs_f64().max(0.01));
        model.set_option("mip_rel_gap", options.rel_gap);
        // One thread: the machine is shared, and HiGHS's MIP search is serial anyway.
        model.set_option("threads", 1);
        if let Some(x) = &options.start {
            if x.len() == n {
                // A rejected start only loses a hint; the solve goes on without it.
                let _ = model.try_set_solution(Some(x), None, None, None);
            }
        }
        let solved = match model.try_solve() {
            Ok(s) => s,
            Err(e) => return failed(format!("HiGHS failed: {e:?}")),
        };
        let hs = solved.status();
        let has_solution = matches!(
            solved.primal_solution_status(),
            highs::HighsSolutionStatus::Feasible
        );
        let status = match hs {
            HighsModelStatus::Optimal => Status::Optimal,
            HighsModelStatus::ReachedTimeLimit
            | HighsModelStatus::ReachedIterationLimit
            | HighsModelStatus::ReachedInterrupt
            | HighsModelStatus::ReachedSolutionLimit
            | HighsModelStatus::ReachedMemoryLimit => {
                if has_solution {
                    Status::TimeLimit
                } else {
                    Status::TimeLimitNoSolution
                }
            }
            HighsModelStatus::Infeasible => Status::Infeasible,
            HighsModelStatus::Unbounded | HighsModelStatus::UnboundedOrInfeasible => {
                Status::Unbounded
            }
            HighsModelStatus::ModelEmpty => Status::Optimal,
            _ => Status::Failed,
        };
        let (objective, values) = if has_solution || status == Status::Optimal {
            (
                Some(solved.objective_value()),
                Some(solved.get_solution().columns().to_vec()),
            )
        } else {
            (None, None)
        };
        let bound = if has_integer {
            solved
                .double_info_value(c"mip_dual_bound")
                .ok()
                .filter(|b| b.is_finite())
        } else if status == Status::Optimal {
            objective
        } else {
            None
        };
        // At optimality the bound is the objective up to the gap tolerance.
        let bound = match (status, bound) {
            (Status::Optimal, None) => objective,
            (_, b) => b,
        };
        Solved {
            status,
            detail: format!("{hs:?}"),
            objective,
            bound,
            values,
            elapsed: start.elapsed(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn small_knapsack_is_solved_exactly() {
        // max 10a + 13b + 7c, 4a + 6b + 3c ≤ 9 (binary): a + b > 9, so the best is a + c = 17 or
        // b + c = 20.
        let mut m = Mip::new(Direction::Maximise);
        let a = m.var(10.0, 0.0, 1.0, true);
        let b = m.var(13.0, 0.0, 1.0, true);
        let c = m.var(7.0, 0.0, 1.0, true);
        m.row(f64::NEG_INFINITY, 9.0, &[(a, 4.0), (b, 6.0), (c, 3.0)]);
        let s = m.solve(&Options::default());
        assert_eq!(s.status, Status::Optimal);
        assert!((s.objective.expect("objective") - 20.0).abs() < 1e-9);
        assert_eq!(s.gap(), Some(0.0));
        let x = s.values.expect("values");
        assert!(x[0] < 0.5 && x[1] > 0.5 && x[2] > 0.5);
    }

    #[test]
    fn infeasible_is_reported() {
        let mut m = Mip::new(Direction::Minimise);
        let a = m.var(1.0, 0.0, 1.0, true);
        m.row(2.0, f64::INFINITY, &[(a, 1.0)]);
        let s = m.solve(&Options::default());
        assert_eq!(s.status, Status::Infeasible);
        assert!(s.objective.is_none());
    }

    #[test]
    fn gap_definition() {
        assert_eq!(gap(10.0, 10.0), Some(0.0));
        assert!((gap(10.0, 12.0).expect("gap") - 0.2).abs() < 1e-12);
        assert_eq!(gap(f64::NAN, 1.0), None);
    }
}
