//! Numeric axes and plot frames for the plots whose x axis is not time (sweep lines, forest
//! and ranked dot plots, the degree distribution): linear or log10 axes with labelled ticks,
//! the grid, the frame and the axis titles. Every frame records its mapping in `data-*`
//! attributes so tests can read positions back.

use std::fmt::Write;

use super::svg::{decimals_for, escape, y_axis};

/// One axis: its range, whether it is log10, and its ticks (value, label).
#[derive(Debug, Clone, PartialEq)]
pub struct Axis {
    pub lo: f64,
    pub hi: f64,
    pub log: bool,
    pub ticks: Vec<(f64, String)>,
}

impl Axis {
    /// A linear axis with "nice" steps covering `values` (from zero if asked and all >= 0).
    pub fn linear(values: &[f64], from_zero: bool) -> Axis {
        let finite: Vec<f64> = values.iter().copied().filter(|v| v.is_finite()).collect();
        let (lo, hi, step) = y_axis(&finite, from_zero);
        Axis::stepped(lo, hi, step)
    }

    /// A linear axis from `lo` to `hi` with a tick every `step`.
    pub fn stepped(lo: f64, hi: f64, step: f64) -> Axis {
        let decimals = decimals_for(step);
        let mut ticks = Vec::new();
        let mut k = (lo / step).round() as i64;
        while (k as f64) * step <= hi + step * 1e-9 {
            let v = k as f64 * step;
            // `-0` reads badly on an axis.
            let v = if v == 0.0 { 0.0 } else { v };
            ticks.push((v, format!("{v:.decimals$}")));
            k += 1;
        }
        Axis {
            lo,
            hi,
            log: false,
            ticks,
        }
    }

    /// Evenly spaced categories labelled `labels`, at positions 0, 1, ... (half a step of
    /// margin each side).
    pub fn categories(labels: &[String]) -> Axis {
        Axis {
            lo: -0.5,
            hi: labels.len().max(1) as f64 - 0.5,
            log: false,
            ticks: labels
                .iter()
                .enumerate()
                .map(|(i, l)| (i as f64, l.clone()))
                .collect(),
        }
    }

    /// A log10 axis over whole decades covering the positive values (ticks at 1, 10, 100 ...
    /// and, over at most two decades, at 2 and 5 times them).
    pub fn log10(values: &[f64]) -> Axis {
        let pos = values.iter().copied().filter(|v| *v > 0.0 && v.is_finite());
        let (mut lo, mut hi) = pos.fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), v| {
            (a.min(v), b.max(v))
        });
        if !lo.is_finite() {
            (lo, hi) = (1.0, 10.0);
        }
        let (d0, mut d1) = (lo.log10().floor() as i32, hi.log10().ceil() as i32);
        if d1 <= d0 {
            d1 = d0 + 1;
        }
        let mut ticks = Vec::new();
        for d in d0..=d1 {
            let base = 10f64.powi(d);
            let steps: &[f64] = if d1 - d0 <= 2 {
                &[1.0, 2.0, 5.0]
            } else {
                &[1.0]
            };
            for &m in steps {
                let v = m * base;
                if v <= 10f64.powi(d1) * (1.0 + 1e-9) {
                    ticks.push((v, number(v)));
                }
            }
        }
        Axis {
            lo: 10f64.powi(d0),
            hi: 10f64.powi(d1),
            log: true,
            ticks,
        }
    }

    /// Where `v` falls, from 0 (at `lo`) to 1 (at `hi`).
    pub fn unit(&self, v: f64) -> f64 {
        if self.log {
            (v.log10() - self.lo.log10()) / (self.hi.log10() - self.lo.log10())
        } else if self.hi > self.lo {
            (v - self.lo) / (self.hi - self.lo)
        } else {
            0.5
        }
    }
}

/// A number as an axis label: whole numbers plainly, small ones with the digits they need.
fn number(v: f64) -> String {
    if v >= 1.0 && (v - v.round()).abs() < 1e-9 {
        format!("{}", v.round())
    } else {
        let d = (-v.log10().floor()).max(0.0) as usize;
        format!("{v:.d$}")
    }
}

/// The plot area inside an SVG, in pixels.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Frame {
    pub left: f64,
    pub top: f64,
    pub width: f64,
    pub height: f64,
}

impl Frame {
    pub fn x(&self, axis: &Axis, v: f64) -> f64 {
        self.left + axis.unit(v) * self.width
    }

    pub fn y(&self, axis: &Axis, v: f64) -> f64 {
        self.top + self.height - axis.unit(v) * self.height
    }

    /// Opens the `<g class="plot">` holding the data, with the mapping as `data-*`.
    pub fn open_plot(&self, s: &mut String, x: &Axis, y: &Axis) {
        let _ = writeln!(
            s,
            "<g class=\"plot\" data-x0=\"{}\" data-x1=\"{}\" data-x-log=\"{}\" data-y0=\"{}\" \
             data-y1=\"{}\" data-y-log=\"{}\" data-left=\"{}\" data-top=\"{}\" data-width=\"{}\" \
             data-height=\"{}\">",
            x.lo, x.hi, x.log, y.lo, y.hi, y.log, self.left, self.top, self.width, self.height
        );
    }

    /// Grid lines, tick labels, the frame and the axis titles (`None` skips an axis's ticks,
    /// e.g. a categorical axis labelled by its caller).
    pub fn axes(
        &self,
        s: &mut String,
        x: Option<&Axis>,
        y: Option<&Axis>,
        x_label: &str,
        y_label: &str,
    ) {
        let bottom = self.top + self.height;
        let right = self.left + self.width;
        if let Some(y) = y {
            for (v, label) in &y.ticks {
                let py = self.y(y, *v);
                let _ = writeln!(
                    s,
                    "<line x1=\"{}\" x2=\"{right}\" y1=\"{py:.2}\" y2=\"{py:.2}\" stroke=\"#dddddd\"/>\
                     <text x=\"{}\" y=\"{:.2}\" text-anchor=\"end\" font-size=\"14\">{}</text>",
                    self.left,
                    self.left - 8.0,
                    py + 5.0,
                    escape(label)
                );
            }
        }
        if let Some(x) = x {
            for (v, label) in &x.ticks {
                let px = self.x(x, *v);
                let _ = writeln!(
                    s,
                    "<line x1=\"{px:.2}\" x2=\"{px:.2}\" y1=\"{}\" y2=\"{bottom}\" stroke=\"#eeeeee\"/>\
                     <line x1=\"{px:.2}\" x2=\"{px:.2}\" y1=\"{bottom}\" y2=\"{}\" stroke=\"#000000\"/>\
                     <text x=\"{px:.2}\" y=\"{}\" text-anchor=\"middle\" font-size=\"14\">{}</text>",
                    self.top,
                    bottom + 5.0,
                    bottom + 21.0,
                    escape(label)
                );
            }
        }
        let _ = writeln!(
            s,
            "<rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" fill=\"none\" stroke=\"#000000\"/>",
            self.left, self.top, self.width, self.height
        );
        let _ = writeln!(
            s,
            "<text x=\"{}\" y=\"{}\" text-anchor=\"middle\" font-size=\"16\">{}</text>",
            self.left + self.width / 2.0,
            bottom + 46.0,
            escape(x_label)
        );
        if !y_label.is_empty() {
            let _ = writeln!(
                s,
                "<text transform=\"translate(22,{}) rotate(-90)\" text-anchor=\"middle\" \
                 font-size=\"16\">{}</text>",
                self.top + self.height / 2.0,
                escape(y_label)
            );
        }
    }
}

/// Values joined by spaces, for `data-*` attributes.
pub fn values(v: &[f64]) -> String {
    v.iter()
        .map(|x| x.to_string())
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn log_axes_cover_whole_decades() {
        let a = Axis::log10(&[0.1, 1.0, 3.0]);
        assert_eq!((a.lo, a.hi), (0.1, 10.0));
        assert_eq!(a.ticks.first().unwrap().1, "0.1");
        assert!(a.ticks.iter().any(|t| t.1 == "5"));
        assert!((a.unit(1.0) - 0.5).abs() < 1e-12);
        let b = Axis::log10(&[1.0, 1000.0, 0.0]);
        assert_eq!((b.lo, b.hi, b.ticks.len()), (1.0, 1000.0, 4));
    }

    #[test]
    fn linear_and_category_axes() {
        let a = Axis::linear(&[-1.2, 0.4], false);
        assert!(a.lo <= -1.2 && a.hi >= 0.4);
        assert!(a.ticks.iter().any(|t| t.1 == "0.0" || t.1 == "0"));
        let c = Axis::categories(&["a".into(), "b".into()]);
        assert_eq!((c.unit(0.0), c.unit(1.0)), (0.25, 0.75));
    }
}
