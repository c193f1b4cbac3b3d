//! The trainer's state besides the model's weights and Adam's moments, as plain numbers: what
//! a checkpoint keeps so that a run goes on exactly where it stopped. Writing it anywhere is
//! the caller's business.

use burn::prelude::*;
use serde::{Deserialize, Serialize};

use super::ema::{EMA_DECAY, EMA_EPSILON, Ema};
use super::trainer::VqVaeTrainer;
use crate::{ReadError, read_f32};

/// The step, the EMA's sums and the dead-code counters of a [`VqVaeTrainer`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TrainerState {
    /// Steps done.
    pub step: usize,
    /// The EMA's `N` (`[K]`), when the codebook follows the EMA and a step was taken.
    pub ema_cluster_size: Option<Vec<f32>>,
    /// The EMA's `m` (`[K, D]`, row-major).
    pub ema_embed_sum: Option<Vec<f32>>,
    /// Steps since each code was last chosen, `K` of them.
    pub idle_steps: Vec<usize>,
}

/// A [`TrainerState`] that does not fit the trainer's model.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("the saved training state does not fit this model: {0}")]
pub struct StateMismatch(pub String);

impl VqVaeTrainer {
    /// The state to keep with a checkpoint, read without blocking (the browser's way).
    ///
    /// # Errors
    /// When the backend fails to read the EMA's tensors back.
    pub async fn state_async(&self) -> Result<TrainerState, ReadError> {
        let (ema_cluster_size, ema_embed_sum) = match &self.ema {
            Some(ema) => (
                Some(read_f32(ema.cluster_size.clone()).await?),
                Some(read_f32(ema.embed_sum.clone()).await?),
            ),
            None => (None, None),
        };
        Ok(self.state_with(ema_cluster_size, ema_embed_sum))
    }

    /// The state to keep with a checkpoint, with blocking reads: native callers only.
    ///
    /// # Errors
    /// When the backend fails to read the EMA's tensors back.
    #[cfg(not(target_arch = "wasm32"))]
    pub fn state(&self) -> Result<TrainerState, ReadError> {
        let (ema_cluster_size, ema_embed_sum) = match &self.ema {
            Some(ema) => (
                Some(floats_now(ema.cluster_size.clone())?),
                Some(floats_now(ema.embed_sum.clone())?),
            ),
            None => (None, None),
        };
        Ok(self.state_with(ema_cluster_size, ema_embed_sum))
    }

    fn state_with(
        &self,
        ema_cluster_size: Option<Vec<f32>>,
        ema_embed_sum: Option<Vec<f32>>,
    ) -> TrainerState {
        TrainerState {
            step: self.step,
            ema_cluster_size,
            ema_embed_sum,
            idle_steps: self.dead.idle_steps.clone(),
        }
    }

    /// Takes up `state` (the model's weights and Adam's state are restored apart).
    ///
    /// # Errors
    /// When its sizes are not those of the model's codebook; the trainer is then unchanged.
    pub fn restore(&mut self, state: TrainerState) -> Result<(), StateMismatch> {
        let (k, d) = (self.config.codebook_size, self.config.embedding_dim);
        let sized = |name: &str, len: usize, expected: usize| {
            if len == expected {
                Ok(())
            } else {
                Err(StateMismatch(format!(
                    "{name} holds {len} numbers, the codebook (K = {k}, D = {d}) needs {expected}"
                )))
            }
        };
        sized("idle_steps", state.idle_steps.len(), k)?;
        let ema = match (state.ema_cluster_size, state.ema_embed_sum) {
            (Some(n), Some(m)) => {
                sized("ema_cluster_size", n.len(), k)?;
                sized("ema_embed_sum", m.len(), k * d)?;
                let device = self.model.quantizer.codebook.weight.device();
                Some(Ema {
                    decay: EMA_DECAY,
                    epsilon: EMA_EPSILON,
                    cluster_size: Tensor::from_data(TensorData::new(n, [k]), &device)
                        .without_autodiff(),
                    embed_sum: Tensor::from_data(TensorData::new(m, [k, d]), &device)
                        .without_autodiff(),
                })
            }
            _ => None,
        };
        self.step = state.step;
        self.dead.idle_steps = state.idle_steps;
        self.ema = ema;
        Ok(())
    }
}

/// Reads a float tensor, blocking until it is there.
#[cfg(not(target_arch = "wasm32"))]
fn floats_now<const D: usize>(t: Tensor<D>) -> Result<Vec<f32>, ReadError> {
    t.try_into_vec_as::<f32>()
        .map_err(|e| ReadError(format!("{e:?}")))
}
