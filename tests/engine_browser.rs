//! Browser tests of the engine (tier 3 of DESIGN.md), run by `wasm-bindgen-test-runner` in
//! headless Chromium through chromedriver, inside a dedicated worker like the real engine.
//!
//! `scripts/test-all.sh` runs them twice, with one build:
//! - plain Chromium (tests/webdriver/cpu.json): the browser gives no WebGPU adapter, and the
//!   engine must fall back to the CPU backend;
//! - SwiftShader (tests/webdriver/swiftshader.json): WebGPU must be used, and agree with the CPU
//!   backend.
//!
//! Each webdriver file marks its run in the browser's user agent (`VQLabExpect/cpu`,
//! `VQLabExpect/webgpu`), which the tests read at run time. Without a mark the WebGPU comparison
//! is skipped, with a message, when there is no adapter.
#![cfg(target_arch = "wasm32")]

use burn::tensor::{Device, Tensor};
use js_sys::Reflect;
use vq_lab::engine::{choose, warmup};
use vq_lab::protocol::{Backend, BackendPreference};
use wasm_bindgen::JsValue;
use wasm_bindgen_test::{console_log, wasm_bindgen_test, wasm_bindgen_test_configure};

wasm_bindgen_test_configure!(run_in_dedicated_worker);

/// What this run must show, from the mark in the user agent (see the module's documentation).
fn expect_webgpu() -> Option<bool> {
    let navigator = Reflect::get(&js_sys::global(), &JsValue::from_str("navigator")).ok()?;
    let agent = Reflect::get(&navigator, &JsValue::from_str("userAgent"))
        .ok()?
        .as_string()?;
    if agent.contains("VQLabExpect/webgpu") {
        Some(true)
    } else if agent.contains("VQLabExpect/cpu") {
        Some(false)
    } else {
        None
    }
}

async fn read(tensor: Tensor<2>) -> Vec<f32> {
    let data = tensor
        .into_data_async()
        .await
        .unwrap_or_else(|err| panic!("read back: {err}"));
    data.try_into_vec::<f32>()
        .unwrap_or_else(|err| panic!("as f32: {err:?}"))
}

#[wasm_bindgen_test]
async fn cpu_warmup_matches_the_reference() {
    let result = warmup(&Device::flex())
        .await
        .unwrap_or_else(|err| panic!("{err}"));
    let reference = vq_lab::engine::warmup::reference_sum();
    // As in the native test: 1e-4 relative is far above f32 rounding, far below a real bug.
    assert!((f64::from(result.value) - reference).abs() <= 1e-4 * reference.abs().max(1.0));
}

#[wasm_bindgen_test]
async fn automatic_choice_follows_the_adapter() {
    let chosen = choose(BackendPreference::Auto).await;
    console_log!(
        "auto: backend {:?}, adapter {:?}, reason: {}",
        chosen.backend,
        chosen.adapter,
        chosen.reason
    );
    match &chosen.adapter {
        None => assert_eq!(
            chosen.backend,
            Backend::Cpu,
            "no adapter, yet {:?}",
            chosen.backend
        ),
        Some(adapter) if adapter.is_fallback => assert_eq!(chosen.backend, Backend::Cpu),
        Some(_) => assert_eq!(chosen.backend, Backend::WebGpu),
    }
    if expect_webgpu() == Some(false) {
        assert_eq!(
            chosen.adapter, None,
            "this run's browser must give no adapter"
        );
        assert!(
            chosen.reason.contains("WebGPU is unavailable"),
            "{}",
            chosen.reason
        );
    }
    let result = warmup(&chosen.device)
        .await
        .unwrap_or_else(|err| panic!("{err}"));
    assert!(result.value.is_finite());
}

#[wasm_bindgen_test]
async fn forced_webgpu_agrees_with_the_cpu_backend() {
    let chosen = choose(BackendPreference::WebGpu).await;
    console_log!(
        "forced webgpu: backend {:?}, adapter {:?}, notice {:?}",
        chosen.backend,
        chosen.adapter,
        chosen.notice
    );
    match expect_webgpu() {
        Some(true) => assert_eq!(
            chosen.backend,
            Backend::WebGpu,
            "this run must use WebGPU: {} {:?}",
            chosen.reason,
            chosen.notice
        ),
        Some(false) => {
            assert_eq!(chosen.backend, Backend::Cpu);
            assert!(
                chosen.notice.is_some(),
                "forcing an unavailable WebGPU must say so"
            );
        }
        None => {}
    }
    if chosen.backend != Backend::WebGpu {
        console_log!("SKIPPED the WebGPU comparison: this browser gives no WebGPU adapter");
        return;
    }
    assert_ne!(chosen.device, Device::flex());
    let on_webgpu = read(vq_lab::engine::warmup::product(&chosen.device)).await;
    let on_cpu = read(vq_lab::engine::warmup::product(&Device::flex())).await;
    assert_eq!(on_webgpu.len(), on_cpu.len());
    // Entries are sums of 256 products of magnitude <= 0.25 (so |entry| <= 64); the two
    // backends add them in different orders in f32, which moves an entry by at most a few
    // 1e-5. 1e-3 is well above that and far below any wrong kernel.
    let worst = on_webgpu
        .iter()
        .zip(&on_cpu)
        .map(|(gpu, cpu)| (gpu - cpu).abs())
        .fold(0.0_f32, f32::max);
    console_log!("WebGPU vs CPU: largest difference {worst:e}");
    assert!(worst <= 1e-3, "WebGPU and CPU differ by {worst}");
}
