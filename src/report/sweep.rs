//! The report of a sweep folder: the probability of meeting the target at each point (with
//! its 95% Wilson interval, as summary.csv gives it), drawn as
//! - one factor: a line across the factor's levels with the interval as a band;
//! - two factors on a full grid: a heat map (viridis, colour-blind safe; each cell labelled);
//! - otherwise (three or more factors, or points not on a grid, e.g. Latin hypercube): a
//!   ranked dot plot of the points, best first (the best 40 when there are more).
//!
//! and a headline naming the best point (ties: the first in run order, as the ranking that
//! `sweep` prints).

use std::fmt::Write;

use super::data::{SummaryRow, SummaryTable};
use super::figure::{values, Axis, Frame};
use super::html::Answer;
use super::intervals::{self, Row};
use super::plots::Plot;
use super::svg::{escape, open, BLUE};
use crate::scenario::types::Scenario;

/// One point of the sweep: its factor values and its `target_met` row.
#[derive(Debug, Clone, PartialEq)]
pub struct Point {
    /// Position in run order (point K of the manifest).
    pub index: usize,
    pub values: Vec<String>,
    pub target: SummaryRow,
    /// Parsed `mean`, `ci_low`, `ci_high` of the target row (NaN when absent).
    pub p: f64,
    pub low: f64,
    pub high: f64,
}

fn num(v: &str) -> f64 {
    v.parse().unwrap_or(f64::NAN)
}

/// The points in run order, from the `target_met` rows of summary.csv.
pub fn points(table: &SummaryTable) -> Vec<Point> {
    let mut out: Vec<Point> = Vec::new();
    for (values, row) in &table.rows {
        if row.metric == "target_met" {
            out.push(Point {
                index: out.len(),
                values: values.clone(),
                p: num(&row.mean),
                low: num(&row.ci_low),
                high: num(&row.ci_high),
                target: row.clone(),
            });
        }
    }
    out
}

/// The point most likely to meet the target (first in run order among equals).
pub fn best(points: &[Point]) -> Option<&Point> {
    points
        .iter()
        .filter(|p| p.p.is_finite())
        .fold(None, |best: Option<&Point>, p| match best {
            Some(b) if b.p >= p.p => Some(b),
            _ => Some(p),
        })
}

fn settings(factors: &[String], values: &[String]) -> String {
    factors
        .iter()
        .zip(values)
        .map(|(f, v)| format!("{f} = {}", short(v)))
        .collect::<Vec<_>>()
        .join(", ")
}

/// A factor value for people: numbers with many digits (from ranges) to 4 significant
/// digits; anything else as written. `data-*` attributes keep the exact text.
pub fn short(v: &str) -> String {
    match v.parse::<f64>() {
        Ok(x) if x.is_finite() && x != 0.0 && v.len() > 7 => {
            let decimals = (3 - x.abs().log10().floor() as i32).max(0) as usize;
            let t = format!("{x:.decimals$}");
            if t.contains('.') {
                t.trim_end_matches('0').trim_end_matches('.').to_string()
            } else {
                t
            }
        }
        _ => v.to_string(),
    }
}

/// An interval end as a whole percent (plain rounding: "0–28%", "72–100%").
fn end(p: f64) -> String {
    format!("{}", (p * 100.0).round())
}

/// A share as a whole percent for a sentence ("<1" and ">99" near the ends).
pub fn whole(p: f64) -> String {
    let v = p * 100.0;
    if v > 0.0 && v < 0.5 {
        "<1".into()
    } else if v > 99.5 && v < 100.0 {
        ">99".into()
    } else {
        format!("{}", v.round())
    }
}

/// The headline: the best point and its chance of meeting the target.
pub fn answer(factors: &[String], points: &[Point], scenario: Option<&Scenario>) -> Option<Answer> {
    let b = best(points)?;
    let target = super::html::target_phrase(scenario);
    let n = b.target.n.clone();
    let text = if b.p == 0.0 {
        let top = points
            .iter()
            .map(|p| p.high)
            .filter(|h| h.is_finite())
            .fold(0.0, f64::max);
        format!(
            "Across the {} points of this sweep, {target} is not met in any run (the 95% \
             interval at each point reaches at most {}%).",
            points.len(),
            end(top)
        )
    } else {
        let share = if b.p == 1.0 {
            format!("all {n} runs")
        } else {
            format!("{}% of {n} runs", whole(b.p))
        };
        let equal = points.iter().filter(|p| p.p == b.p).count();
        let tie = if equal > 1 {
            format!(" ({equal} points do as well; this is the first in run order)")
        } else {
            String::new()
        };
        format!(
            "Across the {} points of this sweep, {target} is met most often at {}: in {share} \
             (95% interval {}–{}%){tie}.",
            points.len(),
            settings(factors, &b.values),
            end(b.low),
            end(b.high)
        )
    };
    Some(Answer {
        text,
        data: vec![
            ("best-point".into(), b.index.to_string()),
            ("best-values".into(), b.values.join("|")),
            ("n".into(), n),
            ("p".into(), b.target.mean.clone()),
            ("ci-low".into(), b.target.ci_low.clone()),
            ("ci-high".into(), b.target.ci_high.clone()),
        ],
    })
}

/// The distinct levels of factor `f` (numeric order when all are numbers, else first seen)
/// and whether they are numbers.
fn levels(points: &[Point], f: usize) -> (Vec<String>, bool) {
    let mut seen: Vec<String> = Vec::new();
    for p in points {
        if let Some(v) = p.values.get(f) {
            if !seen.contains(v) {
                seen.push(v.clone());
            }
        }
    }
    let numeric = seen.iter().all(|v| num(v).is_finite());
    if numeric {
        seen.sort_by(|a, b| num(a).total_cmp(&num(b)));
    }
    (seen, numeric)
}

fn point_data(p: &Point) -> Vec<(String, String)> {
    vec![
        ("point".into(), p.index.to_string()),
        ("values".into(), p.values.join("|")),
        ("n".into(), p.target.n.clone()),
        ("p".into(), p.target.mean.clone()),
        ("ci-low".into(), p.target.ci_low.clone()),
        ("ci-high".into(), p.target.ci_high.clone()),
    ]
}

fn data_attrs(data: &[(String, String)]) -> String {
    data.iter()
        .map(|(k, v)| format!(" data-{}=\"{}\"", escape(k), escape(v)))
        .collect()
}

/// The sweep's plots (one, chosen by the number of factors and the design; see above).
pub fn plots(factors: &[String], points: &[Point]) -> Vec<Plot> {
    if points.is_empty() {
        return Vec::new();
    }
    if factors.len() == 1 {
        return vec![line(&factors[0], points)];
    }
    if factors.len() == 2 {
        let (a, b) = (levels(points, 0).0, levels(points, 1).0);
        let full = a.len() * b.len() == points.len()
            && a.iter().all(|x| {
                b.iter().all(|y| {
                    points
                        .iter()
                        .filter(|p| p.values[..] == [x.clone(), y.clone()])
                        .count()
                        == 1
                })
            });
        if full {
            return vec![heat_map(factors, points, &a, &b)];
        }
    }
    vec![ranked(factors, points)]
}

const WIDTH: f64 = 880.0;
const HEIGHT: f64 = 480.0;

fn line(factor: &str, points: &[Point]) -> Plot {
    let (levels, numeric) = levels(points, 0);
    let x = if numeric {
        Axis::linear(&levels.iter().map(|l| num(l)).collect::<Vec<_>>(), false)
    } else {
        Axis::categories(&levels)
    };
    let pos = |p: &Point| {
        let v = &p.values[0];
        if numeric {
            num(v)
        } else {
            levels.iter().position(|l| l == v).unwrap_or(0) as f64
        }
    };
    let mut sorted: Vec<&Point> = points.iter().collect();
    sorted.sort_by(|a, b| pos(a).total_cmp(&pos(b)).then(a.index.cmp(&b.index)));
    let y = Axis::stepped(0.0, 100.0, 20.0);
    let frame = Frame {
        left: 90.0,
        top: 80.0,
        width: WIDTH - 90.0 - 30.0,
        height: HEIGHT - 80.0 - 80.0,
    };
    let mut s = open(
        "Probability of meeting the target",
        WIDTH,
        HEIGHT,
        frame.left,
    );
    let _ = writeln!(
        s,
        "<g class=\"legend\"><line x1=\"90\" x2=\"116\" y1=\"52\" y2=\"52\" stroke=\"{BLUE}\" \
         stroke-width=\"2.5\"/><text x=\"122\" y=\"57\" font-size=\"14\">P(target met)</text>\
         <rect x=\"260\" y=\"46\" width=\"26\" height=\"12\" fill=\"{BLUE}\" fill-opacity=\"0.25\"/>\
         <text x=\"292\" y=\"57\" font-size=\"14\">95% interval (Wilson)</text></g>"
    );
    frame.open_plot(&mut s, &x, &y);
    frame.axes(
        &mut s,
        Some(&x),
        Some(&y),
        factor,
        "Runs meeting the target (%)",
    );
    let finite: Vec<&&Point> = sorted
        .iter()
        .filter(|p| p.low.is_finite() && p.high.is_finite())
        .collect();
    let mut band: Vec<String> = finite
        .iter()
        .map(|p| {
            format!(
                "{:.2},{:.2}",
                frame.x(&x, pos(p)),
                frame.y(&y, p.high * 100.0)
            )
        })
        .collect();
    band.extend(finite.iter().rev().map(|p| {
        format!(
            "{:.2},{:.2}",
            frame.x(&x, pos(p)),
            frame.y(&y, p.low * 100.0)
        )
    }));
    let lows: Vec<f64> = sorted.iter().map(|p| p.low).collect();
    let highs: Vec<f64> = sorted.iter().map(|p| p.high).collect();
    let _ = writeln!(
        s,
        "<polygon class=\"band\" data-series=\"95% interval\" data-low=\"{}\" data-high=\"{}\" \
         points=\"{}\" fill=\"{BLUE}\" fill-opacity=\"0.25\" stroke=\"none\"/>",
        values(&lows),
        values(&highs),
        band.join(" ")
    );
    let line: Vec<String> = sorted
        .iter()
        .filter(|p| p.p.is_finite())
        .map(|p| format!("{:.2},{:.2}", frame.x(&x, pos(p)), frame.y(&y, p.p * 100.0)))
        .collect();
    let ps: Vec<f64> = sorted.iter().map(|p| p.p).collect();
    let _ = writeln!(
        s,
        "<polyline class=\"series\" data-series=\"P(target met)\" data-levels=\"{}\" \
         data-values=\"{}\" points=\"{}\" fill=\"none\" stroke=\"{BLUE}\" stroke-width=\"2.5\"/>",
        escape(
            &sorted
                .iter()
                .map(|p| p.values[0].as_str())
                .collect::<Vec<_>>()
                .join("|")
        ),
        values(&ps),
        line.join(" ")
    );
    for p in sorted.iter().filter(|p| p.p.is_finite()) {
        let _ = writeln!(
            s,
            "<circle class=\"point\"{} cx=\"{:.2}\" cy=\"{:.2}\" r=\"5\" fill=\"{BLUE}\"/>",
            data_attrs(&point_data(p)),
            frame.x(&x, pos(p)),
            frame.y(&y, p.p * 100.0)
        );
    }
    s.push_str("</g>\n</svg>\n");
    Plot {
        name: "sweep".into(),
        caption: format!(
            "Share of runs meeting the target at each level of {factor} (line and dots), with \
             its 95% Wilson interval (band), from summary.csv's target_met rows."
        ),
        svg: s,
    }
}

/// Viridis at nine evenly spaced stops (perceptually uniform, readable with colour-vision
/// deficiencies and in grey).
const VIRIDIS: [(u8, u8, u8); 9] = [
    (0x44, 0x01, 0x54),
    (0x47, 0x2c, 0x7a),
    (0x3b, 0x51, 0x8b),
    (0x2c, 0x71, 0x8e),
    (0x21, 0x90, 0x8d),
    (0x27, 0xad, 0x81),
    (0x5c, 0xc8, 0x63),
    (0xaa, 0xdc, 0x32),
    (0xfd, 0xe7, 0x25),
];

/// The colour of a share (0 to 1) on the viridis scale; grey when undefined.
pub fn viridis(t: f64) -> String {
    if !t.is_finite() {
        return "#bbbbbb".into();
    }
    let x = t.clamp(0.0, 1.0) * 8.0;
    let i = (x.floor() as usize).min(7);
    let f = x - i as f64;
    let (a, b) = (VIRIDIS[i], VIRIDIS[i + 1]);
    let mix = |p: u8, q: u8| (p as f64 + f * (q as f64 - p as f64)).round() as u8;
    format!(
        "#{:02x}{:02x}{:02x}",
        mix(a.0, b.0),
        mix(a.1, b.1),
        mix(a.2, b.2)
    )
}

fn heat_map(factors: &[String], points: &[Point], xs: &[String], ys: &[String]) -> Plot {
    let longest = ys
        .iter()
        .map(|l| short(l).chars().count())
        .max()
        .unwrap_or(0);
    let left = (60.0 + 8.0 * longest.min(12) as f64).clamp(100.0, 260.0);
    let frame = Frame {
        left,
        top: 60.0,
        width: WIDTH - left - 140.0,
        height: HEIGHT - 60.0 - 80.0,
    };
    let (cw, ch) = (
        frame.width / xs.len() as f64,
        frame.height / ys.len() as f64,
    );
    let mut s = open(
        "Probability of meeting the target",
        WIDTH,
        HEIGHT,
        frame.left,
    );
    let x = Axis::categories(xs);
    let y = Axis::categories(ys);
    frame.open_plot(&mut s, &x, &y);
    for p in points {
        let (Some(i), Some(j)) = (
            xs.iter().position(|v| *v == p.values[0]),
            ys.iter().position(|v| *v == p.values[1]),
        ) else {
            continue;
        };
        let (cx, cy) = (
            frame.left + cw * i as f64,
            frame.top + ch * (ys.len() - 1 - j) as f64,
        );
        let ink = if p.p.is_finite() && p.p >= 0.55 {
            "#000000"
        } else {
            "#ffffff"
        };
        let _ = write!(
            s,
            "<g class=\"cell\"{}><rect x=\"{cx:.2}\" y=\"{cy:.2}\" width=\"{cw:.2}\" \
             height=\"{ch:.2}\" fill=\"{}\" stroke=\"#ffffff\"/>",
            data_attrs(&point_data(p)),
            viridis(p.p)
        );
        if cw >= 34.0 && ch >= 18.0 {
            let big = cw >= 80.0 && ch >= 44.0;
            let label = if p.p.is_finite() {
                format!("{}%", whole(p.p))
            } else {
                "–".into()
            };
            let _ = write!(
                s,
                "<text x=\"{:.2}\" y=\"{:.2}\" text-anchor=\"middle\" font-size=\"{}\" \
                 fill=\"{ink}\">{}</text>",
                cx + cw / 2.0,
                cy + ch / 2.0 + if big { -2.0 } else { 5.0 },
                if big { 16 } else { 12 },
                escape(&label)
            );
            if big && p.low.is_finite() && p.high.is_finite() {
                let _ = write!(
                    s,
                    "<text x=\"{:.2}\" y=\"{:.2}\" text-anchor=\"middle\" font-size=\"12\" \
                     fill=\"{ink}\">{}–{}%</text>",
                    cx + cw / 2.0,
                    cy + ch / 2.0 + 15.0,
                    end(p.low),
                    end(p.high)
                );
            }
        }
        s.push_str("</g>\n");
    }
    let bottom = frame.top + frame.height;
    for (i, l) in xs.iter().enumerate() {
        let _ = writeln!(
            s,
            "<text x=\"{:.2}\" y=\"{}\" text-anchor=\"middle\" font-size=\"14\">{}</text>",
            frame.left + cw * (i as f64 + 0.5),
            bottom + 20.0,
            escape(&short(l))
        );
    }
    for (j, l) in ys.iter().enumerate() {
        let _ = writeln!(
            s,
            "<text x=\"{}\" y=\"{:.2}\" text-anchor=\"end\" font-size=\"14\">{}</text>",
            frame.left - 8.0,
            frame.top + ch * (ys.len() - 1 - j) as f64 + ch / 2.0 + 5.0,
            escape(&short(l))
        );
    }
    frame.axes(&mut s, None, None, &factors[0], "");
    let _ = writeln!(
        s,
        "<text x=\"24\" y=\"{}\" font-size=\"16\">↑ {}</text>",
        frame.top - 10.0,
        escape(&factors[1])
    );
    s.push_str("</g>\n");
    legend(
        &mut s,
        frame.left + frame.width + 40.0,
        frame.top,
        frame.height,
    );
    s.push_str("</svg>\n");
    Plot {
        name: "sweep".into(),
        caption: format!(
            "Share of runs meeting the target at each combination of {} (across) and {} (up): \
             each cell gives the share and its 95% Wilson interval; colour from 0% (dark \
             purple) to 100% (yellow).",
            factors[0], factors[1]
        ),
        svg: s,
    }
}

/// The colour scale: 0% at the bottom to 100% at the top, in 20 steps.
fn legend(s: &mut String, x: f64, top: f64, height: f64) {
    let _ = write!(
        s,
        "<g class=\"legend\" data-scale=\"viridis\"><text x=\"{x}\" y=\"{}\" font-size=\"13\">P(met)</text>",
        top - 8.0
    );
    let step = height / 20.0;
    for k in 0..20 {
        let _ = write!(
            s,
            "<rect x=\"{x}\" y=\"{:.2}\" width=\"22\" height=\"{:.2}\" fill=\"{}\"/>",
            top + height - step * (k + 1) as f64,
            step + 0.5,
            viridis((k as f64 + 0.5) / 20.0)
        );
    }
    for v in [0, 20, 40, 60, 80, 100] {
        let _ = write!(
            s,
            "<text x=\"{}\" y=\"{:.2}\" font-size=\"13\">{v}%</text>",
            x + 28.0,
            top + height - height * v as f64 / 100.0 + 4.0
        );
    }
    s.push_str("</g>\n");
}

/// An HTML table of every point (or arm) in run order: its factor values, runs, the
/// probability of meeting the target with its interval, and the median final prevalence.
pub fn table(title: &str, factors: &[String], points: &[Point], summary: &SummaryTable) -> String {
    let mut h = format!(
        "<h2>{}</h2>\n<table id=\"points\">\n<tr><th>#</th>",
        escape(title)
    );
    for f in factors {
        let _ = write!(h, "<th>{}</th>", escape(f));
    }
    h.push_str(
        "<th>runs</th><th>P(target met)</th><th>95% interval</th>\
         <th>median final prevalence</th></tr>\n",
    );
    for p in points {
        let final_p50 = summary
            .rows
            .iter()
            .find(|(v, r)| *v == p.values && r.metric == "final_prevalence")
            .map(|(_, r)| num(&r.p50))
            .filter(|v| v.is_finite())
            .map_or("–".to_string(), |v| format!("{:.1}%", v * 100.0));
        let _ = write!(h, "<tr><td>{}</td>", p.index);
        for v in &p.values {
            let _ = write!(h, "<td>{}</td>", escape(&short(v)));
        }
        let (share, ci) = if p.p.is_finite() {
            (
                format!("{}%", whole(p.p)),
                format!("{}–{}%", end(p.low), end(p.high)),
            )
        } else {
            ("–".into(), "–".into())
        };
        let _ = writeln!(
            h,
            "<td>{}</td><td>{share}</td><td>{ci}</td><td>{final_p50}</td></tr>",
            escape(&p.target.n)
        );
    }
    h.push_str("</table>\n");
    h
}

/// Most points drawn in the ranked dot plot.
const RANKED_MAX: usize = 40;

fn ranked(factors: &[String], points: &[Point]) -> Plot {
    let mut order: Vec<&Point> = points.iter().collect();
    let key = |p: &Point| if p.p.is_finite() { p.p } else { -1.0 };
    order.sort_by(|a, b| key(b).total_cmp(&key(a)).then(a.index.cmp(&b.index)));
    let shown = order.len().min(RANKED_MAX);
    let rows: Vec<Row> = order[..shown]
        .iter()
        .map(|p| Row {
            label: format!(
                "{}: {}",
                p.index,
                p.values
                    .iter()
                    .map(|v| short(v))
                    .collect::<Vec<_>>()
                    .join(" · ")
            ),
            estimate: p.p * 100.0,
            interval: Some((p.low * 100.0, p.high * 100.0)),
            data: point_data(p),
        })
        .collect();
    let svg = intervals::chart(
        "Probability of meeting the target, points ranked",
        &format!("point: {}", factors.join(" · ")),
        "Runs meeting the target (%), with 95% Wilson interval",
        &rows,
        None,
        Some(Axis::stepped(0.0, 100.0, 20.0)),
    );
    let what = if shown < points.len() {
        format!("the best {shown} of {} points", points.len())
    } else {
        format!("all {} points", points.len())
    };
    Plot {
        name: "sweep".into(),
        caption: format!(
            "Share of runs meeting the target with its 95% Wilson interval, {what} ranked best \
             first (ties in run order); each label is the point's number and its values of {}. With three or more factors, or points not on a grid, \
             no line or heat map shows them all.",
            factors.join(", ")
        ),
        svg,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn point(index: usize, values: &[&str], p: f64) -> Point {
        Point {
            index,
            values: values.iter().map(|v| v.to_string()).collect(),
            target: SummaryRow {
                mean: p.to_string(),
                ..Default::default()
            },
            p,
            low: 0.0,
            high: 1.0,
        }
    }

    #[test]
    fn the_best_point_is_the_first_of_the_most_likely() {
        let ps = [
            point(0, &["a"], 0.2),
            point(1, &["b"], 0.5),
            point(2, &["c"], 0.5),
            point(3, &["d"], f64::NAN),
        ];
        assert_eq!(best(&ps).unwrap().index, 1);
        assert!(best(&ps[3..]).is_none());
    }

    #[test]
    fn long_numbers_are_shortened_for_people() {
        assert_eq!(short("0.2248279123204733"), "0.2248");
        assert_eq!(short("1234.56789"), "1235");
        assert_eq!(short("0.000123456789"), "0.0001235");
        assert_eq!(short("0.05"), "0.05");
        assert_eq!(short("walk"), "walk");
    }

    #[test]
    fn viridis_runs_dark_to_yellow() {
        assert_eq!(viridis(0.0), "#440154");
        assert_eq!(viridis(1.0), "#fde725");
        assert_eq!(viridis(f64::NAN), "#bbbbbb");
    }

    #[test]
    fn plot_kind_follows_factors_and_grid() {
        let grid: Vec<Point> = (0..4)
            .map(|i| point(i, &[["1", "2"][i / 2], ["x", "y"][i % 2]], 0.1))
            .collect();
        let f2 = ["a".to_string(), "b".to_string()];
        assert!(plots(&f2, &grid)[0].svg.contains("class=\"cell\""));
        let scattered: Vec<Point> = (0..3).map(|i| point(i, &["1", "x"], 0.1)).collect();
        assert!(plots(&f2, &scattered)[0].svg.contains("class=\"row\""));
        assert!(plots(&f2[..1], &grid)[0].svg.contains("class=\"point\""));
    }
}
