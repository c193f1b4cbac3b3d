//! The engine's Web Worker: receives [`ToEngine`], answers [`FromEngine`].
//!
//! Started by the `engine_worker` binary. A panic is reported to the page as
//! [`FromEngine::Panicked`] before the worker dies (wasm32 aborts on panic).

use std::cell::RefCell;
use std::rc::Rc;

use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::Closure;
use web_sys::{DedicatedWorkerGlobalScope, MessageEvent};

use vq_model::sampler::Grid;
use vq_model::weights::{LoadedModel, ModelFiles, files, parse_manifest, verify};
use web_time::Instant;

use super::fetch::{FetchError, fetch_bytes};
use super::{ChosenDevice, choose, generate, lab, warmup};
use crate::protocol::{
    CellCode, Codebook, Drawn, EngineReport, FromEngine, Invert, LoadStage, MODELS, ModelInfo,
    PatchPixels, Sampling, ToEngine,
};

thread_local! {
    /// The device, chosen by the first [`ToEngine::Init`] and kept for the worker's life.
    static CHOSEN: RefCell<Option<ChosenDevice>> = const { RefCell::new(None) };
    /// The loaded model.
    static MODEL: RefCell<Option<Rc<LoadedModel>>> = const { RefCell::new(None) };
    /// The grid of codes of the current image, with the user's edits.
    static GRID: RefCell<Option<Grid>> = const { RefCell::new(None) };
}

/// Installs the panic hook and the message handler, then says [`FromEngine::Started`].
pub fn start() {
    std::panic::set_hook(Box::new(|info| {
        let message = info.to_string();
        web_sys::console::error_1(&format!("VQ Lab engine panicked: {message}").into());
        post(&FromEngine::Panicked { message });
    }));
    let Some(scope) = scope() else {
        web_sys::console::error_1(&"the engine must run in a dedicated worker".into());
        return;
    };
    let on_message = Closure::<dyn FnMut(MessageEvent)>::new(|event: MessageEvent| {
        match serde_wasm_bindgen::from_value::<ToEngine>(event.data()) {
            Ok(request) => wasm_bindgen_futures::spawn_local(handle(request)),
            Err(err) => post(&FromEngine::Failed {
                message: format!("The engine received a message it does not understand: {err}."),
            }),
        }
    });
    scope.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
    // The handler lives as long as the worker.
    on_message.forget();
    post(&FromEngine::Started);
}

async fn handle(request: ToEngine) {
    match request {
        ToEngine::Init { preference } => post(&init(preference).await),
        ToEngine::LoadModel { name } => {
            let answer = match load_model(&name).await {
                Ok(info) => FromEngine::ModelLoaded(info),
                Err(message) => FromEngine::ModelFailed { name, message },
            };
            post(&answer);
        }
        ToEngine::Encode {
            bytes,
            source,
            invert,
            long_side,
        } => {
            let answer = match encode(&bytes, &source, invert, long_side).await {
                Ok(encoding) => FromEngine::Encoded(Box::new(encoding)),
                Err(message) => FromEngine::EncodeFailed { source, message },
            };
            post(&answer);
        }
        ToEngine::Edit { id, cells } => {
            let started = Instant::now();
            let answer = match edit(&cells).await {
                Ok(patch) => FromEngine::Patched {
                    id,
                    cells,
                    patch,
                    millis: started.elapsed().as_secs_f64() * 1000.0,
                },
                Err(message) => FromEngine::EditFailed { id, message },
            };
            post(&answer);
        }
        ToEngine::Sample {
            id,
            sampling,
            count,
        } => {
            let answer = match sample(id, &sampling, count).await {
                Ok(drawn) => FromEngine::Drawn(drawn),
                Err(message) => FromEngine::DrawFailed { id, message },
            };
            post(&answer);
        }
        ToEngine::Complete {
            id,
            mask,
            sampling,
            count,
        } => {
            let answer = match complete(id, &mask, &sampling, count).await {
                Ok(drawn) => FromEngine::Drawn(drawn),
                Err(message) => FromEngine::DrawFailed { id, message },
            };
            post(&answer);
        }
        ToEngine::UseGrid {
            source,
            grid_width,
            grid_height,
            codes,
        } => {
            let answer = match use_grid(&source, grid_width, grid_height, codes).await {
                Ok(encoding) => FromEngine::Encoded(Box::new(encoding)),
                Err(message) => FromEngine::EncodeFailed { source, message },
            };
            post(&answer);
        }
        ToEngine::Codebook => {
            let started = Instant::now();
            let answer = match codebook().await {
                Ok((tiles, tile, train_usage)) => FromEngine::Codebook(Codebook {
                    tile,
                    tiles,
                    train_usage,
                    millis: started.elapsed().as_secs_f64() * 1000.0,
                }),
                Err(message) => FromEngine::Failed { message },
            };
            post(&answer);
        }
        ToEngine::Surprisal { class } => {
            let started = Instant::now();
            let answer = match surprisal(class).await {
                Ok((codes, bits)) => FromEngine::Surprisal {
                    codes,
                    bits,
                    millis: started.elapsed().as_secs_f64() * 1000.0,
                },
                Err(message) => FromEngine::Failed { message },
            };
            post(&answer);
        }
        ToEngine::Suggest { row, col, class } => {
            let started = Instant::now();
            let answer = match suggest(row, col, class).await {
                Ok(codes) => FromEngine::Suggestions {
                    row,
                    col,
                    codes,
                    millis: started.elapsed().as_secs_f64() * 1000.0,
                },
                Err(message) => FromEngine::Failed { message },
            };
            post(&answer);
        }
        ToEngine::SetCells { cells } => {
            GRID.with_borrow_mut(|grid| {
                if let Some(grid) = grid {
                    for (row, col, code) in cells {
                        if row < grid.height && col < grid.width {
                            grid.codes[row * grid.width + col] = code;
                        }
                    }
                }
            });
        }
    }
}

async fn init(preference: crate::protocol::BackendPreference) -> FromEngine {
    let chosen = match CHOSEN.with_borrow(Clone::clone) {
        Some(chosen) => chosen,
        None => {
            let chosen = choose(preference).await;
            CHOSEN.set(Some(chosen.clone()));
            chosen
        }
    };
    match warmup(&chosen.device).await {
        Ok(warmup) => FromEngine::Ready(EngineReport {
            backend: chosen.backend,
            adapter: chosen.adapter,
            reason: chosen.reason,
            notice: chosen.notice,
            warmup,
        }),
        Err(err) => FromEngine::Failed {
            message: format!(
                "The warm-up computation failed: {err}. Reload the page, or try ?backend=cpu."
            ),
        },
    }
}

fn device() -> Result<burn::tensor::Device, String> {
    CHOSEN
        .with_borrow(|chosen| chosen.as_ref().map(|chosen| chosen.device.clone()))
        .ok_or_else(|| "The engine has not chosen its device yet; wait for it to be ready.".into())
}

fn progress(name: &str, stage: LoadStage, loaded: u64, total: Option<u64>) {
    post(&FromEngine::LoadProgress {
        name: name.to_owned(),
        stage,
        loaded,
        total,
    });
}

async fn load_model(name: &str) -> Result<ModelInfo, String> {
    if !MODELS.contains(&name) {
        return Err(format!(
            "There is no model called “{name}”; choose fashion or photo."
        ));
    }
    let device = device()?;
    let started = Instant::now();
    let base = format!("models/{name}/");
    progress(name, LoadStage::Downloading, 0, None);
    let manifest_bytes = fetch_bytes(&format!("{base}{}", files::MANIFEST), |_| {})
        .await
        .map_err(|err| match err {
            FetchError::Status { status: 404, .. } => format!(
                "The {name} model is not part of this site yet ({base}{} is missing); choose                  another model.",
                files::MANIFEST
            ),
            other => format!("The {name} model could not be downloaded: {other}."),
        })?;
    let manifest = parse_manifest(&manifest_bytes).map_err(|err| format!("{err}."))?;
    let mut loaded = manifest_bytes.len() as u64;
    let total = loaded + manifest.bytes.values().sum::<u64>();
    progress(name, LoadStage::Downloading, loaded, Some(total));
    let mut fetched = Vec::new();
    for file in [files::CONFIG, files::VQVAE, files::PRIOR] {
        let before = loaded;
        let bytes = fetch_bytes(&format!("{base}{file}"), |so_far| {
            progress(name, LoadStage::Downloading, before + so_far, Some(total));
        })
        .await
        .map_err(|err| format!("The {name} model could not be downloaded: {err}."))?;
        loaded += bytes.len() as u64;
        fetched.push(bytes);
    }
    let [config, vqvae, prior] = <[Vec<u8>; 3]>::try_from(fetched)
        .map_err(|_| "The model's files were not all downloaded.".to_owned())?;
    progress(name, LoadStage::Verifying, loaded, Some(total));
    for (file, bytes) in [
        (files::CONFIG, &config),
        (files::VQVAE, &vqvae),
        (files::PRIOR, &prior),
    ] {
        verify(&manifest, file, bytes).map_err(|err| format!("{err}."))?;
    }
    progress(name, LoadStage::Initialising, loaded, Some(total));
    let model = lab::load(
        ModelFiles {
            manifest: &manifest_bytes,
            config: &config,
            vqvae: &vqvae,
            prior: &prior,
        },
        &device,
    )
    .map_err(|err| format!("{err}."))?;
    progress(name, LoadStage::WarmingUp, loaded, Some(total));
    let warmup_millis = lab::warm_up(&model, &device).await?;
    let info = ModelInfo {
        name: name.to_owned(),
        channels: model.config.vqvae.in_channels,
        image_size: model.config.image_size,
        codebook_size: model.config.vqvae.codebook_size,
        class_names: model.config.class_names.clone(),
        bytes: loaded,
        millis: started.elapsed().as_secs_f64() * 1000.0,
        warmup_millis,
    };
    MODEL.set(Some(Rc::new(model)));
    GRID.set(None);
    Ok(info)
}

fn model() -> Result<Rc<LoadedModel>, String> {
    MODEL
        .with_borrow(Clone::clone)
        .ok_or_else(|| "No model is loaded yet; choose one first.".to_owned())
}

async fn encode(
    bytes: &[u8],
    source: &str,
    invert: Invert,
    long_side: u32,
) -> Result<crate::protocol::Encoding, String> {
    let device = device()?;
    let model = model()?;
    let prepared = lab::prepare(bytes, &model.config, invert, long_side)?;
    let (encoding, grid) = lab::encode(
        &model.vqvae,
        model.config.vqvae.in_channels,
        &prepared,
        source,
        &device,
    )
    .await?;
    GRID.set(Some(grid));
    Ok(encoding)
}

async fn edit(cells: &[CellCode]) -> Result<PatchPixels, String> {
    let device = device()?;
    let model = model()?;
    let codebook_size = model.config.vqvae.codebook_size;
    if let Some(&(_, _, code)) = cells
        .iter()
        .find(|&&(_, _, code)| code as usize >= codebook_size)
    {
        return Err(format!(
            "Code {code} does not exist; codes run from 0 to {}.",
            codebook_size - 1
        ));
    }
    // Set the codes before the first await, so edits apply in the order they were sent.
    let grid = GRID.with_borrow_mut(|grid| {
        let grid = grid
            .as_mut()
            .ok_or_else(|| "There is no grid to edit; encode an image first.".to_owned())?;
        if let Some(&(row, col, _)) = cells
            .iter()
            .find(|&&(row, col, _)| row >= grid.height || col >= grid.width)
        {
            return Err(format!(
                "There is no cell ({row}, {col}) in this {}×{} grid.",
                grid.width, grid.height
            ));
        }
        for &(row, col, code) in cells {
            grid.codes[row * grid.width + col] = code;
        }
        Ok(grid.clone())
    })?;
    lab::patch(&model.vqvae, &model.config.vqvae, &grid, cells, &device)
        .await?
        .ok_or_else(|| "An edit needs at least one cell.".to_owned())
}

/// The current grid (a copy, taken before any await so that it is the grid as of this
/// request's turn).
fn current_grid() -> Result<Grid, String> {
    GRID.with_borrow(Clone::clone)
        .ok_or_else(|| "There is no grid yet; encode an image or use a sample first.".to_owned())
}

async fn sample(id: u64, sampling: &Sampling, count: usize) -> Result<Drawn, String> {
    let device = device()?;
    let model = model()?;
    let options = generate::sample_options(sampling, &model)?;
    let resampler = generate::new_samples(&model, count, options);
    generate::draw(id, &model, resampler, &device, &mut |drawn| {
        post(&FromEngine::Drawing(drawn));
    })
    .await
}

async fn complete(
    id: u64,
    mask: &[bool],
    sampling: &Sampling,
    count: usize,
) -> Result<Drawn, String> {
    let device = device()?;
    let model = model()?;
    let grid = current_grid()?;
    let options = generate::sample_options(sampling, &model)?;
    let resampler = generate::new_completion(&grid, mask, count, options)?;
    generate::draw(id, &model, resampler, &device, &mut |drawn| {
        post(&FromEngine::Drawing(drawn));
    })
    .await
}

async fn use_grid(
    source: &str,
    grid_width: usize,
    grid_height: usize,
    codes: Vec<u32>,
) -> Result<crate::protocol::Encoding, String> {
    let device = device()?;
    let model = model()?;
    let codebook_size = model.config.vqvae.codebook_size;
    if codes.len() != grid_width * grid_height || codes.is_empty() {
        return Err(format!(
            "A {grid_width}×{grid_height} grid needs {} codes, not {}.",
            grid_width * grid_height,
            codes.len()
        ));
    }
    if let Some(bad) = codes.iter().find(|&&code| code as usize >= codebook_size) {
        return Err(format!(
            "Code {bad} does not exist in the {} model; codes run from 0 to {}.",
            model.config.name,
            codebook_size - 1
        ));
    }
    let started = Instant::now();
    let grid = Grid {
        height: grid_height,
        width: grid_width,
        codes,
    };
    let (pictures, (width, height)) =
        generate::decode_pictures(&model, std::slice::from_ref(&grid), &device).await?;
    let picture = pictures.into_iter().next().unwrap_or_default();
    let encoding = crate::protocol::Encoding {
        source: source.to_owned(),
        source_size: (width as u32, height as u32),
        width,
        height,
        grid_width,
        grid_height,
        codes: grid.codes.clone(),
        nearest: Vec::new(),
        nearest_distance: Vec::new(),
        original: picture.clone(),
        reconstruction: picture,
        inverted: false,
        invert_reason: "Drawn by the prior: the original is its decode.".to_owned(),
        millis: started.elapsed().as_secs_f64() * 1000.0,
    };
    GRID.set(Some(grid));
    Ok(encoding)
}

async fn codebook() -> Result<(Vec<u8>, usize, Vec<u64>), String> {
    let device = device()?;
    let model = model()?;
    let (tiles, tile) = generate::codebook_tiles(&model, &device).await?;
    Ok((tiles, tile, model.manifest.train_usage.clone()))
}

async fn surprisal(class: Option<usize>) -> Result<(Vec<u32>, Vec<f32>), String> {
    let device = device()?;
    let model = model()?;
    let grid = current_grid()?;
    let bits = generate::surprisal(&model, &grid, class, &device).await?;
    Ok((grid.codes, bits))
}

async fn suggest(
    row: usize,
    col: usize,
    class: Option<usize>,
) -> Result<Vec<crate::protocol::SuggestedCode>, String> {
    let device = device()?;
    let model = model()?;
    let grid = current_grid()?;
    generate::suggest(&model, &grid, (row, col), class, &device).await
}

fn scope() -> Option<DedicatedWorkerGlobalScope> {
    js_sys::global()
        .dyn_into::<DedicatedWorkerGlobalScope>()
        .ok()
}

/// Sends `message` to the page; a failure can only be logged (there is no one else to tell).
fn post(message: &FromEngine) {
    let Some(scope) = scope() else { return };
    let sent = serde_wasm_bindgen::to_value(message)
        .map_err(|err| err.to_string())
        .and_then(|value| {
            scope
                .post_message(&value)
                .map_err(|err| crate::js::describe(&err))
        });
    if let Err(err) = sent {
        web_sys::console::error_1(&format!("the engine could not post {message:?}: {err}").into());
    }
}
