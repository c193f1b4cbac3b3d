//! The lab: choose a model (with a progress bar while it loads), give it an image (a built-in
//! example or a file), see the original, the reconstruction and the grid of codes as a heatmap
//! linked on hover, and edit codes with undo, redo and reset.

use leptos::prelude::*;
use leptos::task::spawn_local;
use wasm_bindgen::{Clamped, JsCast};
use wasm_bindgen_futures::JsFuture;
use web_sys::{CanvasRenderingContext2d, HtmlCanvasElement, ImageData};

use super::cell_info::CellInfo;
use super::codebook::{CodebookPanel, codebook_key};
use super::engine_client::{Engine, EngineHandle};
use super::generate::{PriorTools, SamplePanel, SamplingInput, surprisal_totals};
use super::heatmap_canvas::HeatmapCanvas;
use super::history::{self, HistoryButtons, Step};
use super::lab_state::{LabState, ModelStatus, error_map};
use super::share::{GridFile, Shared, fragment, parse_fragment};
use super::toolbar::{Editing, Toolbar};
use super::tools::{BRUSH_SIZES, Cell, Tool};
use crate::js::describe;
use crate::protocol::{DEFAULT_PHOTO_SIZE, Invert, LoadStage, MODELS, PHOTO_SIZES, ToEngine};

/// The built-in examples of `fashion`: `(file in examples/, label)`. Each is the first image of
/// its class in the Fashion-MNIST test set (scripts/make-examples.py, www/examples/examples.json).
pub const FASHION_EXAMPLES: [(&str, &str); 4] = [
    ("ankle-boot.png", "Ankle boot"),
    ("trouser.png", "Trouser"),
    ("pullover.png", "Pullover"),
    ("bag.png", "Bag"),
];

/// The built-in examples of `photo`: held-out wallpapers, never seen in training
/// (`vq-train photo-examples`, www/examples/photo/examples.json).
pub const PHOTO_EXAMPLES: [(&str, &str); 4] = [
    ("photo/greenmeadow.png", "Green meadow"),
    ("photo/onestandsout.png", "One stands out"),
    ("photo/summer-1am.png", "Summer, 1 am"),
    ("photo/goldfish.png", "Goldfish"),
];

/// The examples of a model, and the words that say where they come from.
fn examples(model: &str) -> (&'static [(&'static str, &'static str)], &'static str) {
    if model == "photo" {
        (
            &PHOTO_EXAMPLES,
            "Examples (held-out photographs, never seen in training): ",
        )
    } else {
        (&FASHION_EXAMPLES, "Examples (Fashion-MNIST test set): ")
    }
}

/// A cell's colour in the heatmap by its quantisation margin, relative to the largest of the
/// image: red for a near tie between two codes, blue for a firm choice.
fn margin_colour(margin: f32, largest: f32) -> String {
    let firmness = if largest > 0.0 {
        (margin / largest).clamp(0.0, 1.0)
    } else {
        0.0
    };
    format!("hsl({:.0}, 70%, 42%)", 220.0 * firmness)
}

/// A cell's colour in the heatmap by its bits under the prior, relative to a uniform code
/// (`log₂ K` bits): blue for a code the prior expected, red for a surprise.
fn surprisal_colour(bits: f32, uniform: f32) -> String {
    let surprise = if uniform > 0.0 {
        (bits / uniform).clamp(0.0, 1.0)
    } else {
        0.0
    };
    format!("hsl({:.0}, 70%, 42%)", 220.0 * (1.0 - surprise))
}

/// Grids with more cells than this are drawn on a canvas instead of as buttons.
const LARGEST_BUTTON_GRID: usize = 16 * 16;

/// What the heatmap's colours show.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum ColourBy {
    /// The code index.
    Code,
    /// The mean colour of the code's decoded tile.
    MeanColour,
    /// The quantisation margin.
    Margin,
    /// Bits under the prior.
    Surprisal,
}

impl ColourBy {
    /// The name used in share links.
    fn name(self) -> &'static str {
        match self {
            Self::Code => "code",
            Self::MeanColour => "colour",
            Self::Margin => "margin",
            Self::Surprisal => "surprisal",
        }
    }

    /// From a share link's name; unknown names are the code colouring.
    fn from_name(name: &str) -> Self {
        match name {
            "colour" => Self::MeanColour,
            "margin" => Self::Margin,
            "surprisal" => Self::Surprisal,
            _ => Self::Code,
        }
    }
}

/// The heatmap's cell (a button) at a point of the viewport.
fn cell_under(x: i32, y: i32) -> Option<Cell> {
    let element = web_sys::window()?
        .document()?
        .element_from_point(x as f32, y as f32)?;
    let cell = element.closest("[data-testid=code-cell]").ok()??;
    let read = |name: &str| cell.get_attribute(name)?.parse().ok();
    Some((read("data-row")?, read("data-col")?))
}

/// The address's fragment without `#`, if there is one.
fn location_hash() -> Option<String> {
    let hash = web_sys::window()?.location().hash().ok()?;
    let hash = hash.trim_start_matches('#');
    (!hash.is_empty()).then(|| hash.to_owned())
}

/// The reconstruction canvas as a PNG data URL (at the image's own size).
fn reconstruction_png() -> Result<String, String> {
    web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| {
            d.query_selector("canvas[data-testid=reconstruction]")
                .ok()
                .flatten()
        })
        .and_then(|e| e.dyn_into::<HtmlCanvasElement>().ok())
        .ok_or_else(|| "there is no reconstruction yet".to_owned())?
        .to_data_url()
        .map_err(|err| describe(&err))
}

/// Makes the browser download `href` as `name`.
fn download(href: &str, name: &str) -> Result<(), String> {
    let document = web_sys::window()
        .and_then(|w| w.document())
        .ok_or("no document")?;
    let link = document.create_element("a").map_err(|err| describe(&err))?;
    link.set_attribute("href", href)
        .and_then(|()| link.set_attribute("download", name))
        .map_err(|err| describe(&err))?;
    link.dyn_into::<web_sys::HtmlElement>()
        .map_err(|_| "not an element".to_owned())?
        .click();
    Ok(())
}

/// A file name's stem, made safe for a download name.
fn file_stem(source: &str) -> String {
    let stem = source.rsplit_once('.').map_or(source, |(stem, _)| stem);
    stem.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '-'
            }
        })
        .collect()
}

/// A cell's colour in the heatmap, by code index: golden-angle hues, three lightnesses.
fn code_colour(code: u32) -> String {
    let hue = (f64::from(code) * 137.508) % 360.0;
    let lightness = 32 + (code % 3) * 12;
    format!("hsl({hue:.0}, 60%, {lightness}%)")
}

pub(super) fn draw(
    canvas: &HtmlCanvasElement,
    rgba: &[u8],
    width: usize,
    height: usize,
) -> Result<(), String> {
    let (width, height) = (
        u32::try_from(width).map_err(|err| err.to_string())?,
        u32::try_from(height).map_err(|err| err.to_string())?,
    );
    if canvas.width() != width {
        canvas.set_width(width);
    }
    if canvas.height() != height {
        canvas.set_height(height);
    }
    let context = canvas
        .get_context("2d")
        .map_err(|err| describe(&err))?
        .ok_or("the canvas has no 2D context")?
        .dyn_into::<CanvasRenderingContext2d>()
        .map_err(|_| "the canvas's context is not 2D")?;
    let data = ImageData::new_with_u8_clamped_array_and_sh(Clamped(rgba), width, height)
        .map_err(|err| describe(&err))?;
    context
        .put_image_data(&data, 0.0, 0.0)
        .map_err(|err| describe(&err))
}

async fn fetch_example(file: &str) -> Result<Vec<u8>, String> {
    let window = web_sys::window().ok_or("no window")?;
    let response = JsFuture::from(window.fetch_with_str(&format!("examples/{file}")))
        .await
        .map_err(|err| describe(&err))?
        .dyn_into::<web_sys::Response>()
        .map_err(|_| "not a response")?;
    if !response.ok() {
        return Err(format!("HTTP {}", response.status()));
    }
    let buffer = JsFuture::from(response.array_buffer().map_err(|err| describe(&err))?)
        .await
        .map_err(|err| describe(&err))?;
    Ok(js_sys::Uint8Array::new(&buffer).to_vec())
}

/// A picture drawn on a canvas at its own size, upscaled by CSS without smoothing, with the
/// hovered cell's region outlined.
#[component]
fn PixelView(
    testid: &'static str,
    title: &'static str,
    pixels: Memo<Option<(Vec<u8>, usize, usize)>>,
    region: Memo<Option<(Cell, Cell)>>,
    #[prop(optional)] caption: Option<Signal<String>>,
) -> impl IntoView {
    let canvas = NodeRef::<leptos::html::Canvas>::new();
    Effect::new(move |_| {
        let Some((rgba, width, height)) = pixels.get() else {
            return;
        };
        let Some(canvas) = canvas.get() else { return };
        if let Err(err) = draw(&canvas, &rgba, width, height) {
            web_sys::console::error_1(&format!("drawing {testid}: {err}").into());
        }
    });
    let highlight = move || {
        let ((top, left), (bottom, right)) = region.get()?;
        let (width, height) = pixels.with(|p| p.as_ref().map(|(_, w, h)| (*w, *h)))?;
        let cell = 4.0;
        let style = format!(
            "left:{:.3}%;top:{:.3}%;width:{:.3}%;height:{:.3}%",
            100.0 * cell * left as f64 / width as f64,
            100.0 * cell * top as f64 / height as f64,
            100.0 * cell * (right + 1 - left) as f64 / width as f64,
            100.0 * cell * (bottom + 1 - top) as f64 / height as f64,
        );
        Some(
            view! { <div class="cell-highlight" data-testid=format!("{testid}-highlight") style=style></div> },
        )
    };
    let aspect = move || {
        pixels
            .with(|pixels| pixels.as_ref().map(|(_, width, height)| (*width, *height)))
            .map_or_else(String::new, |(width, height)| {
                format!("aspect-ratio:{width} / {height}")
            })
    };
    view! {
        <figure class="pixel-view">
            <div class="pixel-frame" style=aspect>
                <canvas node_ref=canvas data-testid=testid aria-label=title></canvas>
                {highlight}
            </div>
            <figcaption>{move || caption.map_or_else(|| title.to_owned(), |c| c.get())}</figcaption>
        </figure>
    }
}

/// The lab (shown once the engine is ready).
#[component]
pub fn Lab(handle: EngineHandle, lab: RwSignal<LabState>) -> impl IntoView {
    let engine = Engine::new(handle, lab);
    let send = move |request: ToEngine| engine.send(request);
    let sampling = RwSignal::new(SamplingInput::default());
    // A share link in the address: its model first, then its grid once the model is loaded.
    let shared = match location_hash() {
        Some(hash) => match parse_fragment(&hash) {
            Ok(shared) if MODELS.contains(&shared.grid.model.as_str()) => Some(shared),
            Ok(shared) => {
                lab.update(|lab| {
                    lab.upload_error = Some(format!(
                        "The link names a model “{}” this site does not have.",
                        shared.grid.model
                    ));
                });
                None
            }
            Err(message) => {
                lab.update(|lab| lab.upload_error = Some(message));
                None
            }
        },
        None => None,
    };
    let model_name = RwSignal::new(
        shared
            .as_ref()
            .map_or_else(|| MODELS[0].to_owned(), |s| s.grid.model.clone()),
    );
    let pending_shared = StoredValue::new(shared);
    let invert = RwSignal::new(Invert::Auto);
    let long_side = RwSignal::new(DEFAULT_PHOTO_SIZE);
    let hover = RwSignal::new(None::<(usize, usize)>);
    let colour_by = RwSignal::new(ColourBy::Code);
    let code_input = RwSignal::new(String::new());
    // The last file's bytes, to encode again when the inversion changes.
    let last_file = StoredValue::new_local(None::<(Vec<u8>, String)>);

    let load = move |name: String| {
        lab.update(|lab| lab.loading(&name));
        send(ToEngine::LoadModel { name });
    };
    load(model_name.get_untracked());

    let encode = move |bytes: Vec<u8>, source: String| {
        last_file.set_value(Some((bytes.clone(), source.clone())));
        lab.update(|lab| lab.encoding = Some(source.clone()));
        send(ToEngine::Encode {
            bytes,
            source,
            invert: invert.get_untracked(),
            long_side: long_side.get_untracked(),
        });
    };

    // A file from the picker, a drop or the clipboard.
    let read_file = move |file: web_sys::File| {
        let name = file.name();
        spawn_local(async move {
            match JsFuture::from(file.array_buffer()).await {
                Ok(buffer) => encode(js_sys::Uint8Array::new(&buffer).to_vec(), name),
                Err(err) => lab.update(|lab| {
                    lab.upload_error = Some(format!(
                        "{name}: the browser could not read this file ({}).",
                        describe(&err)
                    ));
                }),
            }
        });
    };
    // A grid from a share link or a grid file: checked against the loaded model, then decoded.
    let use_grid = move |grid: GridFile, source: String| {
        let model = lab.with_untracked(|lab| match &lab.model {
            ModelStatus::Loaded(info) => Some((info.name.clone(), info.codebook_size)),
            _ => None,
        });
        let problem = match model {
            None => Some("Wait for the model to load, then try again.".to_owned()),
            Some((name, _)) if name != grid.model => Some(format!(
                "{source}: this grid is for the {} model; choose it first.",
                grid.model
            )),
            Some((_, k)) => grid.codes.iter().find(|&&c| c as usize >= k).map(|c| {
                format!(
                    "{source}: code {c} does not exist; codes run from 0 to {}.",
                    k - 1
                )
            }),
        };
        if let Some(message) = problem {
            lab.update(|lab| lab.upload_error = Some(message));
            return;
        }
        lab.update(|lab| lab.encoding = Some(source.clone()));
        send(ToEngine::UseGrid {
            source,
            grid_width: grid.grid_width,
            grid_height: grid.grid_height,
            codes: grid.codes,
        });
    };
    Effect::new(move |_| {
        let loaded = lab.with(|lab| match &lab.model {
            ModelStatus::Loaded(info) => Some(info.name.clone()),
            _ => None,
        });
        let Some(name) = loaded else { return };
        let Some(shared) = pending_shared.get_value() else {
            return;
        };
        if shared.grid.model == name {
            pending_shared.set_value(None);
            colour_by.set(ColourBy::from_name(&shared.view));
            use_grid(shared.grid, "Shared link".to_owned());
        }
    });
    let on_import = move |event: leptos::ev::Event| {
        let input = event_target::<web_sys::HtmlInputElement>(&event);
        if let Some(file) = input.files().and_then(|files| files.get(0)) {
            let name = file.name();
            spawn_local(async move {
                let text = JsFuture::from(file.text()).await;
                match text.map(|t| t.as_string().unwrap_or_default()) {
                    Ok(text) => match GridFile::from_json(&text) {
                        Ok(grid) => use_grid(grid, name),
                        Err(message) => {
                            lab.update(|lab| lab.upload_error = Some(format!("{name}: {message}")));
                        }
                    },
                    Err(err) => lab.update(|lab| {
                        lab.upload_error = Some(format!(
                            "{name}: the browser could not read this file ({}).",
                            describe(&err)
                        ));
                    }),
                }
            });
        }
        input.set_value("");
    };
    let share_url = RwSignal::new(None::<String>);
    let current_grid = move || {
        lab.with_untracked(|lab| {
            let image = lab.image.as_ref()?;
            let ModelStatus::Loaded(info) = &lab.model else {
                return None;
            };
            Some(GridFile::new(
                &info.name,
                image.encoding.grid_width,
                image.encoding.grid_height,
                image.codes.clone(),
            ))
        })
    };
    let export_png = move || {
        let result = reconstruction_png().and_then(|href| {
            let name = lab.with_untracked(|lab| {
                lab.image
                    .as_ref()
                    .map_or_else(|| "image".to_owned(), |i| file_stem(&i.encoding.source))
            });
            download(&href, &format!("vq-lab-{name}.png"))
        });
        if let Err(err) = result {
            lab.update(|lab| lab.edit_error = Some(format!("The PNG could not be saved: {err}.")));
        }
    };
    let export_grid = move || {
        let Some(grid) = current_grid() else { return };
        let href = format!(
            "data:application/json;charset=utf-8,{}",
            js_sys::encode_uri_component(&grid.to_json())
        );
        if let Err(err) = download(&href, &format!("vq-lab-{}-grid.json", grid.model)) {
            lab.update(|lab| lab.edit_error = Some(format!("The grid could not be saved: {err}.")));
        }
    };
    let share = move || {
        let Some(grid) = current_grid() else { return };
        let hash = fragment(&Shared {
            grid,
            view: colour_by.get_untracked().name().to_owned(),
        });
        if let Some(location) = web_sys::window().map(|w| w.location()) {
            let _ = location.set_hash(&hash);
            share_url.set(location.href().ok());
        }
    };

    let on_file = move |event: leptos::ev::Event| {
        let input = event_target::<web_sys::HtmlInputElement>(&event);
        if let Some(file) = input.files().and_then(|files| files.get(0)) {
            read_file(file);
        }
        // The same file may be chosen again.
        input.set_value("");
    };
    let dragging = RwSignal::new(false);
    let can_take_files = move || lab.with(|lab| matches!(lab.model, ModelStatus::Loaded(_)));
    let on_drop = move |event: web_sys::DragEvent| {
        event.prevent_default();
        dragging.set(false);
        if !can_take_files() {
            return;
        }
        match event
            .data_transfer()
            .and_then(|data| data.files())
            .and_then(|files| files.get(0))
        {
            Some(file) => read_file(file),
            None => lab.update(|lab| {
                lab.upload_error =
                    Some("What was dropped is not a file; drop an image file.".to_owned());
            }),
        }
    };
    let paste = window_event_listener(leptos::ev::paste, move |event| {
        let file = event
            .clipboard_data()
            .and_then(|data| data.files())
            .and_then(|files| files.get(0));
        if let Some(file) = file
            && can_take_files()
        {
            event.prevent_default();
            read_file(file);
        }
    });
    on_cleanup(move || paste.remove());

    let apply_code = move || {
        let Some((row, col)) = lab.with_untracked(|lab| lab.selected) else {
            return;
        };
        let text = code_input.get_untracked();
        let codebook_size = lab.with_untracked(|lab| match &lab.model {
            ModelStatus::Loaded(info) => info.codebook_size,
            _ => 0,
        });
        match text.trim().parse::<u32>() {
            Ok(code) if (code as usize) < codebook_size => {
                engine.edit(vec![(row, col, code)], None);
            }
            _ => lab.update(|lab| {
                lab.edit_error = Some(format!(
                    "“{text}” is not a code; enter a whole number from 0 to {}.",
                    codebook_size.saturating_sub(1)
                ));
            }),
        }
    };
    let keys = window_event_listener(leptos::ev::keydown, move |event| {
        if !(event.ctrl_key() || event.meta_key()) {
            return;
        }
        match event.key().to_ascii_lowercase().as_str() {
            "z" if event.shift_key() => history::take(engine, lab, Step::Redo),
            "z" => history::take(engine, lab, Step::Undo),
            "y" => history::take(engine, lab, Step::Redo),
            _ => return,
        }
        event.prevent_default();
    });
    on_cleanup(move || keys.remove());

    let original = Memo::new(move |_| {
        lab.with(|lab| {
            lab.image.as_ref().map(|image| {
                (
                    image.encoding.original.clone(),
                    image.encoding.width,
                    image.encoding.height,
                )
            })
        })
    });
    let reconstruction = Memo::new(move |_| {
        lab.with(|lab| {
            lab.image.as_ref().map(|image| {
                (
                    image.reconstruction.clone(),
                    image.encoding.width,
                    image.encoding.height,
                )
            })
        })
    });
    #[allow(clippy::type_complexity)]
    let grid: Memo<Option<(Vec<u32>, usize, usize, Vec<f32>)>> = Memo::new(move |_| {
        lab.with(|lab| {
            lab.image.as_ref().map(|image| {
                (
                    image.codes.clone(),
                    image.encoding.grid_width,
                    image.encoding.grid_height,
                    image.encoding.margins(),
                )
            })
        })
    });

    let model_panel = move || {
        lab.with(|lab| match &lab.model {
            ModelStatus::None => ().into_any(),
            ModelStatus::Loading {
                name,
                stage,
                loaded,
                total,
            } => {
                let (value, max) = match (stage, total) {
                    (LoadStage::Downloading, Some(total)) => (*loaded as f64, *total as f64),
                    (LoadStage::Downloading, None) => (0.0, 1.0),
                    (LoadStage::Verifying, _) => (0.85, 1.0),
                    (LoadStage::Initialising, _) => (0.9, 1.0),
                    (LoadStage::WarmingUp, _) => (0.95, 1.0),
                };
                let detail = match (stage, total) {
                    (LoadStage::Downloading, Some(total)) => format!(
                        "{} {name}: {:.0} of {:.0} KB",
                        stage.label(),
                        *loaded as f64 / 1024.0,
                        *total as f64 / 1024.0
                    ),
                    _ => format!("{} {name}…", stage.label()),
                };
                view! {
                    <div class="load" data-testid="model-loading" aria-live="polite">
                        <progress data-testid="load-progress" max=max value=value></progress>
                        <span data-testid="load-stage" data-stage=stage.label()>{detail}</span>
                    </div>
                }
                .into_any()
            }
            ModelStatus::Loaded(info) => view! {
                <p class="status ready" data-testid="model-status" data-model=info.name.clone()>
                    {format!(
                        "Model {} loaded: {}×{} {}, {} codes; {:.0} KB in {:.0} ms (first decode {:.0} ms).",
                        info.name,
                        info.image_size,
                        info.image_size,
                        if info.channels == 1 { "grey" } else { "colour" },
                        info.codebook_size,
                        info.bytes as f64 / 1024.0,
                        info.millis,
                        info.warmup_millis,
                    )}
                </p>
            }
            .into_any(),
            ModelStatus::Failed { message, .. } => view! {
                <div class="error" role="alert" data-testid="model-error">{message.clone()}</div>
            }
            .into_any(),
        })
    };

    let loaded = move || lab.with(|lab| matches!(lab.model, ModelStatus::Loaded(_)));
    let is_grey = move || {
        lab.with(|lab| matches!(&lab.model, ModelStatus::Loaded(info) if info.channels == 1))
    };

    // Only what the heatmap shows, so that it re-renders when that changes and not on every
    // change of the lab.
    let surprisal_bits =
        Memo::new(move |_| lab.with(|lab| lab.current_surprisal().map(|s| s.bits.clone())));
    let uniform_bits = Memo::new(move |_| {
        lab.with(|lab| match &lab.model {
            ModelStatus::Loaded(info) => (info.codebook_size as f32).log2(),
            _ => 1.0,
        })
    });
    let select = Callback::new(move |(row, col): Cell| {
        lab.update(|lab| lab.selected = Some((row, col)));
        let code = lab.with_untracked(|lab| lab.image.as_ref().and_then(|i| i.code(row, col)));
        code_input.set(code.map_or_else(String::new, |c| c.to_string()));
    });
    let editing = Editing::new(engine, lab, hover, select);
    let tool = editing.tool;
    // The prior's views follow the grid: the surprisal while it is shown, and the suggestions
    // for the selected cell while the Select tool is in hand. Each is asked for once per grid
    // (and class, and cell), never while edits are on their way, and never twice at once: a
    // brush stroke on the photo model would otherwise queue seconds of the prior's work per
    // cell painted. The latest grid is asked for when the engine answers.
    let asked_surprisal = StoredValue::new(None::<(Vec<u32>, Option<usize>)>);
    Effect::new(move |_| {
        if colour_by.get() != ColourBy::Surprisal {
            return;
        }
        let class = sampling.with(SamplingInput::class);
        let Some(codes) = lab.with(|lab| {
            let idle = !lab.measuring_surprisal && lab.pending_edits() == 0;
            idle.then(|| lab.image.as_ref().map(|i| i.codes.clone()))
                .flatten()
        }) else {
            return;
        };
        let key = Some((codes, class));
        if asked_surprisal.get_value() != key {
            asked_surprisal.set_value(key);
            lab.update(|lab| lab.measuring_surprisal = true);
            send(ToEngine::Surprisal { class });
        }
    });
    let asked_suggestions = StoredValue::new(None::<(usize, usize, Vec<u32>, Option<usize>)>);
    Effect::new(move |_| {
        if tool.get() != Tool::Select {
            return;
        }
        let class = sampling.with(SamplingInput::class);
        let Some(((row, col), codes)) = lab.with(|lab| {
            if lab.suggesting || lab.pending_edits() > 0 {
                return None;
            }
            Some((lab.selected?, lab.image.as_ref()?.codes.clone()))
        }) else {
            return;
        };
        let key = Some((row, col, codes, class));
        if asked_suggestions.get_value() != key {
            asked_suggestions.set_value(key);
            lab.update(|lab| lab.suggesting = true);
            send(ToEngine::Suggest { row, col, class });
        }
    });
    let release = window_event_listener(leptos::ev::pointerup, move |_| editing.release());
    let cancel = window_event_listener(leptos::ev::pointercancel, move |_| editing.release());
    on_cleanup(move || {
        release.remove();
        cancel.remove();
    });
    // The cells a press would change (or the hovered one), and their region on the images.
    let previewed = Memo::new(move |_| editing.preview());
    let region = Memo::new(move |_| {
        previewed.with(|cells| {
            let first = *cells.first()?;
            Some(
                cells
                    .iter()
                    .fold((first, first), |((t, l), (b, r)), &(row, col)| {
                        ((t.min(row), l.min(col)), (b.max(row), r.max(col)))
                    }),
            )
        })
    });
    // Shortcuts without a modifier, except while typing in a field.
    let help = RwSignal::new(false);
    let shortcuts = window_event_listener(leptos::ev::keydown, move |event| {
        if event.ctrl_key() || event.meta_key() || event.alt_key() {
            return;
        }
        let typing = event
            .target()
            .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
            .is_some_and(|e| matches!(e.tag_name().as_str(), "INPUT" | "SELECT" | "TEXTAREA"));
        if typing {
            return;
        }
        let key = event.key();
        if let Some(chosen) = Tool::from_key(&key) {
            // The key of the tool in hand puts it down.
            let same = tool.get_untracked() == chosen;
            editing.take(if same { Tool::Select } else { chosen });
            event.prevent_default();
            return;
        }
        match key.as_str() {
            "?" => help.update(|h| *h = !*h),
            "Escape" => {
                help.set(false);
                editing.take(Tool::Select);
            }
            "[" | "]" => editing.brush_size.update(|size| {
                let at = BRUSH_SIZES.iter().position(|s| s == size).unwrap_or(0);
                let next = if key == "[" {
                    at.saturating_sub(1)
                } else {
                    (at + 1).min(BRUSH_SIZES.len() - 1)
                };
                *size = BRUSH_SIZES[next];
            }),
            "ArrowUp" | "ArrowDown" | "ArrowLeft" | "ArrowRight" => {
                let Some((rows, cols)) = lab.with_untracked(|lab| {
                    let image = lab.image.as_ref()?;
                    Some((image.encoding.grid_height, image.encoding.grid_width))
                }) else {
                    return;
                };
                let (row, col) = lab.with_untracked(|lab| lab.selected).unwrap_or((0, 0));
                let next = match key.as_str() {
                    "ArrowUp" => (row.saturating_sub(1), col),
                    "ArrowDown" => ((row + 1).min(rows - 1), col),
                    "ArrowLeft" => (row, col.saturating_sub(1)),
                    _ => (row, (col + 1).min(cols - 1)),
                };
                select.run(next);
                hover.set(Some(next));
            }
            _ => return,
        }
        event.prevent_default();
    });
    on_cleanup(move || shortcuts.remove());

    let mean_colours = {
        let decoded = codebook_key(lab);
        Memo::new(move |_| {
            let _ = decoded.get();
            lab.with_untracked(|lab| {
                lab.codebook
                    .as_ref()
                    .map(crate::protocol::Codebook::mean_colours)
            })
        })
    };
    let heatmap = move || {
        let by = colour_by.get();
        let bits = surprisal_bits.get();
        let uniform = uniform_bits.get();
        let means = mean_colours.get();
        grid.get().map(|(codes, width, height, margins)| {
            let largest = margins.iter().copied().fold(0.0_f32, f32::max);
            let has_margins = !margins.is_empty();
            let colour_of = |index: usize| {
                let code = codes.get(index).copied().unwrap_or(0);
                match by {
                    ColourBy::Margin if has_margins => {
                        margin_colour(margins.get(index).copied().unwrap_or(0.0), largest)
                    }
                    ColourBy::Surprisal => match bits.as_ref().and_then(|b| b.get(index)) {
                        Some(&b) => surprisal_colour(b, uniform),
                        None => "#808080".to_owned(),
                    },
                    ColourBy::MeanColour => match means.as_ref().and_then(|m| m.get(code as usize)) {
                        Some([r, g, b]) => format!("rgb({r}, {g}, {b})"),
                        None => "#808080".to_owned(),
                    },
                    _ => code_colour(code),
                }
            };
            let large = width * height > LARGEST_BUTTON_GRID;
            let cells = if large {
                let colours = (0..width * height).map(colour_of).collect();
                view! {
                    <HeatmapCanvas
                        colours=colours
                        codes=codes.clone()
                        rows=height
                        cols=width
                        lab=lab
                        editing=editing
                        previewed=previewed
                    />
                }
                .into_any()
            } else {
                (0..height)
                .flat_map(|row| (0..width).map(move |col| (row, col)))
                .map(|(row, col)| {
                    let code = codes.get(row * width + col).copied().unwrap_or(0);
                    let index = row * width + col;
                    let colour = colour_of(index);
                    let label = match bits.as_ref().and_then(|b| b.get(index)) {
                        Some(b) if by == ColourBy::Surprisal => {
                            format!("cell ({row}, {col}): code {code}, {b:.2} bits")
                        }
                        _ => format!("cell ({row}, {col}): code {code}"),
                    };
                    let selected = move || lab.with(|lab| lab.selected == Some((row, col)));
                    let masked = move || lab.with(|lab| lab.is_masked(row, col));
                    let highlighted = move || lab.with(|lab| lab.highlighted_code == Some(code));
                    let in_preview = move || {
                        tool.get() != Tool::Select
                            && previewed.with(|cells| cells.contains(&(row, col)))
                    };
                    view! {
                        <button
                            class="code-cell"
                            class:selected=selected
                            class:masked=masked
                            class:highlighted=highlighted
                            class:previewed=in_preview
                            data-masked=move || masked().to_string()
                            data-testid="code-cell"
                            data-row=row
                            data-col=col
                            data-code=code
                            style=format!("background:{colour}")
                            title=label.clone()
                            aria-label=label
                            on:mouseenter=move |_| editing.enter(Some((row, col)))
                            on:pointerdown=move |event| {
                                if tool.get_untracked() != Tool::Select && event.button() == 0 {
                                    event.prevent_default();
                                    editing.press((row, col), event.shift_key());
                                }
                            }
                            on:focus=move |_| hover.set(Some((row, col)))
                            on:click=move |_| {
                                if tool.get_untracked() == Tool::Select {
                                    select.run((row, col));
                                }
                            }
                            on:keydown=move |event| {
                                if tool.get_untracked() != Tool::Select
                                    && (event.key() == " " || event.key() == "Enter")
                                {
                                    event.prevent_default();
                                    editing.activate((row, col));
                                }
                            }
                        >
                            {(width <= 16).then(|| code.to_string())}
                        </button>
                    }
                })
                .collect_view()
                .into_any()
            };
            view! {
                <figure class="heatmap-figure">
                    <div
                        class="heatmap"
                        class:heatmap-large=large
                        class:captures-drags=move || editing.captures_drags()
                        data-testid="heatmap"
                        data-rows=height
                        data-cols=width
                        style=format!(
                            "grid-template-columns:repeat({width}, 1fr);aspect-ratio:{width} / {height}"
                        )
                        on:mouseleave=move |_| editing.enter(None)
                        on:pointermove=move |event| {
                            // A finger's moves stay with the cell it touched first: find the
                            // cell under it.
                            if event.pointer_type() == "touch" {
                                editing.enter(cell_under(event.client_x(), event.client_y()));
                            }
                        }
                    >
                        {cells}
                    </div>
                    <figcaption>
                        <label>
                            "Codes, coloured by "
                            <select
                                data-testid="colour-by"
                                on:change=move |event| {
                                    colour_by.set(ColourBy::from_name(&event_target_value(&event)));
                                }
                            >
                                <option value="code" selected=by == ColourBy::Code>"code index"</option>
                                <option value="colour" selected=by == ColourBy::MeanColour>
                                    "mean colour of each code's decoded tile"
                                </option>
                                <option value="margin" selected=by == ColourBy::Margin disabled=!has_margins>
                                    "margin (red: a near tie, blue: firm)"
                                </option>
                                <option value="surprisal" selected=by == ColourBy::Surprisal>
                                    "surprisal (bits under the prior; red: surprising)"
                                </option>
                            </select>
                        </label>
                        {(by == ColourBy::Surprisal).then(|| view! {
                            <p class="surprisal-totals" data-testid="surprisal-totals">
                                {move || lab.with(surprisal_totals).unwrap_or_else(|| "Asking the prior…".to_owned())}
                            </p>
                        })}
                    </figcaption>
                </figure>
            }
        })
    };
    let errors = Memo::new(move |_| {
        original.with(|original| {
            reconstruction.with(|reconstruction| {
                let ((original, width, height), (reconstruction, _, _)) =
                    (original.as_ref()?, reconstruction.as_ref()?);
                let (rgba, psnr) = error_map(original, reconstruction);
                Some((rgba, *width, *height, psnr))
            })
        })
    });
    let error_pixels = Memo::new(move |_| {
        errors.with(|e| e.as_ref().map(|(rgba, w, h, _)| (rgba.clone(), *w, *h)))
    });
    let error_caption = Signal::derive(move || {
        errors.with(|e| match e.as_ref().map(|e| e.3) {
            Some(psnr) if psnr.is_finite() => {
                format!("Error map: |original − reconstruction| × 3, PSNR {psnr:.1} dB")
            }
            _ => "Error map: |original − reconstruction| × 3 (none: they are equal)".to_owned(),
        })
    });

    view! {
        <section
            class="card lab"
            class:dragging=move || dragging.get()
            data-testid="lab"
            on:dragover=move |event: web_sys::DragEvent| {
                event.prevent_default();
                dragging.set(true);
            }
            on:dragleave=move |_| dragging.set(false)
            on:drop=on_drop
        >
            <div class="lab-row">
                <label>
                    "Model "
                    <select
                        data-testid="model-select"
                        prop:value=move || model_name.get()
                        prop:disabled=move || lab.with(LabState::is_loading)
                        on:change=move |event| {
                            let name = event_target_value(&event);
                            model_name.set(name.clone());
                            load(name);
                        }
                    >
                        <option value="fashion">"fashion — Fashion-MNIST, 28×28 grey"</option>
                        <option value="photo">"photo — natural photographs, colour"</option>
                    </select>
                </label>
                <button
                    class="help-button"
                    data-testid="help-button"
                    aria-haspopup="dialog"
                    on:click=move |_| help.set(true)
                >
                    "Keyboard shortcuts (?)"
                </button>
            </div>
            {model_panel}
            <Show when=loaded>
                <div class="lab-row inputs">
                    <div class="examples">
                        {move || {
                        let (list, words) = examples(&model_name.get());
                        view! {
                        <span>{words}</span>
                        {list
                            .iter()
                            .map(|&(file, label)| {
                                view! {
                                    <button
                                        class="example"
                                        data-testid="example"
                                        data-name=file
                                        title=label
                                        on:click=move |_| {
                                            spawn_local(async move {
                                                match fetch_example(file).await {
                                                    Ok(bytes) => encode(bytes, label.to_owned()),
                                                    Err(err) => lab.update(|lab| {
                                                        lab.upload_error = Some(format!(
                                                            "The example {label} could not be loaded ({err})."
                                                        ));
                                                    }),
                                                }
                                            });
                                        }
                                    >
                                        <img src=format!("examples/{file}") alt=label width="28" height="28" />
                                    </button>
                                }
                            })
                            .collect_view()}
                        }
                        }}
                    </div>
                    <label class="file">
                        "Your image: "
                        <input type="file" accept="image/*" data-testid="file-input" on:change=on_file />
                    </label>
                    <span class="hint">"or drop an image here, or paste one (Ctrl-V)"</span>
                    <Show when=move || !is_grey()>
                        <label title="Memory and time grow with the square of the size">
                            "Size "
                            <select
                                data-testid="size-select"
                                on:change=move |event| {
                                    let size = event_target_value(&event)
                                        .parse()
                                        .unwrap_or(DEFAULT_PHOTO_SIZE);
                                    long_side.set(size);
                                    if let Some((bytes, source)) = last_file.get_value() {
                                        encode(bytes, source);
                                    }
                                }
                            >
                                {PHOTO_SIZES
                                    .iter()
                                    .map(|&size| view! {
                                        <option value=size selected=move || long_side.get() == size>
                                            {format!("{size} px on the long side{}", if size == DEFAULT_PHOTO_SIZE { " (default)" } else { "" })}
                                        </option>
                                    })
                                    .collect_view()}
                            </select>
                        </label>
                    </Show>
                    <Show when=is_grey>
                        <label title="Fashion-MNIST shows light garments on a black background">
                            "Invert "
                            <select
                                data-testid="invert-select"
                                on:change=move |event| {
                                    let choice = match event_target_value(&event).as_str() {
                                        "yes" => Invert::Yes,
                                        "no" => Invert::No,
                                        _ => Invert::Auto,
                                    };
                                    invert.set(choice);
                                    if let Some((bytes, source)) = last_file.get_value() {
                                        encode(bytes, source);
                                    }
                                }
                            >
                                <option value="auto">"when the border is light"</option>
                                <option value="yes">"always"</option>
                                <option value="no">"never"</option>
                            </select>
                        </label>
                    </Show>
                </div>
            </Show>
            {move || lab.with(|lab| lab.encoding.clone()).map(|source| view! {
                <p class="status loading" data-testid="encoding" aria-live="polite">
                    <span class="spinner" aria-hidden="true"></span>
                    {format!("Encoding {source}…")}
                </p>
            })}
            {move || lab.with(|lab| lab.upload_error.clone()).map(|message| view! {
                <div class="error" role="alert" data-testid="upload-error">{message}</div>
            })}
            {move || lab.with(|lab| lab.image.as_ref().map(|image| {
                let encoding = &image.encoding;
                view! {
                    <p class="encoded" data-testid="encoded-info">
                        {format!(
                            "{}: {}×{} → {}×{} pixels → {}×{} codes, encoded in {:.0} ms. {}",
                            encoding.source,
                            encoding.source_size.0,
                            encoding.source_size.1,
                            encoding.width,
                            encoding.height,
                            encoding.grid_width,
                            encoding.grid_height,
                            encoding.millis,
                            encoding.invert_reason,
                        )}
                    </p>
                }
            }))}
            <Show when=move || grid.with(Option::is_some)>
                <div class="views">
                    <PixelView testid="original" title="Original (model input)" pixels=original region=region />
                    <PixelView testid="reconstruction" title="Reconstruction" pixels=reconstruction region=region />
                    {heatmap}
                    <PixelView
                        testid="error-map"
                        title="Error map"
                        pixels=error_pixels
                        region=region
                        caption=error_caption
                    />
                </div>
                <CellInfo engine=engine lab=lab editing=editing />
                <Toolbar editing=editing lab=lab />
                <div class="lab-row edit">
                    {move || lab.with(|lab| lab.selected).map(|(row, col)| view! {
                        <span data-testid="selected-cell">{format!("Cell ({row}, {col}) → code ")}</span>
                    })}
                    <input
                        type="number"
                        min="0"
                        data-testid="code-input"
                        aria-label="New code for the selected cell"
                        prop:value=move || code_input.get()
                        prop:disabled=move || lab.with(|lab| lab.selected.is_none())
                        on:input=move |event| code_input.set(event_target_value(&event))
                        on:keydown=move |event| {
                            if event.key() == "Enter" {
                                apply_code();
                            }
                        }
                    />
                    <button
                        data-testid="apply-code"
                        prop:disabled=move || lab.with(|lab| lab.selected.is_none())
                        on:click=move |_| apply_code()
                    >
                        "Set code"
                    </button>
                    <HistoryButtons engine=engine lab=lab />
                    {move || lab.with(|lab| lab.last_edit_millis).map(|millis| view! {
                        <span class="edit-time" data-testid="edit-time">{format!("last edit {millis:.1} ms")}</span>
                    })}
                    {move || lab.with(|lab| (lab.pending_edits() > 0).then_some(())).map(|()| view! {
                        <span data-testid="edit-pending">"decoding…"</span>
                    })}
                </div>
                {move || lab.with(|lab| lab.edit_error.clone()).map(|message| view! {
                    <div class="error" role="alert" data-testid="edit-error">{message}</div>
                })}
                <p class="hint">
                    "Hover a cell to see its region in the images; select it, type a code and press \
                     Enter to change it, or paint with the tools above. Only the pixels the changed \
                     cells can reach are decoded again."
                </p>
                <div class="lab-row share">
                    <button data-testid="export-png" on:click=move |_| export_png()>"Download PNG"</button>
                    <button data-testid="export-grid" on:click=move |_| export_grid()>"Download grid"</button>
                    <label class="file">
                        "Import a grid: "
                        <input type="file" accept=".json,application/json" data-testid="import-grid" on:change=on_import />
                    </label>
                    <button data-testid="share-link" on:click=move |_| share()>"Share link"</button>
                    {move || share_url.get().map(|url| view! {
                        <input
                            class="share-url"
                            data-testid="share-url"
                            readonly
                            aria-label="A link that restores this model, grid and view"
                            prop:value=url
                            on:focus=move |event| {
                                event_target::<web_sys::HtmlInputElement>(&event).select();
                            }
                        />
                    })}
                </div>
                <PriorTools engine=engine lab=lab input=sampling tool=tool />
                <CodebookPanel engine=engine lab=lab paint_code=editing.paint_code tool=tool />
            </Show>
        </section>
        <Show when=loaded>
            <SamplePanel engine=engine lab=lab input=sampling />
        </Show>
        <Show when=move || help.get()>
            <div class="help-overlay" data-testid="help" on:click=move |_| help.set(false)>
                <div
                    class="help-card card"
                    role="dialog"
                    aria-modal="true"
                    aria-labelledby="help-title"
                    on:click=|event| event.stop_propagation()
                >
                    <h2 id="help-title">"Keyboard shortcuts"</h2>
                    <dl>
                        <dt>"?"</dt><dd>"show or hide this list"</dd>
                        <dt>"← ↑ → ↓"</dt><dd>"select the next cell of the grid"</dd>
                        <dt>"Enter"</dt><dd>"in the code field: set the selected cell's code"</dd>
                        <dt>"Ctrl-Z / Ctrl-Y"</dt><dd>"undo / redo (Ctrl-Shift-Z redoes too)"</dd>
                        {Tool::ALL
                            .into_iter()
                            .map(|t| view! {
                                <dt>{t.key().to_ascii_uppercase().to_string()}</dt>
                                <dd>{format!("{}: {}", t.label(), t.hint())}</dd>
                            })
                            .collect_view()}
                        <dt>"[ / ]"</dt><dd>"a smaller / larger brush"</dd>
                        <dt>"Enter / Space"</dt><dd>"on the grid: use the tool on the selected cell (a rectangle or a copy takes two presses)"</dd>
                        <dt>"Esc"</dt><dd>"close this list; back to Select"</dd>
                        <dt>"Ctrl-V"</dt><dd>"paste an image to encode"</dd>
                    </dl>
                    <button data-testid="help-close" on:click=move |_| help.set(false)>"Close"</button>
                </div>
            </div>
        </Show>
    }
}
