//! The training panel's charts as plain geometry: curves scaled into a box as SVG path data,
//! the axes' ranges and ticks, a histogram's bars. Plain Rust, tested natively; the page draws
//! the strings it returns (SVG from Leptos, no charting library).

/// A chart's drawing box, in SVG user units.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Frame {
    /// Width of the plot area.
    pub width: f64,
    /// Height of the plot area.
    pub height: f64,
}

/// The ranges the curves of one chart share.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Ranges {
    /// `x` from, to.
    pub x: (f64, f64),
    /// `y` from, to (on a log scale, of `log10 y`).
    pub y: (f64, f64),
    /// Whether `y` is on a log scale (the losses span decades).
    pub log: bool,
}

impl Ranges {
    /// The ranges that hold every point of `curves` (`x` from 0), `y` from 0 unless on a log
    /// scale; `None` when there is no point to draw. A flat curve gets a range around it.
    pub fn fit<'a>(curves: impl IntoIterator<Item = &'a [(f64, f64)]>, log: bool) -> Option<Self> {
        let mut x_max = f64::NEG_INFINITY;
        let (mut y_min, mut y_max) = (f64::INFINITY, f64::NEG_INFINITY);
        for &(x, y) in curves.into_iter().flatten() {
            let Some(y) = scaled(y, log) else { continue };
            x_max = x_max.max(x);
            y_min = y_min.min(y);
            y_max = y_max.max(y);
        }
        if !(x_max.is_finite() && y_min.is_finite()) {
            return None;
        }
        if !log {
            y_min = y_min.min(0.0);
        }
        if y_max - y_min < 1e-9 {
            let pad = if log { 0.5 } else { y_max.abs().max(1.0) * 0.5 };
            y_min -= pad;
            y_max += pad;
        }
        Some(Self {
            x: (0.0, x_max.max(1.0)),
            y: (y_min, y_max),
            log,
        })
    }

    /// `(x, y)` in the frame's units, `y` growing downward as SVG's does.
    pub fn place(&self, frame: Frame, x: f64, y: f64) -> Option<(f64, f64)> {
        let y = scaled(y, self.log)?;
        let across = (x - self.x.0) / (self.x.1 - self.x.0);
        let up = (y - self.y.0) / (self.y.1 - self.y.0);
        Some((across * frame.width, (1.0 - up) * frame.height))
    }

    /// The value at the top and at the bottom of the frame, as numbers (not logarithms).
    pub fn y_labels(&self) -> (f64, f64) {
        let value = |y: f64| if self.log { 10f64.powf(y) } else { y };
        (value(self.y.1), value(self.y.0))
    }
}

/// `y` as drawn: its `log10` on a log scale (`None` for a value that cannot be drawn).
fn scaled(y: f64, log: bool) -> Option<f64> {
    let y = if log {
        (y > 0.0).then(|| y.log10())?
    } else {
        y
    };
    y.is_finite().then_some(y)
}

/// The SVG path data (`M x y L x y …`) of `points` in `frame`; empty without points.
pub fn path(points: &[(f64, f64)], ranges: &Ranges, frame: Frame) -> String {
    let mut data = String::with_capacity(points.len() * 16);
    for &(x, y) in points {
        let Some((px, py)) = ranges.place(frame, x, y) else {
            continue;
        };
        let command = if data.is_empty() { 'M' } else { 'L' };
        data.push_str(&format!("{command}{px:.1} {py:.1}"));
    }
    data
}

/// A number for an axis label: few digits, scientific for very small or large ones.
pub fn label(value: f64) -> String {
    let magnitude = value.abs();
    if magnitude == 0.0 {
        "0".into()
    } else if !(1e-3..1e5).contains(&magnitude) {
        format!("{value:.0e}")
    } else if magnitude >= 100.0 {
        format!("{value:.0}")
    } else if magnitude >= 1.0 {
        format!("{value:.1}")
    } else {
        format!("{value:.3}")
    }
}

/// A histogram's bars: for each count, `(x, y, width, height)` in `frame` (bars side by side,
/// the highest reaching the top). Counts of zero get no height: a dead code shows as a gap.
pub fn bars(counts: &[u32], frame: Frame) -> Vec<(f64, f64, f64, f64)> {
    let highest = counts.iter().copied().max().unwrap_or(0).max(1);
    let width = frame.width / counts.len().max(1) as f64;
    counts
        .iter()
        .enumerate()
        .map(|(index, &count)| {
            let height = frame.height * f64::from(count) / f64::from(highest);
            (index as f64 * width, frame.height - height, width, height)
        })
        .collect()
}

/// `bars` ([`bars`]) as one SVG path of rectangles, those of no height left out: one node
/// however many codes (512 `<rect>`s re-made at every evaluation cost the page a long task).
pub fn bars_path(bars: &[(f64, f64, f64, f64)]) -> String {
    let mut path = String::with_capacity(bars.len() * 32);
    for &(x, y, width, height) in bars.iter().filter(|bar| bar.3 > 0.0) {
        path.push_str(&format!(
            "M{x:.2},{y:.2}h{width:.2}v{height:.2}h{:.2}z",
            -width
        ));
    }
    path
}

/// `dots` as one SVG path of circles (two arcs each): one node however many codes.
pub fn circles_path<'a>(dots: impl IntoIterator<Item = &'a Dot>) -> String {
    let mut path = String::new();
    for dot in dots {
        let (x, y, r) = (dot.x - dot.r, dot.y, dot.r);
        path.push_str(&format!(
            "M{x:.1},{y:.1}a{r:.1},{r:.1} 0 1,0 {:.1},0a{r:.1},{r:.1} 0 1,0 {:.1},0z",
            2.0 * r,
            -2.0 * r
        ));
    }
    path
}

/// One code's dot on the codebook's map.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Dot {
    /// Its code.
    pub code: u32,
    /// Where it sits, in the map's units.
    pub x: f64,
    /// Where it sits, in the map's units.
    pub y: f64,
    /// Its radius: larger for codes chosen more often; dead codes get the smallest.
    pub r: f64,
    /// How often it was chosen.
    pub used: u32,
}

/// The codebook's map in a `side × side` square: each code's dot (`codes`: `x, y` by code;
/// `usage` by code) and the cloud of encoder outputs (`cloud`: `x, y` of each cell) as one SVG
/// path of zero-length segments. Both share one scale, the one that holds every point.
pub fn scatter(codes: &[f32], usage: &[u32], cloud: &[f32], side: f64) -> (Vec<Dot>, String) {
    let finite = |pair: &[f32]| pair.iter().all(|v| v.is_finite());
    let pairs = codes
        .chunks_exact(2)
        .chain(cloud.chunks_exact(2))
        .filter(|pair| finite(pair));
    let (mut low, mut high) = ([f64::INFINITY; 2], [f64::NEG_INFINITY; 2]);
    for pair in pairs {
        for axis in 0..2 {
            low[axis] = low[axis].min(f64::from(pair[axis]));
            high[axis] = high[axis].max(f64::from(pair[axis]));
        }
    }
    let span = (0..2)
        .map(|axis| high[axis] - low[axis])
        .fold(1e-9, f64::max);
    let pad = side * 0.06;
    // The narrower axis is centred in the square.
    let centring = |axis: usize| (span - (high[axis] - low[axis])).max(0.0) / 2.0;
    let place = |pair: &[f32]| {
        let at = |axis: usize| {
            pad + (f64::from(pair[axis]) - low[axis] + centring(axis)) / span * (side - 2.0 * pad)
        };
        (at(0), side - at(1))
    };
    let most = usage.iter().copied().max().unwrap_or(0).max(1);
    let dots = codes
        .chunks_exact(2)
        .enumerate()
        .filter(|(_, pair)| finite(pair))
        .map(|(code, pair)| {
            let (x, y) = place(pair);
            let used = usage.get(code).copied().unwrap_or(0);
            Dot {
                code: u32::try_from(code).unwrap_or(u32::MAX),
                x,
                y,
                r: 1.2 + 3.8 * (f64::from(used) / f64::from(most)).sqrt(),
                used,
            }
        })
        .collect();
    let mut path = String::with_capacity(cloud.len() * 8);
    for pair in cloud.chunks_exact(2).filter(|pair| finite(pair)) {
        let (x, y) = place(pair);
        path.push_str(&format!("M{x:.1},{y:.1}h0"));
    }
    (dots, path)
}

#[cfg(test)]
mod tests {
    use super::*;

    const FRAME: Frame = Frame {
        width: 300.0,
        height: 100.0,
    };

    #[test]
    fn curves_fill_their_box_from_zero() {
        let a = [(10.0, 2.0), (20.0, 1.0)];
        let b = [(40.0, 4.0)];
        let ranges = Ranges::fit([&a[..], &b[..]], false).expect("points");
        assert_eq!(ranges.x, (0.0, 40.0));
        assert_eq!(ranges.y, (0.0, 4.0));
        assert_eq!(ranges.place(FRAME, 40.0, 4.0), Some((300.0, 0.0)));
        assert_eq!(ranges.place(FRAME, 0.0, 0.0), Some((0.0, 100.0)));
        assert_eq!(path(&a, &ranges, FRAME), "M75.0 50.0L150.0 75.0");
    }

    #[test]
    fn losses_on_a_log_scale_skip_what_cannot_be_drawn() {
        let points = [(1.0, 0.1), (2.0, 0.0), (3.0, f64::NAN), (4.0, 0.001)];
        let ranges = Ranges::fit([&points[..]], true).expect("points");
        assert!((ranges.y.0 + 3.0).abs() < 1e-12 && (ranges.y.1 + 1.0).abs() < 1e-12);
        let (top, bottom) = ranges.y_labels();
        assert!((top - 0.1).abs() < 1e-12 && (bottom - 0.001).abs() < 1e-12);
        let data = path(&points, &ranges, FRAME);
        assert_eq!(data.matches(['M', 'L']).count(), 2, "{data}");
        assert!(!data.contains("NaN") && !data.contains("inf"), "{data}");
    }

    #[test]
    fn nothing_to_draw_and_flat_curves() {
        assert_eq!(Ranges::fit([&[][..]], false), None);
        let flat = [(1.0, 5.0), (2.0, 5.0)];
        let ranges = Ranges::fit([&flat[..]], true).expect("points");
        assert!(ranges.y.1 > ranges.y.0);
        let (_, y) = ranges.place(FRAME, 1.0, 5.0).expect("placed");
        assert!((y - 50.0).abs() < 1e-9);
    }

    #[test]
    fn bars_reach_the_top_and_dead_codes_are_gaps() {
        let drawn = bars(&[0, 2, 4], FRAME);
        assert_eq!(drawn[0], (0.0, 100.0, 100.0, 0.0));
        assert_eq!(drawn[1], (100.0, 50.0, 100.0, 50.0));
        assert_eq!(drawn[2], (200.0, 0.0, 100.0, 100.0));
    }

    #[test]
    fn the_map_holds_every_point_and_sizes_dots_by_use() {
        let codes = [0.0, 0.0, 2.0, 1.0, f32::NAN, 0.0];
        let cloud = [1.0, 0.5, -2.0, -1.0];
        let (dots, path) = scatter(&codes, &[0, 9, 3], &cloud, 100.0);
        assert_eq!(dots.len(), 2, "the code that is not finite is left out");
        for dot in &dots {
            assert!(
                (0.0..=100.0).contains(&dot.x) && (0.0..=100.0).contains(&dot.y),
                "{dot:?}"
            );
        }
        assert!(dots[0].r < dots[1].r);
        assert_eq!(dots[1].used, 9);
        assert_eq!(path.matches('M').count(), 2);
        // The cloud's lowest point sits at the left padding; the y axis, half as wide as the
        // x axis, is centred: from 28 to 72.
        assert!(path.contains("M6.0,72.0h0"), "{path}");
    }

    #[test]
    fn bars_and_dots_are_one_path_each() {
        let drawn = bars(
            &[2, 0, 1],
            Frame {
                width: 30.0,
                height: 10.0,
            },
        );
        assert_eq!(
            bars_path(&drawn),
            "M0.00,0.00h10.00v10.00h-10.00zM20.00,5.00h10.00v5.00h-10.00z",
            "the dead code's bar is a gap"
        );
        let dot = Dot {
            code: 3,
            x: 10.0,
            y: 20.0,
            r: 2.0,
            used: 5,
        };
        assert_eq!(
            circles_path([&dot]),
            "M8.0,20.0a2.0,2.0 0 1,0 4.0,0a2.0,2.0 0 1,0 -4.0,0z"
        );
    }

    #[test]
    fn labels_are_short() {
        assert_eq!(label(0.0), "0");
        assert_eq!(label(0.0123), "0.012");
        assert_eq!(label(21.37), "21.4");
        assert_eq!(label(512.0), "512");
        assert_eq!(label(0.00002), "2e-5");
    }
}
