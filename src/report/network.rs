//! The report of an `analyse` folder (no manifest; `nodes.csv`, `ties.csv`, `summary.json`):
//! - the degree distribution as a complementary CDF on log–log axes: for each degree k
//!   present (k >= 1), the share of organisations with at least k ties (no binning to
//!   choose; isolates cannot sit on a log axis and are counted in the caption);
//! - a picture of the network when it has at most [`DRAW_MAX`] organisations: a
//!   Fruchterman–Reingold layout written here (start positions hashed from each
//!   organisation's index, a fixed number of iterations, a pull to the centre so separate
//!   groups stay in view), nodes coloured by kind with a legend, area growing with
//!   betweenness;
//! - a headline with the size, density, largest group, isolates and the main broker, as
//!   `summary.json` gives them.

use std::collections::BTreeMap;
use std::fmt::Write;
use std::path::Path;

use super::figure::{values, Axis, Frame};
use super::html::Answer;
use super::plots::Plot;
use super::svg::{escape, open, BLUE, OKABE_ITO};
use crate::analyse::TIES_CSV;
use crate::output::OutputError;
use crate::rng::splitmix64;

/// Most organisations drawn in the network picture.
pub const DRAW_MAX: usize = 2_000;
/// Most ties drawn (beyond this the picture is a blur and the file large).
pub const DRAW_MAX_TIES: usize = 20_000;
/// Layout iterations (fixed, so the picture depends on the files alone).
pub const ITERATIONS: usize = 100;

/// One organisation as `nodes.csv` gives it.
#[derive(Debug, Clone, PartialEq)]
pub struct Node {
    pub id: String,
    pub kind: String,
    pub degree: u64,
    /// As written (for `data-*`) and parsed (0 when empty).
    pub betweenness_text: String,
    pub betweenness: f64,
}

/// Whether `dir` looks like an `analyse` folder.
pub fn is_analysis(dir: &Path) -> bool {
    dir.join("nodes.csv").is_file() && dir.join("summary.json").is_file()
}

/// Reads `nodes.csv` (columns found by name: `id`, `kind`, `degree`, `betweenness`).
pub fn read_nodes(dir: &Path) -> Result<Vec<Node>, OutputError> {
    let path = dir.join("nodes.csv");
    let bad = |m: String| OutputError::invalid(&path, m);
    let (mut reader, header) = super::data::open_table(&path)?;
    let col = |name: &str| {
        header
            .iter()
            .position(|h| h == name)
            .ok_or_else(|| bad(format!("no {name} column; is this a changenet analysis?")))
    };
    let (id, kind, degree, betweenness) = (
        col("id")?,
        col("kind")?,
        col("degree")?,
        col("betweenness")?,
    );
    let mut nodes = Vec::new();
    for (line, record) in reader.records().enumerate() {
        let r = record.map_err(|e| bad(e.to_string()))?;
        let f = |i: usize| r.get(i).unwrap_or("").to_string();
        let b = f(betweenness);
        nodes.push(Node {
            id: f(id),
            kind: f(kind),
            degree: f(degree).parse().map_err(|_| {
                bad(format!(
                    "line {}: degree {:?} is not a whole number",
                    line + 2,
                    f(degree)
                ))
            })?,
            betweenness: b.parse().unwrap_or(0.0),
            betweenness_text: b,
        });
    }
    Ok(nodes)
}

/// Reads `ties.csv` as pairs of node indices; `None` when the folder has no such file
/// (written by versions before it existed). Ties naming unknown organisations are errors.
pub fn read_ties(dir: &Path, nodes: &[Node]) -> Result<Option<Vec<(u32, u32)>>, OutputError> {
    let path = dir.join(TIES_CSV);
    if !path.is_file() {
        return Ok(None);
    }
    let index: BTreeMap<&str, u32> = nodes
        .iter()
        .enumerate()
        .map(|(i, n)| (n.id.as_str(), i as u32))
        .collect();
    let bad = |m: String| OutputError::invalid(&path, m);
    let mut reader = csv::Reader::from_path(&path).map_err(|e| bad(e.to_string()))?;
    let mut ties = Vec::new();
    for (line, record) in reader.records().enumerate() {
        let r = record.map_err(|e| bad(e.to_string()))?;
        let find = |i: usize| {
            let id = r.get(i).unwrap_or("");
            index.get(id).copied().ok_or_else(|| {
                bad(format!(
                    "line {}: organisation {id:?} is not in nodes.csv",
                    line + 2
                ))
            })
        };
        ties.push((find(0)?, find(1)?));
    }
    Ok(Some(ties))
}

/// The whole-network figures of `summary.json` that the page quotes.
pub fn read_summary(dir: &Path) -> Result<serde_json::Value, OutputError> {
    let path = dir.join("summary.json");
    let text = std::fs::read_to_string(&path).map_err(|e| OutputError::io(&path, e))?;
    serde_json::from_str(&text).map_err(|e| OutputError::invalid(&path, e.to_string()))
}

fn json_text(v: &serde_json::Value) -> String {
    match v {
        serde_json::Value::String(s) => s.clone(),
        serde_json::Value::Null => String::new(),
        v => v.to_string(),
    }
}

/// The headline: size, density, largest group, isolates and the main broker.
pub fn answer(summary: &serde_json::Value) -> Answer {
    let get = |k: &str| json_text(&summary[k]);
    let f = |k: &str| summary[k].as_f64().unwrap_or(f64::NAN);
    let n = f("organisations");
    let broker = json_text(&summary["top_brokers"][0]["id"]);
    let mut text =
        format!(
        "This network has {} organisations and {} ties (density {:.1}%): the largest connected \
         group holds {} of them ({:.0}%), and {} {} no ties at all.",
        get("organisations"),
        get("ties"),
        f("density") * 100.0,
        get("largest_component"),
        if n > 0.0 {
            f("largest_component") / n * 100.0
        } else {
            0.0
        },
        get("isolates"),
        if summary["isolates"] == 1 { "has" } else { "have" }
    );
    if !broker.is_empty() {
        let _ = write!(
            text,
            " {broker} lies on the most shortest routes between others (the main broker)."
        );
    }
    Answer {
        text,
        data: [
            "organisations",
            "ties",
            "density",
            "largest_component",
            "isolates",
        ]
        .into_iter()
        .map(|k| (k.replace('_', "-"), get(k)))
        .chain([("top-broker".to_string(), broker)])
        .collect(),
    }
}

/// `(k, share of organisations with at least k ties)` for each degree k >= 1 present.
pub fn ccdf(nodes: &[Node]) -> Vec<(u64, f64)> {
    let mut degrees: Vec<u64> = nodes.iter().map(|n| n.degree).collect();
    degrees.sort_unstable();
    let n = degrees.len() as f64;
    let mut out = Vec::new();
    for (i, &d) in degrees.iter().enumerate() {
        if d >= 1 && (i == 0 || degrees[i - 1] != d) {
            out.push((d, (degrees.len() - i) as f64 / n));
        }
    }
    out
}

const WIDTH: f64 = 880.0;

fn degree_plot(nodes: &[Node]) -> Plot {
    let points = ccdf(nodes);
    let isolates = nodes.iter().filter(|n| n.degree == 0).count();
    let ks: Vec<f64> = points.iter().map(|p| p.0 as f64).collect();
    let shares: Vec<f64> = points.iter().map(|p| p.1).collect();
    let x = Axis::log10(&ks);
    let y = Axis::log10(&shares);
    let height = 480.0;
    let frame = Frame {
        left: 90.0,
        top: 50.0,
        width: WIDTH - 120.0,
        height: height - 130.0,
    };
    let mut s = open(
        "Degree distribution (complementary CDF, log–log)",
        WIDTH,
        height,
        frame.left,
    );
    frame.open_plot(&mut s, &x, &y);
    frame.axes(
        &mut s,
        Some(&x),
        Some(&y),
        "Ties k (organisations worked with)",
        "Share with at least k ties",
    );
    let line: Vec<String> = points
        .iter()
        .map(|&(k, p)| format!("{:.2},{:.2}", frame.x(&x, k as f64), frame.y(&y, p)))
        .collect();
    let _ = writeln!(
        s,
        "<polyline class=\"series\" data-series=\"P(degree >= k)\" data-k=\"{}\" \
         data-values=\"{}\" points=\"{}\" fill=\"none\" stroke=\"{BLUE}\" stroke-width=\"1.5\"/>",
        values(&ks),
        values(&shares),
        line.join(" ")
    );
    for pt in &line {
        let (cx, cy) = pt.split_once(',').unwrap_or(("0", "0"));
        let _ = write!(
            s,
            "<circle cx=\"{cx}\" cy=\"{cy}\" r=\"4\" fill=\"{BLUE}\"/>"
        );
    }
    s.push_str("\n</g>\n</svg>\n");
    Plot {
        name: "degree".into(),
        caption: format!(
            "Complementary cumulative distribution of degree on log–log axes: for each number \
             of ties k, the share of organisations with at least k (nodes.csv). A straight \
             falling line suggests a heavy tail (a few hubs); a curve that drops steeply, \
             similar degrees. {isolates} isolated organisation(s) with no ties cannot be shown \
             on a log axis."
        ),
        svg: s,
    }
}

/// Node positions in the unit square: Fruchterman–Reingold with start positions hashed from
/// each index, [`ITERATIONS`] rounds with a linearly cooling step, and a pull towards the
/// centre so unconnected groups stay near; then scaled to fill the square.
pub fn layout(n: usize, ties: &[(u32, u32)]) -> Vec<(f64, f64)> {
    let unit = |h: u64| (h >> 11) as f64 / (1u64 << 53) as f64;
    let mut pos: Vec<(f64, f64)> = (0..n as u64)
        .map(|i| (unit(splitmix64(2 * i)), unit(splitmix64(2 * i + 1))))
        .collect();
    if n < 2 {
        return pos.iter().map(|_| (0.5, 0.5)).collect();
    }
    let k = (1.0 / n as f64).sqrt();
    let k2 = k * k;
    let gravity = 2.0;
    let mut disp = vec![(0.0f64, 0.0f64); n];
    for it in 0..ITERATIONS {
        let temperature = 0.1 * (1.0 - it as f64 / ITERATIONS as f64);
        disp.iter_mut().for_each(|d| *d = (0.0, 0.0));
        for i in 0..n {
            let (xi, yi) = pos[i];
            let (mut dx_i, mut dy_i) = (0.0, 0.0);
            for j in i + 1..n {
                let (dx, dy) = (xi - pos[j].0, yi - pos[j].1);
                let d2 = (dx * dx + dy * dy).max(1e-12);
                // Repulsion k²/d along the unit vector: (dx, dy) · k²/d².
                let f = k2 / d2;
                dx_i += dx * f;
                dy_i += dy * f;
                disp[j].0 -= dx * f;
                disp[j].1 -= dy * f;
            }
            disp[i].0 += dx_i;
            disp[i].1 += dy_i;
        }
        for &(a, b) in ties {
            let (a, b) = (a as usize, b as usize);
            if a >= n || b >= n || a == b {
                continue;
            }
            let (dx, dy) = (pos[a].0 - pos[b].0, pos[a].1 - pos[b].1);
            // Attraction d²/k along the unit vector: (dx, dy) · d/k.
            let f = (dx * dx + dy * dy).sqrt() / k;
            disp[a].0 -= dx * f;
            disp[a].1 -= dy * f;
            disp[b].0 += dx * f;
            disp[b].1 += dy * f;
        }
        for (p, d) in pos.iter_mut().zip(&disp) {
            let (gx, gy) = (d.0 - gravity * (p.0 - 0.5), d.1 - gravity * (p.1 - 0.5));
            let len = (gx * gx + gy * gy).sqrt();
            if len > 0.0 {
                let step = len.min(temperature) / len;
                p.0 += gx * step;
                p.1 += gy * step;
            }
        }
    }
    let (mut x0, mut x1, mut y0, mut y1) = (f64::MAX, f64::MIN, f64::MAX, f64::MIN);
    for &(x, y) in &pos {
        (x0, x1, y0, y1) = (x0.min(x), x1.max(x), y0.min(y), y1.max(y));
    }
    let span = (x1 - x0).max(y1 - y0).max(1e-12);
    pos.iter()
        .map(|&(x, y)| {
            (
                (x - x0) / span + (1.0 - (x1 - x0) / span) / 2.0,
                (y - y0) / span + (1.0 - (y1 - y0) / span) / 2.0,
            )
        })
        .collect()
}

/// Grey for kinds beyond the palette.
const OTHER: &str = "#999999";

/// A legend entry: label, colour, organisations.
type LegendEntry = (String, String, usize);

/// Colours of kinds: Okabe–Ito without black (kept for ties) for the seven most numerous
/// kinds (ties by name); the rest share grey. Returns kind -> colour, and the legend
/// entries (label, colour, organisations) in name order with the grey ones merged last.
fn kind_colours(nodes: &[Node]) -> (BTreeMap<String, String>, Vec<LegendEntry>) {
    let mut counts: BTreeMap<String, usize> = BTreeMap::new();
    for n in nodes {
        *counts.entry(n.kind.clone()).or_default() += 1;
    }
    let palette = [
        OKABE_ITO[1],
        OKABE_ITO[2],
        OKABE_ITO[3],
        OKABE_ITO[5],
        OKABE_ITO[6],
        OKABE_ITO[7],
        OKABE_ITO[4],
    ];
    let mut by_size: Vec<(&String, &usize)> = counts.iter().collect();
    by_size.sort_by(|a, b| b.1.cmp(a.1).then(a.0.cmp(b.0)));
    let chosen: std::collections::BTreeSet<&String> = by_size
        .iter()
        .take(palette.len())
        .map(|(k, _)| *k)
        .collect();
    let mut colours = BTreeMap::new();
    let mut legend = Vec::new();
    let (mut others, mut other_count) = (Vec::new(), 0);
    for (kind, &count) in &counts {
        let label = if kind.is_empty() {
            "kind not given"
        } else {
            kind
        };
        match chosen.iter().position(|k| *k == kind) {
            Some(i) => {
                colours.insert(kind.clone(), palette[i].to_string());
                legend.push((label.to_string(), palette[i].to_string(), count));
            }
            None => {
                colours.insert(kind.clone(), OTHER.to_string());
                others.push(label.to_string());
                other_count += count;
            }
        }
    }
    if !others.is_empty() {
        legend.push((
            format!("other: {}", others.join(", ")),
            OTHER.to_string(),
            other_count,
        ));
    }
    (colours, legend)
}

fn network_plot(nodes: &[Node], ties: &[(u32, u32)]) -> Plot {
    let n = nodes.len();
    let pos = layout(n, ties);
    let (colours, legend) = kind_colours(nodes);
    let legend_rows = legend.len().div_ceil(3) as f64;
    let top = 44.0 + 22.0 * legend_rows + 10.0;
    let side = 640.0;
    let height = top + side + 20.0;
    let left = (WIDTH - side) / 2.0;
    let bmax = nodes.iter().map(|n| n.betweenness).fold(0.0, f64::max);
    let (rmin, rmax) = if n <= 300 { (3.0, 13.0) } else { (1.5, 8.0) };
    let radius = |b: f64| {
        if bmax > 0.0 && b > 0.0 {
            rmin + (rmax - rmin) * (b / bmax).sqrt()
        } else {
            rmin
        }
    };
    let at = |i: usize| {
        let (x, y) = pos[i];
        (
            left + 14.0 + x * (side - 28.0),
            top + 14.0 + y * (side - 28.0),
        )
    };
    let mut s = open("The collaboration network", WIDTH, height, 24.0);
    s.push_str("<g class=\"legend\">");
    for (i, (label, colour, count)) in legend.iter().enumerate() {
        let (lx, ly) = (24.0 + 280.0 * (i % 3) as f64, 52.0 + 22.0 * (i / 3) as f64);
        let _ = write!(
            s,
            "<circle cx=\"{}\" cy=\"{ly}\" r=\"6\" fill=\"{colour}\"/>\
             <text x=\"{}\" y=\"{}\" font-size=\"14\">{} ({count})</text>",
            lx + 6.0,
            lx + 18.0,
            ly + 5.0,
            escape(label)
        );
    }
    s.push_str("</g>\n");
    let _ = writeln!(
        s,
        "<g class=\"plot\" data-organisations=\"{n}\" data-ties=\"{}\" data-left=\"{left}\" \
         data-top=\"{top}\" data-side=\"{side}\">",
        ties.len()
    );
    let mut path = String::new();
    for &(a, b) in ties {
        let (a, b) = (a as usize, b as usize);
        if a < n && b < n {
            let ((x1, y1), (x2, y2)) = (at(a), at(b));
            let _ = write!(path, "M{x1:.1} {y1:.1}L{x2:.1} {y2:.1}");
        }
    }
    let _ = writeln!(
        s,
        "<path class=\"ties\" data-ties=\"{}\" d=\"{path}\" stroke=\"#000000\" \
         stroke-opacity=\"{}\" stroke-width=\"0.8\" fill=\"none\"/>",
        ties.len(),
        if ties.len() > 2000 { 0.15 } else { 0.35 }
    );
    // Largest last, so brokers sit on top.
    let mut order: Vec<usize> = (0..n).collect();
    order.sort_by(|&a, &b| {
        nodes[a]
            .betweenness
            .total_cmp(&nodes[b].betweenness)
            .then(a.cmp(&b))
    });
    for i in order {
        let node = &nodes[i];
        let (x, y) = at(i);
        let colour = colours.get(&node.kind).map_or(OTHER, String::as_str);
        let _ = writeln!(
            s,
            "<circle class=\"node\" data-id=\"{}\" data-kind=\"{}\" data-degree=\"{}\" \
             data-betweenness=\"{}\" cx=\"{x:.1}\" cy=\"{y:.1}\" r=\"{:.2}\" fill=\"{colour}\" \
             stroke=\"#ffffff\" stroke-width=\"0.8\"><title>{} ({}): {} ties, betweenness {}</title></circle>",
            escape(&node.id),
            escape(&node.kind),
            node.degree,
            escape(&node.betweenness_text),
            radius(node.betweenness),
            escape(&node.id),
            escape(if node.kind.is_empty() { "kind not given" } else { &node.kind }),
            node.degree,
            escape(&node.betweenness_text)
        );
    }
    s.push_str("</g>\n</svg>\n");
    Plot {
        name: "network".into(),
        caption: format!(
            "Every organisation (circle) and tie (line). Colour: kind; size: betweenness (the \
             larger, the more shortest routes between others pass through it; radius grows with \
             its square root, largest {bmax:.1}). Layout: Fruchterman–Reingold, {ITERATIONS} \
             fixed iterations from positions hashed from each organisation's row, so the same \
             files give the same picture; distances on the page are only a guide."
        ),
        svg: s,
    }
}

/// The analysis plots, and notes on what could not be drawn.
pub fn plots(nodes: &[Node], ties: Option<&[(u32, u32)]>) -> (Vec<Plot>, Vec<String>) {
    let mut plots = vec![degree_plot(nodes)];
    let mut notes = Vec::new();
    match ties {
        None => notes.push(format!(
            "no {TIES_CSV} in the folder (written by changenet analyse from this version on), \
             so the network is not drawn; re-run analyse to get it"
        )),
        Some(_) if nodes.len() > DRAW_MAX => notes.push(format!(
            "the network has {} organisations, more than the {DRAW_MAX} drawn, so it is not pictured",
            nodes.len()
        )),
        Some(t) if t.len() > DRAW_MAX_TIES => notes.push(format!(
            "the network has {} ties, more than the {DRAW_MAX_TIES} drawn, so it is not pictured",
            t.len()
        )),
        Some(t) => plots.push(network_plot(nodes, t)),
    }
    (plots, notes)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn node(degree: u64) -> Node {
        Node {
            id: String::new(),
            kind: ((b'a' + (degree % 9) as u8) as char).to_string(),
            degree,
            betweenness_text: String::new(),
            betweenness: 0.0,
        }
    }

    #[test]
    fn ccdf_counts_organisations_with_at_least_k_ties() {
        let nodes: Vec<Node> = [0, 1, 1, 2, 4].into_iter().map(node).collect();
        assert_eq!(ccdf(&nodes), vec![(1, 0.8), (2, 0.4), (4, 0.2)]);
    }

    #[test]
    fn kinds_beyond_seven_share_grey_in_one_legend_entry() {
        // Kinds a and b have three organisations each, c to i two: the two left grey are
        // the last by name among the smallest, h and i.
        let nodes: Vec<Node> = (0..20).map(node).collect();
        let (colours, legend) = kind_colours(&nodes);
        assert_eq!(colours.len(), 9);
        assert_eq!(
            (colours["h"].as_str(), colours["i"].as_str()),
            (OTHER, OTHER)
        );
        assert_eq!(colours["a"], OKABE_ITO[1]);
        assert_eq!(legend.len(), 8);
        assert_eq!(legend[7], ("other: h, i".to_string(), OTHER.to_string(), 4));
    }

    #[test]
    fn layout_is_deterministic_inside_the_square_and_keeps_ties_short() {
        // Two triangles joined by one tie.
        let ties = [(0, 1), (1, 2), (0, 2), (3, 4), (4, 5), (3, 5), (2, 3)];
        let a = layout(6, &ties);
        assert_eq!(a, layout(6, &ties));
        assert!(a
            .iter()
            .all(|&(x, y)| (0.0..=1.0).contains(&x) && (0.0..=1.0).contains(&y)));
        let d = |i: usize, j: usize| ((a[i].0 - a[j].0).powi(2) + (a[i].1 - a[j].1).powi(2)).sqrt();
        // Within a triangle closer than across the two far corners.
        assert!(d(0, 1) < d(0, 4) && d(4, 5) < d(1, 5), "{a:?}");
        assert_eq!(layout(1, &[]), vec![(0.5, 0.5)]);
    }
}
