//! The image views: the original (the model's input), the reconstruction and the error map,
//! each a canvas at the image's own size, upscaled by CSS without smoothing, with the region of
//! the hovered (or previewed) cells outlined.

use leptos::prelude::*;

use crate::ui::dom::draw;
use crate::ui::layout::region_style;
use crate::ui::state::LabState;
use crate::ui::statistics::{error_caption, error_map};
use crate::ui::tools::Cell;

/// RGBA pixels with their width and height.
pub type Pixels = Option<(Vec<u8>, usize, usize)>;

/// A picture drawn on a canvas at its own size, upscaled by CSS without smoothing, with the
/// region of cells `region` outlined (`cell_size` pixels a cell).
#[component]
pub fn PixelView(
    testid: &'static str,
    title: &'static str,
    pixels: Memo<Pixels>,
    region: Memo<Option<(Cell, Cell)>>,
    cell_size: Memo<usize>,
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
    let size = move || pixels.with(|p| p.as_ref().map(|(_, w, h)| (*w, *h)));
    let highlight = move || {
        let style = region_style(region.get()?, size()?, cell_size.get());
        Some(
            view! { <div class="cell-highlight" data-testid=format!("{testid}-highlight") style=style></div> },
        )
    };
    let aspect = move || {
        size().map_or_else(String::new, |(width, height)| {
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

/// The pixels of the original (the model's input), as encoded.
pub fn original(lab: RwSignal<LabState>) -> Memo<Pixels> {
    Memo::new(move |_| {
        lab.with(|lab| {
            let encoding = &lab.image.as_ref()?.encoding;
            Some((encoding.original.clone(), encoding.width, encoding.height))
        })
    })
}

/// The pixels of the current reconstruction (with the edits).
pub fn reconstruction(lab: RwSignal<LabState>) -> Memo<Pixels> {
    Memo::new(move |_| {
        lab.with(|lab| {
            let image = lab.image.as_ref()?;
            let (width, height) = (image.encoding.width, image.encoding.height);
            Some((image.reconstruction.clone(), width, height))
        })
    })
}

/// The error map of the reconstruction against the original, captioned with its PSNR.
#[component]
pub fn ErrorMapView(
    original: Memo<Pixels>,
    reconstruction: Memo<Pixels>,
    region: Memo<Option<(Cell, Cell)>>,
    cell_size: Memo<usize>,
) -> impl IntoView {
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
    let pixels = Memo::new(move |_| {
        errors.with(|e| e.as_ref().map(|(rgba, w, h, _)| (rgba.clone(), *w, *h)))
    });
    let caption = Signal::derive(move || errors.with(|e| error_caption(e.as_ref().map(|e| e.3))));
    view! {
        <PixelView
            testid="error-map"
            title="Error map"
            pixels=pixels
            region=region
            cell_size=cell_size
            caption=caption
        />
    }
}
