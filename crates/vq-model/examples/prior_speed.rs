//! The prior's samplers natively, on the shipped models: the cached sampler (per-layer
//! caches, on the host) against the windowed one it replaced (a forward pass per cell on
//! burn's CPU backend), with their multiply-adds per second; and the suggestions for one cell
//! (16 candidates rescored, a batch per call) on the host, with the longest call.
//!
//!     cargo run --release -p vq-model --example prior_speed
//!
//! The browser's figures come from `scripts/bench.sh`; this isolates the sampler.

use std::path::Path;
use std::time::Instant;

use burn::prelude::*;
use vq_model::prior::HostPrior;
use vq_model::sampler::{CachedResampler, Grid, HostSuggester, Resampler, SampleOptions};
use vq_model::weights::load_dir;

fn main() {
    let device = Device::flex();
    for (name, count, side) in [("fashion", 8, 7), ("fashion", 1, 7), ("photo", 1, 16)] {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../assets/models")
            .join(name);
        let model = load_dir(&dir, &device).unwrap_or_else(|err| panic!("{err}"));
        let prior = model.prior().unwrap_or_else(|err| panic!("{err}"));
        let host = pollster::block_on(HostPrior::read(prior)).unwrap_or_else(|e| panic!("{e}"));
        let options = SampleOptions {
            seed: 3,
            ..SampleOptions::default()
        };
        let grids = vec![Grid::zeros(side, side); count];
        let mask = vec![true; side * side];

        let started = Instant::now();
        let mut cached = CachedResampler::new(grids.clone(), &mask, options);
        while cached.step(&host).is_some() {}
        let cached_s = started.elapsed().as_secs_f64();

        let started = Instant::now();
        let mut windowed = Resampler::new(grids, &mask, options);
        while pollster::block_on(windowed.step(prior, &device))
            .unwrap_or_else(|e| panic!("{e}"))
            .is_some()
        {}
        let windowed_s = started.elapsed().as_secs_f64();
        assert_eq!(cached.grids(), windowed.grids(), "the samplers disagree");
        let macs = (host.macs_per_cell() * side * side * count) as f64;
        println!(
            "{name} {count}×({side}×{side}): cached {:.1} ms ({:.2} G multiply-adds/s), windowed {:.1} ms, {:.1}× faster",
            cached_s * 1000.0,
            macs / cached_s / 1e9,
            windowed_s * 1000.0,
            windowed_s / cached_s
        );
        if count == 1 {
            let grid = &cached.grids()[0];
            let started = Instant::now();
            let mut suggester = HostSuggester::new(&host, grid, (side / 2, side / 2), None, 16);
            let caches_s = started.elapsed().as_secs_f64();
            // The calls a caller gives way between: the longest is how long an edit may wait.
            let (mut calls, mut longest_s) = (0, 0.0f64);
            loop {
                let call = Instant::now();
                if !suggester.rescore_next(&host) {
                    break;
                }
                calls += 1;
                longest_s = longest_s.max(call.elapsed().as_secs_f64());
            }
            println!(
                "{name}: suggestions for cell ({0}, {0}), 16 candidates: {1:.1} ms (the window's caches {2:.1} ms)",
                side / 2,
                started.elapsed().as_secs_f64() * 1000.0,
                caches_s * 1000.0
            );
            println!(
                "{name}: rescored in {calls} calls, the longest {:.1} ms",
                longest_s * 1000.0
            );
        }
    }
}
