//! Where an encode and a full decode of the photo model spend their time on the host: each of
//! the autoencoder's layers alone (a convolution of its shape, its multiply-adds per second),
//! the whole encoder and decoder, and the quantizer's ranking (on the host, and on burn's CPU
//! backend as before).
//!
//!     cargo run --release -p vq-model --example autoencoder_profile
//!
//! In V8's WebAssembly (the browser's engine, without the page), from the repository root:
//!
//!     RUSTFLAGS="-C target-feature=+simd128" cargo build --release -p vq-model \
//!         --example autoencoder_profile --target wasm32-wasip1
//!     node --no-warnings crates/vq-model/examples/run-wasi.mjs \
//!         $CARGO_TARGET_DIR/wasm32-wasip1/release/examples/autoencoder_profile.wasm
//!
//! The page's figures come from `scripts/bench.sh`; this says which layer to look at.

use std::path::Path;
use std::time::Instant;

use burn::nn::PaddingConfig2d;
use burn::nn::conv::{Conv2dConfig, ConvTranspose2dConfig};
use burn::prelude::*;
use vq_model::rng::SplitMix64;
use vq_model::sampler::Grid;
use vq_model::vqvae::HostVqVae;
use vq_model::vqvae::host_conv::{HostConv, HostConvTranspose, Map};
use vq_model::weights::load_dir;

/// Runs `work` `runs` times and returns the median in seconds.
fn median(runs: usize, mut work: impl FnMut()) -> f64 {
    let mut times: Vec<f64> = (0..runs)
        .map(|_| {
            let started = Instant::now();
            work();
            started.elapsed().as_secs_f64()
        })
        .collect();
    times.sort_by(f64::total_cmp);
    times[times.len() / 2]
}

fn random_map(height: usize, width: usize, channels: usize, rng: &mut SplitMix64) -> Map {
    let mut map = Map::zeros(height, width, channels);
    for v in &mut map.data {
        *v = rng.next_f64() as f32 - 0.5;
    }
    map
}

fn report(name: &str, seconds: f64, macs: f64) {
    println!(
        "{name:<44} {:>8.1} ms  {:>7.1} M  {:>5.2} G/s",
        seconds * 1000.0,
        macs / 1e6,
        macs / seconds / 1e9
    );
}

fn main() {
    let device = Device::flex();
    let runs = 5;
    let mut rng = SplitMix64::new(7);
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../assets/models/photo");
    let model = load_dir(&dir, &device).unwrap_or_else(|err| panic!("{err}"));
    let started = Instant::now();
    let host = pollster::block_on(HostVqVae::read(&model.vqvae)).unwrap_or_else(|e| panic!("{e}"));
    println!(
        "the host autoencoder read from burn's (weights laid out, the table of codes): {:.1} ms\n",
        started.elapsed().as_secs_f64() * 1000.0
    );
    let v = &model.config.vqvae;
    let (h, d, r) = (v.hidden_channels, v.embedding_dim, v.residual_channels);
    let side = 256;
    let g = side / 4;

    println!("layers alone, photo model shapes at {side} px:");
    let conv = |c_in: usize, c_out: usize, k: usize, stride: usize, pad: usize| {
        let burn = Conv2dConfig::new([c_in, c_out], [k, k])
            .with_stride([stride, stride])
            .with_padding(PaddingConfig2d::Explicit(pad, pad, pad, pad))
            .init(&device);
        pollster::block_on(HostConv::read(&burn, stride, pad)).unwrap_or_else(|e| panic!("{e}"))
    };
    let layers: [(&str, HostConv, usize, usize, usize); 7] = [
        (
            "encoder down1 4×4/2 3→h/2",
            conv(3, h / 2, 4, 2, 1),
            side,
            3,
            4,
        ),
        (
            "encoder down2 4×4/2 h/2→h",
            conv(h / 2, h, 4, 2, 1),
            side / 2,
            h / 2,
            4,
        ),
        ("encoder conv3 3×3 h→h", conv(h, h, 3, 1, 1), g, h, 3),
        ("residual 3×3 h→r", conv(h, r, 3, 1, 1), g, h, 3),
        ("residual 1×1 r→h", conv(r, h, 1, 1, 0), g, r, 1),
        ("encoder 1×1 h→D", conv(h, d, 1, 1, 0), g, h, 1),
        ("decoder conv3 3×3 D→h", conv(d, h, 3, 1, 1), g, d, 3),
    ];
    for (name, layer, input_side, c_in, k) in &layers {
        let x = random_map(*input_side, *input_side, *c_in, &mut rng);
        let mut out = Map::zeros(0, 0, 0);
        let seconds = median(runs, || out = layer.forward(&x, false, false));
        let macs = (out.height * out.width * out.channels * c_in * k * k) as f64;
        report(name, seconds, macs);
    }
    let transpose = |c_in: usize, c_out: usize| {
        let burn = ConvTranspose2dConfig::new([c_in, c_out], [4, 4])
            .with_stride([2, 2])
            .with_padding([1, 1])
            .init(&device);
        pollster::block_on(HostConvTranspose::read(&burn)).unwrap_or_else(|e| panic!("{e}"))
    };
    for (name, layer, input_side, c_in) in [
        ("decoder up1 4×4ᵀ/2 h→h/2", transpose(h, h / 2), g, h),
        (
            "decoder up2 4×4ᵀ/2 h/2→3",
            transpose(h / 2, 3),
            side / 2,
            h / 2,
        ),
    ] {
        let x = random_map(input_side, input_side, c_in, &mut rng);
        let mut out = Map::zeros(0, 0, 0);
        let seconds = median(runs, || out = layer.forward(&x, false));
        let macs = (out.height * out.width * out.channels * c_in * 4) as f64;
        report(name, seconds, macs);
    }

    println!("\nthe shipped model, {side} px:");
    let x = random_map(side, side, 3, &mut rng);
    let mut z_e = Map::zeros(0, 0, 0);
    let seconds = median(runs, || z_e = host.encoder.forward(&x));
    report("encoder (host)", seconds, macs(side, v).0 as f64);
    let z = Tensor::<4>::from_data(TensorData::new(z_e.to_planes(), [1, d, g, g]), &device);
    let seconds = median(runs, || {
        let ranked = model.vqvae.quantizer.ranked(z.clone(), 5);
        let _ = ranked.codes.into_data();
        let _ = ranked.distance.into_data();
    });
    report(
        "quantizer ranked, 5 nearest (burn flex)",
        seconds,
        (g * g * v.codebook_size * d) as f64,
    );
    let seconds = median(runs, || {
        let _ = host.quantizer.ranked(&z_e, 5);
    });
    report(
        "quantizer ranked, 5 nearest (host)",
        seconds,
        (g * g * v.codebook_size * d) as f64,
    );
    let mut grid = Grid::zeros(g, g);
    for code in &mut grid.codes {
        *code = rng.below(v.codebook_size) as u32;
    }
    let z_q = host.decoder.z_q(&grid);
    let seconds = median(runs, || {
        let _ = host.decoder.forward(&z_q);
    });
    report("decoder of z_q (host)", seconds, macs(side, v).1 as f64);
    let seconds = median(runs, || {
        let _ = host.decoder.decode(&grid);
    });
    report(
        "decoder of codes (host, first layer by table)",
        seconds,
        macs(side, v).1 as f64,
    );
}

/// Multiply-adds of the encoder and of the decoder at `side` px (from `vqvae/encoder.rs` and
/// `vqvae/decoder.rs`): `(encoder, decoder)`.
fn macs(side: usize, v: &vq_model::VqVaeConfig) -> (usize, usize) {
    let (h, d, r, c) = (
        v.hidden_channels,
        v.embedding_dim,
        v.residual_channels,
        v.in_channels,
    );
    let (half, g) = (side / 2, side / 4);
    let residual = v.residual_blocks * g * g * (r * h * 9 + h * r);
    let encoder = half * half * (h / 2) * c * 16
        + g * g * h * (h / 2) * 16
        + g * g * h * h * 9
        + residual
        + g * g * d * h;
    let decoder = g * g * h * d * 9
        + residual
        + half * half * (h / 2) * h * 4
        + side * side * c * (h / 2) * 4;
    (encoder, decoder)
}
