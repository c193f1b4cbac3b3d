//! The backend badge: which device runs the models, how fast it warmed up, the last time of
//! each operation, and the switch to the other backend; why this backend, and the memory, are
//! folded under "Details", so that a phone's first screen reaches the pictures.

use leptos::prelude::*;

use super::state::LabState;
use super::location;
use crate::protocol::{Backend, EngineReport};

/// The adapter line of the badge.
fn adapter_text(report: &EngineReport) -> String {
    match &report.adapter {
        Some(adapter) if adapter.is_fallback => {
            format!("{} (software fallback adapter)", adapter.name)
        }
        Some(adapter) => adapter.name.clone(),
        None if report.backend == Backend::Cpu => "no WebGPU adapter in use".to_owned(),
        None => "unknown adapter".to_owned(),
    }
}

/// Shows the engine's report; its link reloads the page on the other backend.
#[component]
pub fn BackendBadge(report: EngineReport, lab: RwSignal<LabState>) -> impl IntoView {
    let backend = report.backend;
    let other = backend.other();
    let switch_href = location::href_with(other.as_preference());
    let kind = match backend {
        Backend::WebGpu => "webgpu",
        Backend::Cpu => "cpu",
    };
    let software = report
        .adapter
        .as_ref()
        .is_some_and(|adapter| adapter.is_fallback);
    view! {
        <section
            class=format!("badge badge-{kind}")
            data-testid="backend-badge"
            data-backend=kind
            data-software-adapter=software.to_string()
            aria-label="Compute backend"
        >
            <div class="badge-row">
                <span class="badge-backend" data-testid="backend-name">{backend.label()}</span>
                <span class="badge-adapter" data-testid="adapter-name">{adapter_text(&report)}</span>
                <span class="badge-warmup" data-testid="warmup-time" title="A 256×256 matrix product, summed and read back">
                    {format!("warm-up {:.1} ms", report.warmup.millis)}
                </span>
            </div>
            {move || lab.with(|lab| {
                (!lab.timings.is_empty()).then(|| {
                    let text = lab.timings.line();
                    view! {
                        <p class="badge-timings" data-testid="op-timings" title="The last time of each operation in the engine">
                            {text}
                        </p>
                    }
                })
            })}
            <div class="badge-more">
                <details class="badge-details" data-testid="backend-details">
                    <summary>"Details"</summary>
                    <p class="badge-reason" data-testid="backend-reason">{report.reason.clone()}</p>
                    {move || lab.with(|lab| {
                        let memory = lab.engine_memory;
                        memory.bytes.map(|engine| {
                            let page = crate::js::wasm_memory_bytes();
                            let mb = |bytes: u64| bytes as f64 / (1024.0 * 1024.0);
                            view! {
                                <p
                                    class="badge-memory"
                                    data-testid="wasm-memory"
                                    data-page-bytes=page.to_string()
                                    data-engine-bytes=engine.to_string()
                                    data-reports=memory.reports.to_string()
                                    title="The WebAssembly memory of the page and of the engine's worker (it only grows), after the last encode or drawing"
                                >
                                    {format!("WebAssembly memory: page {:.0} MB, engine {:.0} MB", mb(page), mb(engine))}
                                </p>
                            }
                        })
                    })}
                </details>
                <a class="badge-switch" data-testid="backend-switch" href=switch_href>
                    {format!("Switch to {}", other.label())}
                </a>
            </div>
        </section>
    }
}
