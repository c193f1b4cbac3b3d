//! "A map of the codebook": the codes in 2-D along their two principal components (the
//! engine's [`crate::protocol::CodebookMap`]), each dot sized by how many cells of this image use
//! it and coloured by its tile's mean colour, dead codes marked; the image's cells as a cloud
//! of points; the selected cell's `z_e` ringed, with a line to the code it has. Hovering a dot
//! shows the code's tile and its nearest codes (distances in all `D` dimensions); clicking it
//! outlines its cells in the heatmap. Folded until opened.

use leptos::prelude::*;

use super::codebook::CodeTile;
use super::losses::{ask_while_open, details_open};
use crate::protocol::ToEngine;
use crate::ui::atlas::mean_colours;
use crate::ui::codebook_map::{Layout, caption, layout, nearest_codes};
use crate::ui::engine_client::Engine;
use crate::ui::state::LabState;

/// The map's side, in SVG units.
const SIDE: f32 = 400.0;

/// The folded panel.
#[component]
pub fn MapPanel(engine: Engine, lab: RwSignal<LabState>) -> impl IntoView {
    let open = RwSignal::new(false);
    // Asked once an image (z_e does not change with edits; the codes' sizes follow the page).
    let image = Memo::new(move |_| lab.with(|lab| lab.image.as_ref().map(|_| lab.images)));
    ask_while_open(engine, lab, open, image, ToEngine::Map, |lab| {
        lab.teaching.map.ask()
    });
    let hovered = RwSignal::new(None::<u32>);
    let laid_out = Memo::new(move |_| {
        lab.with(|lab| {
            let map = lab.teaching.map.answer.as_ref()?;
            let image = lab.image.as_ref()?;
            let train_usage = lab.model.codebook.as_ref().map(|c| c.train_usage.as_slice());
            Some(layout(map, &image.codes, train_usage, SIDE))
        })
    });
    let error = move || lab.with(|lab| lab.teaching.map.error.clone());
    view! {
        <details
            class="learn codebook-map"
            data-testid="codebook-map"
            on:toggle=move |event| open.set(details_open(&event))
        >
            <summary>"A map of the codebook"</summary>
            {move || error().map(|message| view! {
                <p class="error" role="alert" data-testid="map-error">{message}</p>
            })}
            {move || match laid_out.get() {
                None => view! { <p class="hint" data-testid="map-pending">"Drawing the map…"</p> }.into_any(),
                Some(laid_out) => view! {
                    <p data-testid="map-caption">
                        {lab.with_untracked(|lab| lab.teaching.map.answer.as_ref().map(|map| caption(map, laid_out.dots.len())))}
                    </p>
                    <div class="map-row">
                        <MapSvg lab=lab laid_out=laid_out hovered=hovered />
                        <CodeCard lab=lab hovered=hovered />
                    </div>
                    <p class="hint">
                        "Grey points: the encoder's vectors z_e of this image's cells. Dots: the \
                         codes, larger for codes more cells use here (faint: none here); a red ring marks a dead \
                         code (never chosen on the training set's grids). The selected cell's z_e \
                         is ringed, with a line to its code. Hover a code for its tile and \
                         nearest codes; click it to outline its cells."
                    </p>
                }
                .into_any(),
            }}
        </details>
    }
}

/// The SVG: the cloud of cells (one path), the codes' dots, the selected cell.
#[component]
fn MapSvg(lab: RwSignal<LabState>, laid_out: Layout, hovered: RwSignal<Option<u32>>) -> impl IntoView {
    // Every cell a zero-length segment with round caps: one element for thousands of points.
    let cloud: String = laid_out
        .cells
        .iter()
        .map(|(x, y)| format!("M{x:.1},{y:.1}h0"))
        .collect();
    let colours = Memo::new(move |_| {
        lab.with(|lab| lab.model.codebook.as_ref().map(mean_colours))
    });
    let cells = laid_out.cells.clone();
    let dots = laid_out.dots.clone();
    let selected = move || {
        lab.with(|lab| {
            let (row, col) = lab.selected?;
            let image = lab.image.as_ref()?;
            let index = row * image.encoding.grid_width + col;
            let &(x, y) = cells.get(index)?;
            let code = *image.codes.get(index)?;
            let dot = dots.get(code as usize)?;
            Some((x, y, dot.x, dot.y))
        })
    };
    view! {
        <svg
            class="map"
            data-testid="map-svg"
            viewBox=format!("0 0 {SIDE} {SIDE}")
            role="img"
            aria-label="The codebook's codes and this image's cells in two dimensions"
        >
            <path class="map-cells" data-testid="map-cells" data-count=laid_out.cells.len() d=cloud></path>
            {laid_out
                .dots
                .into_iter()
                .map(|dot| {
                    let code = dot.code;
                    let fill = move || {
                        colours.with(|c| {
                            c.as_ref()
                                .and_then(|c| c.get(code as usize))
                                .map_or_else(|| "#6b7fa8".to_owned(), |[r, g, b]| format!("rgb({r},{g},{b})"))
                        })
                    };
                    view! {
                        <circle
                            class="map-code"
                            class:dead=dot.dead
                            class:unused=dot.used_here == 0
                            class:hovered=move || hovered.get() == Some(code)
                            data-testid="map-code"
                            data-code=code
                            data-used=dot.used_here
                            cx=format!("{:.1}", dot.x)
                            cy=format!("{:.1}", dot.y)
                            r=format!("{:.1}", dot.r)
                            fill=fill
                            on:mouseenter=move |_| hovered.set(Some(code))
                            on:click=move |_| {
                                hovered.set(Some(code));
                                lab.update(|lab| lab.highlighted_code = Some(code));
                            }
                        >
                            <title>{format!("code {code}")}</title>
                        </circle>
                    }
                })
                .collect_view()}
            {move || selected().map(|(x, y, to_x, to_y)| view! {
                <g data-testid="map-selected">
                    <line class="map-link" x1=x y1=y x2=to_x y2=to_y></line>
                    <circle class="map-selected" cx=x cy=y r="6"></circle>
                </g>
            })}
        </svg>
    }
}

/// The hovered code: its tile, its use, its nearest codes.
#[component]
fn CodeCard(lab: RwSignal<LabState>, hovered: RwSignal<Option<u32>>) -> impl IntoView {
    view! {
        <div class="map-card" data-testid="map-card">
            {move || match hovered.get() {
                None => view! { <p class="hint">"Hover a code."</p> }.into_any(),
                Some(code) => {
                    let (used, nearest) = lab.with_untracked(|lab| {
                        let used = lab.image.as_ref().map_or(0, |i| i.codes.iter().filter(|&&c| c == code).count());
                        let nearest = lab.teaching.map.answer.as_ref().map(|m| nearest_codes(m, code, 5)).unwrap_or_default();
                        (used, nearest)
                    });
                    view! {
                        <p data-testid="map-card-code">
                            {format!("Code {code}: {used} cells of this image.")}
                        </p>
                        <CodeTile code=code lab=lab />
                        <p>"Nearest codes (squared distance in all D dimensions):"</p>
                        <ol data-testid="map-card-nearest">
                            {nearest
                                .into_iter()
                                .map(|(other, d)| view! {
                                    <li
                                        on:mouseenter=move |_| hovered.set(Some(other))
                                    >{format!("{other} · {d:.3}")}</li>
                                })
                                .collect_view()}
                        </ol>
                    }
                    .into_any()
                }
            }}
        </div>
    }
}
