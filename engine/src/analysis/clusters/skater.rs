//! SKATER regionalisation (Assunção, Neves, Câmara & Freitas 2006): contiguous regions of
//! similar zones, each holding at least a floor (e.g. of population).
//!
//! 1. Graph: the zones' contiguity (queen by default), each edge costing the Euclidean
//!    distance between the two zones' standardised indicators.
//! 2. Minimum spanning forest (Kruskal; equal costs broken by the zones' order). One tree per
//!    connected part of the graph: every island (or group of islands) starts as a region of
//!    its own, and counts toward `k`.
//! 3. Pruning, greedily: of all tree edges, cut the one that lowers the total within-region
//!    sum of squared deviations (SSD, in z-scores) the most, among the cuts that leave both
//!    sides with at least `floor` (sum of the floor field, or number of zones); repeat until
//!    there are `k` regions or no cut is allowed (then fewer regions, reported).
//!
//! This is spopt's `Skater` with `dissimilarity` = squared Euclidean distance (same MST, as
//! an MST depends only on the order of the edge costs, and score = SSD), `reduction` = sum,
//! `center` = mean and `islands = "ignore"`, with the floor generalised from a count of zones
//! (spopt's `floor`) to a sum of any field. Two differences: spopt drops edges of zero
//! dissimilarity (a sparse-matrix artefact that cuts identical neighbours apart before the
//! first step); here they stay. And each cut is evaluated in O(n d) for all edges at once
//! from subtree sums (SSD(S) = Σ‖x‖² − ‖Σx‖²/|S|), not by re-scoring every region per edge.

use super::indicators::sq_dist;

/// A regionalisation.
#[derive(Debug, Clone)]
pub struct Regions {
    /// Region of each zone, numbered `0..` in no particular order.
    pub labels: Vec<usize>,
    /// Number of regions.
    pub count: usize,
    /// Connected parts of the contiguity graph (regions before any cut).
    pub components: usize,
    /// Total within-region SSD.
    pub ssd: f64,
}

/// Union-find over zone indices.
struct Dsu(Vec<usize>);
impl Dsu {
    fn find(&mut self, mut a: usize) -> usize {
        while self.0[a] != a {
            self.0[a] = self.0[self.0[a]];
            a = self.0[a];
        }
        a
    }
    fn union(&mut self, a: usize, b: usize) -> bool {
        let (ra, rb) = (self.find(a), self.find(b));
        if ra == rb {
            return false;
        }
        self.0[ra.max(rb)] = ra.min(rb);
        true
    }
}

/// The minimum spanning forest of `neighbors` (symmetric lists) under Euclidean distance of
/// the rows of `z` (row-major, `d` columns): its adjacency lists.
pub fn spanning_forest(neighbors: &[Vec<usize>], z: &[f64], d: usize) -> Vec<Vec<usize>> {
    let n = neighbors.len();
    let mut edges: Vec<(f64, usize, usize)> = Vec::new();
    for (i, nb) in neighbors.iter().enumerate() {
        for &j in nb.iter().filter(|&&j| j > i) {
            let c = sq_dist(&z[i * d..(i + 1) * d], &z[j * d..(j + 1) * d]).sqrt();
            edges.push((c, i, j));
        }
    }
    edges.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)).then(a.2.cmp(&b.2)));
    let mut dsu = Dsu((0..n).collect());
    let mut adj = vec![Vec::new(); n];
    for (_, i, j) in edges {
        if dsu.union(i, j) {
            adj[i].push(j);
            adj[j].push(i);
        }
    }
    adj
}

/// Connected components of a forest (or any graph): label per node, numbered by first node.
pub fn components(adj: &[Vec<usize>]) -> (Vec<usize>, usize) {
    let n = adj.len();
    let mut label = vec![usize::MAX; n];
    let mut next = 0;
    let mut stack = Vec::new();
    for s in 0..n {
        if label[s] != usize::MAX {
            continue;
        }
        label[s] = next;
        stack.push(s);
        while let Some(u) = stack.pop() {
            for &v in &adj[u] {
                if label[v] == usize::MAX {
                    label[v] = next;
                    stack.push(v);
                }
            }
        }
        next += 1;
    }
    (label, next)
}

/// Sums over a set of zones: count, Σx per indicator, Σ‖x‖², Σ floor field.
#[derive(Debug, Clone)]
struct Sums {
    n: f64,
    s: Vec<f64>,
    ss: f64,
    floor: f64,
}

impl Sums {
    fn zero(d: usize) -> Sums {
        Sums {
            n: 0.0,
            s: vec![0.0; d],
            ss: 0.0,
            floor: 0.0,
        }
    }
    fn add(&mut self, o: &Sums) {
        self.n += o.n;
        self.s.iter_mut().zip(&o.s).for_each(|(a, b)| *a += b);
        self.ss += o.ss;
        self.floor += o.floor;
    }
    fn minus(&self, o: &Sums) -> Sums {
        Sums {
            n: self.n - o.n,
            s: self.s.iter().zip(&o.s).map(|(a, b)| a - b).collect(),
            ss: self.ss - o.ss,
            floor: self.floor - o.floor,
        }
    }
    fn ssd(&self) -> f64 {
        if self.n <= 0.0 {
            return 0.0;
        }
        (self.ss - self.s.iter().map(|v| v * v).sum::<f64>() / self.n).max(0.0)
    }
}

/// Prunes the spanning forest `adj` into at most `k` regions (at least the number of its
/// trees), each with a floor sum ≥ `floor`. `weight` is each zone's floor contribution (1
/// to count zones). The forest is cut in place.
pub fn prune(
    adj: &mut [Vec<usize>],
    z: &[f64],
    d: usize,
    weight: &[f64],
    floor: f64,
    k: usize,
) -> Regions {
    let n = adj.len();
    let unit: Vec<Sums> = (0..n)
        .map(|i| {
            let x = &z[i * d..(i + 1) * d];
            Sums {
                n: 1.0,
                s: x.to_vec(),
                ss: x.iter().map(|v| v * v).sum(),
                floor: weight[i],
            }
        })
        .collect();
    let (_, components0) = components(adj);
    loop {
        let (label, count) = components(adj);
        if count >= k {
            return finish(label, count, components0, &unit, d);
        }
        // Root every tree at its first zone; subtree sums in reverse DFS order.
        let mut parent = vec![usize::MAX; n];
        let mut order = Vec::with_capacity(n);
        let mut root_of = vec![0usize; n];
        let mut seen = vec![false; n];
        for s in 0..n {
            if seen[s] {
                continue;
            }
            seen[s] = true;
            let mut stack = vec![s];
            while let Some(u) = stack.pop() {
                order.push(u);
                root_of[u] = s;
                for &v in &adj[u] {
                    if !seen[v] {
                        seen[v] = true;
                        parent[v] = u;
                        stack.push(v);
                    }
                }
            }
        }
        let mut sub: Vec<Sums> = unit.clone();
        for &u in order.iter().rev() {
            if parent[u] != usize::MAX {
                let child = sub[u].clone();
                sub[parent[u]].add(&child);
            }
        }
        // Best cut: the largest drop of SSD with both sides at the floor; equal drops go to
        // the edge with the lower (smaller, larger) zone pair.
        let mut best: Option<(f64, (usize, usize), usize)> = None;
        for c in 0..n {
            let p = parent[c];
            if p == usize::MAX {
                continue;
            }
            let whole = &sub[root_of[c]];
            let below = &sub[c];
            let above = whole.minus(below);
            if below.floor < floor || above.floor < floor {
                continue;
            }
            let increase = below.ssd() + above.ssd() - whole.ssd();
            let key = (p.min(c), p.max(c));
            let better = match &best {
                None => true,
                Some((b, bk, _)) => increase < *b || (increase == *b && key < *bk),
            };
            if better {
                best = Some((increase, key, c));
            }
        }
        let Some((_, _, c)) = best else {
            return finish(label, count, components0, &unit, d);
        };
        let p = parent[c];
        adj[p].retain(|&v| v != c);
        adj[c].retain(|&v| v != p);
    }
}

fn finish(label: Vec<usize>, count: usize, components: usize, unit: &[Sums], d: usize) -> Regions {
    let mut sums = vec![Sums::zero(d); count];
    for (i, &l) in label.iter().enumerate() {
        sums[l].add(&unit[i]);
    }
    Regions {
        labels: label,
        count,
        components,
        ssd: sums.iter().map(Sums::ssd).sum(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A path 0 – 1 – 2 – 3 – 4 (a row of zones).
    fn path(n: usize) -> Vec<Vec<usize>> {
        (0..n)
            .map(|i| {
                let mut v = Vec::new();
                if i > 0 {
                    v.push(i - 1);
                }
                if i + 1 < n {
                    v.push(i + 1);
                }
                v
            })
            .collect()
    }

    #[test]
    fn cuts_the_largest_jump_by_hand() {
        // Values 0 0 0 | 10 10 on a path: the only sensible cut is between 2 and 3, and
        // the SSD drops from 120 to 0.
        let z = [0.0, 0.0, 0.0, 10.0, 10.0];
        let mut f = spanning_forest(&path(5), &z, 1);
        let r = prune(&mut f, &z, 1, &[1.0; 5], f64::NEG_INFINITY, 2);
        assert_eq!(r.labels, vec![0, 0, 0, 1, 1]);
        assert_eq!(r.count, 2);
        assert!(r.ssd.abs() < 1e-12);
    }

    #[test]
    fn the_floor_moves_the_cut() {
        // Population 1 each, floor 3: {0,1,2} | {3,4} is not allowed (2 < 3) so the cut
        // must leave 3 on both sides … impossible with 5 zones, 2 regions need 6: no cut.
        let z = [0.0, 0.0, 0.0, 10.0, 10.0];
        let mut f = spanning_forest(&path(5), &z, 1);
        let r = prune(&mut f, &z, 1, &[1.0; 5], 3.0, 2);
        assert_eq!(r.count, 1);
        // Weights 1 1 1 5 5, floor 3: {0,1,2} has 3, {3,4} has 10: allowed.
        let mut f = spanning_forest(&path(5), &z, 1);
        let r = prune(&mut f, &z, 1, &[1.0, 1.0, 1.0, 5.0, 5.0], 3.0, 2);
        assert_eq!(r.labels, vec![0, 0, 0, 1, 1]);
        // Weights 1 1 1 1 5, floor 4: {0,1,2} has only 3; the best allowed cut is 3 | 4
        // (4 and 5): {0,1,2,3} | {4}: SSD of {0,0,0,10} = 75.
        let mut f = spanning_forest(&path(5), &z, 1);
        let r = prune(&mut f, &z, 1, &[1.0, 1.0, 1.0, 1.0, 5.0], 4.0, 2);
        assert_eq!(r.labels, vec![0, 0, 0, 0, 1]);
        assert!((r.ssd - 75.0).abs() < 1e-9);
    }

    #[test]
    fn islands_start_as_regions() {
        // Two separate paths: already 2 regions, k = 3 cuts one of them once.
        let mut nb = path(3);
        nb.extend(
            path(3)
                .into_iter()
                .map(|v| v.into_iter().map(|j| j + 3).collect()),
        );
        let z = [0.0, 0.0, 5.0, 1.0, 1.0, 1.0];
        let mut f = spanning_forest(&nb, &z, 1);
        let r = prune(&mut f, &z, 1, &[1.0; 6], f64::NEG_INFINITY, 3);
        assert_eq!(r.components, 2);
        assert_eq!(r.count, 3);
        assert_eq!(r.labels, vec![0, 0, 1, 2, 2, 2]);
    }

    #[test]
    fn spanning_forest_is_minimal() {
        // Triangle 0-1-2 with costs |0−1| = 1, |1−3| = 2, |0−3| = 3: edges 0-1 and 1-2.
        let nb = vec![vec![1, 2], vec![0, 2], vec![0, 1]];
        let f = spanning_forest(&nb, &[0.0, 1.0, 3.0], 1);
        assert_eq!(f, vec![vec![1], vec![0, 2], vec![1]]);
    }
}
