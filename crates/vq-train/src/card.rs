//! The model card's picture: originals, reconstructions and samples of the prior.

use std::path::Path;

use anyhow::Result;
use burn::prelude::*;
use vq_model::image::rgba_from_planes;

use crate::batch;

/// Writes rows of images (each a `[n, C, H, W]` tensor in model space) as one PNG, scaled up
/// `zoom` times, with a 2 px gap.
pub fn write_rows(path: &Path, rows: &[Tensor<4>], zoom: u32) -> Result<()> {
    let Some(first) = rows.first() else {
        return Ok(());
    };
    let [_, channels, h, w] = first.dims();
    let columns = rows.iter().map(|r| r.dims()[0]).max().unwrap_or(0);
    let gap = 2u32;
    let (cell_w, cell_h) = (w as u32 * zoom + gap, h as u32 * zoom + gap);
    let mut canvas = image::RgbaImage::from_pixel(
        columns as u32 * cell_w + gap,
        rows.len() as u32 * cell_h + gap,
        image::Rgba([255, 255, 255, 255]),
    );
    for (r, row) in rows.iter().enumerate() {
        let n = row.dims()[0];
        let values = batch::floats(row.clone());
        let per = channels * h * w;
        for i in 0..n {
            let rgba = rgba_from_planes(&values[i * per..(i + 1) * per], (w, h), channels);
            for y in 0..h as u32 * zoom {
                for x in 0..w as u32 * zoom {
                    let p = 4 * ((y / zoom) as usize * w + (x / zoom) as usize);
                    canvas.put_pixel(
                        gap + i as u32 * cell_w + x,
                        gap + r as u32 * cell_h + y,
                        image::Rgba([rgba[p], rgba[p + 1], rgba[p + 2], 255]),
                    );
                }
            }
        }
    }
    canvas.save(path)?;
    Ok(())
}
