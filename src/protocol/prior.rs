//! The prior: how to draw codes, what was drawn, suggestions, and the codebook's tiles.

use serde::{Deserialize, Serialize};

use super::PatchPixels;

/// How to draw codes from the prior (the page's controls; `vq_model::sampler::SampleOptions`
/// on the engine's side).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Sampling {
    /// Logits are divided by it: below 1 more conservative, above 1 more varied.
    pub temperature: f32,
    /// Draw only among the `k` most likely codes (`None`: all).
    pub top_k: Option<usize>,
    /// The same seed gives the same grids on the same backend.
    pub seed: u64,
    /// The class to condition on (class-conditional priors; `None`: no class).
    pub class: Option<usize>,
    /// Which sampler draws: the cached one, or (`?sampler=windowed`, for the benchmark) the
    /// windowed one it replaced. Both draw the same grids for a seed.
    #[serde(default)]
    pub sampler: SamplerKind,
}

impl Default for Sampling {
    fn default() -> Self {
        Self {
            temperature: 1.0,
            top_k: None,
            seed: 1,
            class: None,
            sampler: SamplerKind::Cached,
        }
    }
}

/// The prior's samplers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub enum SamplerKind {
    /// Per-layer caches: each cell costs one cell (Ramachandran et al. 2017).
    #[default]
    Cached,
    /// A forward pass over each cell's causal window.
    Windowed,
}

impl SamplerKind {
    /// The sampler a page address names with `sampler=` (`cached` or `windowed`).
    pub fn from_name(name: &str) -> Option<Self> {
        match name {
            "cached" => Some(Self::Cached),
            "windowed" => Some(Self::Windowed),
            _ => None,
        }
    }
}

/// Grids drawn by the prior, as they stand, with their decoded pictures.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Drawn {
    /// The request's number.
    pub id: u64,
    /// Cells drawn so far, and in all.
    pub drawn: usize,
    /// Cells to draw in all.
    pub total: usize,
    /// The raster index of the last cell drawn (`None` before the first).
    pub last_cell: Option<usize>,
    /// Cells per row.
    pub grid_width: usize,
    /// Rows.
    pub grid_height: usize,
    /// The codes of each grid, row-major.
    #[serde(with = "crate::packed::rows")]
    pub grids: Vec<Vec<u32>>,
    /// Pixel width of each picture.
    pub width: usize,
    /// Pixel height.
    pub height: usize,
    /// RGBA of each grid's decode.
    pub pictures: Vec<serde_bytes::ByteBuf>,
    /// Wall time so far, in milliseconds.
    pub millis: f64,
}

/// A code the prior suggests for a cell.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SuggestedCode {
    /// The code.
    pub code: u32,
    /// Its probability among the suggestions, given the rest of the grid.
    pub probability: f32,
    /// The reconstruction's pixels around the cell with this code: the window
    /// `(top, left, width, height)` of the reconstruction that the cell reaches.
    pub preview: PatchPixels,
}

/// Every code of the codebook decoded as a tile, with its use in the training set.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Codebook {
    /// Side of each tile, in pixels.
    pub tile: usize,
    /// RGBA of the `K` tiles, one after the other (`4 × tile × tile` bytes each).
    #[serde(with = "serde_bytes")]
    pub tiles: Vec<u8>,
    /// How often each code was chosen on the training set's grids (from the manifest).
    #[serde(with = "crate::packed")]
    pub train_usage: Vec<u64>,
    /// Wall time of the decode and read back, in milliseconds.
    pub millis: f64,
}
