//! Choosing the device, once, at start.
//!
//! WebGPU (burn's wgpu backend) when the browser gives a real GPU adapter; otherwise burn's CPU
//! backend (`flex`, in WebAssembly). A software adapter (SwiftShader and the like, which wgpu
//! reports as a CPU-type device) is recognised and, unless WebGPU is forced, left for the CPU
//! backend, which is faster there. The rules are the pure function [`decide`]; [`choose`] probes
//! the browser and applies them.

use burn::tensor::Device;

use crate::protocol::{AdapterInfo, Backend, BackendPreference};

/// What probing WebGPU gave.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WebGpuProbe {
    /// An adapter, initialised by burn's wgpu runtime.
    Adapter(AdapterInfo),
    /// No usable WebGPU; the sentence says why (no `navigator.gpu`, no adapter, an error).
    Unavailable(String),
}

/// The backend to use and the sentences that explain it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decision {
    /// The backend to run on.
    pub backend: Backend,
    /// Why, in one sentence.
    pub reason: String,
    /// A sentence the user must see, set when the choice is not what was asked for.
    pub notice: Option<String>,
}

/// Applies the rules of the module's documentation. `probe` is `None` when WebGPU was not probed
/// (the CPU backend was asked for).
pub fn decide(preference: BackendPreference, probe: Option<&WebGpuProbe>) -> Decision {
    let cpu = |reason: String, notice: Option<String>| Decision {
        backend: Backend::Cpu,
        reason,
        notice,
    };
    match (preference, probe) {
        (BackendPreference::Cpu, _) | (_, None) => cpu(
            "The CPU backend was asked for with ?backend=cpu.".to_owned(),
            None,
        ),
        (BackendPreference::Auto, Some(WebGpuProbe::Unavailable(why))) => cpu(
            format!("WebGPU is unavailable ({why}), so the CPU backend runs the models."),
            None,
        ),
        (BackendPreference::WebGpu, Some(WebGpuProbe::Unavailable(why))) => cpu(
            format!("WebGPU is unavailable ({why})."),
            Some(format!(
                "WebGPU was asked for with ?backend=webgpu, but it is unavailable ({why}); \
                 VQ Lab runs on the CPU backend instead."
            )),
        ),
        (BackendPreference::Auto, Some(WebGpuProbe::Adapter(adapter))) if adapter.is_fallback => {
            cpu(
                format!(
                    "The WebGPU adapter “{}” is a software fallback, slower than the CPU \
                     backend; add ?backend=webgpu to use it anyway.",
                    adapter.name
                ),
                None,
            )
        }
        (BackendPreference::Auto, Some(WebGpuProbe::Adapter(adapter))) => Decision {
            backend: Backend::WebGpu,
            reason: format!("The browser gave the WebGPU adapter “{}”.", adapter.name),
            notice: None,
        },
        (BackendPreference::WebGpu, Some(WebGpuProbe::Adapter(adapter))) => Decision {
            backend: Backend::WebGpu,
            reason: if adapter.is_fallback {
                format!(
                    "WebGPU was asked for with ?backend=webgpu, on the software adapter “{}”.",
                    adapter.name
                )
            } else {
                "WebGPU was asked for with ?backend=webgpu.".to_owned()
            },
            notice: None,
        },
    }
}

/// The device the engine runs on, and what the page shows about it.
#[derive(Debug, Clone)]
pub struct ChosenDevice {
    /// The burn device every tensor of the engine lives on.
    pub device: Device,
    /// Its backend.
    pub backend: Backend,
    /// The WebGPU adapter, when one was found (also when the CPU backend was chosen).
    pub adapter: Option<AdapterInfo>,
    /// Why this backend, in one sentence.
    pub reason: String,
    /// A sentence the user must see, e.g. WebGPU was forced but is unavailable.
    pub notice: Option<String>,
}

impl ChosenDevice {
    /// True for a software (fallback) WebGPU adapter.
    pub fn is_fallback(&self) -> bool {
        self.adapter
            .as_ref()
            .is_some_and(|adapter| adapter.is_fallback)
    }
}

/// Probes WebGPU (unless the CPU backend is asked for), decides, and returns the device.
///
/// Never fails: every problem with WebGPU ends on the CPU backend with a sentence that says why.
/// In the browser the WebGPU runtime is initialised at most once per worker; later calls reuse
/// it, so `choose` may be called again (by the tests, for instance).
pub async fn choose(preference: BackendPreference) -> ChosenDevice {
    let probe = match preference {
        BackendPreference::Cpu => None,
        BackendPreference::Auto | BackendPreference::WebGpu => Some(probe_webgpu().await),
    };
    let decision = decide(preference, probe.as_ref().map(|(probe, _)| probe));
    // A WebGPU decision always comes with the device that was probed; the CPU backend otherwise.
    let (backend, device) = match (decision.backend, &probe) {
        (Backend::WebGpu, Some((_, Some(device)))) => (Backend::WebGpu, device.clone()),
        _ => (Backend::Cpu, Device::flex()),
    };
    let adapter = match probe {
        Some((WebGpuProbe::Adapter(adapter), _)) => Some(adapter),
        _ => None,
    };
    ChosenDevice {
        device,
        backend,
        adapter,
        reason: decision.reason,
        notice: decision.notice,
    }
}

#[cfg(target_arch = "wasm32")]
async fn probe_webgpu() -> (WebGpuProbe, Option<Device>) {
    match super::webgpu::acquire().await {
        Ok(acquired) => (
            WebGpuProbe::Adapter(acquired.adapter),
            Some(acquired.device),
        ),
        Err(why) => (WebGpuProbe::Unavailable(why), None),
    }
}

#[cfg(not(target_arch = "wasm32"))]
async fn probe_webgpu() -> (WebGpuProbe, Option<Device>) {
    (
        WebGpuProbe::Unavailable("this native build has no browser".to_owned()),
        None,
    )
}

// Native only: the browser runs these paths in tests/engine_browser.rs.
#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use super::*;

    fn adapter(is_fallback: bool) -> WebGpuProbe {
        WebGpuProbe::Adapter(AdapterInfo {
            name: "google swiftshader".to_owned(),
            is_fallback,
        })
    }

    #[test]
    fn auto_uses_a_real_gpu() {
        let decision = decide(BackendPreference::Auto, Some(&adapter(false)));
        assert_eq!(decision.backend, Backend::WebGpu);
        assert_eq!(decision.notice, None);
    }

    #[test]
    fn auto_leaves_a_software_adapter_for_the_cpu_backend() {
        let decision = decide(BackendPreference::Auto, Some(&adapter(true)));
        assert_eq!(decision.backend, Backend::Cpu);
        assert!(
            decision.reason.contains("software fallback"),
            "{}",
            decision.reason
        );
        assert!(decision.reason.contains("?backend=webgpu"));
    }

    #[test]
    fn forced_webgpu_runs_on_a_software_adapter() {
        let decision = decide(BackendPreference::WebGpu, Some(&adapter(true)));
        assert_eq!(decision.backend, Backend::WebGpu);
        assert!(decision.reason.contains("software adapter"));
    }

    #[test]
    fn forced_webgpu_without_webgpu_says_so_and_runs_on_the_cpu() {
        let probe = WebGpuProbe::Unavailable("no adapter".to_owned());
        let decision = decide(BackendPreference::WebGpu, Some(&probe));
        assert_eq!(decision.backend, Backend::Cpu);
        let notice = decision.notice.unwrap_or_default();
        assert!(notice.contains("unavailable (no adapter)"), "{notice}");
    }

    #[test]
    fn cpu_is_chosen_without_probing() {
        let decision = decide(BackendPreference::Cpu, None);
        assert_eq!(decision.backend, Backend::Cpu);
    }

    #[test]
    fn choose_natively_falls_back_to_the_cpu_backend() {
        let chosen = futures_lite::future::block_on(choose(BackendPreference::Auto));
        assert_eq!(chosen.backend, Backend::Cpu);
        assert_eq!(chosen.device, Device::flex());
        assert!(!chosen.is_fallback());
        assert!(chosen.reason.contains("WebGPU is unavailable"));
    }
}
