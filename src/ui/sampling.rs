//! The sampling fields as typed (class, temperature, top-k, seed), shared by the Generate card
//! and the lab's completion: parsed when a drawing starts, so that a bad value gets a sentence.

use crate::protocol::{SamplerKind, Sampling};

/// The sampling controls as typed: parsed when a drawing starts, so that a bad value gets a
/// sentence instead of being silently changed.
#[derive(Debug, Clone, PartialEq)]
pub struct SamplingInput {
    /// Class index as text (`""`: no class).
    pub class: String,
    /// Temperature as text.
    pub temperature: String,
    /// Top-k as text (`""`: all codes).
    pub top_k: String,
    /// Seed as text.
    pub seed: String,
    /// The sampler (the cached one, unless the address asks for `?sampler=windowed`).
    pub sampler: SamplerKind,
}

impl Default for SamplingInput {
    fn default() -> Self {
        Self {
            class: String::new(),
            temperature: "1.0".into(),
            top_k: String::new(),
            seed: "1".into(),
            sampler: SamplerKind::default(),
        }
    }
}

impl SamplingInput {
    /// The class to condition on, if a valid one is chosen.
    pub fn class(&self) -> Option<usize> {
        self.class.trim().parse().ok()
    }

    /// The values, or a sentence naming the one that is wrong.
    ///
    /// # Errors
    ///
    /// A sentence for a temperature, top-k or seed that is not a number of the right kind.
    pub fn parse(&self) -> Result<Sampling, String> {
        let temperature = self
            .temperature
            .trim()
            .parse::<f32>()
            .ok()
            .filter(|t| t.is_finite() && *t > 0.0)
            .ok_or_else(|| {
                format!(
                    "“{}” is not a temperature; use a number above 0, such as 1.0.",
                    self.temperature
                )
            })?;
        let top_k = match self.top_k.trim() {
            "" => None,
            text => Some(
                text.parse::<usize>()
                    .ok()
                    .filter(|&k| k > 0)
                    .ok_or_else(|| {
                        format!(
                            "“{text}” is not a top-k; use a whole number above 0, or leave it \
                             empty for all codes."
                        )
                    })?,
            ),
        };
        let seed = self.seed.trim().parse::<u64>().map_err(|_| {
            format!(
                "“{}” is not a seed; use a whole number from 0 up.",
                self.seed
            )
        })?;
        Ok(Sampling {
            temperature,
            top_k,
            seed,
            class: self.class(),
            sampler: self.sampler,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_defaults_parse_to_the_default_sampling() {
        assert_eq!(SamplingInput::default().parse(), Ok(Sampling::default()));
    }

    #[test]
    fn each_bad_field_gets_its_sentence() {
        let input = |class: &str, temperature: &str, top_k: &str, seed: &str| SamplingInput {
            class: class.into(),
            temperature: temperature.into(),
            top_k: top_k.into(),
            seed: seed.into(),
            sampler: SamplerKind::Cached,
        };
        assert_eq!(
            input("3", " 0.5 ", "10", "7").parse(),
            Ok(Sampling {
                temperature: 0.5,
                top_k: Some(10),
                seed: 7,
                class: Some(3),
                sampler: SamplerKind::Cached,
            })
        );
        assert!(
            input("", "0", "", "1")
                .parse()
                .is_err_and(|e| e.contains("not a temperature"))
        );
        assert!(input("", "NaN", "", "1").parse().is_err());
        assert!(
            input("", "1", "0", "1")
                .parse()
                .is_err_and(|e| e.contains("not a top-k"))
        );
        assert!(
            input("", "1", "", "-2")
                .parse()
                .is_err_and(|e| e.contains("not a seed"))
        );
        assert_eq!(input("any", "1", "", "1").class(), None);
    }
}
