//! The three terms of the VQ-VAE's loss (van den Oord et al. 2017, equation 3) for images the
//! engine holds, on the host:
//!
//! `L = ‖x − x̂‖² + ‖sg[z_e] − e‖² + β‖z_e − sg[e]‖²`
//!
//! each a mean over its elements, as [`crate::VqVae::losses`] computes them for the trainer.
//! Forward, the codebook and commitment terms are the same number (`sg` only stops
//! gradients); β scales the second. Here `e` is the code each cell *has*, which after a
//! user's edit is no longer the nearest: an edit shows what it costs the loss.
//!
//! Plain arrays, no device: the engine keeps `x`, `x̂` and `z_e` of the current image and
//! recomputes the terms in a few milliseconds after every edit.

use crate::inside::HostCodebook;

/// The loss terms of one image (or a batch), each a mean over its elements.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LossTerms {
    /// `‖x − x̂‖²`, mean over pixels and channels (model space): trains encoder and decoder.
    pub reconstruction: f64,
    /// `‖sg[z_e] − e‖²`, mean over cells and `D`: trains the codebook (the shipped models
    /// follow the EMA rule instead, which moves each code toward the mean of its cells).
    pub codebook: f64,
    /// `β‖z_e − sg[e]‖²`: trains the encoder to commit to its codes.
    pub commitment: f64,
}

impl LossTerms {
    /// The terms of a batch of `batch` images: `x` against `x_hat` (both `[batch, C, H, W]`
    /// planes, model space) and `z_e` (`[batch, D, h, w]`) against the codes `codes`
    /// (`[batch, h, w]`) of `codebook`; `beta` is β.
    ///
    /// # Panics
    ///
    /// As [`mean_squared_error`] and [`quantisation_error`].
    pub fn of(
        (x, x_hat): (&[f32], &[f32]),
        (z_e, codes): (&[f32], &[u32]),
        codebook: &HostCodebook,
        beta: f64,
        batch: usize,
    ) -> Self {
        let quantisation = quantisation_error(z_e, codes, codebook, batch);
        Self {
            reconstruction: mean_squared_error(x, x_hat),
            codebook: quantisation,
            commitment: beta * quantisation,
        }
    }

    /// The sum the trainer minimises: all three terms (with `codebook`: learned by the loss)
    /// or the reconstruction and commitment only (the EMA rule).
    pub fn total(&self, with_codebook: bool) -> f64 {
        let total = self.reconstruction + self.commitment;
        if with_codebook {
            total + self.codebook
        } else {
            total
        }
    }
}

/// `mean((x̂ − x)²)` over every element.
///
/// # Panics
///
/// When the two differ in length.
pub fn mean_squared_error(x: &[f32], x_hat: &[f32]) -> f64 {
    assert_eq!(x.len(), x_hat.len(), "x and x̂ differ in size");
    if x.is_empty() {
        return 0.0;
    }
    let sum: f64 = x
        .iter()
        .zip(x_hat)
        .map(|(&a, &b)| f64::from(b - a).powi(2))
        .sum();
    sum / x.len() as f64
}

/// `mean(‖z_e − e_code‖²)` over cells and the `D` numbers of each, for a batch of `batch`
/// images: `z_e` is `[batch, D, h, w]` (planar, as the encoder writes it) and `codes`
/// `[batch, h, w]`.
///
/// # Panics
///
/// When `batch` does not divide the codes, `z_e` does not hold `D` numbers for every code, or
/// a code is `≥ K`.
pub fn quantisation_error(
    z_e: &[f32],
    codes: &[u32],
    codebook: &HostCodebook,
    batch: usize,
) -> f64 {
    let dim = codebook.dim();
    assert_eq!(
        z_e.len(),
        codes.len() * dim,
        "z_e is not D numbers per code"
    );
    assert!(
        batch > 0 && codes.len().is_multiple_of(batch),
        "{batch} images"
    );
    if codes.is_empty() {
        return 0.0;
    }
    let cells = codes.len() / batch;
    let mut sum = 0.0f64;
    for (planes, codes) in z_e.chunks_exact(dim * cells).zip(codes.chunks_exact(cells)) {
        for (cell, &code) in codes.iter().enumerate() {
            for (d, &e_d) in codebook.vector(code).iter().enumerate() {
                sum += f64::from(planes[d * cells + cell] - e_d).powi(2);
            }
        }
    }
    sum / z_e.len() as f64
}
