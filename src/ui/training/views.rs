//! What the student watches: the curves (this run solid, the previous one dashed), the usage
//! histogram, the codebook's tiles, the reconstructions of the showcase images and the
//! codebook's map with the latest batch's encoder outputs.

use leptos::prelude::*;

use crate::protocol::{Evaluation, TrainingData};
use crate::ui::atlas::COLUMNS;
use crate::ui::charts::{self, Frame, Ranges};
use crate::ui::dom;
use crate::ui::state::training::{Curves, RunView, Series, TrainingState};

const FRAME: Frame = Frame {
    width: 260.0,
    height: 120.0,
};

/// Left margin of a chart, for the axis labels.
const MARGIN: f64 = 34.0;

/// One curve of a chart: which series of a run, its name and colour class.
#[derive(Clone, Copy)]
struct Line {
    name: &'static str,
    class: &'static str,
    series: fn(&Curves) -> &Series,
}

/// A line chart of some series of the run and of the previous run (dashed).
#[component]
fn LineChart(
    state: RwSignal<TrainingState>,
    testid: &'static str,
    title: &'static str,
    lines: Vec<Line>,
    #[prop(optional)] log: bool,
) -> impl IntoView {
    let lines = StoredValue::new(lines);
    let drawn = move || {
        state.with(|s| {
            let runs: Vec<(&RunView, bool)> = s
                .run
                .iter()
                .map(|run| (run, false))
                .chain(s.previous.iter().map(|run| (run, true)))
                .collect();
            let lines = lines.get_value();
            let all: Vec<&[(f64, f64)]> = runs
                .iter()
                .flat_map(|(run, _)| lines.iter().map(|line| (line.series)(&run.curves).points.as_slice()))
                .collect();
            let ranges = Ranges::fit(all, log)?;
            let paths: Vec<(String, &'static str, bool)> = runs
                .iter()
                .flat_map(|&(run, previous)| {
                    lines.iter().map(move |line| {
                        let series = (line.series)(&run.curves);
                        (charts::path(&series.points, &ranges, FRAME), line.class, previous)
                    })
                })
                .collect();
            let last = s
                .run
                .as_ref()
                .and_then(|run| lines.first().and_then(|line| (line.series)(&run.curves).last()));
            Some((ranges, paths, last))
        })
    };
    view! {
        <figure class="training-chart">
            <figcaption>{title}</figcaption>
            {move || {
                let (ranges, paths, last) = drawn().unzip3();
                let (top, bottom) = ranges.map(|r| r.y_labels()).unwrap_or((1.0, 0.0));
                let right = ranges.map_or(1.0, |r| r.x.1);
                view! {
                    <svg
                        class="chart"
                        data-testid=testid
                        data-last=last.flatten().map(|v| v.to_string()).unwrap_or_default()
                        viewBox=format!("{} -6 {} {}", -MARGIN, FRAME.width + MARGIN + 6.0, FRAME.height + 20.0)
                        role="img"
                        aria-label=title
                    >
                        <rect class="chart-frame" x="0" y="0" width=FRAME.width height=FRAME.height></rect>
                        <text class="chart-label" x="-3" y="8" text-anchor="end">{charts::label(top)}</text>
                        <text class="chart-label" x="-3" y=FRAME.height text-anchor="end">{charts::label(bottom)}</text>
                        <text class="chart-label" x=FRAME.width y=FRAME.height + 13.0 text-anchor="end">
                            {format!("step {right:.0}")}
                        </text>
                        {paths.unwrap_or_default().into_iter().map(|(d, class, previous)| view! {
                            <path class=format!("curve {class}") class:previous=previous d=d></path>
                        }).collect_view()}
                    </svg>
                }
            }}
            <div class="chart-legend">
                {lines.get_value().into_iter().map(|line| view! {
                    <span class=format!("legend {}", line.class)>{line.name}</span>
                }).collect_view()}
                {move || state.with(|s| s.previous.as_ref().map(|run| run.label.clone())).map(|label| view! {
                    <span class="legend previous">{format!("dashed: {label}")}</span>
                })}
            </div>
        </figure>
    }
}

/// `Option<(a, b, c)>` → three options.
trait Unzip3<A, B, C> {
    fn unzip3(self) -> (Option<A>, Option<B>, Option<C>);
}

impl<A, B, C> Unzip3<A, B, C> for Option<(A, B, C)> {
    fn unzip3(self) -> (Option<A>, Option<B>, Option<C>) {
        match self {
            Some((a, b, c)) => (Some(a), Some(b), Some(c)),
            None => (None, None, None),
        }
    }
}

/// The four charts.
#[component]
pub fn Charts(state: RwSignal<TrainingState>) -> impl IntoView {
    let losses = vec![
        Line { name: "reconstruction ‖x − x̂‖²", class: "c-reconstruction", series: |c| &c.reconstruction },
        Line { name: "codebook ‖sg[z_e] − e‖²", class: "c-codebook", series: |c| &c.codebook },
        Line { name: "β · commitment ‖z_e − sg[e]‖²", class: "c-commitment", series: |c| &c.commitment },
    ];
    let psnr = vec![Line { name: "test PSNR, dB", class: "c-psnr", series: |c| &c.test_psnr }];
    let perplexity = vec![Line { name: "perplexity of each batch's codes", class: "c-perplexity", series: |c| &c.perplexity }];
    let codes = vec![
        Line { name: "codes used on test images", class: "c-used", series: |c| &c.codes_used },
        Line { name: "dead codes", class: "c-dead", series: |c| &c.dead_codes },
    ];
    view! {
        <div class="training-charts">
            <LineChart state=state testid="chart-losses" title="The three loss terms (log scale)" lines=losses log=true />
            <LineChart state=state testid="chart-psnr" title="Test PSNR" lines=psnr />
            <LineChart state=state testid="chart-perplexity" title="Perplexity" lines=perplexity />
            <LineChart state=state testid="chart-codes" title="Codes used and dead" lines=codes />
        </div>
    }
}

/// Grey levels as RGBA.
fn rgba_from_grey(grey: &[u8]) -> Vec<u8> {
    grey.iter().flat_map(|&g| [g, g, g, 255]).collect()
}

/// `count` grey images of `width × height`, one after the other, laid out `columns` a row
/// (RGBA of the whole, its width and height).
fn grid_rgba(grey: &[u8], count: usize, width: usize, height: usize, columns: usize) -> (Vec<u8>, usize, usize) {
    let columns = columns.clamp(1, count.max(1));
    let rows = count.div_ceil(columns);
    let (out_width, out_height) = (columns * width, rows * height);
    let mut rgba = vec![255u8; out_width * out_height * 4];
    for (index, image) in grey.chunks_exact(width * height).take(count).enumerate() {
        let (column, row) = (index % columns, index / columns);
        for (y, line) in image.chunks_exact(width).enumerate() {
            let start = ((row * height + y) * out_width + column * width) * 4;
            rgba[start..start + width * 4].copy_from_slice(&rgba_from_grey(line));
        }
    }
    (rgba, out_width, out_height)
}

/// A canvas showing what `pixels` gives (grey images laid out in a grid).
#[component]
fn GreyGrid(testid: &'static str, label: &'static str, pixels: Signal<Option<(Vec<u8>, usize, usize)>>) -> impl IntoView {
    let canvas = NodeRef::<leptos::html::Canvas>::new();
    Effect::new(move |_| {
        let Some(canvas) = canvas.get() else { return };
        pixels.with(|pixels| {
            let Some((rgba, width, height)) = pixels else { return };
            if let Err(err) = dom::draw(&canvas, rgba, *width, *height) {
                web_sys::console::error_1(&format!("drawing {testid}: {err}").into());
            }
        });
    });
    view! { <canvas class="pixelated training-grid" data-testid=testid aria-label=label node_ref=canvas></canvas> }
}

/// The showcase's originals over their reconstructions.
fn showcase_rgba(data: &TrainingData, evaluation: &Evaluation) -> (Vec<u8>, usize, usize) {
    let (width, height) = evaluation.size;
    let count = data.showcase_classes.len();
    let mut both = data.showcase.clone();
    both.extend_from_slice(&evaluation.reconstructions);
    grid_rgba(&both, 2 * count, width, height, count)
}

/// The usage histogram, the tiles, the reconstructions and the map of the latest evaluation.
#[component]
pub fn Pictures(state: RwSignal<TrainingState>) -> impl IntoView {
    let evaluation = Memo::new(move |_| state.with(|s| s.run.as_ref().and_then(|run| run.evaluation.clone())));
    let tiles = Signal::derive(move || {
        evaluation.with(|e| {
            let e = e.as_ref()?;
            let k = e.usage.len();
            Some(grid_rgba(&e.tiles, k, e.tile, e.tile, COLUMNS))
        })
    });
    let showcase = Signal::derive(move || {
        let data = state.with(|s| s.data.clone())?;
        evaluation.with(|e| e.as_ref().map(|e| showcase_rgba(&data, e)))
    });
    view! {
        {move || evaluation.with(|e| e.as_ref().map(|e| {
            let used = e.codes_used;
            let k = e.usage.len();
            view! {
                <p class="training-evaluation" data-testid="training-evaluation" data-psnr=e.test_psnr
                    data-codes-used=used data-perplexity=e.perplexity data-step=e.step>
                    {format!(
                        "After step {}: {:.1} dB on the test images, {used} of {k} codes used ({} dead), perplexity {:.1}.",
                        e.step, e.test_psnr, e.dead_codes, e.perplexity
                    )}
                </p>
            }
        }))}
        <div class="training-pictures">
            <figure>
                <figcaption>"Usage of each code on the test images (gaps: dead codes)"</figcaption>
                <Histogram evaluation=evaluation />
            </figure>
            <figure>
                <figcaption>"The codebook's map: codes (dot size by use) and a batch's z_e (grey)"</figcaption>
                <TrainingMapSvg evaluation=evaluation />
            </figure>
            <figure>
                <figcaption>"Each code decoded alone"</figcaption>
                <GreyGrid testid="training-tiles" label="The codebook's tiles" pixels=tiles />
            </figure>
            <figure>
                <figcaption>"8 test images (top) and their reconstructions"</figcaption>
                <GreyGrid testid="training-reconstructions" label="Test images and reconstructions" pixels=showcase />
            </figure>
        </div>
    }
}

#[component]
fn Histogram(evaluation: Memo<Option<Evaluation>>) -> impl IntoView {
    let frame = Frame { width: 256.0, height: 80.0 };
    move || {
        evaluation.with(|e| {
            let e = e.as_ref()?;
            let bars = charts::bars(&e.usage, frame);
            let count = bars.len();
            Some(view! {
                <svg class="histogram" data-testid="training-usage" data-bars=count
                    viewBox=format!("0 0 {} {}", frame.width, frame.height) role="img"
                    aria-label="How often each code was chosen">
                    <path class="bars" d=charts::bars_path(&bars)></path>
                </svg>
            })
        })
    }
}

#[component]
fn TrainingMapSvg(evaluation: Memo<Option<Evaluation>>) -> impl IntoView {
    const SIDE: f64 = 220.0;
    move || {
        evaluation.with(|e| {
            let e = e.as_ref()?;
            let (dots, cloud) = charts::scatter(&e.map.codes, &e.usage, &e.map.cloud, SIDE);
            let count = dots.len();
            Some(view! {
                <svg class="map training-map" data-testid="training-map" data-codes=count
                    viewBox=format!("0 0 {SIDE} {SIDE}") role="img"
                    aria-label="The codebook and the encoder's outputs on the codebook's two principal axes">
                    <path class="map-cells" d=cloud></path>
                    <path class="map-code" d=charts::circles_path(dots.iter().filter(|dot| dot.used > 0))></path>
                    <path class="map-code dead" d=charts::circles_path(dots.iter().filter(|dot| dot.used == 0))></path>
                </svg>
            })
        })
    }
}
