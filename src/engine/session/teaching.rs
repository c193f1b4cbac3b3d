//! What the lab teaches with the current image's numbers: the loss terms of the grid as it is
//! and as the encoder chose it ([`ToEngine::Losses`](crate::protocol::ToEngine::Losses)), and
//! the codebook's map with the image's cells on it
//! ([`ToEngine::Map`](crate::protocol::ToEngine::Map)). Host arithmetic on what the session
//! keeps ([`crate::engine::held`]); only cells set without decoding (undo, redo) cost a
//! windowed decode first.

use std::rc::Rc;

use vq_model::incremental::decode_window;
use vq_model::map::Pca2;
use vq_model::read_f32;
use web_time::Instant;

use super::{Session, millis};
use crate::engine::EngineError;
use crate::engine::source::ModelSource;
use crate::protocol::{CodebookMap, LossReport};

impl<S: ModelSource> Session<S> {
    /// The loss terms of the current image; `None` for a grid not encoded from an image.
    pub(super) async fn losses(&self) -> Result<Option<LossReport>, EngineError> {
        let started = Instant::now();
        let model = self.model()?;
        let codebook = self.host_codebook()?;
        let grid = self.current_grid()?;
        let stale = match self.held.borrow_mut().as_mut() {
            None => return Ok(None),
            Some(held) => held.stale_window(),
        };
        if let Some((rows, cols)) = stale {
            let device = self.device()?;
            let window = decode_window(
                &model.vqvae,
                &model.config.vqvae,
                &grid,
                rows,
                cols,
                &device,
            );
            let [_, _, height, width] = window.pixels.dims();
            let (top, left) = (window.top, window.left);
            let planes = read_f32(window.pixels).await?;
            if let Some(held) = self.held.borrow_mut().as_mut() {
                held.paste((top, left), (width, height), &planes);
            }
        }
        // The grid as it is now (an edit may have landed during the decode).
        let grid = self.current_grid()?;
        let beta = model.config.vqvae.commitment_cost;
        Ok(self.held.borrow_mut().as_mut().map(|held| LossReport {
            millis: millis(started),
            ..held.losses(&grid.codes, &codebook, beta)
        }))
    }

    /// The codebook's map, and the current image's cells on it.
    pub(super) fn map(&self) -> Result<CodebookMap, EngineError> {
        let codebook = self.host_codebook()?;
        let pca = self.map.borrow().clone();
        let pca = match pca {
            Some(pca) => pca,
            None => {
                let pca = Rc::new(Pca2::fit(codebook.rows(), codebook.dim()));
                self.map.replace(Some(Rc::clone(&pca)));
                pca
            }
        };
        let cells = self
            .held
            .borrow()
            .as_ref()
            .map(|held| pca.project_planes(held.z_e()))
            .unwrap_or_default();
        let share = |v: f64| {
            if pca.total_variance > 0.0 {
                v / pca.total_variance
            } else {
                0.0
            }
        };
        Ok(CodebookMap {
            codes: pca.project_rows(codebook.rows()).concat(),
            cells: cells.concat(),
            vectors: codebook.rows().to_vec(),
            dim: codebook.dim(),
            explained: pca.variance.map(share),
        })
    }
}
