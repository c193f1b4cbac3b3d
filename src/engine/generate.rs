//! What the engine does with the prior: draw new grids (or redraw a masked region) one cell at
//! a time while showing them, the bits of every cell, and suggestions for one cell.
//!
//! Free of any web API, like [`super::lab`]: the worker ([`super::worker`]) drives these
//! functions and posts their results. Every read from the device is asynchronous.

use burn::tensor::Device;
use vq_model::image::rgba_from_planes;
use vq_model::incremental::decode_window;
use vq_model::sampler::{self, Grid, Resampler, SampleOptions};
use vq_model::weights::LoadedModel;
use vq_model::{VqVaeConfig, read_f32};
use web_time::Instant;

use super::EngineError;
use super::pause::yield_to_events;
use crate::protocol::{Drawn, PatchPixels, Sampling, SuggestedCode};

/// Grids drawn side by side at most.
pub const MAX_COUNT: usize = 8;

/// The longest side, in cells, of a sampled grid: the prior of the `photo` model was trained
/// on 16×16 grids (64×64-pixel crops); `fashion` samples its whole 7×7 grid.
pub const MAX_SAMPLE_SIDE: usize = 16;

/// Suggestions shown for a cell.
pub const SUGGESTIONS: usize = 5;

/// Codes the prior proposes before they are rescored by the cells after the cell (the
/// rescoring is one prior pass over a window per candidate: on the photo model, 32 candidates
/// took 2.8 s on the CPU backend, 16 take about half).
const SUGGESTION_CANDIDATES: usize = 16;

/// The sampler's options for the page's [`Sampling`], checked against the model.
///
/// # Errors
///
/// A sentence for a temperature that is not positive, a top-k of 0, or an unknown class.
pub fn sample_options(
    sampling: &Sampling,
    model: &LoadedModel,
) -> Result<SampleOptions, EngineError> {
    if !(sampling.temperature.is_finite() && sampling.temperature > 0.0) {
        return Err(EngineError::Temperature(sampling.temperature));
    }
    if sampling.top_k == Some(0) {
        return Err(EngineError::TopKZero);
    }
    let classes = model.prior.num_classes;
    if let Some(class) = sampling.class
        && class >= classes
    {
        return Err(if classes == 0 {
            EngineError::NoClasses {
                model: model.config.name.clone(),
            }
        } else {
            EngineError::NoClass { class, classes }
        });
    }
    Ok(SampleOptions {
        temperature: sampling.temperature,
        top_k: sampling.top_k,
        seed: sampling.seed,
        class: sampling.class,
    })
}

/// The size `(rows, cols)` of the grids the prior draws for `model`.
pub fn sample_size(model: &LoadedModel) -> (usize, usize) {
    let side = (model.config.image_size / VqVaeConfig::DOWNSAMPLE).clamp(1, MAX_SAMPLE_SIDE);
    (side, side)
}

/// Decodes `grids` (all of one size) in one batch; returns the RGBA of each and the pixel
/// size.
///
/// # Errors
///
/// [`EngineError::Device`] when the device fails to compute or read back.
pub async fn decode_pictures(
    model: &LoadedModel,
    grids: &[Grid],
    device: &Device,
) -> Result<(Vec<Vec<u8>>, (usize, usize)), EngineError> {
    let decoded = model.vqvae.decode(Grid::to_tensor(grids, device)); // [n, C, H, W]
    let [_, channels, height, width] = decoded.dims();
    let values = read_f32(decoded).await?;
    let per_grid = channels * height * width;
    let pictures = values
        .chunks(per_grid.max(1))
        .map(|planes| rgba_from_planes(planes, (width, height), channels))
        .collect();
    Ok((pictures, (width, height)))
}

/// The grids of `resampler` as they stand, decoded, as a message for the page.
///
/// # Errors
///
/// [`EngineError::Device`] when the device fails to compute or read back.
pub async fn snapshot(
    id: u64,
    model: &LoadedModel,
    resampler: &Resampler,
    last_cell: Option<usize>,
    started: Instant,
    device: &Device,
) -> Result<Drawn, EngineError> {
    let grids = resampler.grids();
    let (pictures, (width, height)) = decode_pictures(model, grids, device).await?;
    let (drawn, total) = resampler.progress();
    let (grid_height, grid_width) = grids.first().map_or((0, 0), |g| (g.height, g.width));
    Ok(Drawn {
        id,
        drawn,
        total,
        last_cell,
        grid_width,
        grid_height,
        grids: grids.iter().map(|g| g.codes.clone()).collect(),
        width,
        height,
        pictures: pictures
            .into_iter()
            .map(serde_bytes::ByteBuf::from)
            .collect(),
        millis: started.elapsed().as_secs_f64() * 1000.0,
    })
}

/// How many cells to draw between two pictures shown: about 24 pictures per grid.
pub fn show_every(total: usize) -> usize {
    total.div_ceil(24).max(1)
}

/// Draws every cell of `resampler`, calling `show` with a decoded snapshot before the first
/// cell, every [`show_every`] cells, and after the last; returns the last snapshot. After each
/// snapshot the worker's event loop gets a turn, and `stop()` is asked whether to go on.
///
/// # Errors
///
/// [`EngineError::Stopped`] when `stop()` said so, [`EngineError::Device`] when the device
/// fails to compute or read back.
pub async fn draw(
    id: u64,
    model: &LoadedModel,
    mut resampler: Resampler,
    device: &Device,
    show: &mut dyn FnMut(Drawn),
    stop: &dyn Fn() -> bool,
) -> Result<Drawn, EngineError> {
    let started = Instant::now();
    let every = show_every(resampler.progress().1);
    show(snapshot(id, model, &resampler, None, started, device).await?);
    let mut last = None;
    loop {
        let (drawn, total) = resampler.progress();
        if drawn % every == 0 && drawn < total {
            if drawn > 0 {
                show(snapshot(id, model, &resampler, last, started, device).await?);
            }
            yield_to_events().await;
            if stop() {
                return Err(EngineError::Stopped { drawn, total });
            }
        }
        match resampler.step(&model.prior, device).await? {
            Some(cell) => last = Some(cell),
            None => break,
        }
    }
    snapshot(id, model, &resampler, last, started, device).await
}

/// A [`Resampler`] that draws `count` new grids of [`sample_size`].
pub fn new_samples(model: &LoadedModel, count: usize, options: SampleOptions) -> Resampler {
    let (rows, cols) = sample_size(model);
    let count = count.clamp(1, MAX_COUNT);
    Resampler::new(
        vec![Grid::zeros(rows, cols); count],
        &vec![true; rows * cols],
        options,
    )
}

/// A [`Resampler`] that redraws the masked cells of `grid`, `count` candidates.
///
/// # Errors
///
/// A sentence when the mask does not fit the grid or masks nothing.
pub fn new_completion(
    grid: &Grid,
    mask: &[bool],
    count: usize,
    options: SampleOptions,
) -> Result<Resampler, EngineError> {
    if mask.len() != grid.codes.len() {
        return Err(EngineError::MaskSize {
            mask: mask.len(),
            cells: grid.codes.len(),
        });
    }
    if !mask.contains(&true) {
        return Err(EngineError::NothingMasked);
    }
    Ok(Resampler::new(
        vec![grid.clone(); count.clamp(1, MAX_COUNT)],
        mask,
        options,
    ))
}

/// Cells per side of the uniform grid each code is decoded from: a 2×2 grid of one code shows
/// its texture without the edge of a single cell.
const TILE_CELLS: usize = 2;

/// Every code decoded as a tile, in one decoder call over `K` uniform grids; returns the tiles'
/// RGBA one after the other and the tile's side in pixels.
///
/// # Errors
///
/// [`EngineError::Device`] when the device fails to compute or read back.
pub async fn codebook_tiles(
    model: &LoadedModel,
    device: &Device,
) -> Result<(Vec<u8>, usize), EngineError> {
    let k = model.config.vqvae.codebook_size;
    let grids: Vec<Grid> = (0..k)
        .map(|code| Grid {
            height: TILE_CELLS,
            width: TILE_CELLS,
            codes: vec![code as u32; TILE_CELLS * TILE_CELLS],
        })
        .collect();
    let (pictures, (width, _)) = decode_pictures(model, &grids, device).await?;
    Ok((pictures.concat(), width))
}

/// The bits of every cell of `grid` under the prior.
///
/// # Errors
///
/// [`EngineError::Device`] when the device fails to compute or read back.
pub async fn surprisal(
    model: &LoadedModel,
    grid: &Grid,
    class: Option<usize>,
    device: &Device,
) -> Result<Vec<f32>, EngineError> {
    let class = class.filter(|&c| c < model.prior.num_classes);
    Ok(sampler::surprisal(&model.prior, grid, class, device).await?)
}

/// The prior's [`SUGGESTIONS`] most likely codes for `(row, col)` given the rest of `grid`,
/// each with the reconstruction's window around the cell decoded with that code.
///
/// # Errors
///
/// A sentence for a cell outside the grid, or when the device fails.
pub async fn suggest(
    model: &LoadedModel,
    grid: &Grid,
    (row, col): (usize, usize),
    class: Option<usize>,
    device: &Device,
) -> Result<Vec<SuggestedCode>, EngineError> {
    if row >= grid.height || col >= grid.width {
        return Err(vq_codes::CodeError::NoSuchCell {
            row,
            col,
            width: grid.width,
            height: grid.height,
        }
        .into());
    }
    let class = class.filter(|&c| c < model.prior.num_classes);
    let ranked = sampler::suggestions(
        &model.prior,
        grid,
        (row, col),
        class,
        SUGGESTIONS,
        SUGGESTION_CANDIDATES,
        device,
    )
    .await?;
    let mut out = Vec::with_capacity(ranked.len());
    for suggestion in ranked {
        let mut changed = grid.clone();
        changed.codes[row * grid.width + col] = suggestion.code;
        let patch = decode_window(
            &model.vqvae,
            &model.config.vqvae,
            &changed,
            row..=row,
            col..=col,
            device,
        );
        let (rgba, (width, height)) = vq_model::image::rgba_from_tensor(patch.pixels).await?;
        out.push(SuggestedCode {
            code: suggestion.code,
            probability: suggestion.probability,
            preview: PatchPixels {
                top: patch.top,
                left: patch.left,
                width,
                height,
                rgba,
            },
        });
    }
    Ok(out)
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use super::*;
    use vq_model::weights::{ModelFiles, load_model};

    fn fashion() -> LoadedModel {
        load_model(
            ModelFiles {
                manifest: include_bytes!("../../assets/models/fashion/manifest.json"),
                config: include_bytes!("../../assets/models/fashion/config.json"),
                vqvae: include_bytes!("../../assets/models/fashion/vqvae.bpk"),
                prior: include_bytes!("../../assets/models/fashion/prior.bpk"),
            },
            &Device::flex(),
        )
        .unwrap_or_else(|err| panic!("{err}"))
    }

    #[test]
    fn the_page_controls_are_checked_with_sentences() {
        let model = fashion();
        let ok = Sampling {
            class: Some(9),
            ..Sampling::default()
        };
        assert!(sample_options(&ok, &model).is_ok());
        for bad in [
            Sampling {
                temperature: 0.0,
                ..ok
            },
            Sampling {
                temperature: f32::NAN,
                ..ok
            },
            Sampling {
                top_k: Some(0),
                ..ok
            },
            Sampling {
                class: Some(10),
                ..ok
            },
        ] {
            let err = sample_options(&bad, &model).err();
            assert!(
                err.is_some_and(|e| e.to_string().ends_with('.')),
                "{bad:?} accepted"
            );
        }
        assert_eq!(sample_size(&model), (7, 7));
    }

    #[test]
    fn a_drawing_shows_its_progress_and_repeats_for_a_seed() {
        let model = fashion();
        let device = Device::flex();
        let options =
            sample_options(&Sampling::default(), &model).unwrap_or_else(|e| panic!("{e}"));
        let mut shown = Vec::new();
        let last = futures_lite::future::block_on(draw(
            3,
            &model,
            new_samples(&model, 2, options),
            &device,
            &mut |d| shown.push((d.drawn, d.total)),
            &|| false,
        ))
        .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(shown.first(), Some(&(0, 49)));
        assert!(shown.len() >= 10, "{shown:?}");
        assert!(shown.windows(2).all(|w| w[0].0 < w[1].0));
        assert_eq!((last.drawn, last.total, last.id), (49, 49, 3));
        assert_eq!((last.width, last.height, last.pictures.len()), (28, 28, 2));
        let again = futures_lite::future::block_on(draw(
            4,
            &model,
            new_samples(&model, 2, options),
            &device,
            &mut |_| {},
            &|| false,
        ))
        .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(again.grids, last.grids);
        assert_eq!(again.pictures, last.pictures);
    }

    #[test]
    fn a_completion_needs_a_mask_that_fits() {
        let grid = Grid::zeros(7, 7);
        let options = SampleOptions::default();
        assert!(new_completion(&grid, &[false; 49], 3, options).is_err());
        assert!(new_completion(&grid, &[true; 48], 3, options).is_err());
        let mut mask = [false; 49];
        mask[48] = true;
        let resampler = new_completion(&grid, &mask, 3, options).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(resampler.progress(), (0, 1));
        assert_eq!(resampler.grids().len(), 3);
    }
}
