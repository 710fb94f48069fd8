//! Horizontal interval charts: one row per item, a dot at its estimate and a bar over its
//! 95% interval, an optional reference line (zero for differences). Used for the forest
//! plot of a comparison's paired differences and the ranked dot plot of a sweep's points.

use std::fmt::Write;

use super::figure::{Axis, Frame};
use super::svg::{escape, open, BLUE, GREY};

/// One row: its label, estimate and interval in display units, and the exact values it
/// shows (as the files hold them) for `data-*` attributes.
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    pub label: String,
    pub estimate: f64,
    pub interval: Option<(f64, f64)>,
    pub data: Vec<(String, String)>,
}

const WIDTH: f64 = 880.0;
const ROW: f64 = 32.0;
const TOP: f64 = 76.0;
const BOTTOM: f64 = 70.0;

/// The chart; the x axis covers every estimate and interval, the reference and `fixed`
/// (e.g. 0 to 100 for probabilities) when given.
pub fn chart(
    title: &str,
    subtitle: &str,
    x_label: &str,
    rows: &[Row],
    reference: Option<(f64, &str)>,
    fixed: Option<Axis>,
) -> String {
    let longest = rows
        .iter()
        .map(|r| r.label.chars().count())
        .max()
        .unwrap_or(0);
    let left = (16.0 + 7.8 * longest as f64).clamp(90.0, 360.0);
    let height = TOP + BOTTOM + ROW * rows.len().max(1) as f64;
    let frame = Frame {
        left,
        top: TOP,
        width: WIDTH - left - 30.0,
        height: ROW * rows.len().max(1) as f64,
    };
    let x = fixed.unwrap_or_else(|| {
        let mut v: Vec<f64> = rows
            .iter()
            .flat_map(|r| {
                let (lo, hi) = r.interval.unwrap_or((r.estimate, r.estimate));
                [r.estimate, lo, hi]
            })
            .collect();
        if let Some((r, _)) = reference {
            v.push(r);
        }
        Axis::linear(&v, false)
    });
    let y = Axis::stepped(0.0, rows.len().max(1) as f64, 1.0);
    let mut s = open(title, WIDTH, height, 24.0);
    if !subtitle.is_empty() {
        let _ = writeln!(
            s,
            "<text x=\"24\" y=\"46\" font-size=\"14\" fill=\"{GREY}\">{}</text>",
            escape(subtitle)
        );
    }
    frame.open_plot(&mut s, &x, &y);
    frame.axes(&mut s, Some(&x), None, x_label, "");
    if let Some((r, label)) = reference {
        let px = frame.x(&x, r);
        let _ = writeln!(
            s,
            "<line class=\"reference\" data-value=\"{r}\" x1=\"{px:.2}\" x2=\"{px:.2}\" y1=\"{}\" \
             y2=\"{}\" stroke=\"{GREY}\" stroke-width=\"1.5\" stroke-dasharray=\"8 5\"/>\
             <text x=\"{px:.2}\" y=\"{}\" text-anchor=\"middle\" font-size=\"13\" fill=\"{GREY}\">{}</text>",
            frame.top,
            frame.top + frame.height,
            frame.top - 8.0,
            escape(label)
        );
    }
    for (i, r) in rows.iter().enumerate() {
        let cy = frame.top + ROW * (i as f64 + 0.5);
        let _ = write!(s, "<g class=\"row\" data-label=\"{}\"", escape(&r.label));
        for (k, v) in &r.data {
            let _ = write!(s, " data-{}=\"{}\"", escape(k), escape(v));
        }
        s.push('>');
        let _ = write!(
            s,
            "<text x=\"{}\" y=\"{:.2}\" text-anchor=\"end\" font-size=\"14\">{}</text>",
            left - 10.0,
            cy + 5.0,
            escape(&r.label)
        );
        if let Some((lo, hi)) = r.interval.filter(|(a, b)| a.is_finite() && b.is_finite()) {
            let (a, b) = (frame.x(&x, lo), frame.x(&x, hi));
            let _ = write!(
                s,
                "<line x1=\"{a:.2}\" x2=\"{b:.2}\" y1=\"{cy:.2}\" y2=\"{cy:.2}\" stroke=\"{BLUE}\" \
                 stroke-width=\"3\"/><line x1=\"{a:.2}\" x2=\"{a:.2}\" y1=\"{:.2}\" y2=\"{:.2}\" \
                 stroke=\"{BLUE}\" stroke-width=\"2\"/><line x1=\"{b:.2}\" x2=\"{b:.2}\" y1=\"{:.2}\" \
                 y2=\"{:.2}\" stroke=\"{BLUE}\" stroke-width=\"2\"/>",
                cy - 6.0,
                cy + 6.0,
                cy - 6.0,
                cy + 6.0
            );
        }
        if r.estimate.is_finite() {
            let _ = write!(
                s,
                "<circle cx=\"{:.2}\" cy=\"{cy:.2}\" r=\"6\" fill=\"{BLUE}\" stroke=\"#ffffff\"/>",
                frame.x(&x, r.estimate)
            );
        }
        s.push_str("</g>\n");
    }
    s.push_str("</g>\n</svg>\n");
    s
}
