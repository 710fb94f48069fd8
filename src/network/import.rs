//! Reading real networks: edge-list CSVs, node tables, event attendance and the plain
//! `u v` edge format of the benchmarks.
//!
//! Policy (the same for every format, so a researcher can predict what happens):
//! - Malformed input is an error naming the file and line: a missing required column, a
//!   row with the wrong number of fields, an unknown organisation id (when a node table
//!   fixes the ids), a bad number, a repeated id in a node table.
//! - Structural oddities are merged and reported as warnings returned to the caller, never
//!   dropped silently: a self-loop row is left out (warning with its lines); a pair listed
//!   more than once becomes one tie with the largest weight (warning with its lines). With
//!   `directed` input, the two directions of a pair are one collaboration, so they also
//!   become one tie with the larger weight (counted in a note, as that is expected).
//! - Ties come out in the order their pair first appears, with the first row's
//!   person-dependence; ids without a node table are numbered in order of first appearance.

use std::collections::{BTreeMap, HashMap};
use std::path::Path;

use crate::network::TieSpec;

/// Why a file could not be imported. Lines are 1-based and count the header.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ImportError {
    #[error("{path}: cannot read: {message}")]
    Io { path: String, message: String },
    #[error("{path}: missing column {column:?}; the header has {found:?} and needs {needed}")]
    MissingColumn {
        path: String,
        column: String,
        found: Vec<String>,
        needed: String,
    },
    #[error("{path}:{line}: unknown organisation id {id:?} ({why})")]
    UnknownId {
        path: String,
        line: u64,
        id: String,
        why: String,
    },
    #[error("{path}:{line}: column {column:?}: {value:?} is not {expected}")]
    BadNumber {
        path: String,
        line: u64,
        column: String,
        value: String,
        expected: String,
    },
    #[error("{path}:{line}: organisation id {id:?} is listed again (first on line {first})")]
    DuplicateId {
        path: String,
        line: u64,
        id: String,
        first: u64,
    },
    #[error("{path}:{line}: {message}")]
    Malformed {
        path: String,
        line: u64,
        message: String,
    },
    #[error("{path}: {message}")]
    File { path: String, message: String },
}

fn io_error(path: &Path, e: impl std::fmt::Display) -> ImportError {
    ImportError::Io {
        path: path.display().to_string(),
        message: e.to_string(),
    }
}

/// A node table: one row per organisation. `id` is required; `kind`, `place`, `staff`
/// and `catchment` are read when present (absent columns are `None`, for the caller to
/// fill or reject); any further columns are kept as text in header order.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct NodeTable {
    pub ids: Vec<String>,
    pub kind: Option<Vec<String>>,
    pub place: Option<Vec<String>>,
    pub staff: Option<Vec<f64>>,
    pub catchment: Option<Vec<f64>>,
    /// Further columns: (header, values in row order).
    pub extra: Vec<(String, Vec<String>)>,
}

/// Organisation ids and their indices. Closed ids (from a node table) reject unknown ids;
/// open ids number new ones in order of first appearance.
#[derive(Debug, Clone, Default)]
pub struct Ids {
    pub names: Vec<String>,
    index: HashMap<String, u32>,
    open: bool,
    /// Where the closed ids came from, for error messages.
    source: String,
}

impl Ids {
    /// Ids that grow as files name new organisations.
    pub fn open() -> Ids {
        Ids {
            open: true,
            ..Ids::default()
        }
    }

    /// Ids fixed by a node table.
    pub fn from_table(table: &NodeTable, source: &str) -> Ids {
        Ids {
            index: table
                .ids
                .iter()
                .enumerate()
                .map(|(i, s)| (s.clone(), i as u32))
                .collect(),
            names: table.ids.clone(),
            open: false,
            source: source.to_string(),
        }
    }

    pub fn len(&self) -> usize {
        self.names.len()
    }

    pub fn is_empty(&self) -> bool {
        self.names.is_empty()
    }

    /// The index of `id`, if known.
    pub fn get(&self, id: &str) -> Option<u32> {
        self.index.get(id).copied()
    }

    /// The index of `id`, numbering it if new (whatever the ids' openness).
    pub fn get_or_add(&mut self, id: &str) -> u32 {
        if let Some(i) = self.get(id) {
            return i;
        }
        let i = self.names.len() as u32;
        self.names.push(id.to_string());
        self.index.insert(id.to_string(), i);
        i
    }

    fn resolve(&mut self, id: &str, path: &str, line: u64) -> Result<u32, ImportError> {
        if let Some(&i) = self.index.get(id) {
            return Ok(i);
        }
        if !self.open {
            return Err(ImportError::UnknownId {
                path: path.to_string(),
                line,
                id: id.to_string(),
                why: format!("not in the node table {}", self.source),
            });
        }
        if id.is_empty() {
            return Err(ImportError::Malformed {
                path: path.to_string(),
                line,
                message: "empty organisation id".into(),
            });
        }
        Ok(self.get_or_add(id))
    }
}

/// Ties read from a file, with what was merged or left out.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ImportedTies {
    pub ties: Vec<TieSpec>,
    pub warnings: Vec<String>,
}

/// A CSV opened with a header whose names are matched case-insensitively.
struct Table {
    path: String,
    reader: csv::Reader<std::fs::File>,
    header: Vec<String>,
}

impl Table {
    fn open(path: &Path) -> Result<Table, ImportError> {
        let file = std::fs::File::open(path).map_err(|e| io_error(path, e))?;
        let mut reader = csv::ReaderBuilder::new()
            .has_headers(true)
            .flexible(false)
            .trim(csv::Trim::All)
            .from_reader(file);
        let p = path.display().to_string();
        let header = reader
            .headers()
            .map_err(|e| csv_error(&p, e))?
            .iter()
            .map(|h| h.trim_start_matches('\u{feff}').to_ascii_lowercase())
            .collect();
        Ok(Table {
            path: p,
            reader,
            header,
        })
    }

    fn column(&self, names: &[&str]) -> Option<usize> {
        self.header.iter().position(|h| names.contains(&h.as_str()))
    }

    fn require(&self, names: &[&str], needed: &str) -> Result<usize, ImportError> {
        self.column(names)
            .ok_or_else(|| ImportError::MissingColumn {
                path: self.path.clone(),
                column: names[0].to_string(),
                found: self.header.clone(),
                needed: needed.to_string(),
            })
    }

    /// Warning naming the columns this reader does not use.
    fn ignored(&self, used: &[Option<usize>]) -> Option<String> {
        let ignored: Vec<&str> = (0..self.header.len())
            .filter(|i| !used.contains(&Some(*i)))
            .map(|i| self.header[i].as_str())
            .collect();
        (!ignored.is_empty())
            .then(|| format!("{}: columns ignored: {}", self.path, ignored.join(", ")))
    }

    /// Calls `f(line, record)` on each row.
    fn rows(
        &mut self,
        mut f: impl FnMut(u64, &csv::StringRecord) -> Result<(), ImportError>,
    ) -> Result<(), ImportError> {
        let mut record = csv::StringRecord::new();
        loop {
            match self.reader.read_record(&mut record) {
                Ok(false) => return Ok(()),
                Ok(true) => {
                    let line = record.position().map_or(0, |p| p.line());
                    f(line, &record)?;
                }
                Err(e) => return Err(csv_error(&self.path, e)),
            }
        }
    }
}

fn csv_error(path: &str, e: csv::Error) -> ImportError {
    let line = e.position().map_or(0, |p| p.line());
    let message = match e.kind() {
        csv::ErrorKind::UnequalLengths {
            expected_len, len, ..
        } => format!("the row has {len} fields but the header has {expected_len}"),
        csv::ErrorKind::Utf8 { .. } => "the row is not valid UTF-8".to_string(),
        _ => e.to_string(),
    };
    ImportError::Malformed {
        path: path.to_string(),
        line,
        message,
    }
}

fn parse_number(
    path: &str,
    line: u64,
    column: &str,
    value: &str,
    positive: bool,
) -> Result<f64, ImportError> {
    let bad = |expected: &str| ImportError::BadNumber {
        path: path.to_string(),
        line,
        column: column.to_string(),
        value: value.to_string(),
        expected: expected.to_string(),
    };
    let expected = if positive {
        "a positive number"
    } else {
        "a number at least 0"
    };
    let x: f64 = value.parse().map_err(|_| bad(expected))?;
    if !x.is_finite() || x < 0.0 || (positive && x == 0.0) {
        return Err(bad(expected));
    }
    Ok(x)
}

/// Reads a node table CSV (`id[,kind][,place][,staff][,catchment][,...]` with a header).
pub fn read_nodes(path: &Path) -> Result<NodeTable, ImportError> {
    let mut table = Table::open(path)?;
    let id = table.require(&["id"], "id (and optionally kind, place, staff, catchment)")?;
    let kind = table.column(&["kind"]);
    let place = table.column(&["place"]);
    let staff = table.column(&["staff"]);
    let catchment = table.column(&["catchment"]);
    let known = [Some(id), kind, place, staff, catchment];
    let extra_cols: Vec<usize> = (0..table.header.len())
        .filter(|i| !known.contains(&Some(*i)))
        .collect();
    let mut out = NodeTable {
        kind: kind.map(|_| Vec::new()),
        place: place.map(|_| Vec::new()),
        staff: staff.map(|_| Vec::new()),
        catchment: catchment.map(|_| Vec::new()),
        extra: extra_cols
            .iter()
            .map(|&c| (table.header[c].clone(), Vec::new()))
            .collect(),
        ..NodeTable::default()
    };
    let mut first_line: HashMap<String, u64> = HashMap::new();
    let path_s = table.path.clone();
    let header = table.header.clone();
    table.rows(|line, r| {
        let field = |c: usize| r.get(c).unwrap_or("");
        let nonempty = |c: usize| -> Result<String, ImportError> {
            let v = field(c);
            if v.is_empty() {
                return Err(ImportError::Malformed {
                    path: path_s.clone(),
                    line,
                    message: format!("column {:?} is empty", header[c]),
                });
            }
            Ok(v.to_string())
        };
        let the_id = nonempty(id)?;
        if let Some(&first) = first_line.get(&the_id) {
            return Err(ImportError::DuplicateId {
                path: path_s.clone(),
                line,
                id: the_id,
                first,
            });
        }
        first_line.insert(the_id.clone(), line);
        out.ids.push(the_id);
        for (col, dest) in [(kind, &mut out.kind), (place, &mut out.place)] {
            if let (Some(c), Some(d)) = (col, dest.as_mut()) {
                d.push(nonempty(c)?);
            }
        }
        for (col, dest) in [(staff, &mut out.staff), (catchment, &mut out.catchment)] {
            if let (Some(c), Some(d)) = (col, dest.as_mut()) {
                d.push(parse_number(&path_s, line, &header[c], field(c), false)?);
            }
        }
        for (k, &c) in extra_cols.iter().enumerate() {
            out.extra[k].1.push(field(c).to_string());
        }
        Ok(())
    })?;
    Ok(out)
}

/// One row of a tie file before merging.
struct Row {
    key: u64,
    /// Whether the row ran from the higher to the lower index (directed input only).
    reversed: bool,
    weight: f32,
    person_dependent: bool,
    line: u64,
}

/// Reads an edge-list CSV (`source,target[,weight][,type]` with a header; Gephi's
/// capitalised names work too). `type`, when present, is `directed` or `undirected` per
/// row (empty: the file default `directed`). Weights default to 1 and must be positive.
/// Ids resolve through `ids` (closed: unknown ids are errors; open: new ids are added).
pub fn read_edge_list(
    path: &Path,
    directed: bool,
    ids: &mut Ids,
) -> Result<ImportedTies, ImportError> {
    let mut table = Table::open(path)?;
    let needed = "source,target[,weight][,type]";
    let source = table.require(&["source", "from"], needed)?;
    let target = table.require(&["target", "to"], needed)?;
    let weight = table.column(&["weight"]);
    let kind = table.column(&["type"]);
    let mut warnings: Vec<String> = table
        .ignored(&[Some(source), Some(target), weight, kind])
        .into_iter()
        .collect();
    let path_s = table.path.clone();
    let mut rows: Vec<Row> = Vec::new();
    let mut self_loops: Vec<u64> = Vec::new();
    table.rows(|line, r| {
        let a = ids.resolve(r.get(source).unwrap_or(""), &path_s, line)?;
        let b = ids.resolve(r.get(target).unwrap_or(""), &path_s, line)?;
        let w = match weight.map(|c| r.get(c).unwrap_or("")) {
            None | Some("") => 1.0,
            Some(v) => parse_number(&path_s, line, "weight", v, true)?,
        };
        let row_directed = match kind.map(|c| r.get(c).unwrap_or("").to_ascii_lowercase()) {
            None => directed,
            Some(t) if t.is_empty() => directed,
            Some(t) if t == "directed" => true,
            Some(t) if t == "undirected" => false,
            Some(t) => {
                return Err(ImportError::Malformed {
                    path: path_s.clone(),
                    line,
                    message: format!("type {t:?} must be \"directed\" or \"undirected\""),
                })
            }
        };
        if a == b {
            self_loops.push(line);
            return Ok(());
        }
        rows.push(Row {
            key: pair_key(a, b),
            reversed: row_directed && a > b,
            weight: w as f32,
            person_dependent: false,
            line,
        });
        Ok(())
    })?;
    if !self_loops.is_empty() {
        warnings.push(format!(
            "{path_s}: {} self-loop row(s) left out (an organisation tied to itself), lines {}",
            self_loops.len(),
            line_list(&self_loops)
        ));
    }
    let ties = merge_rows(rows, &path_s, &mut warnings);
    Ok(ImportedTies { ties, warnings })
}

fn pair_key(a: u32, b: u32) -> u64 {
    let (a, b) = if a < b { (a, b) } else { (b, a) };
    (a as u64) << 32 | b as u64
}

/// Up to eight line numbers, then a count of the rest.
fn line_list(lines: &[u64]) -> String {
    let shown: Vec<String> = lines.iter().take(8).map(|l| l.to_string()).collect();
    if lines.len() > 8 {
        format!("{} and {} more", shown.join(", "), lines.len() - 8)
    } else {
        shown.join(", ")
    }
}

/// Merges rows of the same pair into one tie with the largest weight, in order of first
/// appearance, and reports merges.
fn merge_rows(mut rows: Vec<Row>, path: &str, warnings: &mut Vec<String>) -> Vec<TieSpec> {
    // Stable sort by pair keeps file order within a pair.
    let order: Vec<usize> = {
        let mut o: Vec<usize> = (0..rows.len()).collect();
        o.sort_by_key(|&i| rows[i].key);
        o
    };
    let mut keep = vec![false; rows.len()];
    let mut repeated_lines: Vec<u64> = Vec::new();
    let mut reciprocated = 0u64;
    let mut s = 0;
    while s < order.len() {
        let mut e = s + 1;
        while e < order.len() && rows[order[e]].key == rows[order[s]].key {
            e += 1;
        }
        let first = order[s];
        keep[first] = true;
        if e - s > 1 {
            let group = &order[s..e];
            let forward = group.iter().filter(|&&i| !rows[i].reversed).count();
            let backward = group.len() - forward;
            let max = group
                .iter()
                .map(|&i| rows[i].weight)
                .fold(f32::MIN, f32::max);
            rows[first].weight = max;
            if forward <= 1 && backward <= 1 {
                reciprocated += 1;
            } else {
                repeated_lines.extend(group.iter().skip(1).map(|&i| rows[i].line));
            }
        }
        s = e;
    }
    if reciprocated > 0 {
        warnings.push(format!(
            "{path}: {reciprocated} pair(s) listed in both directions became one tie each, with the larger weight"
        ));
    }
    if !repeated_lines.is_empty() {
        repeated_lines.sort_unstable();
        warnings.push(format!(
            "{path}: {} row(s) repeat a pair already listed and were merged into its tie (largest weight kept), lines {}",
            repeated_lines.len(),
            line_list(&repeated_lines)
        ));
    }
    rows.iter()
        .zip(keep)
        .filter(|(_, k)| *k)
        .map(|(r, _)| TieSpec {
            a: (r.key >> 32) as u32,
            b: r.key as u32,
            weight: r.weight,
            person_dependent: r.person_dependent,
        })
        .collect()
}

/// Reads event attendance (`organisation,event` rows with a header; `organization` works
/// too) and projects it to ties between organisations at the same event, weighted by the
/// number of events they shared. An organisation listed twice for one event counts once
/// (warning). Ties come out in (a, b) index order. Work and memory grow with the sum over
/// events of attendees^2.
pub fn read_attendance(path: &Path, ids: &mut Ids) -> Result<ImportedTies, ImportError> {
    let mut table = Table::open(path)?;
    let needed = "organisation,event";
    let org = table.require(&["organisation", "organization", "org"], needed)?;
    let event = table.require(&["event"], needed)?;
    let mut warnings: Vec<String> = table
        .ignored(&[Some(org), Some(event)])
        .into_iter()
        .collect();
    let path_s = table.path.clone();
    let mut events: BTreeMap<String, Vec<(u32, u64)>> = BTreeMap::new();
    table.rows(|line, r| {
        let o = ids.resolve(r.get(org).unwrap_or(""), &path_s, line)?;
        let e = r.get(event).unwrap_or("");
        if e.is_empty() {
            return Err(ImportError::Malformed {
                path: path_s.clone(),
                line,
                message: "column \"event\" is empty".into(),
            });
        }
        events.entry(e.to_string()).or_default().push((o, line));
        Ok(())
    })?;
    let mut repeat_lines = Vec::new();
    let mut lonely = 0usize;
    let mut keys: Vec<u64> = Vec::new();
    for attendees in events.values_mut() {
        attendees.sort_unstable();
        let mut orgs: Vec<u32> = Vec::with_capacity(attendees.len());
        for &(o, line) in attendees.iter() {
            if orgs.last() == Some(&o) {
                repeat_lines.push(line);
            } else {
                orgs.push(o);
            }
        }
        if orgs.len() < 2 {
            lonely += 1;
        }
        for (i, &a) in orgs.iter().enumerate() {
            for &b in &orgs[i + 1..] {
                keys.push(pair_key(a, b));
            }
        }
    }
    if !repeat_lines.is_empty() {
        repeat_lines.sort_unstable();
        warnings.push(format!(
            "{path_s}: {} row(s) repeat an organisation already listed for the same event and were counted once, lines {}",
            repeat_lines.len(),
            line_list(&repeat_lines)
        ));
    }
    if lonely > 0 {
        warnings.push(format!(
            "{path_s}: {lonely} event(s) had a single organisation attending and make no ties"
        ));
    }
    keys.sort_unstable();
    let mut ties: Vec<TieSpec> = Vec::new();
    for k in keys {
        match ties.last_mut() {
            Some(t) if pair_key(t.a, t.b) == k => t.weight += 1.0,
            _ => ties.push(TieSpec {
                a: (k >> 32) as u32,
                b: k as u32,
                weight: 1.0,
                person_dependent: false,
            }),
        }
    }
    Ok(ImportedTies { ties, warnings })
}

/// Adds `more` to `ties`: a pair present in both keeps one tie whose weight is the sum
/// (e.g. a reported collaboration plus the events the two shared), with a warning.
pub fn merge_ties(ties: &mut Vec<TieSpec>, more: Vec<TieSpec>, what: &str) -> Option<String> {
    let index: HashMap<u64, usize> = ties
        .iter()
        .enumerate()
        .map(|(i, t)| (pair_key(t.a, t.b), i))
        .collect();
    let mut both = 0usize;
    for t in more {
        match index.get(&pair_key(t.a, t.b)) {
            Some(&i) => {
                ties[i].weight += t.weight;
                both += 1;
            }
            None => ties.push(t),
        }
    }
    (both > 0).then(|| {
        format!("{both} pair(s) tied in both the edge list and {what}: their weights were added")
    })
}

/// Ties read from a plain edge file, with the organisation count.
#[derive(Debug, Clone, PartialEq)]
pub struct PlainEdges {
    pub n: usize,
    pub ties: Vec<TieSpec>,
    pub warnings: Vec<String>,
}

/// The meta JSON beside a plain edge file: `ws.edges` -> `ws.meta.json`.
pub fn meta_path(path: &Path) -> std::path::PathBuf {
    path.with_extension("meta.json")
}

/// Reads `n` from a meta JSON file (`{"n": 10000, ...}`).
pub fn read_meta_n(path: &Path) -> Result<usize, ImportError> {
    let text = std::fs::read_to_string(path).map_err(|e| io_error(path, e))?;
    let v: serde_json::Value = serde_json::from_str(&text).map_err(|e| ImportError::File {
        path: path.display().to_string(),
        message: format!("not valid JSON: {e}"),
    })?;
    v.get("n")
        .and_then(|n| n.as_u64())
        .filter(|&n| n <= u32::MAX as u64)
        .map(|n| n as usize)
        .ok_or_else(|| ImportError::File {
            path: path.display().to_string(),
            message: "needs a field \"n\" holding the number of organisations (a whole number below 2^32)".into(),
        })
}

/// Reads a plain edge file: one tie per line as two whitespace-separated 0-based integer
/// ids, no header; blank lines and lines starting with `#` are skipped. The number of
/// organisations is `n` if given, else the `n` of the meta JSON beside the file (see
/// [`meta_path`]), else the largest id + 1 (with a warning: trailing isolates are unknown).
/// Ids at or above a known `n` are errors; self-loops and repeated pairs follow the
/// module's merge policy (weights are 1, so a merged tie keeps weight 1).
pub fn read_plain_edges(path: &Path, n: Option<usize>) -> Result<PlainEdges, ImportError> {
    let read = read_plain_pairs(path, n)?;
    Ok(PlainEdges {
        n: read.n,
        ties: read
            .pairs
            .iter()
            .map(|&(a, b)| TieSpec {
                a,
                b,
                weight: 1.0,
                person_dependent: false,
            })
            .collect(),
        warnings: read.warnings,
    })
}

/// Pairs read from a plain edge file, self-loops and repeats left out, in file order.
#[derive(Debug, Clone, PartialEq)]
pub struct PlainPairs {
    pub n: usize,
    pub pairs: Vec<(u32, u32)>,
    pub warnings: Vec<String>,
}

/// As [`read_plain_edges`], giving the ties as bare pairs (unit weight).
pub fn read_plain_pairs(path: &Path, n: Option<usize>) -> Result<PlainPairs, ImportError> {
    let read = read_plain_ends(path, n)?;
    Ok(PlainPairs {
        n: read.n,
        pairs: read.a.into_iter().zip(read.b).collect(),
        warnings: read.warnings,
    })
}

/// Ties read from a plain edge file as two arrays of ends (`a[t]`, `b[t]` as the file
/// gives them), self-loops and repeats left out, in file order.
#[derive(Debug, Clone, PartialEq)]
pub struct PlainEnds {
    pub n: usize,
    pub a: Vec<u32>,
    pub b: Vec<u32>,
    pub warnings: Vec<String>,
}

/// As [`read_plain_edges`], giving the ties as two arrays of ends: the fast path for large
/// files, whose arrays [`crate::network::Network::from_ends`] takes over as its tie table
/// (the file is parsed straight into them, with no per-tie record in between).
pub fn read_plain_ends(path: &Path, n: Option<usize>) -> Result<PlainEnds, ImportError> {
    let bytes = std::fs::read(path).map_err(|e| io_error(path, e))?;
    let path_s = path.display().to_string();
    let mut warnings = Vec::new();
    let n = match n {
        Some(n) => Some(n),
        None => {
            let meta = meta_path(path);
            if meta.exists() {
                Some(read_meta_n(&meta)?)
            } else {
                None
            }
        }
    };
    let (a, b) = parse_ends_parallel(&bytes).map_err(|(line, message)| ImportError::Malformed {
        path: path_s.clone(),
        line,
        message,
    })?;
    let max_id = a.iter().chain(&b).copied().max();
    let n = match n {
        Some(n) => {
            if let Some(m) = max_id.filter(|&m| m as usize >= n) {
                let row = a
                    .iter()
                    .zip(&b)
                    .position(|(&x, &y)| x == m || y == m)
                    .unwrap_or(0);
                return Err(ImportError::UnknownId {
                    path: path_s,
                    line: row_line(&bytes, row),
                    id: m.to_string(),
                    why: format!("ids must be below the {n} organisations"),
                });
            }
            n
        }
        None => {
            let n = max_id.map_or(0, |m| m as usize + 1);
            warnings.push(format!(
                "{path_s}: no organisation count given and no {} found; using the largest id + 1 = {n} (organisations with no ties above it are unknown)",
                meta_path(path).display()
            ));
            n
        }
    };
    let (loops, repeats) = left_out(n, &a, &b);
    if !loops.is_empty() || !repeats.is_empty() {
        let lines =
            |rows: &[usize]| -> Vec<u64> { rows.iter().map(|&r| row_line(&bytes, r)).collect() };
        if !loops.is_empty() {
            warnings.push(format!(
                "{path_s}: {} self-loop line(s) left out, lines {}",
                loops.len(),
                line_list(&lines(&loops))
            ));
        }
        if !repeats.is_empty() {
            warnings.push(format!(
                "{path_s}: {} line(s) repeat a pair already listed and were merged into its tie, lines {}",
                repeats.len(),
                line_list(&lines(&repeats))
            ));
        }
    }
    let (mut a, mut b) = (a, b);
    if !loops.is_empty() || !repeats.is_empty() {
        let mut drop = vec![false; a.len()];
        for &r in loops.iter().chain(&repeats) {
            drop[r] = true;
        }
        let mut k = 0;
        a.retain(|_| {
            k += 1;
            !drop[k - 1]
        });
        k = 0;
        b.retain(|_| {
            k += 1;
            !drop[k - 1]
        });
    }
    Ok(PlainEnds { n, a, b, warnings })
}

/// Parses `u v` lines in one piece per thread, cut at line ends, straight into the two
/// arrays of ends: each piece fills its own stretch, sized by its line count, and pieces
/// with blank or comment lines are closed up afterwards, so the result is in file order
/// and does not depend on the thread count. Errors report the line in the whole file.
fn parse_ends_parallel(bytes: &[u8]) -> Result<(Vec<u32>, Vec<u32>), (u64, String)> {
    use rayon::prelude::*;
    let parts = if bytes.len() < 1 << 20 {
        1
    } else {
        rayon::current_num_threads().max(1)
    };
    let mut cuts = vec![0usize];
    for k in 1..parts {
        let mut pos = (bytes.len() * k / parts).max(*cuts.last().unwrap_or(&0));
        while pos < bytes.len() && bytes[pos] != b'\n' {
            pos += 1;
        }
        cuts.push((pos + 1).min(bytes.len()));
    }
    cuts.push(bytes.len());
    let pieces: Vec<&[u8]> = cuts.windows(2).map(|w| &bytes[w[0]..w[1]]).collect();
    // Each line holds at most one tie: a piece's room is its line count.
    let rooms: Vec<usize> = pieces
        .par_iter()
        .map(|p| count_lines(p) + usize::from(p.last() != Some(&b'\n')))
        .collect();
    let total: usize = rooms.iter().sum();
    let (mut a, mut b) = (vec![0u32; total], vec![0u32; total]);
    let mut jobs = Vec::with_capacity(pieces.len());
    let (mut rest_a, mut rest_b) = (&mut a[..], &mut b[..]);
    for (piece, &room) in pieces.iter().zip(&rooms) {
        let (here_a, more_a) = rest_a.split_at_mut(room);
        let (here_b, more_b) = rest_b.split_at_mut(room);
        jobs.push((*piece, here_a, here_b));
        (rest_a, rest_b) = (more_a, more_b);
    }
    let filled: Vec<_> = jobs
        .into_par_iter()
        .map(|(piece, a, b)| parse_ends(piece, a, b))
        .collect();
    let mut kept = 0;
    let mut from = 0;
    for (k, (got, room)) in filled.into_iter().zip(rooms).enumerate() {
        match got {
            Ok(rows) => {
                if from != kept {
                    a.copy_within(from..from + rows, kept);
                    b.copy_within(from..from + rows, kept);
                }
                kept += rows;
                from += room;
            }
            Err((line, message)) => {
                let before = bytes[..cuts[k]].iter().filter(|&&c| c == b'\n').count() as u64;
                return Err((line + before, message));
            }
        }
    }
    a.truncate(kept);
    b.truncate(kept);
    Ok((a, b))
}

/// Number of `\n` in `bytes`. Counted 64 bytes at a time into a byte-sized sum, which
/// compiles to wide compares (several times faster than a plain filtered count).
fn count_lines(bytes: &[u8]) -> usize {
    let mut chunks = bytes.chunks_exact(64);
    let mut lines = 0;
    for c in &mut chunks {
        lines += c.iter().map(|&b| u8::from(b == b'\n')).sum::<u8>() as usize;
    }
    lines + chunks.remainder().iter().filter(|&&b| b == b'\n').count()
}

/// Parses `u v` lines into `a` and `b` (room for one tie per line), returning how many ties
/// were written. Hand-written: this is the hot path when loading large benchmark graphs.
/// Errors carry the 1-based line.
fn parse_ends(bytes: &[u8], a: &mut [u32], b: &mut [u32]) -> Result<usize, (u64, String)> {
    let mut rows = 0;
    let mut i = 0;
    let mut line: u64 = 1;
    let len = bytes.len();
    let number = |i: &mut usize, line: u64| -> Result<u32, (u64, String)> {
        let start = *i;
        let mut v: u64 = 0;
        while *i < len && bytes[*i].is_ascii_digit() {
            v = v * 10 + (bytes[*i] - b'0') as u64;
            if v > u32::MAX as u64 {
                return Err((line, "id is too large (at most 4294967295)".into()));
            }
            *i += 1;
        }
        if *i == start {
            let found = bytes
                .get(start)
                .map_or("the end of the line".to_string(), |&c| {
                    format!("{:?}", c as char)
                });
            return Err((
                line,
                format!("expected two whole-number ids `u v`, found {found}"),
            ));
        }
        Ok(v as u32)
    };
    while i < len {
        let c = bytes[i];
        if c == b'\n' {
            line += 1;
            i += 1;
            continue;
        }
        if c == b' ' || c == b'\t' || c == b'\r' {
            i += 1;
            continue;
        }
        if c == b'#' {
            while i < len && bytes[i] != b'\n' {
                i += 1;
            }
            continue;
        }
        let u = number(&mut i, line)?;
        let gap = i;
        while i < len && (bytes[i] == b' ' || bytes[i] == b'\t') {
            i += 1;
        }
        if i == gap {
            return Err((
                line,
                "expected two whole-number ids `u v` separated by spaces".into(),
            ));
        }
        let v = number(&mut i, line)?;
        while i < len && (bytes[i] == b' ' || bytes[i] == b'\t' || bytes[i] == b'\r') {
            i += 1;
        }
        if i < len && bytes[i] != b'\n' {
            return Err((line, "expected exactly two ids on the line".into()));
        }
        // A tie ends its line (or the piece), so there is room; checked all the same.
        match (a.get_mut(rows), b.get_mut(rows)) {
            (Some(x), Some(y)) => (*x, *y) = (u, v),
            _ => return Err((line, "more ties than lines (internal error)".into())),
        }
        rows += 1;
    }
    Ok(rows)
}

/// 1-based line of the `row`-th tie line (skipping blank and comment lines). Only used to
/// report problems, so a second pass over the bytes is fine.
fn row_line(bytes: &[u8], row: usize) -> u64 {
    let mut seen = 0usize;
    for (k, l) in bytes.split(|&c| c == b'\n').enumerate() {
        let t = l.iter().position(|c| !c.is_ascii_whitespace());
        if let Some(p) = t {
            if l[p] != b'#' {
                if seen == row {
                    return k as u64 + 1;
                }
                seen += 1;
            }
        }
    }
    0
}

/// Rows to leave out of `pairs`: (self-loops, repeats of a pair listed before), each in
/// row order. A file already sorted by (lower end, higher end) without repeats, as
/// benchmark files are, is recognised in one pass; otherwise repeats are found with a
/// counting sort by lower end (linear time), since this runs on every large load.
fn left_out(n: usize, a: &[u32], b: &[u32]) -> (Vec<usize>, Vec<usize>) {
    let pairs = || a.iter().copied().zip(b.iter().copied());
    let ordered = pairs().all(|(x, y)| x < y)
        && a.windows(2)
            .zip(b.windows(2))
            .all(|(x, y)| (x[0], y[0]) < (x[1], y[1]));
    if ordered {
        return (Vec::new(), Vec::new());
    }
    let mut loops = Vec::new();
    let mut start = vec![0u32; n + 1];
    for (a, b) in pairs() {
        if a != b {
            start[a.min(b) as usize + 1] += 1;
        }
    }
    for i in 0..n {
        start[i + 1] += start[i];
    }
    let mut fill = start.clone();
    // (higher end, row) per lower end.
    let mut upper: Vec<(u32, u32)> = vec![(0, 0); start[n] as usize];
    for (row, (a, b)) in pairs().enumerate() {
        if a == b {
            loops.push(row);
            continue;
        }
        let lo = a.min(b) as usize;
        upper[fill[lo] as usize] = (a.max(b), row as u32);
        fill[lo] += 1;
    }
    drop(fill);
    let mut repeats = Vec::new();
    for i in 0..n {
        let r = &mut upper[start[i] as usize..start[i + 1] as usize];
        if r.len() > 1 {
            r.sort_unstable();
            for w in r.windows(2) {
                if w[0].0 == w[1].0 {
                    repeats.push(w[1].1 as usize);
                }
            }
        }
    }
    repeats.sort_unstable();
    (loops, repeats)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pieces_with_blank_and_comment_lines_close_up_in_file_order() {
        // Over 1 MB, so it is parsed in pieces (one per thread); blank, comment and
        // unterminated last lines leave room unused in every piece.
        let mut text = String::new();
        let mut want = (Vec::new(), Vec::new());
        for k in 0..200_000u32 {
            match k % 7 {
                0 => text.push('\n'),
                3 => text.push_str("# note\n"),
                _ => {}
            }
            text.push_str(&format!("{} {}\n", k, k * 3 + 1));
            want.0.push(k);
            want.1.push(k * 3 + 1);
        }
        text.push_str("5 6");
        want.0.push(5);
        want.1.push(6);
        assert!(text.len() > 1 << 20);
        assert_eq!(parse_ends_parallel(text.as_bytes()).unwrap(), want);
        assert_eq!(parse_ends_parallel(b"").unwrap(), (vec![], vec![]));
        let lines = "1 2\n".repeat(40) + "\n\n3";
        assert_eq!(count_lines(lines.as_bytes()), 42);
        assert_eq!(
            parse_ends_parallel(b"\n# x\n1 2").unwrap(),
            (vec![1], vec![2])
        );
    }
}
