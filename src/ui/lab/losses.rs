//! "How the codebook is learned": the straight-through estimator drawn (the forward path
//! through the lookup, the backward path that copies the gradient from `z_q` to `z_e`, and the
//! one line of code that does it), and the three terms of the loss computed by the engine for
//! the current image, now and as the encoder chose its codes, each with what it trains. Folded
//! until opened; while open, asked for again after every change of the grid.

use leptos::prelude::*;
use wasm_bindgen::JsValue;

use crate::protocol::{LossReport, Terms, ToEngine};
use crate::ui::engine_client::Engine;
use crate::ui::state::LabState;

/// Whether the `<details>` an event came from is open.
pub fn details_open(event: &leptos::ev::Event) -> bool {
    event
        .target()
        .and_then(|target| js_sys::Reflect::get(&target, &JsValue::from_str("open")).ok())
        .and_then(|open| open.as_bool())
        .unwrap_or(false)
}

/// Sends `request` while `open`, once for each value of `key` (`None`: nothing to ask about),
/// when `ask` says so (one request on its way, [`crate::ui::state::teaching::Asked`]).
pub fn ask_while_open<K: PartialEq + Send + Sync + 'static>(
    engine: Engine,
    lab: RwSignal<LabState>,
    open: RwSignal<bool>,
    key: Memo<Option<K>>,
    request: ToEngine,
    ask: fn(&mut LabState) -> bool,
) {
    Effect::new(move |_| {
        if !open.get() || key.with(Option::is_none) {
            return;
        }
        if lab.try_update(ask).unwrap_or(false) {
            engine.send(request.clone());
        }
    });
}

/// The folded panel.
#[component]
pub fn LossesPanel(engine: Engine, lab: RwSignal<LabState>) -> impl IntoView {
    let open = RwSignal::new(false);
    // The image and its grid (an edit, an undo): a change asks for the terms again.
    let grid = Memo::new(move |_| {
        lab.with(|lab| lab.image.as_ref().map(|_| (lab.images, lab.saved_revision())))
    });
    ask_while_open(engine, lab, open, grid, ToEngine::Losses, |lab| {
        lab.teaching.losses.ask()
    });
    let answer = Memo::new(move |_| lab.with(|lab| lab.teaching.losses.answer.clone()));
    let error = move || lab.with(|lab| lab.teaching.losses.error.clone());
    view! {
        <details
            class="learn losses"
            data-testid="losses"
            on:toggle=move |event| open.set(details_open(&event))
        >
            <summary>"How the codebook is learned: the straight-through estimator and the three losses"</summary>
            <StraightThrough />
            {move || error().map(|message| view! {
                <p class="error" role="alert" data-testid="losses-error">{message}</p>
            })}
            {move || match answer.get() {
                None => view! { <p class="hint" data-testid="losses-pending">"Measuring the losses…"</p> }.into_any(),
                Some(None) => view! {
                    <p data-testid="losses-none">
                        "This grid was not encoded from a picture (a sample, a shared or restored \
                         grid): there is no x and no z_e to measure the losses on. Upload a \
                         picture or open an example."
                    </p>
                }
                .into_any(),
                Some(Some(report)) => view! { <LossTable report=report /> }.into_any(),
            }}
        </details>
    }
}

/// The forward and backward paths through the quantizer, and the line of code.
#[component]
fn StraightThrough() -> impl IntoView {
    let boxes = [
        (10.0, "x"),
        (90.0, "encoder"),
        (190.0, "z_e"),
        (270.0, "nearest e_k"),
        (390.0, "z_q"),
        (470.0, "decoder"),
        (570.0, "x̂"),
    ];
    view! {
        <svg
            class="straight-through"
            data-testid="straight-through"
            viewBox="0 0 640 160"
            role="img"
            aria-label="Forward, x goes through the encoder to z_e, the lookup of the nearest code gives z_q, the decoder gives x̂. Backward, the gradient of the loss reaches z_q through the decoder and is copied to z_e past the lookup, which has no gradient."
        >
            <defs>
                <marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="6" markerHeight="6" orient="auto-start-reverse">
                    <path d="M0,0 L10,5 L0,10 z" fill="currentColor"></path>
                </marker>
            </defs>
            {boxes
                .iter()
                .map(|&(x, label)| {
                    let width = if label.len() > 4 { 96.0 } else { 56.0 };
                    view! {
                        <g>
                            <rect x=x y="40" width=width height="32" rx="6" class="st-box"></rect>
                            <text x=x + width / 2.0 y="61" text-anchor="middle">{label}</text>
                        </g>
                    }
                })
                .collect_view()}
            // Forward, above.
            <text x="10" y="24" class="st-label">"forward"</text>
            {[(66.0, 90.0), (186.0, 190.0), (246.0, 270.0), (366.0, 390.0), (446.0, 470.0), (566.0, 570.0)]
                .iter()
                .map(|&(from, to)| view! {
                    <line x1=from y1="56" x2=to y2="56" class="st-forward" marker-end="url(#arrow)"></line>
                })
                .collect_view()}
            // Backward, below: through the decoder, copied past the lookup, through the encoder.
            <text x="10" y="100" class="st-label">"backward"</text>
            <path d="M598,74 C598,100 498,100 498,74" class="st-backward" marker-end="url(#arrow)"></path>
            <path d="M498,74 C498,100 418,100 418,74" class="st-backward" marker-end="url(#arrow)"></path>
            <path d="M418,74 C418,128 218,128 218,74" class="st-copied" marker-end="url(#arrow)"></path>
            <text x="318" y="150" text-anchor="middle" class="st-note">"straight-through: the gradient at z_q is copied to z_e"</text>
            <path d="M218,74 C218,100 138,100 138,74" class="st-backward" marker-end="url(#arrow)"></path>
            <text x="318" y="90" text-anchor="middle" class="st-note">"argmin: no gradient"</text>
        </svg>
        <p>
            "The lookup of the nearest code has no gradient, so the decoder's gradient could not \
             reach the encoder. The straight-through estimator copies it across, with one line \
             (our quantizer, "<code>"crates/vq-model/src/quantizer.rs"</code>"):"
        </p>
        <pre data-testid="straight-through-code"><code>"let z_q = z_e.clone() + (z_q - z_e).detach();"</code></pre>
        <p>
            "Forward, z_e cancels and the decoder gets the code's vector z_q. Backward, "
            <code>"detach()"</code>
            " (the paper's sg, stop-gradient) blocks the bracket, so whatever gradient reaches z_q \
             flows into z_e unchanged. The codebook itself gets no gradient from the \
             reconstruction: the second and third terms below move the codes and the encoder \
             toward each other."
        </p>
    }
}

/// `mean squared error` as PSNR for pixels in a range of 1.
fn psnr(mse: f64) -> f64 {
    10.0 * (1.0 / mse.max(1e-12)).log10()
}

/// The change from `before` to `now`, in words.
fn change(before: f64, now: f64) -> String {
    if !before.is_finite() || before <= 0.0 {
        return "—".to_owned();
    }
    let percent = (now / before - 1.0) * 100.0;
    if percent.abs() < 0.05 {
        "unchanged".to_owned()
    } else {
        format!("{percent:+.1} %")
    }
}

/// The three terms, now and as encoded.
#[component]
fn LossTable(report: LossReport) -> impl IntoView {
    let LossReport {
        now,
        encoded,
        beta,
        cells,
        changed_cells,
        millis,
    } = report;
    let row = |name: &'static str, formula: String, pick: fn(&Terms) -> f64, trains: &'static str, testid: &'static str| {
        let (a, b) = (pick(&now), pick(&encoded));
        view! {
            <tr data-testid=testid>
                <th scope="row">{name}</th>
                <td><code>{formula}</code></td>
                <td class="number" data-value=a.to_string()>{format!("{a:.5}")}</td>
                <td class="number">{format!("{b:.5}")}</td>
                <td>{change(b, a)}</td>
                <td>{trains}</td>
            </tr>
        }
    };
    let sentence = if changed_cells == 0 {
        format!(
            "Every one of the {cells} cells carries the code the encoder chose, its nearest: the \
             codebook and commitment terms are as small as this codebook allows for this image. \
             Edit a cell and watch them grow."
        )
    } else {
        format!(
            "{changed_cells} of the {cells} cells carry a code other than the encoder's choice. \
             The quantisation error ‖z_e − e‖² went from {:.5} to {:.5} ({}), and the \
             reconstruction from {:.1} dB to {:.1} dB PSNR: training never picks such codes, since \
             the nearest code is the one that makes these terms smallest.",
            encoded.codebook,
            now.codebook,
            change(encoded.codebook, now.codebook),
            psnr(encoded.reconstruction),
            psnr(now.reconstruction),
        )
    };
    view! {
        <table class="loss-terms" data-testid="loss-terms">
            <thead>
                <tr>
                    <th scope="col">"term"</th>
                    <th scope="col">"formula (mean over its numbers)"</th>
                    <th scope="col">"now"</th>
                    <th scope="col">"as encoded"</th>
                    <th scope="col">"change"</th>
                    <th scope="col">"trains"</th>
                </tr>
            </thead>
            <tbody>
                {row("reconstruction", "‖x − x̂‖²".to_owned(), |t| t.reconstruction, "the encoder and the decoder", "loss-reconstruction")}
                {row("codebook", "‖sg[z_e] − e‖²".to_owned(), |t| t.codebook, "the codebook's vectors (the shipped models move them by EMA instead: each code to the mean of its cells)", "loss-codebook")}
                {row("commitment", format!("β‖z_e − sg[e]‖², β = {beta}"), |t| t.commitment, "the encoder, to stay near the codes it chooses", "loss-commitment")}
            </tbody>
        </table>
        <p data-testid="losses-sentence">{sentence}</p>
        <p class="hint">
            {format!(
                "Computed by the engine on this image: x is the model's input, x̂ the \
                 reconstruction of the grid as it is, z_e the encoder's output (in {millis:.1} ms). \
                 Forward, the codebook and commitment terms are the same number, β apart: sg \
                 (stop-gradient) only decides which side each one moves."
            )}
        </p>
    }
}
