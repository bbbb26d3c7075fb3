//! A small deterministic random generator (SplitMix64): the same seed, the
//! same draws. The demo data and the schedule's random visit days use it;
//! nothing here is for secrets.

/// SplitMix64.
#[derive(Debug)]
pub struct Rng(pub u64);

impl Rng {
    pub fn draw(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in [0, 1).
    pub fn unit(&mut self) -> f64 {
        (self.draw() >> 11) as f64 / (1u64 << 53) as f64
    }

    /// Uniform in 0..n (0 when n is 0).
    pub fn below(&mut self, n: usize) -> usize {
        (self.draw() % n.max(1) as u64) as usize
    }

    pub fn chance(&mut self, p: f64) -> bool {
        self.unit() < p
    }

    /// `k` different days of a month of `days` days, in order: the first k
    /// of a partial Fisher-Yates shuffle, a uniform draw.
    pub fn days(&mut self, days: i8, k: usize) -> Vec<i8> {
        let mut all: Vec<i8> = (1..=days).collect();
        for i in 0..k.min(all.len()) {
            let j = i + self.below(all.len() - i);
            all.swap(i, j);
        }
        let mut picked = all[..k.min(all.len())].to_vec();
        picked.sort_unstable();
        picked
    }
}

#[cfg(test)]
mod tests {
    use super::Rng;

    #[test]
    fn days_are_different_in_order_and_within_the_month() {
        let mut r = Rng(7);
        for _ in 0..200 {
            let d = r.days(28, 5);
            assert_eq!(d.len(), 5);
            assert!(d.windows(2).all(|w| w[0] < w[1]), "{d:?}");
            assert!(d.iter().all(|x| (1..=28).contains(x)));
        }
        assert_eq!(r.days(3, 10), [1, 2, 3], "no more days than the month has");
        assert_eq!(
            Rng(1).days(31, 2),
            Rng(1).days(31, 2),
            "the same seed, the same days"
        );
    }
}
