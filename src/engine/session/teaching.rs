//! What the lab teaches with the current image's numbers: the loss terms of the grid as it is
//! and as the encoder chose it ([`ToEngine::Losses`](crate::protocol::ToEngine::Losses)), and
//! the codebook's map with the image's cells on it
//! ([`ToEngine::Map`](crate::protocol::ToEngine::Map)), and what a code means: patches of the
//! model's pictures whose cells quantise to it
//! ([`ToEngine::CodePatches`](crate::protocol::ToEngine::CodePatches)). Host arithmetic on what the session
//! keeps ([`crate::engine::held`]); only cells set without decoding (undo, redo) cost a
//! windowed decode first.

use std::rc::Rc;

use vq_model::image::decode_upload;
use vq_model::map::Pca2;
use vq_model::weights::LoadedModel;
use web_time::Instant;

use super::{Session, millis};
use crate::engine::meaning::{Meanings, Picture};
use crate::engine::pause::yield_to_events;
use crate::engine::source::ModelSource;
use crate::engine::{EngineError, autoencoder, lab};
use crate::protocol::{CodePatches, CodebookMap, DEFAULT_PHOTO_SIZE, Invert, LossReport};

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
            let window = autoencoder::decode_window(&model, &grid, rows, cols, &device).await?;
            let (top, left, width, height) = (window.top, window.left, window.width, window.height);
            let planes = window.planes.concat();
            if let Some(held) = self.held.borrow_mut().as_mut() {
                held.paste((top, left), (width, height), &planes);
            }
        }
        // The grid as it is now (an edit may have landed during the decode).
        let grid = self.current_grid()?;
        let beta = model.config.vqvae.commitment_cost;
        Ok(self.held.borrow().as_ref().map(|held| LossReport {
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

/// Patches a code's answer shows at most.
const PATCHES: usize = 12;

impl<S: ModelSource> Session<S> {
    /// Patches of the model's pictures whose cells quantise to `code`.
    pub(super) async fn code_patches(&self, code: u32) -> Result<CodePatches, EngineError> {
        let started = Instant::now();
        let model = self.model()?;
        vq_codes::check_codes([code], model.config.vqvae.codebook_size)?;
        // Cloned first: the index is stored below, with no borrow held.
        let known = self.meanings.borrow().clone();
        let meanings = match known {
            Some(meanings) => meanings,
            None => {
                let meanings = Rc::new(self.index_pictures(&model).await?);
                // Another model may have been loaded meanwhile: keep the index only if not.
                if self
                    .model
                    .borrow()
                    .as_ref()
                    .is_some_and(|now| Rc::ptr_eq(now, &model))
                {
                    self.meanings.replace(Some(Rc::clone(&meanings)));
                }
                meanings
            }
        };
        Ok(CodePatches {
            millis: millis(started),
            ..meanings.patches(code, PATCHES)
        })
    }

    /// The bytes of `examples/<file>`.
    async fn picture(&self, file: &str) -> Result<Vec<u8>, EngineError> {
        self.fetch(&format!("examples/{file}"), &mut |_| {})
            .await
            .map_err(|err| EngineError::Pictures(err.to_string()))
    }

    /// Encodes the model's examples and held-out sample once: the cells of real pictures.
    async fn index_pictures(&self, model: &LoadedModel) -> Result<Meanings, EngineError> {
        let device = self.device()?;
        let catalogue = self.catalogue().await?;
        let entry = catalogue
            .model(&model.config.name)
            .ok_or_else(|| EngineError::UnknownModel {
                name: model.config.name.clone(),
                choices: catalogue
                    .models
                    .iter()
                    .map(|m| m.name.as_str())
                    .collect::<Vec<_>>()
                    .join(" or "),
            })?
            .clone();
        let mut pictures = Vec::new();
        for example in &entry.examples {
            let bytes = self.picture(&example.file).await?;
            let prepared = lab::prepare(&bytes, &model.config, Invert::Auto, DEFAULT_PHOTO_SIZE)
                .map_err(|err| EngineError::Pictures(format!("{}: {err}", example.file)))?;
            let images = [prepared.rgba.as_slice()];
            let size = (prepared.width, prepared.height);
            let (codes, distances) = lab::encode_cells(model, &images, size, &device).await?;
            pictures.push(Picture {
                label: example.label.clone(),
                rgba: prepared.rgba,
                width: prepared.width,
                height: prepared.height,
                codes: codes.concat(),
                distances: distances.concat(),
            });
            // An edit that arrived meanwhile is answered before the next picture.
            yield_to_events().await;
        }
        let mut note = format!("the {} examples", entry.examples.len());
        if let Some(sample) = &entry.held_out {
            let bytes = self.picture(&sample.file).await?;
            let sheet = decode_upload(&bytes)
                .map_err(|err| EngineError::Pictures(format!("{}: {err}", sample.file)))?;
            let size = (sheet.width() as usize, sheet.height() as usize);
            let tiles = tiles_of(sheet.as_raw(), size, sample.tile);
            let images: Vec<&[u8]> = tiles.iter().map(Vec::as_slice).collect();
            let size = (sample.tile, sample.tile);
            let (codes, distances) = lab::encode_cells(model, &images, size, &device).await?;
            for (i, ((rgba, codes), distances)) in
                tiles.into_iter().zip(codes).zip(distances).enumerate()
            {
                pictures.push(Picture {
                    label: format!("{} {i}", sample.label),
                    rgba,
                    width: sample.tile,
                    height: sample.tile,
                    codes,
                    distances,
                });
            }
            note = format!("{note} and {}", sample.note);
        }
        Ok(Meanings::new(
            pictures,
            model.config.vqvae.downsample(),
            model.config.vqvae.codebook_size,
            note,
        ))
    }
}

/// The `tile × tile` tiles of an RGBA image of `(width, height)`, row-major, as RGBA.
fn tiles_of(rgba: &[u8], (width, height): (usize, usize), tile: usize) -> Vec<Vec<u8>> {
    let tile = tile.max(1);
    let mut tiles = Vec::new();
    for top in (0..height / tile).map(|r| r * tile) {
        for left in (0..width / tile).map(|c| c * tile) {
            let mut tile_rgba = Vec::with_capacity(4 * tile * tile);
            for y in top..top + tile {
                let start = 4 * (y * width + left);
                tile_rgba.extend_from_slice(&rgba[start..start + 4 * tile]);
            }
            tiles.push(tile_rgba);
        }
    }
    tiles
}
