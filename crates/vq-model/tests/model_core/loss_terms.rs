use burn::prelude::*;
use burn::tensor::Distribution;
use vq_model::inside::HostCodebook;
use vq_model::loss_terms::LossTerms;
use vq_model::vqvae::VqVae;

use crate::{block_on, device, small_vqvae_config, to_vec};

/// The terms the engine computes on the host from `x`, `x̂`, `z_e` and the codes equal the
/// trainer's `VqVae::losses` on the same batch of three images, each within float rounding.
#[test]
fn the_engines_loss_terms_equal_the_trainers_on_the_same_batch() {
    let device = device();
    let config = small_vqvae_config(3);
    let mut model = VqVae::new(&config, &device);
    // A spread codebook, so that the quantisation error is not the encoder's scale alone.
    model.quantizer.codebook.weight = model
        .quantizer
        .codebook
        .weight
        .map(|w| w.random_like(Distribution::Normal(0.0, 0.5)));
    let x = Tensor::<4>::random([3, 3, 16, 12], Distribution::Uniform(-0.5, 0.5), &device);
    let pass = model.forward(x.clone());
    let trainer = model.losses(x.clone(), &pass);

    let codes: Vec<u32> = block_on(vq_model::read_i64(pass.quantized.codes.clone()))
        .expect("codes")
        .into_iter()
        .map(|c| c as u32)
        .collect();
    let codebook = block_on(HostCodebook::read(&model.quantizer)).expect("codebook");
    let engine = LossTerms::of(
        (&to_vec(x), &to_vec(pass.x_hat.clone())),
        (&to_vec(pass.z_e.clone()), &codes),
        &codebook,
        config.commitment_cost,
        3,
    );
    let close = |name: &str, host: f64, trainer: Tensor<1>| {
        let trainer = f64::from(to_vec(trainer)[0]);
        assert!(
            (host - trainer).abs() <= 1e-5 * trainer.abs().max(1e-6),
            "{name}: engine {host} vs trainer {trainer}"
        );
    };
    close(
        "reconstruction",
        engine.reconstruction,
        trainer.reconstruction.clone(),
    );
    close("codebook", engine.codebook, trainer.codebook.clone());
    close("commitment", engine.commitment, trainer.commitment.clone());
    close("total", engine.total(true), trainer.total(true));
    assert!(engine.codebook > 0.0 && engine.reconstruction > 0.0);
    assert!((engine.commitment - 0.25 * engine.codebook).abs() < 1e-12);
}

/// A cell given a code other than its nearest raises the quantisation terms by exactly that
/// cell's extra squared distance, spread over every element.
#[test]
fn an_edit_away_from_the_nearest_code_costs_its_extra_distance() {
    let device = device();
    let config = small_vqvae_config(1);
    let model = VqVae::new(&config, &device);
    let x = Tensor::<4>::random([1, 1, 8, 8], Distribution::Uniform(-0.5, 0.5), &device);
    let pass = model.forward(x);
    let z_e = to_vec(pass.z_e.clone()); // [1, D, 2, 2]
    let mut codes: Vec<u32> = block_on(vq_model::read_i64(pass.quantized.codes))
        .expect("codes")
        .into_iter()
        .map(|c| c as u32)
        .collect();
    let codebook = block_on(HostCodebook::read(&model.quantizer)).expect("codebook");
    let error = |codes: &[u32]| vq_model::loss_terms::quantisation_error(&z_e, codes, &codebook, 1);
    let before = error(&codes);
    let cells = codes.len();
    let cell_z: Vec<f32> = (0..config.embedding_dim)
        .map(|d| z_e[d * cells + 2])
        .collect();
    let distances = codebook.distances(&cell_z);
    let other = (codes[2] + 1) % config.codebook_size as u32;
    let extra = f64::from(distances[other as usize] - distances[codes[2] as usize]);
    codes[2] = other;
    let after = error(&codes);
    assert!(extra >= 0.0, "the encoder's code is the nearest");
    let expected = before + extra / (cells * config.embedding_dim) as f64;
    assert!((after - expected).abs() < 1e-6, "{after} vs {expected}");
}
