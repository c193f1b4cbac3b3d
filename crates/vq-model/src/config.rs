//! Architectures, as they are written to `config.json` next to the weights.

use burn::config::Config;

/// The VQ-VAE of van den Oord et al. (2017): encoder, codebook, decoder.
///
/// The encoder downsamples by 4 (two stride-2 4×4 convolutions), so an `H×W` image becomes an
/// `H/4 × W/4` grid of codes; a `downsample` of 2 (the trainer's `--downsample 2`) makes the
/// second of them a stride-1 3×3 (and the decoder's first upsampling a stride-1 3×3).
#[derive(Config, Debug, PartialEq)]
pub struct VqVaeConfig {
    /// Image channels: 1 for grey, 3 for RGB.
    pub in_channels: usize,
    /// Channels of the hidden layers (the paper uses 256; smaller models are fine here).
    #[config(default = 64)]
    pub hidden_channels: usize,
    /// Channels inside each residual block (ReLU, 3×3, ReLU, 1×1).
    #[config(default = 32)]
    pub residual_channels: usize,
    /// Residual blocks in the encoder and in the decoder (the paper uses 2).
    #[config(default = 2)]
    pub residual_blocks: usize,
    /// `D`, the dimension of each codebook vector.
    pub embedding_dim: usize,
    /// `K`, the number of codes in the codebook.
    pub codebook_size: usize,
    /// β of the commitment loss `β‖z_e − sg[e]‖²`; 0.25 in the paper.
    #[config(default = 0.25)]
    pub commitment_cost: f64,
    /// Pixels per code along each side, 2 or 4; `None` (absent from `config.json`, as in
    /// every shipped model's): 4, the paper's. Read it with [`VqVaeConfig::downsample`].
    pub downsample: Option<usize>,
}

impl VqVaeConfig {
    /// Pixels per code along each side when a config does not say (the paper's, and that of
    /// the models the page trains).
    pub const DOWNSAMPLE: usize = 4;

    /// Pixels per code along each side: 4 unless the config says 2.
    pub fn downsample(&self) -> usize {
        self.downsample.unwrap_or(Self::DOWNSAMPLE)
    }

    /// Whether the encoder's second (and the decoder's first) resampling layer is a stride-2
    /// 4×4 one: `downsample` 4. With 2 it is a stride-1 3×3.
    pub fn second_stride2(&self) -> bool {
        self.downsample() == 4
    }
}

/// The gated PixelCNN prior over grids of codes.
#[derive(Config, Debug, PartialEq)]
pub struct PriorConfig {
    /// `K`, the number of codes (and of logits per cell).
    pub codebook_size: usize,
    /// Channels of the gated stacks.
    #[config(default = 64)]
    pub channels: usize,
    /// Gated layers: the first is causal with mask A (excludes the cell), the rest mask B.
    #[config(default = 6)]
    pub layers: usize,
    /// Odd kernel width of the stacks; each layer widens the view by `kernel / 2` cells.
    #[config(default = 3)]
    pub kernel: usize,
    /// Classes for conditioning (0 for none). Index `num_classes` means "no class".
    #[config(default = 0)]
    pub num_classes: usize,
}

/// A model's architecture, as `config.json` holds it: the autoencoder and, for a shipped
/// model, the prior over its grids. A model trained in the page has no prior: its
/// `config.json` has no `prior` key (a missing key reads as `None`, so the shipped files
/// parse unchanged).
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct ModelConfig {
    /// The name the app shows, e.g. `fashion`.
    pub name: String,
    /// The autoencoder.
    pub vqvae: VqVaeConfig,
    /// The prior over its code grids; `None` for a model trained without one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub prior: Option<PriorConfig>,
    /// Side of the images the model was trained on, in pixels (28 for Fashion-MNIST).
    pub image_size: usize,
    /// Names of the classes the prior is conditioned on, if any.
    #[serde(default)]
    pub class_names: Vec<String>,
}

/// A model without a prior was asked for its prior.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("the model {0} has no prior")]
pub struct NoPrior(pub String);

impl ModelConfig {
    /// A shipped model's architecture: both halves.
    pub fn new(name: String, vqvae: VqVaeConfig, prior: PriorConfig, image_size: usize) -> Self {
        Self {
            name,
            vqvae,
            prior: Some(prior),
            image_size,
            class_names: Vec::new(),
        }
    }

    /// An autoencoder alone (a model trained in the page).
    pub fn without_prior(name: String, vqvae: VqVaeConfig, image_size: usize) -> Self {
        Self {
            name,
            vqvae,
            prior: None,
            image_size,
            class_names: Vec::new(),
        }
    }

    /// The same with these class names.
    #[must_use]
    pub fn with_class_names(mut self, class_names: Vec<String>) -> Self {
        self.class_names = class_names;
        self
    }

    /// The prior's architecture.
    ///
    /// # Errors
    /// [`NoPrior`] for a model without one.
    pub fn prior_config(&self) -> Result<&PriorConfig, NoPrior> {
        self.prior
            .as_ref()
            .ok_or_else(|| NoPrior(self.name.clone()))
    }
}

/// A `config.json` outside the bounds a browser tab can hold; the sentence says which field.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "config.json asks for {field} = {value}, outside {min}..={max}; the model's files are not ones this app made"
)]
pub struct OutOfBounds {
    /// The field, as config.json names it.
    pub field: &'static str,
    /// Its value.
    pub value: usize,
    /// The least it may be.
    pub min: usize,
    /// The most it may be.
    pub max: usize,
}

impl ModelConfig {
    /// Checks every size against bounds far above the shipped models' and far below what would
    /// exhaust a tab's memory, before anything is allocated from them.
    ///
    /// # Errors
    ///
    /// The first field out of its bounds.
    pub fn check_bounds(&self) -> Result<(), OutOfBounds> {
        // 2 and 4 are the only downsamplings (a stride-1 3×3 or a stride-2 4×4 second layer):
        // 2 is checked against 2..=4, anything else against 4..=4.
        let downsample = self.vqvae.downsample();
        let least_downsample = if downsample == 2 {
            2
        } else {
            VqVaeConfig::DOWNSAMPLE
        };
        let fields = [
            ("vqvae.in_channels", self.vqvae.in_channels, 1, 4),
            ("vqvae.hidden_channels", self.vqvae.hidden_channels, 1, 1024),
            (
                "vqvae.residual_channels",
                self.vqvae.residual_channels,
                1,
                1024,
            ),
            ("vqvae.residual_blocks", self.vqvae.residual_blocks, 0, 16),
            ("vqvae.embedding_dim", self.vqvae.embedding_dim, 1, 1024),
            ("vqvae.codebook_size", self.vqvae.codebook_size, 2, 65_536),
            ("image_size", self.image_size, VqVaeConfig::DOWNSAMPLE, 4096),
            (
                "vqvae.downsample",
                downsample,
                least_downsample,
                VqVaeConfig::DOWNSAMPLE,
            ),
        ];
        let prior_fields = self.prior.as_ref().map_or_else(Vec::new, |prior| {
            vec![
                ("prior.codebook_size", prior.codebook_size, 2, 65_536),
                ("prior.channels", prior.channels, 1, 1024),
                ("prior.layers", prior.layers, 1, 64),
                ("prior.kernel", prior.kernel, 1, 15),
                ("prior.num_classes", prior.num_classes, 0, 10_000),
            ]
        });
        for (field, value, min, max) in fields.into_iter().chain(prior_fields) {
            if !(min..=max).contains(&value) {
                return Err(OutOfBounds {
                    field,
                    value,
                    min,
                    max,
                });
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The shipped configs have a prior; a config without the key (a model trained in the
    /// page) reads as none and is written without it, its sizes checked all the same.
    #[test]
    fn the_prior_is_optional_and_absent_from_a_config_without_one() {
        let shipped: ModelConfig =
            serde_json::from_str(include_str!("../../../assets/models/fashion/config.json"))
                .unwrap_or_else(|err| panic!("{err}"));
        assert_eq!(
            shipped.prior_config().map(|prior| prior.num_classes),
            Ok(10)
        );
        let mut trained = ModelConfig::without_prior(
            "trained-1".to_owned(),
            shipped.vqvae.clone(),
            shipped.image_size,
        );
        let json = serde_json::to_string(&trained).unwrap_or_else(|err| panic!("{err}"));
        assert!(!json.contains("prior"), "{json}");
        let read: ModelConfig = serde_json::from_str(&json).unwrap_or_else(|err| panic!("{err}"));
        assert_eq!(read, trained);
        assert_eq!(read.prior_config(), Err(NoPrior("trained-1".to_owned())));
        assert_eq!(read.check_bounds(), Ok(()));
        trained.vqvae.codebook_size = 1;
        assert_eq!(
            trained.check_bounds().map_err(|err| err.field),
            Err("vqvae.codebook_size")
        );
    }
}
