//! The device: which backend the user asked for, which one runs, and its warm-up.

use serde::{Deserialize, Serialize};

/// Which backend the user asked for, from the page's `?backend=` query parameter.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub enum BackendPreference {
    /// WebGPU on a real GPU adapter; the CPU backend otherwise (also on a software adapter).
    #[default]
    Auto,
    /// The CPU backend (burn's `flex`, in WebAssembly), without probing WebGPU.
    Cpu,
    /// WebGPU even on a software adapter; the CPU backend only when WebGPU is unavailable.
    WebGpu,
}

impl BackendPreference {
    /// The value of the `backend` query parameter that selects this preference
    /// (`None` for [`BackendPreference::Auto`], which is the page without the parameter).
    pub fn query_value(self) -> Option<&'static str> {
        match self {
            Self::Auto => None,
            Self::Cpu => Some("cpu"),
            Self::WebGpu => Some("webgpu"),
        }
    }

    /// Reads a `backend` query value. Unknown values are an error the page reports.
    ///
    /// # Errors
    ///
    /// [`UnknownBackend`] when the value is none of `auto`, `cpu`, `webgpu` (any case).
    pub fn from_query_value(value: &str) -> Result<Self, UnknownBackend> {
        match value.trim().to_ascii_lowercase().as_str() {
            "" | "auto" => Ok(Self::Auto),
            "cpu" => Ok(Self::Cpu),
            "webgpu" | "gpu" => Ok(Self::WebGpu),
            _ => Err(UnknownBackend(value.to_owned())),
        }
    }
}

/// A `?backend=` value the app does not know.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown backend “{0}” in the address; use ?backend=cpu or ?backend=webgpu")]
pub struct UnknownBackend(pub String);

/// The backend the engine runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Backend {
    /// burn's wgpu backend on the browser's WebGPU.
    WebGpu,
    /// burn's CPU backend (`flex`) in WebAssembly.
    Cpu,
}

impl Backend {
    /// The name shown to the user.
    pub fn label(self) -> &'static str {
        match self {
            Self::WebGpu => "WebGPU",
            Self::Cpu => "CPU",
        }
    }

    /// The other backend, for the page's switch.
    pub fn other(self) -> Self {
        match self {
            Self::WebGpu => Self::Cpu,
            Self::Cpu => Self::WebGpu,
        }
    }

    /// The preference that forces this backend.
    pub fn as_preference(self) -> BackendPreference {
        match self {
            Self::WebGpu => BackendPreference::WebGpu,
            Self::Cpu => BackendPreference::Cpu,
        }
    }
}

/// What the browser's WebGPU adapter says about itself.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AdapterInfo {
    /// A readable name: the adapter's description, or its vendor and architecture.
    pub name: String,
    /// True for a software (fallback) adapter such as SwiftShader: wgpu reports it as a
    /// CPU-type device. Such an adapter is slower than the CPU backend.
    pub is_fallback: bool,
}

/// The outcome of the engine's start: the chosen device and how fast it is.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EngineReport {
    /// The backend the engine runs on.
    pub backend: Backend,
    /// The WebGPU adapter, when one was found (also when the CPU backend was chosen).
    pub adapter: Option<AdapterInfo>,
    /// One sentence: why this backend.
    pub reason: String,
    /// A sentence the user must see, e.g. WebGPU was forced but is unavailable.
    pub notice: Option<String>,
    /// The warm-up computation on the chosen device.
    pub warmup: Warmup,
    /// The models the page offers (`models/catalogue.json`).
    pub catalogue: super::Catalogue,
    /// The build of the site the engine's files come from (`VQ_LAB_BUILD`, set by its loader:
    /// `scripts/trunk-post-build.sh`); the page refuses an engine of another build. `None`
    /// natively and in the browser tests, which have no loader.
    pub build: Option<String>,
}

/// A small computation (a 256×256 matrix product, summed, read back asynchronously) run once on
/// the chosen device: it compiles the first kernels and measures the round trip.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Warmup {
    /// Wall time of the computation including the read back, in milliseconds.
    pub millis: f64,
    /// The sum that was read back (checked against a reference in the tests).
    pub value: f32,
}
