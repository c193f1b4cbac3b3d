//! The heatmap's colourings: each cell coloured by its code, by the mean colour of its code's
//! decoded tile, by its quantisation margin, or by its bits under the prior. CSS colours, so
//! that the button grid and the canvas paint the same.

/// The colour of a cell whose value is not known (yet).
pub const UNKNOWN: &str = "#808080";

/// What the heatmap's colours show.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ColourBy {
    /// The code index.
    #[default]
    Code,
    /// The mean colour of the code's decoded tile.
    MeanColour,
    /// The quantisation margin.
    Margin,
    /// Bits under the prior.
    Surprisal,
}

impl ColourBy {
    /// The name used in share links and as the select's value.
    pub fn name(self) -> &'static str {
        match self {
            Self::Code => "code",
            Self::MeanColour => "colour",
            Self::Margin => "margin",
            Self::Surprisal => "surprisal",
        }
    }

    /// From a share link's name; unknown names are the code colouring.
    pub fn from_name(name: &str) -> Self {
        match name {
            "colour" => Self::MeanColour,
            "margin" => Self::Margin,
            "surprisal" => Self::Surprisal,
            _ => Self::Code,
        }
    }
}

/// A cell's colour by code index: golden-angle hues, three lightnesses.
pub fn code_colour(code: u32) -> String {
    let hue = (f64::from(code) * 137.508) % 360.0;
    let lightness = 32 + (code % 3) * 12;
    format!("hsl({hue:.0}, 60%, {lightness}%)")
}

/// A cell's colour by its quantisation margin, relative to the largest of the image: red for a
/// near tie between two codes, blue for a firm choice.
pub fn margin_colour(margin: f32, largest: f32) -> String {
    let firmness = if largest > 0.0 {
        (margin / largest).clamp(0.0, 1.0)
    } else {
        0.0
    };
    format!("hsl({:.0}, 70%, 42%)", 220.0 * firmness)
}

/// A cell's colour by its bits under the prior, relative to a uniform code (`log₂ K` bits):
/// blue for a code the prior expected, red for a surprise.
pub fn surprisal_colour(bits: f32, uniform: f32) -> String {
    let surprise = if uniform > 0.0 {
        (bits / uniform).clamp(0.0, 1.0)
    } else {
        0.0
    };
    format!("hsl({:.0}, 70%, 42%)", 220.0 * (1.0 - surprise))
}

/// What the colourings are made from, for one grid.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CellValues<'a> {
    /// The codes, row-major.
    pub codes: &'a [u32],
    /// The margin of each cell (empty for a grid that was not encoded).
    pub margins: &'a [f32],
    /// The bits of each cell under the prior, when computed for these codes.
    pub bits: Option<&'a [f32]>,
    /// `log₂ K`: the bits of a uniform code.
    pub uniform_bits: f32,
    /// The mean colour of each code's tile, once the codebook is decoded.
    pub mean_colours: Option<&'a [[u8; 3]]>,
}

/// The colour of every cell, row-major. A grid without margins is coloured by code under the
/// margin colouring (the select disables that choice then).
pub fn cell_colours(by: ColourBy, values: &CellValues<'_>) -> Vec<String> {
    let largest = values.margins.iter().copied().fold(0.0_f32, f32::max);
    let has_margins = !values.margins.is_empty();
    let colour_of = |(index, &code): (usize, &u32)| match by {
        ColourBy::Margin if has_margins => {
            margin_colour(values.margins.get(index).copied().unwrap_or(0.0), largest)
        }
        ColourBy::Surprisal => values.bits.and_then(|bits| bits.get(index)).map_or_else(
            || UNKNOWN.to_owned(),
            |&b| surprisal_colour(b, values.uniform_bits),
        ),
        ColourBy::MeanColour => values
            .mean_colours
            .and_then(|means| means.get(code as usize))
            .map_or_else(
                || UNKNOWN.to_owned(),
                |[r, g, b]| format!("rgb({r}, {g}, {b})"),
            ),
        ColourBy::Code | ColourBy::Margin => code_colour(code),
    };
    values.codes.iter().enumerate().map(colour_of).collect()
}

/// A cell button's label: its place and code, and its bits under the surprisal colouring.
pub fn cell_label(cell: (usize, usize), code: u32, by: ColourBy, bits: Option<f32>) -> String {
    let (row, col) = cell;
    match bits {
        Some(b) if by == ColourBy::Surprisal => {
            format!("cell ({row}, {col}): code {code}, {b:.2} bits")
        }
        _ => format!("cell ({row}, {col}): code {code}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn values<'a>(codes: &'a [u32], margins: &'a [f32]) -> CellValues<'a> {
        CellValues {
            codes,
            margins,
            bits: None,
            uniform_bits: 7.0,
            mean_colours: None,
        }
    }

    #[test]
    fn names_round_trip_and_unknown_names_colour_by_code() {
        for by in [
            ColourBy::Code,
            ColourBy::MeanColour,
            ColourBy::Margin,
            ColourBy::Surprisal,
        ] {
            assert_eq!(ColourBy::from_name(by.name()), by);
        }
        assert_eq!(ColourBy::from_name("rainbow"), ColourBy::Code);
    }

    #[test]
    fn margins_run_from_red_ties_to_blue_firm_choices() {
        assert_eq!(margin_colour(0.0, 2.0), "hsl(0, 70%, 42%)");
        assert_eq!(margin_colour(2.0, 2.0), "hsl(220, 70%, 42%)");
        assert_eq!(
            margin_colour(1.0, 0.0),
            "hsl(0, 70%, 42%)",
            "no margins at all"
        );
        let colours = cell_colours(ColourBy::Margin, &values(&[5, 6], &[0.5, 1.0]));
        assert_eq!(colours, ["hsl(110, 70%, 42%)", "hsl(220, 70%, 42%)"]);
        // A grid drawn by the prior has no margins: it keeps the code colours.
        let drawn = cell_colours(ColourBy::Margin, &values(&[5, 6], &[]));
        assert_eq!(drawn, [code_colour(5), code_colour(6)]);
    }

    #[test]
    fn surprisal_and_mean_colours_are_grey_until_known() {
        let codes = [0, 1];
        let mut known = values(&codes, &[]);
        assert_eq!(
            cell_colours(ColourBy::Surprisal, &known),
            [UNKNOWN, UNKNOWN]
        );
        assert_eq!(
            cell_colours(ColourBy::MeanColour, &known),
            [UNKNOWN, UNKNOWN]
        );
        let bits = [0.0, 7.0];
        let means = [[1, 2, 3], [4, 5, 6]];
        known.bits = Some(&bits);
        known.mean_colours = Some(&means);
        assert_eq!(
            cell_colours(ColourBy::Surprisal, &known),
            ["hsl(220, 70%, 42%)", "hsl(0, 70%, 42%)"]
        );
        assert_eq!(
            cell_colours(ColourBy::MeanColour, &known),
            ["rgb(1, 2, 3)", "rgb(4, 5, 6)"]
        );
    }

    #[test]
    fn codes_get_distinct_colours_and_labels_name_the_cell() {
        assert_eq!(code_colour(0), "hsl(0, 60%, 32%)");
        assert_ne!(code_colour(1), code_colour(2));
        assert_eq!(
            cell_label((2, 3), 17, ColourBy::Surprisal, Some(1.234)),
            "cell (2, 3): code 17, 1.23 bits"
        );
        assert_eq!(
            cell_label((2, 3), 17, ColourBy::Code, Some(1.234)),
            "cell (2, 3): code 17"
        );
    }
}
