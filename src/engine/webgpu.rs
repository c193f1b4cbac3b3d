//! WebGPU in the browser: find an adapter and initialise burn's wgpu runtime on it, once.

use std::cell::RefCell;

use burn::tensor::Device;
use burn::tensor::wgpu::{WgpuBackend, wgpu};
use js_sys::{Function, Promise, Reflect};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;

use crate::js::describe;
use crate::protocol::AdapterInfo;

/// burn's WebGPU device and its adapter.
#[derive(Debug, Clone)]
pub struct Acquired {
    /// The device; its runtime is initialised.
    pub device: Device,
    /// The adapter it runs on.
    pub adapter: AdapterInfo,
}

thread_local! {
    /// burn's wgpu runtime can be initialised only once: the first outcome is kept.
    static ACQUIRED: RefCell<Option<Result<Acquired, String>>> = const { RefCell::new(None) };
}

/// Initialises burn's WebGPU runtime on the browser's adapter, or says why it cannot.
///
/// # Errors
///
/// A sentence (no `navigator.gpu`, no adapter, burn's error) when WebGPU is unusable.
pub async fn acquire() -> Result<Acquired, String> {
    if let Some(outcome) = ACQUIRED.with_borrow(Clone::clone) {
        return outcome;
    }
    let outcome = initialise().await;
    ACQUIRED.with_borrow_mut(|slot| slot.get_or_insert(outcome).clone())
}

async fn initialise() -> Result<Acquired, String> {
    // Ask the browser first: without `navigator.gpu` or without an adapter, wgpu has nothing
    // to work with, and the browser's answer is the clearer sentence.
    let browser_adapter = request_browser_adapter().await?;
    let (device, setup) = Device::wgpu_options()
        .graphics_api(WgpuBackend::WebGpu)
        .init_with_setup_async()
        .await
        .map_err(|err| format!("burn could not start WebGPU: {err}"))?;
    let info = setup.adapter.get_info();
    let name = if info.name.trim().is_empty() {
        browser_adapter.name
    } else {
        info.name
    };
    Ok(Acquired {
        device,
        adapter: AdapterInfo {
            name,
            // wgpu maps the browser's `isFallbackAdapter` to a CPU-type device.
            is_fallback: info.device_type == wgpu::DeviceType::Cpu || browser_adapter.is_fallback,
        },
    })
}

/// What `navigator.gpu.requestAdapter()` says, read through `Reflect` so that it works the same
/// in a window and in a worker.
async fn request_browser_adapter() -> Result<AdapterInfo, String> {
    let navigator = property(&js_sys::global(), "navigator")
        .ok_or("this context has no navigator".to_owned())?;
    let gpu = property(&navigator, "gpu")
        .ok_or("this browser has no WebGPU: navigator.gpu is missing".to_owned())?;
    let request: Function = property(&gpu, "requestAdapter")
        .and_then(|value| value.dyn_into().ok())
        .ok_or("navigator.gpu.requestAdapter is missing".to_owned())?;
    let promise: Promise = request
        .call0(&gpu)
        .map_err(|err| format!("requestAdapter failed: {}", describe(&err)))?
        .dyn_into()
        .map_err(|_| "requestAdapter did not return a promise".to_owned())?;
    let adapter = JsFuture::from(promise)
        .await
        .map_err(|err| format!("requestAdapter failed: {}", describe(&err)))?;
    if adapter.is_null() || adapter.is_undefined() {
        return Err(
            "the browser gave no WebGPU adapter; WebGPU may be disabled or blocked here".to_owned(),
        );
    }
    let info = property(&adapter, "info");
    let text = |key: &str| {
        info.as_ref()
            .and_then(|info| property(info, key))
            .and_then(|value| value.as_string())
            .unwrap_or_default()
    };
    let description = text("description");
    let name = if description.trim().is_empty() {
        let joined = format!("{} {}", text("vendor"), text("architecture"));
        let joined = joined.trim();
        if joined.is_empty() {
            "unnamed adapter".to_owned()
        } else {
            joined.to_owned()
        }
    } else {
        description
    };
    let is_fallback = info
        .as_ref()
        .and_then(|info| property(info, "isFallbackAdapter"))
        .or_else(|| property(&adapter, "isFallbackAdapter"))
        .and_then(|value| value.as_bool())
        .unwrap_or(false);
    Ok(AdapterInfo { name, is_fallback })
}

/// `object[key]`, or `None` when it is missing, `undefined` or `null`.
fn property(object: &JsValue, key: &str) -> Option<JsValue> {
    Reflect::get(object, &JsValue::from_str(key))
        .ok()
        .filter(|value| !value.is_undefined() && !value.is_null())
}
