//! What the engine does with the prior: draw new grids (or redraw a masked region) one cell at
//! a time while showing them, the bits of every cell, and suggestions for one cell.
//!
//! Free of any web API, like [`super::lab`]: the worker ([`super::worker`]) drives these
//! functions and posts their results. Every read from the device is asynchronous.

use std::rc::Rc;

use burn::tensor::Device;
use vq_model::prior::HostPrior;
use vq_model::sampler::{
    CachedResampler, Grid, HostSuggester, HostSurprisal, Resampler, SampleOptions,
};
use vq_model::weights::LoadedModel;
use web_time::Instant;

use super::pause::yield_to_events;
use super::{EngineError, autoencoder};
use crate::protocol::{Drawn, SamplerKind, Sampling, SuggestedCode};

/// Grids drawn side by side at most.
pub const MAX_COUNT: usize = 8;

/// The longest side, in pixels, of a sampled picture: 128 px, the page's smallest photo size.
/// The `photo` model draws grids of 128 px ÷ its cell (32×32 codes at ÷4, 64×64 at ÷2; its
/// prior, trained on 16×16 grids, is scored on whole photographs' grids of up to 256×256:
/// `crates/vq-train/PHOTO-RUNS.md`); `fashion` samples its whole 7×7 grid.
pub const MAX_SAMPLE_PIXELS: usize = 128;

/// Suggestions shown for a cell.
pub const SUGGESTIONS: usize = 5;

/// Codes the prior proposes before they are rescored by the cells after the cell (on the
/// host, each candidate recomputes the rows from the cell to the last row that sees it).
const SUGGESTION_CANDIDATES: usize = 16;

/// The model's prior.
///
/// # Errors
///
/// [`EngineError::NoPrior`] for a model trained in the page.
pub fn prior_of(model: &LoadedModel) -> Result<&vq_model::PixelCnnPrior, EngineError> {
    model.prior.as_ref().ok_or(EngineError::NoPrior)
}

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
    let classes = prior_of(model)?.num_classes;
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
    let side = sample_side(model.config.image_size, model.config.vqvae.downsample());
    (side, side)
}

/// The side in cells of a sampled grid: the model's picture, at most [`MAX_SAMPLE_PIXELS`], in
/// cells of `downsample` pixels (at least one).
pub fn sample_side(image_size: usize, downsample: usize) -> usize {
    (image_size.min(MAX_SAMPLE_PIXELS) / downsample.max(1)).max(1)
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
    let decoded = autoencoder::decode(model, grids, device).await?;
    Ok((decoded.rgba(), (decoded.width, decoded.height)))
}

/// What draws the cells: the cached sampler ([`CachedResampler`], one cell's work per cell,
/// on the host), or the windowed one it replaced ([`Resampler`], a forward pass over each
/// cell's causal window on the device), kept so that the benchmark measures one against the
/// other. For a seed both draw the same grids.
#[derive(Debug)]
pub enum Drawer {
    /// Per-layer caches; the prior's weights read once to the host.
    Cached(Box<CachedResampler>, Rc<HostPrior>),
    /// A windowed forward pass per cell.
    Windowed(Resampler),
}

impl Drawer {
    /// A drawer that redraws the cells of `grids` where `mask` is true, with `sampler`.
    pub fn new(
        grids: Vec<Grid>,
        mask: &[bool],
        options: SampleOptions,
        sampler: SamplerKind,
        host: &Rc<HostPrior>,
    ) -> Self {
        match sampler {
            SamplerKind::Cached => Self::Cached(
                Box::new(CachedResampler::new(grids, mask, options)),
                Rc::clone(host),
            ),
            SamplerKind::Windowed => Self::Windowed(Resampler::new(grids, mask, options)),
        }
    }

    /// The grids as they stand.
    pub fn grids(&self) -> &[Grid] {
        match self {
            Self::Cached(resampler, _) => resampler.grids(),
            Self::Windowed(resampler) => resampler.grids(),
        }
    }

    /// Cells drawn so far, and in all.
    pub fn progress(&self) -> (usize, usize) {
        match self {
            Self::Cached(resampler, _) => resampler.progress(),
            Self::Windowed(resampler) => resampler.progress(),
        }
    }

    /// Draws the next cell of every grid; its raster index, or `None` when all are drawn.
    async fn step(
        &mut self,
        model: &LoadedModel,
        device: &Device,
    ) -> Result<Option<usize>, EngineError> {
        Ok(match self {
            Self::Cached(resampler, host) => resampler.step(host),
            Self::Windowed(resampler) => resampler.step(prior_of(model)?, device).await?,
        })
    }
}

/// The grids of `drawer` as they stand, decoded, as a message for the page.
///
/// # Errors
///
/// [`EngineError::Device`] when the device fails to compute or read back.
pub async fn snapshot(
    id: u64,
    model: &LoadedModel,
    drawer: &Drawer,
    last_cell: Option<usize>,
    started: Instant,
    device: &Device,
) -> Result<Drawn, EngineError> {
    let grids = drawer.grids();
    let (pictures, (width, height)) = decode_pictures(model, grids, device).await?;
    let (drawn, total) = drawer.progress();
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

/// The fewest cells drawn between two pictures shown: about 24 pictures per grid at most.
pub fn show_every(total: usize) -> usize {
    total.div_ceil(24).max(1)
}

/// Whether a snapshot is shown now, with `drawn` of `total` cells drawn: cells are left to
/// draw, at least `from` are drawn (the last one shown's count and [`show_every`]), and the
/// drawing since the last one took at least twice as long as that one did (`since` and
/// `cost`, in milliseconds).
fn snapshot_due((drawn, total): (usize, usize), from: usize, (since, cost): (f64, f64)) -> bool {
    drawn < total && drawn >= from && since >= 2.0 * cost
}

/// The longest the worker computes without giving its event loop a turn (a cancel or an edit
/// waits at most this long), in milliseconds.
const TURN_MILLIS: f64 = 40.0;

/// Draws every cell of `drawer`, calling `show` with a decoded snapshot before the first cell,
/// during the drawing and after the last; returns the last snapshot.
///
/// A snapshot is a decode of every grid, which costs more than drawing many cells with the
/// cached sampler: one is shown when at least [`show_every`] cells were drawn since the last
/// and the drawing since took at least twice as long as that snapshot did, so that snapshots
/// take at most about a third of what the user waits. The worker's event loop gets a turn at least every
/// [`TURN_MILLIS`], and then `stop()` is asked whether to go on.
///
/// # Errors
///
/// [`EngineError::Stopped`] when `stop()` said so, [`EngineError::Device`] when the device
/// fails to compute or read back.
pub async fn draw(
    id: u64,
    model: &LoadedModel,
    mut drawer: Drawer,
    device: &Device,
    show: &mut dyn FnMut(Drawn),
    stop: &dyn Fn() -> bool,
) -> Result<Drawn, EngineError> {
    let started = Instant::now();
    let every = show_every(drawer.progress().1);
    let shown_at = Instant::now();
    show(snapshot(id, model, &drawer, None, started, device).await?);
    let mut snapshot_millis = shown_at.elapsed().as_secs_f64() * 1000.0;
    let (mut shown_cells, mut since_show, mut since_turn) = (0, Instant::now(), Instant::now());
    let mut last = None;
    loop {
        let (drawn, total) = drawer.progress();
        let elapsed = |since: Instant| since.elapsed().as_secs_f64() * 1000.0;
        if snapshot_due(
            (drawn, total),
            shown_cells + every,
            (elapsed(since_show), snapshot_millis),
        ) {
            let shown_at = Instant::now();
            show(snapshot(id, model, &drawer, last, started, device).await?);
            snapshot_millis = elapsed(shown_at);
            (shown_cells, since_show) = (drawn, Instant::now());
        }
        if drawn == 0 || elapsed(since_turn) >= TURN_MILLIS {
            yield_to_events().await;
            since_turn = Instant::now();
            if stop() {
                return Err(EngineError::Stopped { drawn, total });
            }
        }
        match drawer.step(model, device).await? {
            Some(cell) => last = Some(cell),
            None => break,
        }
    }
    snapshot(id, model, &drawer, last, started, device).await
}

/// A [`Drawer`] that draws `count` new grids of [`sample_size`].
pub fn new_samples(
    model: &LoadedModel,
    count: usize,
    options: SampleOptions,
    sampler: SamplerKind,
    host: &Rc<HostPrior>,
) -> Drawer {
    let (rows, cols) = sample_size(model);
    let count = count.clamp(1, MAX_COUNT);
    Drawer::new(
        vec![Grid::zeros(rows, cols); count],
        &vec![true; rows * cols],
        options,
        sampler,
        host,
    )
}

/// A [`Drawer`] that redraws the masked cells of `grid`, `count` candidates.
///
/// # Errors
///
/// A sentence when the mask does not fit the grid or masks nothing.
pub fn new_completion(
    grid: &Grid,
    mask: &[bool],
    count: usize,
    options: SampleOptions,
    sampler: SamplerKind,
    host: &Rc<HostPrior>,
) -> Result<Drawer, EngineError> {
    if mask.len() != grid.codes.len() {
        return Err(EngineError::MaskSize {
            mask: mask.len(),
            cells: grid.codes.len(),
        });
    }
    if !mask.contains(&true) {
        return Err(EngineError::NothingMasked);
    }
    Ok(Drawer::new(
        vec![grid.clone(); count.clamp(1, MAX_COUNT)],
        mask,
        options,
        sampler,
        host,
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

/// The longest the surprisal computes between two turns of the worker's event loop, in
/// milliseconds (a row of a 64-wide photo grid takes about 15 ms).
const SURPRISAL_TURN_MILLIS: f64 = 25.0;

/// The bits of every cell of `grid` under the prior, on the host, a few rows at a time;
/// between two, the worker's event loop gets a turn, and `turn()` says whether to go on, wait
/// for the user's requests, or stop (an edit changed the grid).
///
/// # Errors
///
/// [`EngineError::Superseded`].
pub async fn surprisal(
    model: &LoadedModel,
    host: &HostPrior,
    grid: &Grid,
    class: Option<usize>,
    turn: &dyn Fn() -> Turn,
) -> Result<Vec<f32>, EngineError> {
    let class = class.filter(|&c| c < prior_of(model).map_or(0, |prior| prior.num_classes));
    let mut pass = HostSurprisal::new(host, grid, class);
    loop {
        give_way(turn).await?;
        let started = Instant::now();
        while started.elapsed().as_secs_f64() * 1000.0 < SURPRISAL_TURN_MILLIS {
            if !pass.next_row(host) {
                return Ok(pass.into_bits());
            }
        }
    }
}

/// What speculative work (suggestions, surprisal) does when it gets its turn back.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Turn {
    /// Go on.
    Go,
    /// A request of the user's is under way (an edit, a drawing, an encode): let it have the
    /// worker, and ask again at the next turn.
    Wait,
    /// The grid it works for is gone: stop ([`EngineError::Superseded`]).
    Stop,
}

/// Gives the worker's event loop a turn (an edit waiting is applied), as many as `turn()`
/// says to wait; then whether the speculative work asking may go on.
async fn give_way(turn: &dyn Fn() -> Turn) -> Result<(), EngineError> {
    loop {
        yield_to_events().await;
        match turn() {
            Turn::Go => return Ok(()),
            Turn::Wait => {}
            Turn::Stop => return Err(EngineError::Superseded),
        }
    }
}

/// The prior's [`SUGGESTIONS`] most likely codes for `(row, col)` given the rest of `grid`,
/// each with the reconstruction's window around the cell decoded with that code. The
/// candidates are rescored a few at a time (`HostSuggester::rescore_next`); between two
/// batches the worker's event loop gets a turn, and `turn()` says whether to go on, wait for
/// the user's requests, or stop (an edit changed the grid).
///
/// # Errors
///
/// A sentence for a cell outside the grid, [`EngineError::Superseded`], or when the device
/// fails.
pub async fn suggest(
    model: &LoadedModel,
    host: &HostPrior,
    grid: &Grid,
    (row, col): (usize, usize),
    class: Option<usize>,
    device: &Device,
    turn: &dyn Fn() -> Turn,
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
    let class = class.filter(|&c| c < prior_of(model).map_or(0, |prior| prior.num_classes));
    let candidates = SUGGESTION_CANDIDATES.max(SUGGESTIONS);
    give_way(turn).await?;
    let mut suggester = HostSuggester::new(host, grid, (row, col), class, candidates);
    loop {
        give_way(turn).await?;
        if !suggester.rescore_next(host) {
            break;
        }
    }
    // The previews: the window around the cell with each suggested code, in one decoder call.
    give_way(turn).await?;
    let ranked = suggester.ranked(SUGGESTIONS);
    let codes: Vec<u32> = ranked.iter().map(|suggestion| suggestion.code).collect();
    let decoded = autoencoder::decode_window_with(model, grid, (row, col), &codes, device).await?;
    Ok(ranked
        .into_iter()
        .enumerate()
        .map(|(i, suggestion)| SuggestedCode {
            code: suggestion.code,
            probability: suggestion.probability,
            preview: decoded.patch(i),
        })
        .collect())
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use super::*;
    use vq_model::weights::{ModelFiles, load_model};

    /// A snapshot is shown once enough cells and enough time have passed, never after the
    /// last cell (the final picture is sent anyway).
    #[test]
    fn a_snapshot_is_due_after_enough_cells_and_twice_its_cost() {
        let every = show_every(49);
        assert_eq!(every, 3);
        assert!(snapshot_due((3, 49), every, (2.0, 1.0)));
        assert!(!snapshot_due((2, 49), every, (2.0, 1.0)), "too few cells");
        assert!(
            !snapshot_due((3, 49), every, (1.9, 1.0)),
            "too soon after the last"
        );
        assert!(!snapshot_due((49, 49), every, (100.0, 1.0)), "all drawn");
    }

    fn photo() -> LoadedModel {
        load_model(
            ModelFiles {
                manifest: include_bytes!("../../assets/models/photo/manifest.json"),
                config: include_bytes!("../../assets/models/photo/config.json"),
                vqvae: include_bytes!("../../assets/models/photo/vqvae.bpk"),
                prior: Some(include_bytes!("../../assets/models/photo/prior.bpk")),
            },
            &Device::flex(),
        )
        .unwrap_or_else(|err| panic!("{err}"))
    }

    /// Draws `count` grids of `(rows, cols)` with `sampler` to the end; the grids and the
    /// milliseconds it took.
    fn draw_all(
        model: &LoadedModel,
        (count, (rows, cols)): (usize, (usize, usize)),
        sampling: &Sampling,
        sampler: SamplerKind,
    ) -> (Vec<Vec<u32>>, f64) {
        let host = Rc::new(
            futures_lite::future::block_on(HostPrior::read(prior_of(model).expect("a prior")))
                .unwrap_or_else(|e| panic!("{e}")),
        );
        let options = sample_options(sampling, model).unwrap_or_else(|e| panic!("{e}"));
        let grids = vec![Grid::zeros(rows, cols); count];
        let mut drawer = Drawer::new(grids, &vec![true; rows * cols], options, sampler, &host);
        let started = Instant::now();
        while futures_lite::future::block_on(drawer.step(model, &Device::flex()))
            .unwrap_or_else(|e| panic!("{e}"))
            .is_some()
        {}
        let millis = started.elapsed().as_secs_f64() * 1000.0;
        (
            drawer.grids().iter().map(|g| g.codes.clone()).collect(),
            millis,
        )
    }

    /// On both shipped priors, the cached sampler draws, for a seed, the grids the windowed
    /// sampler draws: fashion's 8 class-conditional 7×7 grids, photo's 32×32 grid. Their
    /// logits agree up to float rounding (the host's sums and burn's run in different orders),
    /// so a draw that falls within that rounding of the boundary between two codes can part
    /// them: with the photo prior shipped before 2026-12-02 this 32×32 grid parted at cell 715
    /// (its first 16×16 grid agreed); with today's it agrees throughout.
    #[test]
    fn the_cached_sampler_draws_the_windowed_grids_of_the_shipped_priors() {
        for (model, count, sampling) in [
            (
                fashion(),
                (8, (7, 7)),
                Sampling {
                    class: Some(3),
                    seed: 5,
                    ..Sampling::default()
                },
            ),
            (
                photo(),
                (1, (32, 32)),
                Sampling {
                    temperature: 0.9,
                    top_k: Some(50),
                    seed: 2,
                    ..Sampling::default()
                },
            ),
        ] {
            let (windowed, slow) = draw_all(&model, count, &sampling, SamplerKind::Windowed);
            let (cached, fast) = draw_all(&model, count, &sampling, SamplerKind::Cached);
            eprintln!(
                "{}: windowed {slow:.0} ms, cached {fast:.0} ms (native, test profile)",
                model.config.name
            );
            assert_eq!(cached, windowed, "{}", model.config.name);
            assert!(
                cached.iter().all(|g| g.iter().any(|&c| c != cached[0][0])),
                "the grids are drawn, not uniform"
            );
        }
    }

    fn fashion() -> LoadedModel {
        load_model(
            ModelFiles {
                manifest: include_bytes!("../../assets/models/fashion/manifest.json"),
                config: include_bytes!("../../assets/models/fashion/config.json"),
                vqvae: include_bytes!("../../assets/models/fashion/vqvae.bpk"),
                prior: Some(include_bytes!("../../assets/models/fashion/prior.bpk")),
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
    fn a_sample_is_a_picture_of_at_most_128_pixels_in_the_models_cells() {
        assert_eq!(sample_side(28, 4), 7, "fashion: its whole grid");
        assert_eq!(sample_side(256, 4), 32, "photo at ÷4: 128 px");
        assert_eq!(sample_side(256, 2), 64, "photo at ÷2: 128 px");
        assert_eq!(sample_side(2, 4), 1, "never an empty grid");
    }

    #[test]
    fn a_drawing_shows_its_progress_and_repeats_for_a_seed() {
        let model = fashion();
        let host = Rc::new(
            futures_lite::future::block_on(HostPrior::read(prior_of(&model).expect("a prior")))
                .unwrap_or_else(|e| panic!("{e}")),
        );
        let device = Device::flex();
        let options =
            sample_options(&Sampling::default(), &model).unwrap_or_else(|e| panic!("{e}"));
        let mut shown = Vec::new();
        let last = futures_lite::future::block_on(draw(
            3,
            &model,
            new_samples(&model, 2, options, SamplerKind::Cached, &host),
            &device,
            &mut |d| shown.push((d.drawn, d.total)),
            &|| false,
        ))
        .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(shown.first(), Some(&(0, 49)));
        assert!(shown.len() >= 2, "{shown:?}");
        assert!(shown.windows(2).all(|w| w[0].0 < w[1].0));
        assert_eq!((last.drawn, last.total, last.id), (49, 49, 3));
        assert_eq!((last.width, last.height, last.pictures.len()), (28, 28, 2));
        let again = futures_lite::future::block_on(draw(
            4,
            &model,
            new_samples(&model, 2, options, SamplerKind::Cached, &host),
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
        let model = fashion();
        let host = Rc::new(
            futures_lite::future::block_on(HostPrior::read(prior_of(&model).expect("a prior")))
                .unwrap_or_else(|e| panic!("{e}")),
        );
        let grid = Grid::zeros(7, 7);
        let options = SampleOptions::default();
        let complete =
            |mask: &[bool]| new_completion(&grid, mask, 3, options, SamplerKind::Cached, &host);
        assert!(complete(&[false; 49]).is_err());
        assert!(complete(&[true; 48]).is_err());
        let mut mask = [false; 49];
        mask[48] = true;
        let resampler = complete(&mask).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(resampler.progress(), (0, 1));
        assert_eq!(resampler.grids().len(), 3);
    }
}
