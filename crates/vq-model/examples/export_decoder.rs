//! Writes a shipped model's codebook and decoder as plain arrays, for the benchmark's peer
//! (`scripts/export-onnx.py` builds an ONNX graph of the same decoder from them, which
//! onnxruntime-web runs beside ours in `scripts/bench.sh`).
//!
//!     cargo run --release -p vq-model --example export_decoder -- assets/models/fashion bench/peer/fashion
//!
//! The model is read with the app's own loader (every hash checked), so the peer computes with
//! exactly the weights the page decodes with (f16 in the file, f32 in memory). Into the output
//! folder go:
//!
//! - one `<name>.f32` per tensor (raw little-endian f32, row-major, burn's layout: a
//!   convolution's weight `[out, in, kh, kw]`, a transposed convolution's `[in, out, kh, kw]`,
//!   the codebook `[K, D]`), named by its path in the `VqVae` (`decoder.up1.weight`, …);
//! - `reference.f32`: our decoder's `x̂` `[1, C, 4h, 4w]` (model space) of a fixed grid whose
//!   codes are `(r·7 + c·3) mod K`, not square, so that a swapped axis shows;
//! - `index.json`: the model's `vqvae` config, each tensor's name, shape and file, and the
//!   reference's grid and shape.

use std::path::{Path, PathBuf};

use burn::prelude::*;
use burn::store::ModuleSnapshot;
use burn::store::bridge::into_data;
use serde_json::json;
use vq_model::sampler::Grid;
use vq_model::weights::load_dir;

/// The tensors the decoder needs: the codebook (`z_q` from codes) and the decoder's own.
fn wanted(name: &str) -> bool {
    name == "quantizer.codebook.weight" || name.starts_with("decoder.")
}

fn write_f32(path: &Path, values: &[f32]) {
    let bytes: Vec<u8> = values.iter().flat_map(|v| v.to_le_bytes()).collect();
    std::fs::write(path, bytes).unwrap_or_else(|err| panic!("{}: {err}", path.display()));
}

fn main() {
    let args: Vec<PathBuf> = std::env::args_os().skip(1).map(PathBuf::from).collect();
    let [model_dir, out_dir] = args.as_slice() else {
        eprintln!("usage: export_decoder <model dir> <out dir>");
        std::process::exit(2);
    };
    let device = Device::flex();
    let model =
        load_dir(model_dir, &device).unwrap_or_else(|err| panic!("{}: {err}", model_dir.display()));
    std::fs::create_dir_all(out_dir).unwrap_or_else(|err| panic!("{}: {err}", out_dir.display()));

    let mut tensors = Vec::new();
    for tensor in model.vqvae.collect(None, None, false) {
        if !wanted(&tensor.name) {
            continue;
        }
        let name = tensor.name.clone();
        let data = into_data(tensor)
            .unwrap_or_else(|err| panic!("{name}: {err:?}"))
            .convert::<f32>();
        let shape = data.shape().to_vec();
        let values: Vec<f32> = data
            .try_into_vec()
            .unwrap_or_else(|err| panic!("{name}: {err:?}"));
        let file = format!("{name}.f32");
        write_f32(&out_dir.join(&file), &values);
        tensors.push(json!({ "name": name, "shape": shape, "file": file }));
    }

    // The reference: a grid no larger than 16 rows, three columns wider than tall.
    let codebook_size = model.config.vqvae.codebook_size;
    let height = (model.config.image_size / vq_model::VqVaeConfig::DOWNSAMPLE).min(16);
    let width = height + 3;
    let codes: Vec<u32> = (0..height * width)
        .map(|i| ((i / width * 7 + i % width * 3) % codebook_size) as u32)
        .collect();
    let grid = Grid {
        height,
        width,
        codes: codes.clone(),
    };
    let x_hat = model.vqvae.decode(Grid::to_tensor(&[grid], &device)); // [1, C, 4h, 4w]
    let shape = x_hat.dims().to_vec();
    let values: Vec<f32> = x_hat
        .into_data()
        .convert::<f32>()
        .try_into_vec()
        .unwrap_or_else(|err| panic!("reference: {err:?}"));
    write_f32(&out_dir.join("reference.f32"), &values);

    let index = json!({
        "model": model.config.name,
        "model_dir": model_dir.display().to_string(),
        "sha256": model.manifest.sha256,
        "vqvae": model.config.vqvae,
        "tensors": tensors,
        "reference": {
            "rule": "codes[r][c] = (r*7 + c*3) % K",
            "grid": [height, width],
            "codes": codes,
            "shape": shape,
            "file": "reference.f32",
        },
    });
    let text = serde_json::to_string_pretty(&index).unwrap_or_else(|err| panic!("{err}"));
    std::fs::write(out_dir.join("index.json"), text + "\n")
        .unwrap_or_else(|err| panic!("index.json: {err}"));
    println!(
        "{}: {} tensors and a {height}×{width} reference decode in {}",
        model.config.name,
        tensors.len(),
        out_dir.display()
    );
}
