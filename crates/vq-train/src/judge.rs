//! Judging generation with an independent classifier: a small CNN trained on the Fashion-MNIST
//! training set classifies class-conditional samples of the prior; the fraction classified as
//! the class asked for says whether conditioning works.

use anyhow::Result;
use burn::nn::conv::{Conv2d, Conv2dConfig};
use burn::nn::loss::CrossEntropyLossConfig;
use burn::nn::pool::{MaxPool2d, MaxPool2dConfig};
use burn::nn::{Linear, LinearConfig, PaddingConfig2d, Relu};
use burn::optim::{AdamConfig, GradientsParams};
use burn::prelude::*;
use vq_model::sampler::{self, Grid, SampleOptions};
use vq_model::weights::LoadedModel;

use crate::batch;
use crate::data::ImageSet;
use crate::progress::Progress;

/// conv 3×3 (32) → pool → conv 3×3 (64) → pool → 128 → 10.
#[derive(Module, Debug)]
pub struct Classifier {
    conv1: Conv2d,
    conv2: Conv2d,
    pool: MaxPool2d,
    hidden: Linear,
    out: Linear,
    relu: Relu,
}

impl Classifier {
    /// A fresh classifier of 28×28 grey images into 10 classes.
    pub fn new(device: &Device) -> Self {
        let same = PaddingConfig2d::Explicit(1, 1, 1, 1);
        Self {
            conv1: Conv2dConfig::new([1, 32], [3, 3])
                .with_padding(same.clone())
                .init(device),
            conv2: Conv2dConfig::new([32, 64], [3, 3])
                .with_padding(same)
                .init(device),
            pool: MaxPool2dConfig::new([2, 2]).with_strides([2, 2]).init(),
            hidden: LinearConfig::new(64 * 7 * 7, 128).init(device),
            out: LinearConfig::new(128, 10).init(device),
            relu: Relu::new(),
        }
    }

    /// # Shapes
    /// - `x`: `[batch, 1, 28, 28]` → logits `[batch, 10]`
    pub fn forward(&self, x: Tensor<4>) -> Tensor<2> {
        let x = self.pool.forward(self.relu.forward(self.conv1.forward(x))); // [batch, 32, 14, 14]
        let x = self.pool.forward(self.relu.forward(self.conv2.forward(x))); // [batch, 64, 7, 7]
        let x = x.flatten::<2>(1, 3); // [batch, 64·7·7]
        self.out.forward(self.relu.forward(self.hidden.forward(x)))
    }

    /// Predicted classes of `x`.
    pub fn predict(&self, x: Tensor<4>) -> Vec<i64> {
        batch::ints(self.forward(x).argmax(1).reshape([-1]))
    }
}

/// Trains the classifier for `steps` batches of 64.
pub fn train(train: &ImageSet, steps: usize, seed: u64, device: &Device) -> Classifier {
    let autodiff = device.clone().autodiff();
    autodiff.seed(seed);
    let mut model = Classifier::new(&autodiff);
    let mut optimizer = AdamConfig::new().init();
    let loss_fn = CrossEntropyLossConfig::new().init(&autodiff);
    let progress = Progress::new(steps, 0, "classifier");
    for step in 0..steps {
        let indices = batch::indices(train.len(), 64, seed ^ 0xC1A55, step);
        let x = batch::images(train, &indices, &autodiff);
        let y = batch::labels(train, &indices, &autodiff);
        let loss = loss_fn.forward(model.forward(x), y);
        if step % 50 == 0 {
            progress.update(step, &format!("loss {:.3}", batch::floats(loss.clone())[0]));
        }
        let grads = GradientsParams::from_grads(loss.backward(), &model);
        model = optimizer.step(1e-3, model, grads);
    }
    progress.finish();
    model.valid()
}

/// Fraction of `set` classified correctly.
pub fn accuracy(classifier: &Classifier, set: &ImageSet, device: &Device) -> f64 {
    let mut correct = 0usize;
    for start in (0..set.len()).step_by(500) {
        let indices: Vec<usize> = (start..(start + 500).min(set.len())).collect();
        let predicted = classifier.predict(batch::images(set, &indices, device));
        correct += indices
            .iter()
            .zip(predicted)
            .filter(|(i, p)| i64::from(set.labels[**i]) == *p)
            .count();
    }
    correct as f64 / set.len().max(1) as f64
}

/// Samples `per_class` grids for each class, decodes them and returns the fraction the
/// classifier assigns to the class asked for, and the per-class fractions.
pub fn conditional_agreement(
    model: &LoadedModel,
    classifier: &Classifier,
    per_class: usize,
    device: &Device,
) -> Result<(f64, Vec<f64>)> {
    let side = model.config.image_size / 4;
    let classes = model.config.class_names.len();
    let mut per = Vec::new();
    for class in 0..classes {
        let options = SampleOptions {
            temperature: 1.0,
            top_k: None,
            seed: 1000 + class as u64,
            class: Some(class),
        };
        let grids: Vec<Grid> = pollster::block_on(sampler::sample(
            model.prior()?,
            (side, side),
            per_class,
            &options,
            device,
            &mut |_, _| {},
        ))?;
        let images = model
            .vqvae
            .decode(Grid::to_tensor(&grids, device))
            .clamp(-0.5, 0.5);
        let predicted = classifier.predict(images);
        let hits = predicted.iter().filter(|&&p| p == class as i64).count();
        per.push(hits as f64 / per_class as f64);
    }
    let mean = per.iter().sum::<f64>() / per.len().max(1) as f64;
    Ok((mean, per))
}
