//! Permutation inference, parallel and reproducible: every random stream is a pure function
//! of (seed, stream number) — the feature's index for local statistics, the permutation's
//! number for the global one — so a seed gives the same p-values on any machine and with
//! any number of threads.
//!
//! The generator is xoshiro256++ seeded through SplitMix64 (Blackman & Vigna), written out
//! here so its stream can never change with a dependency's version; bounded integers by
//! Lemire's unbiased multiply-and-reject.

use crate::progress;
use crate::weights::Weights;
use rayon::prelude::*;

/// xoshiro256++.
#[derive(Debug, Clone)]
pub struct Rng {
    s: [u64; 4],
}

fn splitmix64(x: &mut u64) -> u64 {
    *x = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
    let mut z = *x;
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

impl Rng {
    /// The stream `stream` of `seed`.
    pub fn new(seed: u64, stream: u64) -> Rng {
        let mut x = seed;
        let a = splitmix64(&mut x);
        let mut x = a ^ stream.wrapping_mul(0xD1B5_4A32_D192_ED03);
        Rng {
            s: [
                splitmix64(&mut x),
                splitmix64(&mut x),
                splitmix64(&mut x),
                splitmix64(&mut x),
            ],
        }
    }

    /// Next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        let s = &mut self.s;
        let out = s[0].wrapping_add(s[3]).rotate_left(23).wrapping_add(s[0]);
        let t = s[1] << 17;
        s[2] ^= s[0];
        s[3] ^= s[1];
        s[1] ^= s[2];
        s[0] ^= s[3];
        s[2] ^= t;
        s[3] = s[3].rotate_left(45);
        out
    }

    /// Two uniform draws in 0..n (0 < n < 2³²) from one 64-bit output, by Lemire's
    /// multiply-and-reject on each 32-bit half (unbiased).
    #[inline(always)]
    pub fn below2(&mut self, n: u32) -> (u32, u32) {
        let n64 = n as u64;
        let t = n.wrapping_neg() % n;
        let one = |x: u32, rng: &mut Rng| -> u32 {
            let mut m = x as u64 * n64;
            while (m as u32) < t {
                m = (rng.next_u64() as u32) as u64 * n64;
            }
            (m >> 32) as u32
        };
        let x = self.next_u64();
        let a = one(x as u32, self);
        let b = one((x >> 32) as u32, self);
        (a, b)
    }

    /// Uniform in 0..n (n > 0).
    pub fn below(&mut self, n: u64) -> u64 {
        let mut m = (self.next_u64() as u128) * (n as u128);
        if (m as u64) < n {
            let t = n.wrapping_neg() % n;
            while (m as u64) < t {
                m = (self.next_u64() as u128) * (n as u128);
            }
        }
        (m >> 64) as u64
    }

    /// Fisher–Yates shuffle of `buf` (fewer than 2³² items), two bounded draws per 64-bit
    /// output by Lemire's multiply-and-reject on each half: half the generator calls of
    /// [`Rng::below`] per swap, which is most of a global permutation test's time.
    pub fn shuffle<T>(&mut self, buf: &mut [T]) {
        debug_assert!(buf.len() <= u32::MAX as usize);
        let mut spare: Option<u32> = None;
        let mut half = |rng: &mut Rng| -> u32 {
            match spare.take() {
                Some(h) => h,
                None => {
                    let x = rng.next_u64();
                    spare = Some((x >> 32) as u32);
                    x as u32
                }
            }
        };
        for t in (1..buf.len()).rev() {
            let n = t as u32 + 1;
            let mut m = half(self) as u64 * n as u64;
            if (m as u32) < n {
                let reject = n.wrapping_neg() % n;
                while (m as u32) < reject {
                    m = half(self) as u64 * n as u64;
                }
            }
            buf.swap(t, (m >> 32) as usize);
        }
    }
}

/// Neighbour counts up to which draws are made by rejection instead of a shuffle.
const SMALL_K: usize = 32;

/// Is `r` among the draws so far? Out of line and cold: asked only on a bit hit (about one
/// draw in twenty), and inlined, its vector loads of `drawn` ran on every draw, each right
/// after the scalar store of the last draw (a failed store-to-load forward: 40 % of a local
/// Moran run's time).
#[cold]
#[inline(never)]
fn drawn_before(drawn: &[u32], r: u32) -> bool {
    drawn.contains(&r)
}

/// Folded pseudo p-value of esda: with `larger` = how many of `perms` simulated values are
/// ≥ the observed one, (min(larger, perms − larger) + 1) / (perms + 1).
pub fn folded_p(larger: usize, perms: usize) -> f64 {
    let l = larger.min(perms - larger);
    (l as f64 + 1.0) / (perms as f64 + 1.0)
}

/// Conditional permutation (Anselin 1995) of every feature i with neighbours: `perms` times,
/// i's neighbour values are replaced by a random draw without replacement from the other
/// n − 1 values, giving lag* = Σ_k w_ik v[draw_k]; `stat(i, lag*)` is compared with
/// `stat(i, observed lag)`. Returns the folded pseudo p-value per feature (None for those
/// without neighbours). `streams[i]` numbers feature i's random stream.
pub fn conditional<F>(
    values: &[f64],
    w: &Weights,
    perms: usize,
    seed: u64,
    streams: &[u64],
    stat: F,
) -> Vec<Option<f64>>
where
    F: Fn(usize, f64) -> f64 + Sync,
{
    let n = values.len();
    let observed = w.lag(values);
    let counter = progress::Counter::new(n);
    (0..n)
        .into_par_iter()
        .with_min_len(32)
        .map_init(
            || {
                (
                    (0..n as u32).collect::<Vec<u32>>(),
                    Vec::<usize>::with_capacity(64),
                )
            },
            |(idx, swaps), i| {
                counter.tick();
                let k = w.cardinality(i);
                if k == 0 || perms == 0 {
                    return None;
                }
                let weights = w.values(i);
                let obs = stat(i, observed[i]);
                let mut rng = Rng::new(seed, streams[i]);
                let mut larger = 0usize;
                if k <= SMALL_K && n - 1 <= u32::MAX as usize && k * 4 < n {
                    // Few neighbours among many: draw from 0..n−1 (skipping i) and redraw the
                    // rare repeat, two draws per random word; no scratch array to touch.
                    let pool = (n - 1) as u32;
                    let me = i as u32;
                    let mut drawn = [0u32; SMALL_K];
                    for _ in 0..perms {
                        let mut lag = 0.0;
                        let mut t = 0;
                        // Low 6 bits of the draws so far: a repeat is looked for in `drawn`
                        // only when its bit is set (rare), not on every draw.
                        let mut seen = 0u64;
                        'fill: loop {
                            let (a, b) = rng.below2(pool);
                            for r in [a, b] {
                                let r = r + u32::from(r >= me);
                                let bit = 1u64 << (r & 63);
                                if seen & bit != 0 && drawn_before(&drawn[..t], r) {
                                    continue;
                                }
                                seen |= bit;
                                drawn[t] = r;
                                lag += weights[t] * values[r as usize];
                                t += 1;
                                if t == k {
                                    break 'fill;
                                }
                            }
                        }
                        larger += usize::from(stat(i, lag) >= obs);
                    }
                    return Some(folded_p(larger, perms));
                }
                // The other n − 1 values sit in idx[0..n-1]: move i to the end, then a
                // partial Fisher–Yates shuffle of k, undone after each permutation.
                idx.swap(i, n - 1);
                let pool = (n - 1) as u64;
                for _ in 0..perms {
                    swaps.clear();
                    let mut lag = 0.0;
                    for (t, wk) in weights.iter().enumerate() {
                        let r = t + rng.below(pool - t as u64) as usize;
                        idx.swap(t, r);
                        swaps.push(r);
                        lag += wk * values[idx[t] as usize];
                    }
                    if stat(i, lag) >= obs {
                        larger += 1;
                    }
                    // Undo, so idx is the identity (with i at the end) again.
                    for t in (0..k).rev() {
                        idx.swap(t, swaps[t]);
                    }
                }
                idx.swap(i, n - 1);
                Some(folded_p(larger, perms))
            },
        )
        .collect()
}

/// Total permutation of a global statistic: `perms` random orderings of `values` (stream p
/// for permutation p), `stat` of each, folded pseudo p-value against `observed`.
pub fn total<F>(values: &[f64], perms: usize, seed: u64, observed: f64, stat: F) -> Option<f64>
where
    F: Fn(&[f64]) -> f64 + Sync,
{
    if perms == 0 {
        return None;
    }
    // A stream range far from the features' (which start at 0).
    const GLOBAL: u64 = 1 << 63;
    let counter = progress::Counter::new(perms);
    let larger: usize = (0..perms)
        .into_par_iter()
        .map_init(
            || values.to_vec(),
            |buf, p| {
                counter.tick();
                buf.copy_from_slice(values);
                Rng::new(seed, GLOBAL + p as u64).shuffle(buf);
                usize::from(stat(buf) >= observed)
            },
        )
        .sum();
    Some(folded_p(larger, perms))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn streams_are_fixed_and_distinct() {
        let mut a = Rng::new(7, 0);
        let mut b = Rng::new(7, 0);
        let mut c = Rng::new(7, 1);
        let xa: Vec<u64> = (0..4).map(|_| a.next_u64()).collect();
        let xb: Vec<u64> = (0..4).map(|_| b.next_u64()).collect();
        let xc: Vec<u64> = (0..4).map(|_| c.next_u64()).collect();
        assert_eq!(xa, xb);
        assert_ne!(xa, xc);
    }

    #[test]
    fn below_is_uniform_enough() {
        let mut r = Rng::new(1, 2);
        let mut counts = [0usize; 6];
        for _ in 0..60_000 {
            counts[r.below(6) as usize] += 1;
        }
        for c in counts {
            assert!((9_500..10_500).contains(&c), "{counts:?}");
        }
    }

    #[test]
    fn shuffle_is_a_uniform_permutation() {
        // Every one of the 3! orders of three items about equally often.
        let mut r = Rng::new(5, 9);
        let mut counts = std::collections::BTreeMap::new();
        for _ in 0..60_000 {
            let mut v = [0u8, 1, 2];
            r.shuffle(&mut v);
            *counts.entry(v).or_insert(0usize) += 1;
        }
        assert_eq!(counts.len(), 6);
        for c in counts.values() {
            assert!((9_500..10_500).contains(c), "{counts:?}");
        }
    }

    #[test]
    fn folded() {
        assert_eq!(folded_p(0, 999), 0.001);
        assert_eq!(folded_p(999, 999), 0.001);
        assert_eq!(folded_p(499, 999), 0.5);
    }

    #[test]
    fn conditional_draws_never_include_the_feature_itself() {
        // Feature 0's value is huge; if it were ever drawn for its own lag the stat would
        // exceed the observed one (lag of the others only, all ≤ 1).
        let values = [1e9, 1.0, 0.5, 0.25, 0.0];
        let w = Weights::binary(vec![vec![1, 2], vec![0], vec![0], vec![0], vec![0]]);
        let streams: Vec<u64> = (0..5).collect();
        let p = conditional(
            &values,
            &w,
            99,
            3,
            &streams,
            |i, lag| {
                if i == 0 {
                    lag
                } else {
                    0.0
                }
            },
        );
        // Observed lag 1.5 is the largest possible sum of two of {1, .5, .25, 0}, reached by
        // 1/6 of draws: larger = those ties.
        let p0 = p[0].expect("has neighbours");
        assert!(p0 > 0.05 && p0 < 0.35, "{p0}");
    }

    #[test]
    fn rejection_path_never_draws_the_feature_itself() {
        // n = 200, k = 2: the rejection sampler. Only feature 0 is non-zero; the stat −lag of
        // feature 0 reaches its observed 0 unless 0 itself is drawn.
        let mut values = vec![0.0; 200];
        values[0] = 1e9;
        let mut nb = vec![Vec::new(); 200];
        nb[0] = vec![1, 2];
        nb[5] = vec![0, 7];
        let w = Weights::binary(nb);
        let streams: Vec<u64> = (0..200).collect();
        let p = conditional(&values, &w, 999, 11, &streams, |i, lag| {
            if i == 0 {
                -lag
            } else {
                lag
            }
        });
        assert_eq!(p[0], Some(0.001));
        // Feature 5 (observed lag 1e9) is matched only by draws holding feature 0: 2 of 199
        // values, about 1 % of permutations.
        let p5 = p[5].expect("has neighbours");
        assert!(p5 > 0.001 && p5 < 0.05, "{p5}");
    }
}
