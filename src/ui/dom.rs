//! The few things the page asks of the browser's document directly: drawing RGBA on a canvas,
//! a canvas as a PNG, a download, fetching a file next to the page, the address's fragment,
//! the element under a point, and whether the focus is in a field.

use wasm_bindgen::{Clamped, JsCast};
use wasm_bindgen_futures::JsFuture;
use web_sys::{CanvasRenderingContext2d, HtmlCanvasElement, ImageData};

use crate::js::describe;

fn document() -> Option<web_sys::Document> {
    web_sys::window()?.document()
}

/// The canvas's 2D context.
///
/// # Errors
///
/// A sentence when the canvas has none.
pub fn context_2d(canvas: &HtmlCanvasElement) -> Result<CanvasRenderingContext2d, String> {
    canvas
        .get_context("2d")
        .map_err(|err| describe(&err))?
        .ok_or("the canvas has no 2D context")?
        .dyn_into::<CanvasRenderingContext2d>()
        .map_err(|_| "the canvas's context is not 2D".to_owned())
}

/// Draws `width × height` RGBA pixels on `canvas` at their own size (resizing the canvas).
///
/// # Errors
///
/// A sentence when the sizes do not fit or the browser refuses.
pub fn draw(
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
    let context = context_2d(canvas)?;
    let data = ImageData::new_with_u8_clamped_array_and_sh(Clamped(rgba), width, height)
        .map_err(|err| describe(&err))?;
    context
        .put_image_data(&data, 0.0, 0.0)
        .map_err(|err| describe(&err))
}

/// The canvas with `data-testid=testid` as a PNG data URL (at its own size).
///
/// # Errors
///
/// A sentence when there is no such canvas (`missing`) or the browser refuses.
pub fn canvas_png(testid: &str, missing: &str) -> Result<String, String> {
    document()
        .and_then(|d| {
            d.query_selector(&format!("canvas[data-testid={testid}]"))
                .ok()
                .flatten()
        })
        .and_then(|e| e.dyn_into::<HtmlCanvasElement>().ok())
        .ok_or_else(|| missing.to_owned())?
        .to_data_url()
        .map_err(|err| describe(&err))
}

/// Makes the browser download `href` as `name`.
///
/// # Errors
///
/// A sentence when the link cannot be made.
pub fn download(href: &str, name: &str) -> Result<(), String> {
    let document = document().ok_or("no document")?;
    let link = document.create_element("a").map_err(|err| describe(&err))?;
    link.set_attribute("href", href)
        .and_then(|()| link.set_attribute("download", name))
        .map_err(|err| describe(&err))?;
    link.dyn_into::<web_sys::HtmlElement>()
        .map_err(|_| "not an element".to_owned())?
        .click();
    Ok(())
}

/// Makes the browser download `bytes` as the file `name` (of the MIME type `mime`).
///
/// # Errors
///
/// A sentence when the browser refuses to make the file or its link.
pub fn download_bytes(bytes: &[u8], name: &str, mime: &str) -> Result<(), String> {
    let parts = js_sys::Array::of1(&js_sys::Uint8Array::from(bytes));
    let options = web_sys::BlobPropertyBag::new();
    options.set_type(mime);
    let blob = web_sys::Blob::new_with_u8_array_sequence_and_options(&parts, &options)
        .map_err(|err| describe(&err))?;
    let url = web_sys::Url::create_object_url_with_blob(&blob).map_err(|err| describe(&err))?;
    let downloaded = download(&url, name);
    // The click has started the download; the blob's address is freed a minute later, when
    // even a slow browser has read it.
    let revoke = wasm_bindgen::closure::Closure::once_into_js(move || {
        // Nothing to do if the address is already gone.
        let _ = web_sys::Url::revoke_object_url(&url);
    });
    if let Some(window) = web_sys::window() {
        // Without a timer the address stays until the page closes: a leak, not a fault.
        let _ = window.set_timeout_with_callback_and_timeout_and_arguments_0(
            revoke.unchecked_ref(),
            60_000,
        );
    }
    downloaded
}

/// The bytes of `path`, relative to the page.
///
/// # Errors
///
/// A sentence for a failed request or an HTTP error.
pub async fn fetch_bytes(path: &str) -> Result<Vec<u8>, String> {
    let window = web_sys::window().ok_or("no window")?;
    let response = JsFuture::from(window.fetch_with_str(path))
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

/// The bytes of a file the user gave (picker, drop or clipboard).
///
/// # Errors
///
/// The browser's reason when it cannot read the file.
pub async fn file_bytes(file: &web_sys::File) -> Result<Vec<u8>, String> {
    let buffer = JsFuture::from(file.array_buffer())
        .await
        .map_err(|err| describe(&err))?;
    Ok(js_sys::Uint8Array::new(&buffer).to_vec())
}

/// The text of a file the user gave.
///
/// # Errors
///
/// The browser's reason when it cannot read the file.
pub async fn file_text(file: &web_sys::File) -> Result<String, String> {
    let text = JsFuture::from(file.text())
        .await
        .map_err(|err| describe(&err))?;
    Ok(text.as_string().unwrap_or_default())
}

/// The build of this page's files (`<meta name="vq-lab-build">`, written by
/// `scripts/trunk-post-build.sh`); `None` when the build has none.
pub fn page_build() -> Option<String> {
    let meta = document()?
        .query_selector(r#"meta[name="vq-lab-build"]"#)
        .ok()??;
    meta.get_attribute("content").filter(|build| !build.is_empty())
}

/// The address's fragment without `#`, if there is one.
pub fn location_hash() -> Option<String> {
    let hash = web_sys::window()?.location().hash().ok()?;
    let hash = hash.trim_start_matches('#');
    (!hash.is_empty()).then(|| hash.to_owned())
}

/// Sets the address's fragment (without `#`); returns the whole address.
pub fn set_location_hash(hash: &str) -> Option<String> {
    let location = web_sys::window()?.location();
    if let Err(err) = location.set_hash(hash) {
        let message = format!("setting the address's fragment: {}", describe(&err));
        web_sys::console::error_1(&message.into());
    }
    location.href().ok()
}

/// The element under a point of the viewport, or its nearest ancestor matching `selector`.
pub fn element_at(x: i32, y: i32, selector: &str) -> Option<web_sys::Element> {
    let element = document()?.element_from_point(x as f32, y as f32)?;
    element.closest(selector).ok()?
}

/// Scrolls the element with `data-testid=testid` into view.
pub fn scroll_to(testid: &str) {
    if let Some(element) = document().and_then(|d| {
        d.query_selector(&format!("[data-testid={testid}]"))
            .ok()
            .flatten()
    }) {
        element.scroll_into_view();
    }
}

/// Whether `event` happened in a field the user types in (where plain keys are text).
pub fn is_typing(event: &web_sys::Event) -> bool {
    event
        .target()
        .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
        .is_some_and(|e| matches!(e.tag_name().as_str(), "INPUT" | "SELECT" | "TEXTAREA"))
}
