//! Seeded 2-D value noise and its fractal sum (fBm): smooth, deterministic randomness for
//! coastlines, terrain, population density and boundary wiggles. Hash-based, so a value
//! depends only on the seed and the position, never on evaluation order.

/// A value-noise field: random values on the integer lattice, smoothly interpolated.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Noise {
    seed: u64,
}

/// SplitMix64's finaliser: a good 64-bit mixer.
fn mix(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// Quintic fade: C2-continuous interpolation weight.
fn fade(t: f64) -> f64 {
    t * t * t * (t * (t * 6.0 - 15.0) + 10.0)
}

impl Noise {
    /// A field for `seed`; `salt` separates the fields drawn from one seed.
    pub(crate) fn new(seed: u64, salt: u64) -> Noise {
        Noise {
            seed: mix(seed ^ mix(salt.wrapping_add(0x9e37_79b9_7f4a_7c15))),
        }
    }

    /// The lattice value at (ix, iy), uniform in [-1, 1].
    fn lattice(&self, ix: i64, iy: i64) -> f64 {
        let h = mix(self.seed
            ^ (ix as u64).wrapping_mul(0x9e37_79b9_7f4a_7c15)
            ^ (iy as u64).wrapping_mul(0xc2b2_ae3d_27d4_eb4f));
        (h >> 11) as f64 / (1u64 << 53) as f64 * 2.0 - 1.0
    }

    /// Smoothly interpolated noise at (x, y), in [-1, 1], with features about 1 unit apart.
    pub(crate) fn value(&self, x: f64, y: f64) -> f64 {
        let (fx, fy) = (x.floor(), y.floor());
        let (ix, iy) = (fx as i64, fy as i64);
        let (tx, ty) = (fade(x - fx), fade(y - fy));
        let a = self.lattice(ix, iy);
        let b = self.lattice(ix + 1, iy);
        let c = self.lattice(ix, iy + 1);
        let d = self.lattice(ix + 1, iy + 1);
        let lo = a + (b - a) * tx;
        let hi = c + (d - c) * tx;
        lo + (hi - lo) * ty
    }

    /// Fractal sum of `octaves` octaves (each twice the frequency, half the amplitude),
    /// normalised to about [-1, 1].
    pub(crate) fn fbm(&self, x: f64, y: f64, octaves: u32) -> f64 {
        let (mut sum, mut norm, mut amp, mut freq) = (0.0, 0.0, 1.0, 1.0);
        for o in 0..octaves {
            // Offset each octave so lattice points do not line up.
            let off = o as f64 * 17.31;
            sum += amp * self.value(x * freq + off, y * freq - off);
            norm += amp;
            amp *= 0.5;
            freq *= 2.0;
        }
        if norm > 0.0 {
            sum / norm
        } else {
            0.0
        }
    }
}

/// Hermite smoothstep of `x` between `a` and `b` (0 below a, 1 above b).
pub(crate) fn smoothstep(a: f64, b: f64, x: f64) -> f64 {
    let t = ((x - a) / (b - a)).clamp(0.0, 1.0);
    t * t * (3.0 - 2.0 * t)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deterministic_bounded_and_smooth() {
        let n = Noise::new(7, 1);
        let m = Noise::new(7, 1);
        let other = Noise::new(8, 1);
        let mut differs = false;
        for i in 0..500 {
            let (x, y) = (i as f64 * 0.137, i as f64 * 0.071 - 3.0);
            let v = n.fbm(x, y, 4);
            assert_eq!(v, m.fbm(x, y, 4));
            assert!((-1.0..=1.0).contains(&v), "{v}");
            differs |= v != other.fbm(x, y, 4);
            // Continuity: a tiny step changes the value a little.
            assert!((n.value(x, y) - n.value(x + 1e-6, y)).abs() < 1e-4);
        }
        assert!(differs);
        // Lattice points take lattice values exactly.
        assert_eq!(n.value(3.0, -2.0), n.lattice(3, -2));
    }

    #[test]
    fn smoothstep_ends() {
        assert_eq!(smoothstep(0.0, 1.0, -1.0), 0.0);
        assert_eq!(smoothstep(0.0, 1.0, 2.0), 1.0);
        assert_eq!(smoothstep(0.0, 1.0, 0.5), 0.5);
    }
}
