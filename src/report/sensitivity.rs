//! The report of a sensitivity folder: a bar chart of the indices with their 95% bootstrap
//! intervals (factors ranked top to bottom, like a tornado chart), a plain-words sentence
//! naming the factors that matter most, and the design. Built from `sensitivity.json`,
//! `sensitivity.csv` and the manifest alone.

use std::fmt::Write;
use std::path::Path;

use super::svg::{decimals_for, escape, y_axis, BLUE, GREY, OKABE_ITO, VERMILLION};
use super::{write_atomic, Written, PLOTS_DIR, REPORT_HTML};
use crate::output::manifest::Manifest;
use crate::output::OutputError;
use crate::sensitivity::study::{
    ranked, read_indices, sentence, Design, IndexRow, Method, OUTCOMES,
};

/// The chart's file name in `plots/`.
pub const CHART: &str = "sensitivity";

const WIDTH: f64 = 880.0;
const LEFT: f64 = 300.0;
const RIGHT: f64 = 30.0;
const TOP: f64 = 90.0;
const ROW: f64 = 44.0;
const BAR: f64 = 14.0;
/// Longest factor label drawn (about what fits left of the bars).
const LABEL_CHARS: usize = 40;

/// The indices drawn (first one ranks the factors), with their colours and labels.
fn drawn(method: Method) -> [(&'static str, &'static str, &'static str); 2] {
    match method {
        Method::Morris => [
            ("mu_star", BLUE, "μ* (mean absolute effect)"),
            ("sigma", VERMILLION, "σ (interactions, non-linearity)"),
        ],
        Method::Sobol => [
            ("ST", BLUE, "total index ST"),
            ("S1", VERMILLION, "first-order index S1"),
        ],
    }
}

/// A horizontal bar chart of the indices, factors ranked top to bottom.
pub fn chart(design: &Design, rows: &[IndexRow]) -> String {
    let order: Vec<String> = ranked(design.method, rows)
        .iter()
        .map(|r| r.factor.clone())
        .collect();
    let kinds = drawn(design.method);
    let get = |f: &str, i: &str| rows.iter().find(|r| r.factor == f && r.index == i);
    let mut values = vec![0.0];
    for r in rows.iter().filter(|r| kinds.iter().any(|k| k.0 == r.index)) {
        values.extend(r.estimate.value);
        if let Some((lo, hi)) = r.estimate.interval {
            values.extend([lo, hi]);
        }
    }
    let (lo, hi, step) = y_axis(&values, true);
    let height = TOP + ROW * order.len() as f64 + 60.0;
    let plot_w = WIDTH - LEFT - RIGHT;
    let x = |v: f64| LEFT + (v - lo) / (hi - lo) * plot_w;
    let mut s = String::new();
    let _ = writeln!(
        s,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {WIDTH} {height}\" \
         width=\"{WIDTH}\" height=\"{height}\" font-family=\"sans-serif\" font-size=\"13\" \
         data-chart=\"sensitivity\" data-method=\"{:?}\" data-outcome=\"{}\">",
        design.method,
        escape(&design.outcome)
    );
    let _ = writeln!(
        s,
        "<text x=\"{}\" y=\"28\" font-size=\"17\" font-weight=\"bold\">Which factors decide {}</text>",
        LEFT - 280.0,
        escape(&design.outcome)
    );
    // Legend.
    for (i, (_, colour, label)) in kinds.iter().enumerate() {
        let lx = LEFT + i as f64 * 260.0;
        let _ = writeln!(
            s,
            "<rect x=\"{lx}\" y=\"46\" width=\"14\" height=\"14\" fill=\"{colour}\"/>\
             <text x=\"{}\" y=\"58\">{}</text>",
            lx + 20.0,
            escape(label)
        );
    }
    // Grid and axis labels.
    let decimals = decimals_for(step);
    let bottom = TOP + ROW * order.len() as f64;
    let mut t = lo;
    while t <= hi + step * 1e-9 {
        let _ = writeln!(
            s,
            "<line x1=\"{0:.1}\" y1=\"{TOP}\" x2=\"{0:.1}\" y2=\"{bottom}\" stroke=\"#dddddd\"/>\
             <text x=\"{0:.1}\" y=\"{1}\" text-anchor=\"middle\" fill=\"{GREY}\">{2:.3$}</text>",
            x(t),
            bottom + 18.0,
            t,
            decimals
        );
        t += step;
    }
    let _ = writeln!(
        s,
        "<line x1=\"{0:.1}\" y1=\"{TOP}\" x2=\"{0:.1}\" y2=\"{bottom}\" stroke=\"{1}\"/>",
        x(0.0),
        OKABE_ITO[0]
    );
    for (row, factor) in order.iter().enumerate() {
        let y0 = TOP + ROW * row as f64;
        // Long paths keep their end (the field's name); the full path is the tooltip.
        let chars: Vec<char> = factor.chars().collect();
        let label = if chars.len() > LABEL_CHARS {
            let tail: String = chars[chars.len() - (LABEL_CHARS - 1)..].iter().collect();
            format!("…{tail}")
        } else {
            factor.clone()
        };
        let _ = writeln!(
            s,
            "<text x=\"{}\" y=\"{:.1}\" text-anchor=\"end\"><title>{}</title>{}</text>",
            LEFT - 8.0,
            y0 + ROW / 2.0 + 4.0,
            escape(factor),
            escape(&label)
        );
        for (k, (index, colour, _)) in kinds.iter().enumerate() {
            let Some(r) = get(factor, index) else {
                continue;
            };
            let yb = y0 + 7.0 + k as f64 * (BAR + 2.0);
            let v = r.estimate.value.unwrap_or(0.0);
            let (a, b) = (x(0.0).min(x(v)), x(0.0).max(x(v)));
            let (low, high) = r.estimate.interval.unzip();
            let attr = |o: Option<f64>| o.map(|v| format!("{v}")).unwrap_or_default();
            let _ = writeln!(
                s,
                "<rect x=\"{a:.1}\" y=\"{yb:.1}\" width=\"{:.1}\" height=\"{BAR}\" fill=\"{colour}\" \
                 data-factor=\"{}\" data-index=\"{index}\" data-value=\"{}\" data-low=\"{}\" \
                 data-high=\"{}\"/>",
                b - a,
                escape(factor),
                attr(r.estimate.value),
                attr(low),
                attr(high)
            );
            if let (Some(l), Some(h)) = (low, high) {
                let ym = yb + BAR / 2.0;
                let _ = writeln!(
                    s,
                    "<path d=\"M{0:.1} {1:.1}H{2:.1}M{0:.1} {3:.1}V{4:.1}M{2:.1} {3:.1}V{4:.1}\" \
                     stroke=\"{5}\" stroke-width=\"1.5\" fill=\"none\"/>",
                    x(l),
                    ym,
                    x(h),
                    ym - 4.0,
                    ym + 4.0,
                    OKABE_ITO[0]
                );
            }
        }
    }
    let _ = writeln!(
        s,
        "<text x=\"{}\" y=\"{}\" text-anchor=\"middle\" fill=\"{GREY}\">index (whiskers: 95% \
         bootstrap interval)</text>\n</svg>",
        LEFT + plot_w / 2.0,
        bottom + 40.0
    );
    s
}

/// Writes `plots/sensitivity.svg` and `report.html` for a sensitivity folder.
pub fn write_report(dir: &Path) -> Result<Written, OutputError> {
    let manifest = Manifest::read(dir)?;
    let design = Design::read(dir)?;
    let rows = read_indices(dir)?;
    let svg = chart(&design, &rows);
    let words = sentence(design.method, &design.outcome, &rows);
    let plot_dir = dir.join(PLOTS_DIR);
    std::fs::create_dir_all(&plot_dir).map_err(|e| OutputError::io(&plot_dir, e))?;
    let plot = plot_dir.join(format!("{CHART}.svg"));
    write_atomic(&plot, &svg)?;
    let meaning = OUTCOMES
        .iter()
        .find(|(n, _)| *n == design.outcome)
        .map_or(design.outcome.as_str(), |(_, m)| m);
    let mut h = String::new();
    let title = format!("changenet sensitivity: {}", manifest.scenario_name);
    let _ = write!(
        h,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\"/>\n<title>{0}</title>\n\
         <style>body{{font-family:sans-serif;max-width:920px;margin:2em auto;color:#222}}\
         table{{border-collapse:collapse}}td,th{{padding:2px 10px;text-align:left;\
         border-bottom:1px solid #ddd}}.answer{{font-size:1.15em}}</style>\n</head>\n<body>\n\
         <h1>{0}</h1>\n<p class=\"answer\" id=\"answer\">{1}</p>\n\
         <p>Outcome: {2} ({3}), averaged over each point's {4} replicates.</p>\n{5}\n",
        escape(&title),
        escape(&words),
        escape(&design.outcome),
        escape(meaning),
        design.replicates,
        svg
    );
    let _ = writeln!(
        h,
        "<h2>Design</h2>\n<p>{:?}, {} {}, seed {}, {} bootstrap resamples.</p>\n\
         <table><tr><th>factor</th><th>low</th><th>high</th></tr>",
        design.method,
        design.samples,
        match design.method {
            Method::Morris => format!("trajectories on {} levels", design.levels),
            Method::Sobol => "base samples (Saltelli)".into(),
        },
        design.seed,
        design.resamples
    );
    for f in &design.factors {
        let _ = writeln!(
            h,
            "<tr><td>{}</td><td>{}</td><td>{}</td></tr>",
            escape(&f.path),
            f.lo,
            f.hi
        );
    }
    h.push_str("</table>\n<h2>Indices</h2>\n<table><tr><th>factor</th><th>index</th><th>value</th><th>95% interval</th></tr>\n");
    for r in &rows {
        let _ = writeln!(
            h,
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            escape(&r.factor),
            r.index,
            r.estimate.value.map_or("-".into(), |v| format!("{v:.4}")),
            r.estimate
                .interval
                .map_or("-".into(), |(l, u)| format!("{l:.4} to {u:.4}"))
        );
    }
    h.push_str("</table>\n</body>\n</html>\n");
    let html = dir.join(REPORT_HTML);
    write_atomic(&html, &h)?;
    Ok(Written {
        html,
        plots: vec![plot],
        headline: Some(words),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sensitivity::study::{parse_factor, Factor};
    use crate::sensitivity::Index;

    #[test]
    fn chart_ranks_factors_and_carries_the_values() {
        let f = |p: &str| -> Factor { parse_factor(&format!("{p}=0..1")).unwrap() };
        let design = Design {
            method: Method::Morris,
            samples: 4,
            levels: 4,
            seed: 1,
            replicates: 2,
            factors: vec![f("a"), f("b<&")],
            outcome: "target_met".into(),
            resamples: 10,
        };
        let row = |factor: &str, index: &'static str, v: f64| IndexRow {
            factor: factor.into(),
            index,
            estimate: Index {
                value: Some(v),
                interval: Some((v / 2.0, v * 1.5)),
            },
        };
        let rows = vec![
            row("a", "mu_star", 0.1),
            row("a", "sigma", 0.05),
            row("b<&", "mu_star", 0.4),
            row("b<&", "sigma", 0.2),
        ];
        let svg = chart(&design, &rows);
        let doc = roxmltree::Document::parse(&svg).unwrap();
        let bars: Vec<_> = doc
            .descendants()
            .filter(|n| n.attribute("data-index") == Some("mu_star"))
            .collect();
        // Ranked: b<& (0.4) drawn above a (0.1).
        assert_eq!(bars[0].attribute("data-factor"), Some("b<&"));
        assert_eq!(bars[0].attribute("data-value"), Some("0.4"));
        assert_eq!(bars[0].attribute("data-high"), Some("0.6000000000000001"));
        assert_eq!(bars[1].attribute("data-factor"), Some("a"));
        let y = |n: &roxmltree::Node| n.attribute("y").unwrap().parse::<f64>().unwrap();
        assert!(y(&bars[0]) < y(&bars[1]));
    }
}
