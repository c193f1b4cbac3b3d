//! Large uploads decoded by the browser at a smaller size (wasm32 only): `createImageBitmap`
//! with `resizeWidth`/`resizeHeight`, which lets the browser's own decoders scale while they
//! decode (a JPEG's DCT at 1/2, 1/4 or 1/8 in Chromium), then the pixels read from an
//! `OffscreenCanvas`. Both exist in workers (Chrome 69, Firefox 105, Safari 16.4); where they
//! are missing or fail, the caller decodes with the image crate instead.
//!
//! Written with `js_sys::Reflect`, like [`super::fetch`]: the engine's web-sys features stay
//! those burn's wgpu needs.

use js_sys::{Array, Object, Promise, Reflect, Uint8Array};
use vq_model::image::{RgbaImage, over_white};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;

use crate::js::{call_method, describe};

fn set(target: &Object, key: &str, value: impl Into<JsValue>) -> Result<(), JsValue> {
    Reflect::set(target, &JsValue::from_str(key), &value.into()).map(|_| ())
}

/// `new <name>(...args)` of the global scope's class `name`.
fn construct(name: &str, args: &Array) -> Result<JsValue, JsValue> {
    let class = Reflect::get(&js_sys::global(), &JsValue::from_str(name))?;
    let class: js_sys::Function = class.dyn_into()?;
    Reflect::construct(&class, args)
}

/// `bytes` (an image file) decoded at `(width, height)` by the browser, its EXIF orientation
/// applied (`size` is of the oriented image) and any transparency over white.
///
/// # Errors
///
/// What the browser said, when it cannot decode the file or lacks either API.
pub async fn decode(bytes: &[u8], (width, height): (u32, u32)) -> Result<RgbaImage, String> {
    decode_js(bytes, (width, height))
        .await
        .map_err(|err| describe(&err))
}

async fn decode_js(bytes: &[u8], (width, height): (u32, u32)) -> Result<RgbaImage, JsValue> {
    // `new Blob([bytes])`: the constructor's one argument is the list of parts.
    let parts = Array::of1(&Uint8Array::from(bytes).into());
    let blob = construct("Blob", &Array::of1(&parts.into()))?;
    let options = Object::new();
    set(&options, "resizeWidth", width)?;
    set(&options, "resizeHeight", height)?;
    set(&options, "resizeQuality", "high")?;
    set(&options, "imageOrientation", "from-image")?;
    set(&options, "premultiplyAlpha", "none")?;
    let bitmap = call_method(
        &js_sys::global(),
        "createImageBitmap",
        &[blob, options.into()],
    )?;
    let bitmap = JsFuture::from(bitmap.dyn_into::<Promise>()?).await?;
    let canvas = construct(
        "OffscreenCanvas",
        &Array::of2(&width.into(), &height.into()),
    )?;
    let context = call_method(&canvas, "getContext", &["2d".into()])?;
    let drawn = call_method(&context, "drawImage", &[bitmap.clone(), 0.into(), 0.into()]);
    let _ = call_method(&bitmap, "close", &[]);
    drawn?;
    let data = call_method(
        &context,
        "getImageData",
        &[0.into(), 0.into(), width.into(), height.into()],
    )?;
    let pixels = Reflect::get(&data, &JsValue::from_str("data"))?;
    let rgba = Uint8Array::new(&pixels).to_vec();
    RgbaImage::from_raw(width, height, rgba)
        .map(over_white)
        .ok_or_else(|| JsValue::from_str("the browser gave pixels of another size"))
}
