//! A small SVG line/band chart writer: time on the x axis (months, labelled with years),
//! one numeric y axis. Hand-written rather than plotters so every series carries `data-*`
//! attributes (its name and the values drawn) that tests can check against the result files.

use std::fmt::Write;

use crate::scenario::date::YearMonth;

/// Okabe–Ito colour-blind-safe palette (black first).
pub const OKABE_ITO: [&str; 8] = [
    "#000000", "#E69F00", "#56B4E9", "#009E73", "#F0E442", "#0072B2", "#D55E00", "#CC79A7",
];
pub const BLUE: &str = "#0072B2";
pub const VERMILLION: &str = "#D55E00";
pub const GREY: &str = "#555555";

const WIDTH: f64 = 880.0;
const HEIGHT: f64 = 480.0;
const LEFT: f64 = 90.0;
const RIGHT: f64 = 24.0;
const TOP: f64 = 104.0;
const BOTTOM: f64 = 64.0;

/// Escapes text for XML and HTML content and attribute values.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c if (c as u32) < 0x20 && c != '\n' && c != '\t' => {}
            c => out.push(c),
        }
    }
    out
}

/// The opening of an SVG document (no XML declaration, so it can be inlined in HTML): size,
/// font, accessible title, white background and the bold title at `(left, 26)`.
pub fn open(title: &str, width: f64, height: f64, left: f64) -> String {
    format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{width}\" height=\"{height}\" \
         viewBox=\"0 0 {width} {height}\" font-family=\"Helvetica, Arial, sans-serif\" \
         role=\"img\" aria-label=\"{t}\">\n<title>{t}</title>\n\
         <rect width=\"100%\" height=\"100%\" fill=\"#ffffff\"/>\n\
         <text x=\"{left}\" y=\"26\" font-size=\"19\" font-weight=\"bold\">{t}</text>\n",
        t = escape(title)
    )
}

/// Line dash styles.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Dash {
    Solid,
    Dashed,
    Dotted,
}

impl Dash {
    fn attr(self) -> &'static str {
        match self {
            Dash::Solid => "",
            Dash::Dashed => " stroke-dasharray=\"8 5\"",
            Dash::Dotted => " stroke-dasharray=\"2 4\"",
        }
    }
}

/// What one legend entry shows.
#[derive(Debug, Clone)]
enum Swatch {
    Line { colour: String, dash: Dash },
    Band { colour: String, opacity: f64 },
    Point { colour: String },
}

/// A chart under construction: y values are in display units (`scale` applied by callers
/// through [`Chart::scale`]); x values are month indices ([`YearMonth::index`]).
#[derive(Debug, Clone)]
pub struct Chart {
    title: String,
    y_label: String,
    /// Multiplies every y value before drawing (e.g. 100 for shares shown as percent).
    pub scale: f64,
    x_range: (i64, i64),
    y_values: Vec<f64>,
    y_from_zero: bool,
    layers: Vec<Layer>,
    legend: Vec<(String, Swatch)>,
}

#[derive(Debug, Clone)]
enum Layer {
    Band {
        name: String,
        x: Vec<i64>,
        low: Vec<f64>,
        high: Vec<f64>,
        colour: String,
        opacity: f64,
    },
    Line {
        name: String,
        x: Vec<i64>,
        y: Vec<f64>,
        colour: String,
        dash: Dash,
        width: f64,
    },
    HLine {
        name: String,
        y: f64,
        colour: String,
        dash: Dash,
        label: String,
    },
    VLine {
        name: String,
        x: i64,
        colour: String,
        dash: Dash,
        label: String,
    },
    Segment {
        name: String,
        from: i64,
        to: i64,
        y: f64,
        colour: String,
    },
}

impl Chart {
    pub fn new(title: &str, y_label: &str, scale: f64, y_from_zero: bool) -> Chart {
        Chart {
            title: title.to_string(),
            y_label: y_label.to_string(),
            scale,
            x_range: (i64::MAX, i64::MIN),
            y_values: Vec::new(),
            y_from_zero,
            layers: Vec::new(),
            legend: Vec::new(),
        }
    }

    fn see_x(&mut self, x: i64) {
        self.x_range = (self.x_range.0.min(x), self.x_range.1.max(x));
    }

    fn see_y(&mut self, y: f64) {
        if y.is_finite() {
            self.y_values.push(y * self.scale);
        }
    }

    /// A shaded band between `low` and `high` (same length as `x`).
    pub fn band(
        &mut self,
        name: &str,
        x: &[i64],
        low: &[f64],
        high: &[f64],
        colour: &str,
        opacity: f64,
    ) {
        x.iter().for_each(|&v| self.see_x(v));
        low.iter().chain(high).for_each(|&v| self.see_y(v));
        self.legend.push((
            name.to_string(),
            Swatch::Band {
                colour: colour.to_string(),
                opacity,
            },
        ));
        self.layers.push(Layer::Band {
            name: name.to_string(),
            x: x.to_vec(),
            low: low.to_vec(),
            high: high.to_vec(),
            colour: colour.to_string(),
            opacity,
        });
    }

    /// A polyline through `(x, y)`; non-finite values break nothing (they are skipped).
    pub fn line(&mut self, name: &str, x: &[i64], y: &[f64], colour: &str, dash: Dash, width: f64) {
        x.iter().for_each(|&v| self.see_x(v));
        y.iter().for_each(|&v| self.see_y(v));
        self.legend.push((
            name.to_string(),
            Swatch::Line {
                colour: colour.to_string(),
                dash,
            },
        ));
        self.layers.push(Layer::Line {
            name: name.to_string(),
            x: x.to_vec(),
            y: y.to_vec(),
            colour: colour.to_string(),
            dash,
            width,
        });
    }

    /// A horizontal reference line across the plot, labelled at its right end.
    pub fn hline(&mut self, name: &str, y: f64, colour: &str, dash: Dash, label: &str) {
        self.see_y(y);
        self.legend.push((
            name.to_string(),
            Swatch::Line {
                colour: colour.to_string(),
                dash,
            },
        ));
        self.layers.push(Layer::HLine {
            name: name.to_string(),
            y,
            colour: colour.to_string(),
            dash,
            label: label.to_string(),
        });
    }

    /// A vertical marker at month `x`, labelled just above the plot (clear of the data labels).
    pub fn vline(&mut self, name: &str, x: i64, colour: &str, dash: Dash, label: &str) {
        self.layers.push(Layer::VLine {
            name: name.to_string(),
            x,
            colour: colour.to_string(),
            dash,
            label: label.to_string(),
        });
    }

    /// Observed values: a horizontal segment over each window with a point at its middle.
    pub fn segments(&mut self, name: &str, windows: &[(i64, i64, f64)], colour: &str) {
        for &(from, to, y) in windows {
            self.see_x(from);
            self.see_x(to);
            self.see_y(y);
            self.layers.push(Layer::Segment {
                name: name.to_string(),
                from,
                to,
                y,
                colour: colour.to_string(),
            });
        }
        if !windows.is_empty() {
            self.legend.push((
                name.to_string(),
                Swatch::Point {
                    colour: colour.to_string(),
                },
            ));
        }
    }

    /// The finished SVG document (no XML declaration, so it can be inlined in HTML).
    pub fn render(&self) -> String {
        let (mut x0, mut x1) = self.x_range;
        if x0 > x1 {
            (x0, x1) = (0, 12);
        }
        if x0 == x1 {
            (x0, x1) = (x0 - 1, x1 + 1);
        }
        let (y0, y1, y_step) = y_axis(&self.y_values, self.y_from_zero);
        let (pw, ph) = (WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM);
        let sx = |m: i64| LEFT + (m - x0) as f64 / (x1 - x0) as f64 * pw;
        let sy = |v: f64| TOP + ph - (v * self.scale - y0) / (y1 - y0) * ph;
        let mut s = open(&self.title, WIDTH, HEIGHT, LEFT);
        // Plot frame and its mapping, for tests and for anyone reading the SVG.
        let _ = writeln!(
            s,
            "<g class=\"plot\" data-x0=\"{}\" data-x1=\"{}\" data-y0=\"{y0}\" data-y1=\"{y1}\" \
             data-scale=\"{}\" data-left=\"{LEFT}\" data-top=\"{TOP}\" data-width=\"{pw}\" \
             data-height=\"{ph}\">",
            YearMonth::from_index(x0),
            YearMonth::from_index(x1),
            self.scale
        );
        self.grid(&mut s, (x0, x1), (y0, y1, y_step), &sx);
        for layer in &self.layers {
            layer_svg(&mut s, layer, &sx, &sy, (x0, x1));
        }
        s.push_str("</g>\n");
        let _ = writeln!(
            s,
            "<text transform=\"translate(22,{}) rotate(-90)\" text-anchor=\"middle\" \
             font-size=\"16\">{}</text>",
            TOP + ph / 2.0,
            escape(&self.y_label)
        );
        let _ = writeln!(
            s,
            "<text x=\"{}\" y=\"{}\" text-anchor=\"middle\" font-size=\"16\">Date (year)</text>",
            LEFT + pw / 2.0,
            HEIGHT - 14.0
        );
        self.legend_svg(&mut s);
        s.push_str("</svg>\n");
        s
    }

    fn grid(
        &self,
        s: &mut String,
        (x0, x1): (i64, i64),
        (y0, y1, step): (f64, f64, f64),
        sx: &dyn Fn(i64) -> f64,
    ) {
        let ph = HEIGHT - TOP - BOTTOM;
        let decimals = decimals_for(step);
        let mut k = (y0 / step).round() as i64;
        while (k as f64) * step <= y1 + step * 1e-9 {
            let v = k as f64 * step;
            let y = TOP + ph - (v - y0) / (y1 - y0) * ph;
            let _ = writeln!(
                s,
                "<line x1=\"{LEFT}\" x2=\"{}\" y1=\"{y:.2}\" y2=\"{y:.2}\" stroke=\"#dddddd\"/>\
                 <text x=\"{}\" y=\"{:.2}\" text-anchor=\"end\" font-size=\"14\">{v:.decimals$}</text>",
                WIDTH - RIGHT,
                LEFT - 8.0,
                y + 5.0
            );
            k += 1;
        }
        let years = (x1 - x0) as f64 / 12.0;
        let year_step = [1, 2, 5, 10, 20, 50]
            .into_iter()
            .find(|&n| years / n as f64 <= 12.0)
            .unwrap_or(100);
        let bottom = TOP + ph;
        if years >= 1.5 {
            let first = YearMonth::from_index(x0);
            let mut year = if first.month == 1 {
                first.year
            } else {
                first.year + 1
            };
            year += (year_step - year.rem_euclid(year_step)) % year_step;
            while YearMonth::new(year, 1).index() <= x1 {
                let x = sx(YearMonth::new(year, 1).index());
                let _ = writeln!(
                    s,
                    "<line x1=\"{x:.2}\" x2=\"{x:.2}\" y1=\"{TOP}\" y2=\"{bottom}\" stroke=\"#eeeeee\"/>\
                     <line x1=\"{x:.2}\" x2=\"{x:.2}\" y1=\"{bottom}\" y2=\"{}\" stroke=\"#000000\"/>\
                     <text x=\"{x:.2}\" y=\"{}\" text-anchor=\"middle\" font-size=\"14\">{year}</text>",
                    bottom + 5.0,
                    bottom + 21.0
                );
                year += year_step;
            }
        } else {
            // Under a year and a half: label quarters with their month.
            let mut m = x0 + (3 - x0.rem_euclid(3)) % 3;
            while m <= x1 {
                let x = sx(m);
                let _ = writeln!(
                    s,
                    "<line x1=\"{x:.2}\" x2=\"{x:.2}\" y1=\"{bottom}\" y2=\"{}\" stroke=\"#000000\"/>\
                     <text x=\"{x:.2}\" y=\"{}\" text-anchor=\"middle\" font-size=\"14\">{}</text>",
                    bottom + 5.0,
                    bottom + 21.0,
                    YearMonth::from_index(m)
                );
                m += 3;
            }
        }
        let _ = writeln!(
            s,
            "<rect x=\"{LEFT}\" y=\"{TOP}\" width=\"{}\" height=\"{ph}\" fill=\"none\" stroke=\"#000000\"/>",
            WIDTH - LEFT - RIGHT
        );
    }

    fn legend_svg(&self, s: &mut String) {
        let (mut x, mut y) = (LEFT, 52.0);
        s.push_str("<g class=\"legend\">\n");
        for (name, swatch) in &self.legend {
            let width = 40.0 + 7.6 * name.chars().count() as f64;
            if x + width > WIDTH - RIGHT && x > LEFT {
                x = LEFT;
                y += 20.0;
            }
            match swatch {
                Swatch::Line { colour, dash } => {
                    let _ = write!(
                        s,
                        "<line x1=\"{x}\" x2=\"{}\" y1=\"{y}\" y2=\"{y}\" stroke=\"{colour}\" \
                         stroke-width=\"2.5\"{}/>",
                        x + 26.0,
                        dash.attr()
                    );
                }
                Swatch::Band { colour, opacity } => {
                    let _ = write!(
                        s,
                        "<rect x=\"{x}\" y=\"{}\" width=\"26\" height=\"12\" fill=\"{colour}\" \
                         fill-opacity=\"{opacity}\"/>",
                        y - 6.0
                    );
                }
                Swatch::Point { colour } => {
                    let _ = write!(
                        s,
                        "<circle cx=\"{}\" cy=\"{y}\" r=\"4.5\" fill=\"{colour}\"/>",
                        x + 13.0
                    );
                }
            }
            let _ = writeln!(
                s,
                "<text x=\"{}\" y=\"{}\" font-size=\"14\">{}</text>",
                x + 32.0,
                y + 5.0,
                escape(name)
            );
            x += width;
        }
        s.push_str("</g>\n");
    }
}

fn layer_svg(
    s: &mut String,
    layer: &Layer,
    sx: &dyn Fn(i64) -> f64,
    sy: &dyn Fn(f64) -> f64,
    (x0, x1): (i64, i64),
) {
    let values = |v: &[f64]| {
        v.iter()
            .map(|v| v.to_string())
            .collect::<Vec<_>>()
            .join(" ")
    };
    match layer {
        Layer::Band {
            name,
            x,
            low,
            high,
            colour,
            opacity,
        } => {
            // Lengths agree by construction; the minimum keeps a mismatch from panicking.
            let n = x.len().min(low.len()).min(high.len());
            let finite: Vec<usize> = (0..n)
                .filter(|&i| low[i].is_finite() && high[i].is_finite())
                .collect();
            let mut pts: Vec<String> = finite
                .iter()
                .map(|&i| format!("{:.2},{:.2}", sx(x[i]), sy(high[i])))
                .collect();
            pts.extend(
                finite
                    .iter()
                    .rev()
                    .map(|&i| format!("{:.2},{:.2}", sx(x[i]), sy(low[i]))),
            );
            let _ = writeln!(
                s,
                "<polygon class=\"band\" data-series=\"{}\" data-points=\"{}\" data-low=\"{}\" \
                 data-high=\"{}\" points=\"{}\" fill=\"{colour}\" fill-opacity=\"{opacity}\" stroke=\"none\"/>",
                escape(name),
                finite.len(),
                values(low),
                values(high),
                pts.join(" ")
            );
        }
        Layer::Line {
            name,
            x,
            y,
            colour,
            dash,
            width,
        } => {
            let pts: Vec<String> = x
                .iter()
                .zip(y)
                .filter(|(_, v)| v.is_finite())
                .map(|(&m, &v)| format!("{:.2},{:.2}", sx(m), sy(v)))
                .collect();
            let _ = writeln!(
                s,
                "<polyline class=\"series\" data-series=\"{}\" data-points=\"{}\" data-values=\"{}\" \
                 points=\"{}\" fill=\"none\" stroke=\"{colour}\" stroke-width=\"{width}\" \
                 stroke-linejoin=\"round\"{}/>",
                escape(name),
                pts.len(),
                values(y),
                pts.join(" "),
                dash.attr()
            );
        }
        Layer::HLine {
            name,
            y,
            colour,
            dash,
            label,
        } => {
            let py = sy(*y);
            let _ = writeln!(
                s,
                "<line class=\"reference\" data-series=\"{}\" data-value=\"{y}\" x1=\"{:.2}\" \
                 x2=\"{:.2}\" y1=\"{py:.2}\" y2=\"{py:.2}\" stroke=\"{colour}\" stroke-width=\"2\"{}/>\
                 <text x=\"{:.2}\" y=\"{:.2}\" text-anchor=\"end\" font-size=\"13\" fill=\"{colour}\">{}</text>",
                escape(name),
                sx(x0),
                sx(x1),
                dash.attr(),
                sx(x1) - 6.0,
                py - 6.0,
                escape(label)
            );
        }
        Layer::VLine {
            name,
            x,
            colour,
            dash,
            label,
        } => {
            if *x < x0 || *x > x1 {
                return;
            }
            let px = sx(*x);
            let _ = writeln!(
                s,
                "<line class=\"marker\" data-series=\"{}\" data-month=\"{}\" x1=\"{px:.2}\" x2=\"{px:.2}\" \
                 y1=\"{TOP}\" y2=\"{}\" stroke=\"{colour}\" stroke-width=\"1.5\"{}/>\
                 <text x=\"{:.2}\" y=\"{}\" text-anchor=\"end\" font-size=\"13\" fill=\"{colour}\">{}</text>",
                escape(name),
                YearMonth::from_index(*x),
                HEIGHT - BOTTOM,
                dash.attr(),
                px,
                TOP - 6.0,
                escape(label)
            );
        }
        Layer::Segment {
            name,
            from,
            to,
            y,
            colour,
        } => {
            let py = sy(*y);
            let _ = writeln!(
                s,
                "<g class=\"observed\" data-series=\"{}\" data-value=\"{y}\" data-from=\"{}\" \
                 data-to=\"{}\"><line x1=\"{:.2}\" x2=\"{:.2}\" y1=\"{py:.2}\" y2=\"{py:.2}\" \
                 stroke=\"{colour}\" stroke-width=\"2\"/><circle cx=\"{:.2}\" cy=\"{py:.2}\" r=\"4.5\" \
                 fill=\"{colour}\"/></g>",
                escape(name),
                YearMonth::from_index(*from),
                YearMonth::from_index(*to),
                sx(*from),
                sx(*to),
                (sx(*from) + sx(*to)) / 2.0
            );
        }
    }
}

/// Axis range and tick step: "nice" steps (1, 2, 2.5, 5 × 10^k), about six ticks.
pub(crate) fn y_axis(values: &[f64], from_zero: bool) -> (f64, f64, f64) {
    let mut lo = values.iter().copied().fold(f64::INFINITY, f64::min);
    let mut hi = values.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    if !lo.is_finite() || !hi.is_finite() {
        return (0.0, 1.0, 0.2);
    }
    if from_zero && lo >= 0.0 {
        lo = 0.0;
    }
    if hi - lo < 1e-12 * hi.abs().max(1.0) {
        let pad = if hi == 0.0 { 1.0 } else { hi.abs() * 0.1 };
        (lo, hi) = (lo - pad, hi + pad);
        if from_zero && lo < 0.0 && values.iter().all(|&v| v >= 0.0) {
            lo = 0.0;
        }
    }
    let raw = (hi - lo) / 6.0;
    let mag = 10f64.powf(raw.log10().floor());
    let step = [1.0, 2.0, 2.5, 5.0, 10.0]
        .into_iter()
        .map(|m| m * mag)
        .find(|&st| st >= raw)
        .unwrap_or(10.0 * mag);
    ((lo / step).floor() * step, (hi / step).ceil() * step, step)
}

pub(crate) fn decimals_for(step: f64) -> usize {
    let mut d = 0;
    while d < 8
        && ((step * 10f64.powi(d as i32)).round() - step * 10f64.powi(d as i32)).abs() > 1e-6
    {
        d += 1;
    }
    d
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn axis_steps_are_nice_and_cover_the_data() {
        assert_eq!(y_axis(&[21.3, 26.8], false), (21.0, 27.0, 1.0));
        assert_eq!(y_axis(&[3.0, 47.0], true), (0.0, 50.0, 10.0));
        assert_eq!(y_axis(&[], true), (0.0, 1.0, 0.2));
        assert_eq!(decimals_for(2.5), 1);
        assert_eq!(decimals_for(0.05), 2);
        assert_eq!(decimals_for(10.0), 0);
    }

    #[test]
    fn text_is_escaped() {
        assert_eq!(escape("a<b & \"c\"'"), "a&lt;b &amp; &quot;c&quot;&#39;");
    }
}
