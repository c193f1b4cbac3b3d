use burn::prelude::*;
use burn::tensor::Distribution;
use vq_model::quantizer::{VectorQuantizer, flatten_cells};
use vq_model::vqvae::VqVae;

use crate::{block_on, device, max_abs_diff, small_vqvae_config, to_vec};

/// The code of every cell is the nearest codebook vector, as a brute-force search finds it,
/// the distance and margin are the nearest and second-nearest squared distances, and the five
/// nearest codes are the brute force's first five.
#[test]
fn nearest_code_equals_brute_force() {
    let device = device();
    let quantizer = VectorQuantizer::new(32, 6, &device);
    // Spread the codebook so that ties are unlikely.
    let mut quantizer = quantizer;
    quantizer.codebook.weight = quantizer
        .codebook
        .weight
        .map(|w| w.random_like(Distribution::Normal(0.0, 1.0)));
    let z_e = Tensor::<4>::random([2, 6, 5, 4], Distribution::Normal(0.0, 1.0), &device);

    let nearest = quantizer.nearest(z_e.clone());
    let codes = block_on(vq_model::read_i64(nearest.codes)).expect("codes");
    let distance = to_vec(nearest.distance);
    let margin = to_vec(nearest.margin);
    let ranked = quantizer.ranked(z_e.clone(), 5);
    assert_eq!(ranked.codes.dims(), [2, 5, 4, 5]);
    let ranked_codes = block_on(vq_model::read_i64(ranked.codes)).expect("codes");
    let ranked_distance = to_vec(ranked.distance);
    let trained =
        block_on(vq_model::read_i64(quantizer.forward(z_e.clone()).codes)).expect("codes");
    assert_eq!(
        codes, trained,
        "training and inference paths choose the same codes"
    );

    let z = to_vec(flatten_cells(z_e)); // [cells, D]
    let e = to_vec(quantizer.codebook.weight.val()); // [K, D]
    for (cell, z) in z.chunks(6).enumerate() {
        let mut d: Vec<(f32, usize)> = e
            .chunks(6)
            .enumerate()
            .map(|(k, e)| (z.iter().zip(e).map(|(a, b)| (a - b) * (a - b)).sum(), k))
            .collect();
        d.sort_by(|a, b| a.0.total_cmp(&b.0));
        assert_eq!(codes[cell] as usize, d[0].1, "cell {cell}");
        assert!(
            (distance[cell] - d[0].0).abs() < 1e-4,
            "distance of cell {cell}"
        );
        assert!(
            (margin[cell] - (d[1].0 - d[0].0)).abs() < 1e-4,
            "margin of cell {cell}"
        );
        for rank in 0..5 {
            assert_eq!(
                ranked_codes[5 * cell + rank] as usize,
                d[rank].1,
                "cell {cell}, rank {rank}"
            );
            assert!(
                (ranked_distance[5 * cell + rank] - d[rank].0).abs() < 1e-4,
                "distance of cell {cell}, rank {rank}"
            );
        }
    }
}

/// The straight-through estimator (`z_q = z_e + sg[z_q − z_e]`) copies the decoder's gradient
/// onto the encoder unchanged: the gradient of the reconstruction loss *alone* (no commitment
/// or codebook term, which reach `z_e` on their own) with respect to `z_e` equals its gradient
/// with respect to `z_q`.
#[test]
fn straight_through_copies_the_reconstruction_gradient_onto_z_e() {
    let device = device().autodiff();
    let model = VqVae::new(&small_vqvae_config(1), &device);
    let x = Tensor::<4>::random([2, 1, 16, 16], Distribution::Uniform(-0.5, 0.5), &device);
    let reconstruction_loss =
        |z_q: Tensor<4>| (model.decoder.forward(z_q) - x.clone()).square().mean();

    // Through the quantizer, from a leaf z_e.
    let z_e = model.encoder.forward(x.clone()).detach().require_grad(); // [2, D, 4, 4]
    let quantized = model.quantizer.forward(z_e.clone());
    let grads = reconstruction_loss(quantized.z_q.clone()).backward();
    let through_z_e = z_e
        .grad(&grads)
        .expect("the reconstruction loss alone has a gradient on z_e");

    // The same loss from a leaf holding the same z_q values.
    let z_q = quantized.z_q.detach().require_grad();
    let grads = reconstruction_loss(z_q.clone()).backward();
    let at_z_q = z_q.grad(&grads).expect("gradient on z_q");

    let (through_z_e, at_z_q) = (to_vec(through_z_e), to_vec(at_z_q));
    let largest = at_z_q.iter().fold(0.0f32, |m, g| m.max(g.abs()));
    assert!(largest > 0.0, "the decoder passes a gradient back to z_q");
    // The same operations on the same values: equal up to float rounding, far below a
    // thousandth of the largest gradient (an estimator that drops or scales it is off by 100 %).
    let diff = max_abs_diff(&through_z_e, &at_z_q);
    assert!(
        diff <= 1e-3 * largest,
        "∂loss/∂z_e ≠ ∂loss/∂z_q: max difference {diff}, largest gradient {largest}"
    );
}

/// In the whole model, the reconstruction loss alone moves the encoder's first layer (through
/// the quantizer), and the codebook loss moves the codebook.
#[test]
fn reconstruction_reaches_the_encoder_and_the_codebook_loss_the_codebook() {
    let device = device().autodiff();
    let model = VqVae::new(&small_vqvae_config(1), &device);
    let x = Tensor::<4>::random([2, 1, 16, 16], Distribution::Uniform(-0.5, 0.5), &device);
    let pass = model.forward(x.clone());
    let losses = model.losses(x, &pass);

    let grads = losses.reconstruction.backward();
    let encoder_grad = model
        .encoder
        .first_weight()
        .grad(&grads)
        .expect("the reconstruction loss alone reaches the encoder's first convolution");
    let encoder_norm: f32 = to_vec(encoder_grad).iter().map(|g| g.abs()).sum();
    assert!(encoder_norm > 0.0, "gradient crossed the quantizer");

    let grads = losses.codebook.backward();
    let codebook_grad = model
        .quantizer
        .codebook
        .weight
        .val()
        .grad(&grads)
        .expect("the codebook has a gradient");
    let codebook_norm: f32 = to_vec(codebook_grad).iter().map(|g| g.abs()).sum();
    assert!(
        codebook_norm > 0.0,
        "the codebook loss reaches the codebook"
    );
}
