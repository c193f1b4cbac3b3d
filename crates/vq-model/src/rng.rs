//! A small seeded generator (SplitMix64) so that samples repeat exactly for a seed on every
//! backend: the randomness lives on the host, never in a device kernel.

/// SplitMix64 (Steele, Lea, Flood 2014): tiny, fast, and good enough for sampling codes.
#[derive(Debug, Clone)]
pub struct SplitMix64 {
    state: u64,
}

impl SplitMix64 {
    /// A generator that gives the same sequence for the same seed.
    pub fn new(seed: u64) -> Self {
        Self { state: seed }
    }

    /// The `index`-th of many independent streams of `seed` (e.g. one per training step).
    ///
    /// `new(seed ^ index·γ)` would not do: SplitMix64 walks its state in steps of γ, so the
    /// stream of `index + 2` would be the stream of `index` two draws later. Here the start of
    /// each stream is the hash of `(seed, index)`, so streams land far apart in the period.
    pub fn stream(seed: u64, index: u64) -> Self {
        let mixed = Self::new(seed).next_u64() ^ index.wrapping_mul(0xD1B5_4A32_D192_ED03);
        Self::new(Self::new(mixed).next_u64())
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.state = self.state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.state;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A uniform number in `[0, 1)`.
    pub fn next_f64(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }

    /// A uniform index in `0..n` (`n > 0`).
    pub fn below(&mut self, n: usize) -> usize {
        (self.next_f64() * n as f64) as usize % n.max(1)
    }
}
