//! The prior in the page: draw new grids and watch them fill in, with a timeline; and, on the
//! lab's grid, suggestions for the selected cell, completion of a masked region, and the
//! totals of the surprisal view.

use leptos::prelude::*;

use super::engine_client::Engine;
use super::lab::draw;
use super::lab_state::{DrawPurpose, Drawing, LabState, ModelStatus};
use super::tools::Tool;
use crate::protocol::{Drawn, Sampling, ToEngine};

/// Candidates the prior proposes for a masked region.
const CANDIDATES: usize = 3;

/// The sampling controls as typed: parsed when a drawing starts, so that a bad value gets a
/// sentence instead of being silently changed.
#[derive(Debug, Clone, PartialEq)]
pub struct SamplingInput {
    /// Class index as text (`""`: no class).
    pub class: String,
    /// Temperature as text.
    pub temperature: String,
    /// Top-k as text (`""`: all codes).
    pub top_k: String,
    /// Seed as text.
    pub seed: String,
}

impl Default for SamplingInput {
    fn default() -> Self {
        Self {
            class: String::new(),
            temperature: "1.0".into(),
            top_k: String::new(),
            seed: "1".into(),
        }
    }
}

impl SamplingInput {
    /// The class to condition on, if a valid one is chosen.
    pub fn class(&self) -> Option<usize> {
        self.class.trim().parse().ok()
    }

    /// The values, or a sentence naming the one that is wrong.
    ///
    /// # Errors
    ///
    /// A sentence for a temperature, top-k or seed that is not a number of the right kind.
    pub fn parse(&self) -> Result<Sampling, String> {
        let temperature = self
            .temperature
            .trim()
            .parse::<f32>()
            .ok()
            .filter(|t| t.is_finite() && *t > 0.0)
            .ok_or_else(|| {
                format!(
                    "“{}” is not a temperature; use a number above 0, such as 1.0.",
                    self.temperature
                )
            })?;
        let top_k = match self.top_k.trim() {
            "" => None,
            text => Some(
                text.parse::<usize>()
                    .ok()
                    .filter(|&k| k > 0)
                    .ok_or_else(|| {
                        format!(
                            "“{text}” is not a top-k; use a whole number above 0, or leave it \
                             empty for all codes."
                        )
                    })?,
            ),
        };
        let seed = self.seed.trim().parse::<u64>().map_err(|_| {
            format!(
                "“{}” is not a seed; use a whole number from 0 up.",
                self.seed
            )
        })?;
        Ok(Sampling {
            temperature,
            top_k,
            seed,
            class: self.class(),
        })
    }
}

/// The class names of the loaded model (empty for an unconditional prior).
fn class_names(lab: RwSignal<LabState>) -> Vec<String> {
    lab.with(|lab| match &lab.model {
        ModelStatus::Loaded(info) => info.class_names.clone(),
        _ => Vec::new(),
    })
}

/// A picture on a canvas, upscaled without smoothing; cells not yet drawn are veiled.
#[component]
fn DrawnPicture(
    testid: &'static str,
    index: usize,
    snapshot: Memo<Option<Drawn>>,
    /// Whether the drawing fills every cell (a sample) or only masked ones (a completion).
    veil_undrawn: bool,
) -> impl IntoView {
    let canvas = NodeRef::<leptos::html::Canvas>::new();
    Effect::new(move |_| {
        snapshot.with(|snapshot| {
            let Some(snapshot) = snapshot else { return };
            let (Some(rgba), Some(canvas)) = (snapshot.pictures.get(index), canvas.get()) else {
                return;
            };
            if let Err(err) = draw(&canvas, rgba, snapshot.width, snapshot.height) {
                web_sys::console::error_1(&format!("drawing {testid}: {err}").into());
            }
        });
    });
    // Undrawn cells of a raster-order sample: the rest of the current row, and every row below.
    let veil = move || {
        let snapshot = snapshot.get()?;
        if !veil_undrawn || snapshot.drawn >= snapshot.total {
            return None;
        }
        let (rows, cols) = (snapshot.grid_height.max(1), snapshot.grid_width.max(1));
        let (row, col) = (snapshot.drawn / cols, snapshot.drawn % cols);
        let pct = |a: usize, b: usize| 100.0 * a as f64 / b as f64;
        Some(view! {
            <div class="veil" style=format!(
                "left:{:.3}%;top:{:.3}%;width:{:.3}%;height:{:.3}%",
                pct(col, cols), pct(row, rows), pct(cols - col, cols), pct(1, rows)
            )></div>
            <div class="veil" style=format!(
                "left:0;top:{:.3}%;width:100%;height:{:.3}%",
                pct(row + 1, rows), pct(rows - row - 1, rows)
            )></div>
        })
    };
    view! {
        <div class="pixel-frame">
            <canvas node_ref=canvas data-testid=testid data-index=index></canvas>
            {veil}
        </div>
    }
}

/// The snapshot a timeline shows: `at`, or the latest when `at` is `None`.
fn shown(drawing: &Drawing, at: Option<usize>) -> Option<Drawn> {
    at.and_then(|i| drawing.snapshots.get(i))
        .or_else(|| drawing.latest())
        .cloned()
}

/// A timeline over a drawing's snapshots, and the progress line.
#[component]
fn Timeline(lab: RwSignal<LabState>, at: RwSignal<Option<usize>>) -> impl IntoView {
    let count = move || lab.with(|lab| lab.drawing.as_ref().map_or(0, |d| d.snapshots.len()));
    let progress = move || {
        lab.with(|lab| {
            let drawing = lab.drawing.as_ref()?;
            let shown = shown(drawing, at.get())?;
            let latest = drawing.latest()?;
            let state = if drawing.done {
                format!("done in {:.0} ms", latest.millis)
            } else {
                format!("{:.0} ms so far", latest.millis)
            };
            Some(format!(
                "Showing {} of {} cells drawn · {state}",
                shown.drawn, shown.total
            ))
        })
    };
    view! {
        <div class="lab-row timeline">
            <label>
                "Timeline "
                <input
                    type="range"
                    min="0"
                    data-testid="timeline"
                    aria-label="Step through the order in which the cells were drawn"
                    prop:max=move || count().saturating_sub(1)
                    prop:value=move || at.get().unwrap_or_else(|| count().saturating_sub(1))
                    on:input=move |event| {
                        let value = event_target_value(&event).parse::<usize>().ok();
                        let last = count().saturating_sub(1);
                        at.set(value.filter(|&v| v < last));
                    }
                />
            </label>
            <span class="draw-progress" data-testid="draw-progress" aria-live="polite">
                {progress}
            </span>
        </div>
    }
}

/// The sampling controls, shared by sampling and completion.
#[component]
pub fn SamplingControls(lab: RwSignal<LabState>, input: RwSignal<SamplingInput>) -> impl IntoView {
    // A changed field takes back the sentence about the last bad value (the next drawing
    // checks the fields again).
    let field = move |event: &leptos::ev::Event, set: fn(&mut SamplingInput, String)| {
        let value = event_target_value(event);
        input.update(|input| set(input, value));
        if lab.with_untracked(|lab| lab.draw_error.is_some()) {
            lab.update(|lab| lab.draw_error = None);
        }
    };
    let classes = move || {
        let names = class_names(lab);
        (!names.is_empty()).then(|| {
            view! {
                <label>
                    "Class "
                    <select
                        data-testid="sample-class"
                        on:change=move |event| field(&event, |i, v| i.class = v)
                    >
                        <option value="" selected=move || input.with(|i| i.class.is_empty())>
                            "any (no class)"
                        </option>
                        {names
                            .into_iter()
                            .enumerate()
                            .map(|(index, name)| {
                                let value = index.to_string();
                                let chosen = value.clone();
                                view! {
                                    <option
                                        value=value
                                        selected=move || input.with(|i| i.class == chosen)
                                    >
                                        {name}
                                    </option>
                                }
                            })
                            .collect_view()}
                    </select>
                </label>
            }
        })
    };
    view! {
        <div class="lab-row sampling">
            {classes}
            <label title="Logits are divided by it: below 1 is more conservative, above 1 more varied">
                "Temperature "
                <input
                    type="number"
                    step="0.1"
                    min="0.1"
                    data-testid="sample-temperature"
                    prop:value=move || input.with(|i| i.temperature.clone())
                    on:input=move |event| field(&event, |i, v| i.temperature = v)
                />
            </label>
            <label title="Draw only among the k most likely codes; empty: all codes">
                "Top-k "
                <input
                    type="number"
                    min="1"
                    placeholder="all"
                    data-testid="sample-top-k"
                    prop:value=move || input.with(|i| i.top_k.clone())
                    on:input=move |event| field(&event, |i, v| i.top_k = v)
                />
            </label>
            <label title="The same seed gives the same picture on the same backend">
                "Seed "
                <input
                    type="number"
                    min="0"
                    data-testid="sample-seed"
                    prop:value=move || input.with(|i| i.seed.clone())
                    on:input=move |event| field(&event, |i, v| i.seed = v)
                />
            </label>
            <button
                data-testid="new-seed"
                title="A new seed"
                on:click=move |_| {
                    let seed = (js_sys::Math::random() * 1e6) as u64;
                    input.update(|i| i.seed = seed.to_string());
                }
            >
                "New seed"
            </button>
        </div>
    }
}

/// Starts a drawing for `purpose` with the controls' values: `request` builds the message from
/// the new id and the parsed values. A bad value becomes the page's sentence instead.
fn start_drawing(
    engine: Engine,
    lab: RwSignal<LabState>,
    input: RwSignal<SamplingInput>,
    at: RwSignal<Option<usize>>,
    purpose: DrawPurpose,
    request: impl FnOnce(u64, Sampling) -> ToEngine,
) {
    match input.with_untracked(SamplingInput::parse) {
        Ok(sampling) => {
            let id = engine.next_id();
            at.set(None);
            lab.update(|lab| lab.start_drawing(id, purpose));
            engine.send(request(id, sampling));
        }
        Err(message) => lab.update(|lab| lab.draw_error = Some(message)),
    }
}

/// The pictures of the drawing for `purpose`, side by side, with its timeline and a button
/// under each (enabled once every cell is drawn).
#[component]
fn DrawingGallery(
    lab: RwSignal<LabState>,
    purpose: DrawPurpose,
    at: RwSignal<Option<usize>>,
    /// `data-testid` of the pictures; the buttons' is `use-` and the same.
    testid: &'static str,
    label: fn(usize) -> String,
    on_use: Callback<usize>,
) -> impl IntoView {
    let here = move || lab.with(|lab| lab.drawing.as_ref().is_some_and(|d| d.purpose == purpose));
    let snapshot = Memo::new(move |_| {
        lab.with(|lab| {
            let drawing = lab.drawing.as_ref().filter(|d| d.purpose == purpose)?;
            shown(drawing, at.get())
        })
    });
    let pictures = move || {
        let count = snapshot.with(|s| s.as_ref().map_or(0, |s| s.pictures.len()));
        let done = lab.with(|lab| lab.drawing.as_ref().is_some_and(|d| d.done));
        (0..count)
            .map(|index| {
                view! {
                    <figure class="sample">
                        <DrawnPicture
                            testid=testid
                            index=index
                            snapshot=snapshot
                            veil_undrawn=purpose == DrawPurpose::Sample
                        />
                        <figcaption>
                            <button
                                data-testid=format!("use-{testid}")
                                prop:disabled=move || !done
                                on:click=move |_| on_use.run(index)
                            >
                                {label(index)}
                            </button>
                        </figcaption>
                    </figure>
                }
            })
            .collect_view()
    };
    view! {
        <Show when=here>
            <Timeline lab=lab at=at />
            <div class="samples">{pictures}</div>
        </Show>
    }
}

/// The card that draws new grids from the prior.
#[component]
pub fn SamplePanel(
    engine: Engine,
    lab: RwSignal<LabState>,
    input: RwSignal<SamplingInput>,
) -> impl IntoView {
    let count = RwSignal::new(4usize);
    let at = RwSignal::new(None::<usize>);
    let start = move || {
        start_drawing(
            engine,
            lab,
            input,
            at,
            DrawPurpose::Sample,
            |id, sampling| ToEngine::Sample {
                id,
                sampling,
                count: count.get_untracked(),
            },
        );
    };
    let use_sample = Callback::new(move |index: usize| {
        let Some(last) = lab.with_untracked(|lab| lab.drawing.as_ref()?.latest().cloned()) else {
            return;
        };
        let Some(codes) = last.grids.get(index).cloned() else {
            return;
        };
        let seed = input.with_untracked(|i| i.seed.clone());
        let source = format!("Sample {} (seed {seed})", index + 1);
        lab.update(|lab| lab.encoding = Some(source.clone()));
        engine.send(ToEngine::UseGrid {
            source,
            grid_width: last.grid_width,
            grid_height: last.grid_height,
            codes,
        });
        scroll_to_lab();
    });
    view! {
        <section class="card generate" data-testid="generate">
            <h2>"Generate with the prior"</h2>
            <p class="hint">
                "The PixelCNN prior draws one code at a time in raster order (left to right, top \
                 to bottom), each given the codes before it; the decoder turns the grid into a \
                 picture. Watch the grid fill in, then step back through it on the timeline."
            </p>
            <SamplingControls lab=lab input=input />
            <div class="lab-row">
                <label>
                    "Samples "
                    <select
                        data-testid="sample-count"
                        on:change=move |event| {
                            count.set(event_target_value(&event).parse().unwrap_or(4));
                        }
                    >
                        {[1usize, 2, 4, 8]
                            .into_iter()
                            .map(|n| view! { <option value=n selected=n == 4>{n}</option> })
                            .collect_view()}
                    </select>
                </label>
                <button
                    class="primary"
                    data-testid="sample-button"
                    prop:disabled=move || lab.with(LabState::is_drawing)
                    on:click=move |_| start()
                >
                    "Sample"
                </button>
            </div>
            {move || lab.with(|lab| lab.draw_error.clone()).map(|message| view! {
                <div class="error" role="alert" data-testid="draw-error">{message}</div>
            })}
            <DrawingGallery
                lab=lab
                purpose=DrawPurpose::Sample
                at=at
                testid="sample"
                label=|_| "Edit in the lab".to_owned()
                on_use=use_sample
            />
        </section>
    }
}

fn scroll_to_lab() {
    if let Some(lab) = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.query_selector("[data-testid=lab]").ok().flatten())
    {
        lab.scroll_into_view();
    }
}

/// The prior's tools on the lab's grid: suggestions for the selected cell, and completion of
/// a masked region with candidates to choose from.
#[component]
pub fn PriorTools(
    engine: Engine,
    lab: RwSignal<LabState>,
    input: RwSignal<SamplingInput>,
    tool: RwSignal<Tool>,
) -> impl IntoView {
    let masking = move || tool.get() == Tool::Mask;
    let at = RwSignal::new(None::<usize>);
    let apply = move |row: usize, col: usize, code: u32| engine.edit(vec![(row, col, code)], None);
    let suggestions = move || {
        lab.with(|lab| {
            let selected = lab.selected?;
            let list = lab
                .suggestions
                .as_ref()
                .filter(|s| (s.row, s.col) == selected)?;
            let (row, col) = selected;
            let items = list
                .codes
                .iter()
                .map(|suggestion| {
                    let code = suggestion.code;
                    let preview = suggestion.preview.clone();
                    let canvas = NodeRef::<leptos::html::Canvas>::new();
                    Effect::new(move |_| {
                        if let Some(canvas) = canvas.get()
                            && let Err(err) =
                                draw(&canvas, &preview.rgba, preview.width, preview.height)
                        {
                            web_sys::console::error_1(&err.into());
                        }
                    });
                    view! {
                        <button
                            class="suggestion"
                            data-testid="suggestion"
                            data-code=code
                            title=format!("Set cell ({row}, {col}) to code {code}")
                            on:click=move |_| apply(row, col, code)
                        >
                            <canvas node_ref=canvas></canvas>
                            <span>{format!("{code} · {:.0} %", 100.0 * suggestion.probability)}</span>
                        </button>
                    }
                })
                .collect_view();
            Some(view! {
                <div class="suggestions" data-testid="suggestions">
                    <span>
                        {format!(
                            "The prior suggests for cell ({row}, {col}), given the cells around it \
                             ({:.0} ms): ",
                            list.millis
                        )}
                    </span>
                    {items}
                </div>
            })
        })
    };
    let masked = move || lab.with(|lab| lab.mask.iter().filter(|&&m| m).count());
    let complete = move || {
        let mask = lab.with_untracked(|lab| lab.mask.clone());
        start_drawing(
            engine,
            lab,
            input,
            at,
            DrawPurpose::Complete,
            |id, sampling| ToEngine::Complete {
                id,
                mask,
                sampling,
                count: CANDIDATES,
            },
        );
    };
    let use_candidate = Callback::new(move |index: usize| {
        let cells = lab.try_update(|lab| lab.use_candidate(index)).flatten();
        if let Some(cells) = cells {
            engine.send(ToEngine::SetCells { cells });
        }
    });
    view! {
        <div class="prior-tools" data-testid="prior-tools">
            {suggestions}
            <div class="lab-row complete">
                <button
                    data-testid="mask-mode"
                    aria-pressed=move || masking().to_string()
                    class:active=masking
                    on:click=move |_| tool.update(|t| *t = if *t == Tool::Mask { Tool::Select } else { Tool::Mask })
                >
                    {move || if masking() { "Masking: click, drag, or Shift-click a corner" } else { "Mask cells" }}
                </button>
                <button
                    data-testid="clear-mask"
                    prop:disabled=move || masked() == 0
                    on:click=move |_| lab.update(|lab| lab.mask.clear())
                >
                    "Clear mask"
                </button>
                <button
                    class="primary"
                    data-testid="complete-button"
                    prop:disabled=move || masked() == 0 || lab.with(LabState::is_drawing)
                    on:click=move |_| complete()
                >
                    {move || format!("Let the prior redraw {} masked cells", masked())}
                </button>
            </div>
            <p class="hint">
                "The prior reads the grid in raster order, so each redrawn cell sees only the \
                 cells before it (above, and to its left); the cells after the mask do not steer \
                 it. Class, temperature, top-k and seed are those of “Generate” below."
            </p>
            <DrawingGallery
                lab=lab
                purpose=DrawPurpose::Complete
                at=at
                testid="candidate"
                label=|index| format!("Use candidate {}", index + 1)
                on_use=use_candidate
            />
        </div>
    }
}

/// The surprisal view's totals: the grid's bits under the prior, against uniform codes and
/// against the raw image.
pub fn surprisal_totals(lab: &LabState) -> Option<String> {
    let surprisal = lab.current_surprisal()?;
    let image = lab.image.as_ref()?;
    let ModelStatus::Loaded(info) = &lab.model else {
        return None;
    };
    let cells = surprisal.bits.len().max(1) as f64;
    let uniform = cells * (info.codebook_size as f64).log2();
    let raw = (image.encoding.width * image.encoding.height * info.channels * 8) as f64;
    let total = surprisal.total();
    Some(format!(
        "Under the prior this grid costs {total:.0} bits ({:.2} per cell); uniform codes would \
         cost {uniform:.0} bits ({cells:.0} cells × log₂ {}), the raw image {raw:.0} bits: {:.0}× \
         smaller. ({:.0} ms)",
        total / cells,
        info.codebook_size,
        raw / total.max(1.0),
        surprisal.millis
    ))
}
