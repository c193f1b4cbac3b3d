//! Statistics of the codebook: [`usage_counts`] and [`perplexity`], how much of the codebook a
//! set of grids uses. The rules that train it (EMA, k-means initialisation, dead-code revival)
//! are in `crate::train` (feature `train`).

// Written once for the models and the page (which has no burn): `vq-codes`.
pub use vq_codes::{perplexity, usage_counts};
