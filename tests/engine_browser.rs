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
//! `VQLabExpect/webgpu`), which the tests read at run time: a run marked `webgpu` fails when
//! WebGPU is not in use, never falling back to the CPU quietly. Only without a mark are the
//! WebGPU checks skipped, with a message, when there is no adapter.
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

// ------------------------------------------------------------------ the shipped fashion model

/// The files of the shipped `fashion` model, as the site serves them.
fn fashion_files() -> vq_model::weights::ModelFiles<'static> {
    vq_model::weights::ModelFiles {
        manifest: include_bytes!("../assets/models/fashion/manifest.json"),
        config: include_bytes!("../assets/models/fashion/config.json"),
        vqvae: include_bytes!("../assets/models/fashion/vqvae.bpk"),
        prior: Some(include_bytes!("../assets/models/fashion/prior.bpk")),
    }
}

/// A built-in example: the first ankle boot of the Fashion-MNIST test set.
const ANKLE_BOOT: &[u8] = include_bytes!("../www/examples/ankle-boot.png");

/// The shipped `fashion` model on `device`, and the code grid of the ankle-boot example.
async fn model_and_ankle_boot(
    device: &Device,
) -> (vq_model::weights::LoadedModel, vq_model::sampler::Grid) {
    let model =
        vq_lab::engine::lab::load(fashion_files(), device).unwrap_or_else(|err| panic!("{err}"));
    let prepared = vq_lab::engine::lab::prepare(
        ANKLE_BOOT,
        &model.config,
        vq_lab::protocol::Invert::Auto,
        256,
    )
    .unwrap_or_else(|err| panic!("{err}"));
    let (_, grid, _) = vq_lab::engine::lab::encode(&model, &prepared, "ankle boot", device)
        .await
        .unwrap_or_else(|err| panic!("{err}"));
    (model, grid)
}

/// The devices of this run: the CPU backend, and WebGPU when the browser gives an adapter.
///
/// A run marked `VQLabExpect/webgpu` must get WebGPU: without it this panics, so that a fallback
/// to the CPU cannot pass as a check on WebGPU. Only an unmarked run drops WebGPU, with a message.
async fn devices() -> Vec<(Backend, Device)> {
    let mut devices = vec![(Backend::Cpu, Device::flex())];
    let chosen = choose(BackendPreference::WebGpu).await;
    if chosen.backend == Backend::WebGpu {
        devices.push((Backend::WebGpu, chosen.device));
    } else if expect_webgpu() == Some(true) {
        panic!(
            "this run is marked VQLabExpect/webgpu, but WebGPU is not in use ({:?}): {} {:?}",
            chosen.backend, chosen.reason, chosen.notice
        );
    } else {
        console_log!("no WebGPU adapter: the model is checked on the CPU backend only");
    }
    devices
}

#[wasm_bindgen_test]
async fn the_fashion_model_encodes_an_example_into_seven_by_seven_codes() {
    for (backend, device) in devices().await {
        let started = web_time::Instant::now();
        let model = vq_lab::engine::lab::load(fashion_files(), &device)
            .unwrap_or_else(|err| panic!("{err}"));
        let load_ms = started.elapsed().as_secs_f64() * 1000.0;
        let prepared = vq_lab::engine::lab::prepare(
            ANKLE_BOOT,
            &model.config,
            vq_lab::protocol::Invert::Auto,
            256,
        )
        .unwrap_or_else(|err| panic!("{err}"));
        assert_eq!((prepared.width, prepared.height), (28, 28));
        assert!(!prepared.inverted, "{}", prepared.invert_reason);
        // The first encode compiles kernels; the second is the one a user waits for.
        let _ = vq_lab::engine::lab::encode(&model, &prepared, "warm", &device).await;
        let (encoding, grid, _) =
            vq_lab::engine::lab::encode(&model, &prepared, "ankle boot", &device)
                .await
                .unwrap_or_else(|err| panic!("{err}"));
        console_log!(
            "{backend:?}: load {load_ms:.0} ms, encode {:.1} ms",
            encoding.millis
        );
        assert_eq!((encoding.grid_height, encoding.grid_width), (7, 7));
        assert_eq!((grid.height, grid.width), (7, 7));
        assert_eq!(encoding.codes.len(), 49);
        assert!(encoding.codes.iter().all(|&code| code < 128));
        assert!((0..49).all(|i| {
            encoding
                .distance(i)
                .is_some_and(|d| d.is_finite() && d >= 0.0)
        }));
        assert!((0..49).all(|i| {
            encoding
                .margin(i)
                .is_some_and(|m| m.is_finite() && m >= 0.0)
        }));
        // The five nearest codes of each cell: the first is its code, distances ascend.
        assert_eq!(encoding.nearest.len(), 5 * 49);
        for (cell, (codes, distances)) in encoding
            .nearest
            .chunks(5)
            .zip(encoding.nearest_distance.chunks(5))
            .enumerate()
        {
            assert_eq!(codes[0], encoding.codes[cell], "cell {cell}");
            assert!(
                distances.windows(2).all(|d| d[0] <= d[1]),
                "cell {cell}: {distances:?}"
            );
        }
        assert_eq!(encoding.reconstruction.len(), 28 * 28 * 4);
        // A trained model reconstructs its own test image: mean absolute error under 10 %.
        let error: f64 = encoding
            .original
            .iter()
            .zip(&encoding.reconstruction)
            .map(|(a, b)| f64::from(a.abs_diff(*b)))
            .sum::<f64>()
            / encoding.original.len() as f64;
        console_log!("{backend:?}: mean absolute error {error:.1} of 255");
        assert!(error < 25.5, "mean absolute error {error}");
    }
}

#[wasm_bindgen_test]
async fn an_edit_patch_equals_the_crop_of_a_full_decode() {
    for (backend, device) in devices().await {
        let (model, mut grid) = model_and_ankle_boot(&device).await;
        for (row, col, code) in [(3, 3, 17), (0, 0, 5), (6, 4, 127)] {
            grid.codes[row * grid.width + col] = code;
            let started = web_time::Instant::now();
            let patch = vq_model::incremental::decode_window(
                &model.vqvae,
                &model.config.vqvae,
                &grid,
                row..=row,
                col..=col,
                &device,
            );
            let [_, channels, height, width] = patch.pixels.dims();
            let windowed = vq_model::read_f32(patch.pixels)
                .await
                .unwrap_or_else(|err| panic!("{err}"));
            let edit_ms = started.elapsed().as_secs_f64() * 1000.0;
            let full = model.vqvae.decode(vq_model::sampler::Grid::to_tensor(
                std::slice::from_ref(&grid),
                &device,
            ));
            let crop = full.slice([
                0..1,
                0..channels,
                patch.top..patch.top + height,
                patch.left..patch.left + width,
            ]);
            let cropped = vq_model::read_f32(crop)
                .await
                .unwrap_or_else(|err| panic!("{err}"));
            let worst = windowed
                .iter()
                .zip(&cropped)
                .map(|(a, b)| (a - b).abs())
                .fold(0.0_f32, f32::max);
            console_log!(
                "{backend:?}: edit ({row}, {col}) → {code}: patch {width}×{height} at ({}, {}), \
                 {edit_ms:.1} ms, largest difference from the full decode {worst:e}",
                patch.top,
                patch.left
            );
            assert_eq!(windowed.len(), cropped.len());
            assert!(
                worst <= 1e-5,
                "patch differs from the full decode by {worst}"
            );
        }
        // A rectangle filled at once (the page's rectangle tool, a paste): the engine's patch
        // of all its cells equals the same pixels of a full decode.
        let cells: Vec<(usize, usize, u32)> = (4..7)
            .flat_map(|row| (1..4).map(move |col| (row, col, 42)))
            .collect();
        for &(row, col, code) in &cells {
            grid.codes[row * grid.width + col] = code;
        }
        let (patch, _) = vq_lab::engine::lab::patch(&model, &grid, &cells, &device)
            .await
            .unwrap_or_else(|err| panic!("{err}"))
            .unwrap_or_else(|| panic!("cells were given"));
        let full = model.vqvae.decode(vq_model::sampler::Grid::to_tensor(
            std::slice::from_ref(&grid),
            &device,
        ));
        let (full, (full_width, _)) = vq_model::image::rgba_from_tensor(full)
            .await
            .unwrap_or_else(|err| panic!("{err}"));
        let mut worst = 0u8;
        for y in 0..patch.height {
            for x in 0..4 * patch.width {
                let ours = patch.rgba[4 * y * patch.width + x];
                let theirs = full[4 * ((patch.top + y) * full_width + patch.left) + x];
                worst = worst.max(ours.abs_diff(theirs));
            }
        }
        console_log!(
            "{backend:?}: a 3×3 rectangle → patch {}×{} at ({}, {}), largest difference {worst}",
            patch.width,
            patch.height,
            patch.top,
            patch.left
        );
        assert!(
            patch.top <= 16 && patch.top + patch.height >= 28 && patch.left <= 4,
            "the patch covers the rectangle's pixels"
        );
        assert!(
            worst <= 1,
            "the rectangle's patch differs by {worst} of 255"
        );
    }
}

#[wasm_bindgen_test]
fn a_file_that_is_not_an_image_gets_a_sentence() {
    let model = vq_lab::engine::lab::load(fashion_files(), &Device::flex())
        .unwrap_or_else(|err| panic!("{err}"));
    let result = vq_lab::engine::lab::prepare(
        b"just some notes, renamed .png",
        &model.config,
        vq_lab::protocol::Invert::Auto,
        256,
    );
    let Err(err) = result else {
        panic!("a text file was accepted")
    };
    assert!(err.to_string().contains("not an image"), "{err}");
}

// ------------------------------------------------------------------ the prior (issue 6)

#[wasm_bindgen_test]
async fn a_seeded_sample_repeats_and_a_completion_keeps_every_unmasked_cell() {
    use std::rc::Rc;
    use vq_lab::engine::generate;
    use vq_lab::protocol::{SamplerKind, Sampling};
    for (backend, device) in devices().await {
        let model = vq_lab::engine::lab::load(fashion_files(), &device)
            .unwrap_or_else(|err| panic!("{err}"));
        let host = Rc::new(
            vq_model::prior::HostPrior::read(model.prior().unwrap_or_else(|err| panic!("{err}")))
                .await
                .unwrap_or_else(|err| panic!("{err}")),
        );
        let sampling = Sampling {
            seed: 11,
            class: Some(1),
            ..Sampling::default()
        };
        let options =
            generate::sample_options(&sampling, &model).unwrap_or_else(|err| panic!("{err}"));
        let mut shown = 0;
        let started = web_time::Instant::now();
        let first = generate::draw(
            1,
            &model,
            generate::new_samples(&model, 2, options, SamplerKind::Cached, &host),
            &device,
            &mut |_| shown += 1,
            &|| false,
        )
        .await
        .unwrap_or_else(|err| panic!("{err}"));
        let sample_ms = started.elapsed().as_secs_f64() * 1000.0;
        let again = generate::draw(
            2,
            &model,
            generate::new_samples(&model, 2, options, SamplerKind::Cached, &host),
            &device,
            &mut |_| {},
            &|| false,
        )
        .await
        .unwrap_or_else(|err| panic!("{err}"));
        console_log!(
            "{backend:?}: 2 samples of 7×7 in {sample_ms:.0} ms with {shown} snapshots shown"
        );
        // The first snapshot (nothing drawn) at least: later ones only when the drawing takes
        // twice as long as a snapshot, never on SwiftShader, where a decode costs ~0.4 s.
        assert!(shown >= 1, "no snapshot shown");
        assert_eq!(
            first.grids, again.grids,
            "the same seed gives the same grids"
        );
        assert_eq!(first.pictures, again.pictures);
        assert_ne!(first.grids[0], first.grids[1], "two samples differ");

        // Redraw the bottom two rows of the first sample.
        let grid = vq_model::sampler::Grid {
            height: 7,
            width: 7,
            codes: first.grids[0].clone(),
        };
        let mask: Vec<bool> = (0..49).map(|i| i >= 35).collect();
        let complete = |sampler| {
            generate::new_completion(&grid, &mask, 3, options, sampler, &host)
                .unwrap_or_else(|e| panic!("{e}"))
        };
        let completion = generate::draw(
            3,
            &model,
            complete(SamplerKind::Cached),
            &device,
            &mut |_| {},
            &|| false,
        )
        .await
        .unwrap_or_else(|err| panic!("{err}"));
        // The windowed sampler (device forward passes) draws the same grids as the cached one
        // (on the host) for the seed, on this backend.
        let windowed = generate::draw(
            4,
            &model,
            complete(SamplerKind::Windowed),
            &device,
            &mut |_| {},
            &|| false,
        )
        .await
        .unwrap_or_else(|err| panic!("{err}"));
        assert_eq!(
            completion.grids, windowed.grids,
            "{backend:?}: cached ≠ windowed"
        );
        assert_eq!(completion.grids.len(), 3);
        for candidate in &completion.grids {
            assert_eq!(candidate[..35], grid.codes[..35], "unmasked cells are kept");
        }
        assert!(
            completion.grids.iter().any(|c| c[35..] != grid.codes[35..]),
            "the masked cells are redrawn"
        );
    }
}

#[wasm_bindgen_test]
async fn surprisal_is_finite_and_grows_for_an_unlikely_code_and_suggestions_rank_codes() {
    use vq_lab::engine::generate;
    for (backend, device) in devices().await {
        let (model, mut grid) = model_and_ankle_boot(&device).await;
        let prior = model.prior().unwrap_or_else(|err| panic!("{err}"));
        let host = vq_model::prior::HostPrior::read(prior)
            .await
            .unwrap_or_else(|err| panic!("{err}"));
        let bits = generate::surprisal(&model, &host, &grid, Some(9), &|| generate::Turn::Go)
            .await
            .unwrap_or_else(|err| panic!("{err}"));
        assert_eq!(bits.len(), 49);
        assert!(bits.iter().all(|b| b.is_finite() && *b >= 0.0), "{bits:?}");
        // The code the prior finds least likely at (3, 3), given the cells before it.
        let cell = 3 * 7 + 3;
        let logits = vq_model::sampler::logits_at(
            prior,
            std::slice::from_ref(&grid),
            (3, 3),
            Some(9),
            &device,
        )
        .await
        .unwrap_or_else(|err| panic!("{err}"));
        let unlikely = logits[0]
            .iter()
            .enumerate()
            .min_by(|a, b| a.1.total_cmp(b.1))
            .map_or(0, |(code, _)| code as u32);
        let before = bits[cell];
        grid.codes[cell] = unlikely;
        let after = generate::surprisal(&model, &host, &grid, Some(9), &|| generate::Turn::Go)
            .await
            .unwrap_or_else(|err| panic!("{err}"))[cell];
        console_log!(
            "{backend:?}: cell (3, 3) costs {before:.2} bits, {after:.2} bits as code {unlikely}"
        );
        assert!(after > before + 3.0, "{before} → {after}");

        let suggestions =
            generate::suggest(&model, &host, &grid, (3, 3), Some(9), &device, &|| {
                generate::Turn::Go
            })
            .await
            .unwrap_or_else(|err| panic!("{err}"));
        assert_eq!(suggestions.len(), generate::SUGGESTIONS);
        assert!(
            suggestions
                .windows(2)
                .all(|w| w[0].probability >= w[1].probability)
        );
        assert!(
            suggestions.iter().all(|s| s.code != unlikely),
            "the unlikely code is not suggested"
        );
        assert!(
            suggestions
                .iter()
                .all(|s| s.preview.rgba.len() == 4 * s.preview.width * s.preview.height)
        );
    }
}

/// On the CPU backend the engine runs the autoencoder on the host with WebAssembly SIMD
/// kernels (`vq_model::vqvae::HostVqVae`), which native tests cannot reach: here, in the
/// browser, they give burn's codes for the ankle boot, its reconstruction within one grey
/// level, and the window of an edit within one grey level of burn's window.
#[wasm_bindgen_test]
async fn the_host_kernels_compute_what_burns_layers_compute_in_the_browser() {
    let device = Device::flex();
    let burn =
        vq_lab::engine::lab::load(fashion_files(), &device).unwrap_or_else(|err| panic!("{err}"));
    let mut host =
        vq_lab::engine::lab::load(fashion_files(), &device).unwrap_or_else(|err| panic!("{err}"));
    host.host = Some(
        vq_model::vqvae::HostVqVae::read(&host.vqvae)
            .await
            .unwrap_or_else(|err| panic!("{err}")),
    );
    let prepared = vq_lab::engine::lab::prepare(
        ANKLE_BOOT,
        &burn.config,
        vq_lab::protocol::Invert::Auto,
        256,
    )
    .unwrap_or_else(|err| panic!("{err}"));
    let encode = |model| vq_lab::engine::lab::encode(model, &prepared, "ankle boot", &device);
    let (by_burn, mut grid, _) = encode(&burn).await.unwrap_or_else(|err| panic!("{err}"));
    let (by_host, _, _) = encode(&host).await.unwrap_or_else(|err| panic!("{err}"));
    let levels = |a: &[u8], b: &[u8]| a.iter().zip(b).map(|(x, y)| x.abs_diff(*y)).max();
    assert_eq!(by_host.codes, by_burn.codes);
    assert_eq!(by_host.nearest, by_burn.nearest);
    assert_eq!(by_host.reconstruction.len(), by_burn.reconstruction.len());
    let worst = levels(&by_host.reconstruction, &by_burn.reconstruction);
    console_log!("host kernels against burn's layers: reconstruction within {worst:?} levels");
    assert!(worst <= Some(1), "{worst:?}");
    let cells = [(3, 2, 17), (4, 4, 90)];
    for &(row, col, code) in &cells {
        grid.codes[row * grid.width + col] = code;
    }
    let patch = |model| vq_lab::engine::lab::patch(model, &grid, &cells, &device);
    let (from_burn, _) = patch(&burn)
        .await
        .unwrap_or_else(|err| panic!("{err}"))
        .unwrap_or_else(|| panic!("cells were given"));
    let (from_host, _) = patch(&host)
        .await
        .unwrap_or_else(|err| panic!("{err}"))
        .unwrap_or_else(|| panic!("cells were given"));
    assert_eq!(
        (
            from_host.top,
            from_host.left,
            from_host.width,
            from_host.height
        ),
        (
            from_burn.top,
            from_burn.left,
            from_burn.width,
            from_burn.height
        )
    );
    let worst = levels(&from_host.rgba, &from_burn.rgba);
    assert!(worst <= Some(1), "the edit's window: {worst:?}");
}

/// The browser's own decoder, scaling while it decodes (`engine::scaled`, used for uploads over
/// 2048 px): the ankle boot at half its size, as the image crate's decode and resize give it
/// within a few grey levels; bytes that are not an image are refused with the browser's words.
#[wasm_bindgen_test]
async fn the_browser_decodes_an_upload_smaller() {
    let image = vq_lab::engine::scaled::decode(ANKLE_BOOT, (14, 14))
        .await
        .unwrap_or_else(|err| panic!("{err}"));
    assert_eq!(image.dimensions(), (14, 14));
    let whole = vq_model::image::decode_upload(ANKLE_BOOT).unwrap_or_else(|err| panic!("{err}"));
    let expected = vq_model::image::resize(&whole, (14, 14), false);
    let mean = image
        .as_raw()
        .iter()
        .zip(expected.as_raw())
        .map(|(a, b)| f64::from(a.abs_diff(*b)))
        .sum::<f64>()
        / f64::from(14 * 14 * 4);
    console_log!("the browser's decode at 14×14 against the image crate's: mean {mean:.1} levels");
    assert!(mean < 12.0, "mean difference {mean}");
    assert!(image.pixels().all(|p| p[3] == 255), "opaque");
    let refused = vq_lab::engine::scaled::decode(b"not an image", (14, 14)).await;
    assert!(refused.is_err(), "{:?}", refused.map(|i| i.dimensions()));
}

/// The VQ-VAE's training step of issue 13 in the browser, on each device (every read through
/// `into_data_async`; burn's `one_hot` read synchronously and panicked on WebGPU, hence
/// `vq_model::train`'s own): 20 steps of the shipped recipe (EMA, k-means, Adam) on one fixed
/// batch lower its loss, each report finite; a run paused between two steps goes on at the
/// next. On SwiftShader the 20 steps take about 70 s (kernels compiled on first use).
#[wasm_bindgen_test]
async fn twenty_training_steps_in_the_browser_lower_the_loss() {
    use vq_model::train::{TrainOptions, VqVaeTrainer};
    let config = vq_model::VqVaeConfig::new(1, 8, 16)
        .with_hidden_channels(16)
        .with_residual_channels(8);
    let pixels: Vec<f32> = (0..8 * 16 * 16)
        .map(|i| {
            let (image, row, column) = (i / 256, (i / 16) % 16, i % 16);
            let phase = image as f32 * 0.9;
            0.5 * (0.4 * row as f32 + phase).sin() * (0.3 * column as f32 - phase).cos()
        })
        .collect();
    for (backend, device) in devices().await {
        let options = TrainOptions {
            dead_patience: 0,
            ..TrainOptions::shipped(21, 8, None, 11)
        };
        let autodiff = device.clone().autodiff();
        let mut trainer = VqVaeTrainer::new(&config, options, &autodiff);
        let x = Tensor::<4>::from_data(
            burn::tensor::TensorData::new(pixels.clone(), [8, 1, 16, 16]),
            &autodiff,
        );
        let started = web_time::Instant::now();
        let mut totals = Vec::new();
        for step in 1..=20 {
            let report = trainer
                .step_async(x.clone())
                .await
                .unwrap_or_else(|err| panic!("{err}"));
            assert_eq!(report.step, step);
            assert!(report.total.is_finite() && report.total > 0.0, "{report:?}");
            assert!((1..=16).contains(&report.codes_used), "{report:?}");
            totals.push(report.total);
        }
        let millis = started.elapsed().as_secs_f64() * 1000.0;
        console_log!(
            "{backend:?}: 20 training steps of 8 images in {millis:.0} ms, loss {:.4} → {:.4}",
            totals[0],
            totals[19]
        );
        // Measured: 0.76× of the first loss on the CPU, 0.88× on SwiftShader (its device draws
        // other initial weights from the same seed); a trainer that learned nothing stays at 1×.
        assert!(
            totals[19] < 0.92 * totals[0],
            "{backend:?}: the loss falls: {totals:?}"
        );
        // Paused: nothing runs until the next step is asked for, which is step 21.
        assert_eq!(trainer.steps_done(), 20);
        let next = trainer
            .step_async(x.clone())
            .await
            .unwrap_or_else(|err| panic!("{err}"));
        assert_eq!(next.step, 21);
    }
}

/// The prior's `log p(code | logits)` on the host sums its exponentials with WebAssembly SIMD
/// in the browser (a polynomial `exp`, four lanes at a time), which native tests cannot reach:
/// here it is the exact log-softmax (`f64::exp`) within a millionth of a nat, for logits
/// spread narrowly and widely.
#[wasm_bindgen_test]
fn the_simd_log_softmax_is_the_exact_one_in_the_browser() {
    use vq_model::sampler::softmax::{log_probability, log_probability_exact};
    let mut state = 7u64;
    let mut next = move || {
        state = state
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1);
        (state >> 40) as f32 / (1u64 << 24) as f32 - 0.5
    };
    let mut worst = 0.0f64;
    for (len, scale) in [(512, 0.1f32), (512, 8.0), (128, 40.0), (13, 3.0)] {
        let logits: Vec<f32> = (0..len).map(|_| next() * scale).collect();
        for code in 0..len as u32 {
            let difference =
                (log_probability(&logits, code) - log_probability_exact(&logits, code)).abs();
            worst = worst.max(difference);
        }
    }
    console_log!("SIMD log-softmax against f64::exp: within {worst:e} nats");
    assert!(worst < 1e-6, "{worst:e}");
}

/// The prior's gate (`tanh(a)·σ(b)`) runs four channels at a time with WebAssembly SIMD in
/// the browser (a polynomial `exp`), which native tests cannot reach: here it is the exact
/// gate within 3·10⁻⁷, with a bias and without.
#[wasm_bindgen_test]
fn the_simd_gate_is_tanh_times_sigmoid_in_the_browser() {
    let c = 67;
    let x: Vec<f32> = (0..2 * c).map(|i| (i as f32 - 60.0) * 0.37).collect();
    let bias: Vec<f32> = (0..2 * c).map(|i| (i as f32 * 0.61).sin()).collect();
    let mut worst = 0.0f64;
    for bias in [None, Some(bias.as_slice())] {
        let mut out = vec![0.0; c];
        vq_model::prior::host::gate(&x, bias, &mut out);
        for i in 0..c {
            let (a, b) = bias.map_or((x[i], x[c + i]), |bias| {
                (x[i] + bias[i], x[c + i] + bias[c + i])
            });
            let exact = f64::from(a).tanh() / (1.0 + (-f64::from(b)).exp());
            worst = worst.max((f64::from(out[i]) - exact).abs());
        }
    }
    console_log!("SIMD gate against f64: within {worst:e}");
    assert!(worst < 3e-7, "{worst:e}");
}
