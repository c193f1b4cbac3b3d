//! One training step in two halves with the reads between them, so that nothing blocks in the
//! browser: [`VqVaeTrainer::update`](super::VqVaeTrainer::update) does the tensor work and
//! leaves [`StepTensors`] on the device; the caller reads them ([`StepTensors::read_async`]:
//! the browser's way; [`StepTensors::read`], blocking: native only) and hands the
//! [`StepRead`] to [`VqVaeTrainer::finish`](super::VqVaeTrainer::finish), which does the
//! host's part (dead codes) and reports.

use burn::prelude::*;
use burn::tensor::Int;

use crate::{ReadError, read_f32, read_i64};

/// What the tensor half of a step leaves on the device, to be read.
#[derive(Debug)]
pub struct StepTensors {
    /// `[reconstruction, codebook, β·commitment, total]` of the batch, each a mean over its
    /// elements; `[4]`, no gradient.
    pub losses: Tensor<1>,
    /// The code of each cell of the batch, `[batch·h·w]`.
    pub codes: Tensor<1, Int>,
    pub(super) after: AfterUpdate,
}

/// What the host half needs besides the two reads.
#[derive(Debug)]
pub(super) struct AfterUpdate {
    /// `z_e` of each cell, `[batch·h·w, D]`, no gradient: where dead codes are revived onto.
    pub z_flat: Tensor<2>,
    /// The step's index, counted from 0.
    pub index: usize,
    /// The learning rate the step used.
    pub learning_rate: f64,
    /// Images in the batch.
    pub images: usize,
}

/// A step's tensors read back to the host, for [`VqVaeTrainer::finish`](super::VqVaeTrainer::finish).
#[derive(Debug)]
pub struct StepRead {
    pub(super) losses: [f32; 4],
    pub(super) codes: Vec<i64>,
    pub(super) after: AfterUpdate,
}

impl StepTensors {
    /// Reads the losses and the codes without blocking (two reads): the way a browser must.
    ///
    /// # Errors
    /// When the backend fails to read a tensor back.
    pub async fn read_async(self) -> Result<StepRead, ReadError> {
        let losses = read_f32(self.losses).await?;
        let codes = read_i64(self.codes).await?;
        StepRead::new(losses, codes, self.after)
    }

    /// Reads the losses and the codes, blocking until they are there: native callers only
    /// (a synchronous read on a browser's device never returns).
    ///
    /// # Errors
    /// When the backend fails to read a tensor back.
    #[cfg(not(target_arch = "wasm32"))]
    pub fn read(self) -> Result<StepRead, ReadError> {
        let failed = |e| ReadError(format!("{e:?}"));
        let losses = self.losses.try_into_vec_as::<f32>().map_err(failed)?;
        let codes = self.codes.try_into_vec_as::<i64>().map_err(failed)?;
        StepRead::new(losses, codes, self.after)
    }
}

impl StepRead {
    fn new(losses: Vec<f32>, codes: Vec<i64>, after: AfterUpdate) -> Result<Self, ReadError> {
        let count = losses.len();
        let losses = losses
            .try_into()
            .map_err(|_| ReadError(format!("4 loss terms expected, {count} read")))?;
        Ok(Self {
            losses,
            codes,
            after,
        })
    }
}
