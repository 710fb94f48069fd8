//! Columns of floats that may outgrow memory: the values the summary keeps per metric and
//! date, one per run, for exact percentiles.
//!
//! Each column fills a small buffer; a full buffer is appended to one anonymous temporary
//! file (deleted by the operating system when closed) and remembered by offset. Reading a
//! column back gathers its chunks in order, so values come back exactly and in the order
//! they were pushed. Memory is one buffer per column however many runs there are; runs
//! that fit in the buffers never touch the disk. If the temporary file cannot be created
//! or written, values simply stay in memory.

use std::cell::RefCell;
use std::fs::File;
use std::io::{Read, Seek, SeekFrom, Write};

/// Values per column kept in memory before they go to the temporary file.
pub const CHUNK: usize = 2048;

/// Append-only columns of floats.
#[derive(Default)]
pub struct Columns {
    buffers: Vec<Vec<f64>>,
    /// Per column: the (offset, count) of each chunk written out, in order.
    chunks: Vec<Vec<(u64, usize)>>,
    file: Option<RefCell<File>>,
    end: u64,
    /// Set once spilling failed: keep everything in memory from then on.
    in_memory: bool,
}

impl Columns {
    pub fn new() -> Columns {
        Columns::default()
    }

    /// Adds an empty column; returns its index.
    pub fn add_column(&mut self) -> usize {
        self.buffers.push(Vec::new());
        self.chunks.push(Vec::new());
        self.buffers.len() - 1
    }

    /// Appends a value to column `c` (ignored for a column that does not exist).
    pub fn push(&mut self, c: usize, v: f64) {
        let Some(buf) = self.buffers.get_mut(c) else {
            return;
        };
        buf.push(v);
        if buf.len() >= CHUNK && !self.in_memory && self.spill(c).is_err() {
            self.in_memory = true;
        }
    }

    fn spill(&mut self, c: usize) -> std::io::Result<()> {
        if self.file.is_none() {
            self.file = Some(RefCell::new(tempfile::tempfile()?));
        }
        let (Some(file), Some(buf)) = (&self.file, self.buffers.get_mut(c)) else {
            return Ok(());
        };
        let bytes: Vec<u8> = buf.iter().flat_map(|v| v.to_le_bytes()).collect();
        let mut f = file.borrow_mut();
        f.seek(SeekFrom::Start(self.end))?;
        f.write_all(&bytes)?;
        if let Some(list) = self.chunks.get_mut(c) {
            list.push((self.end, buf.len()));
        }
        self.end += bytes.len() as u64;
        buf.clear();
        Ok(())
    }

    /// Every value of column `c`, in push order. A chunk that cannot be read back (the
    /// temporary file failing under us) is an error rather than a wrong statistic.
    pub fn values(&self, c: usize) -> std::io::Result<Vec<f64>> {
        let mut out = Vec::new();
        if let (Some(file), Some(list)) = (&self.file, self.chunks.get(c)) {
            let mut f = file.borrow_mut();
            let mut bytes = Vec::new();
            for &(offset, n) in list {
                bytes.resize(n * 8, 0);
                f.seek(SeekFrom::Start(offset))?;
                f.read_exact(&mut bytes)?;
                out.extend(
                    bytes.chunks_exact(8).map(|b| {
                        f64::from_le_bytes([b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7]])
                    }),
                );
            }
        }
        if let Some(buf) = self.buffers.get(c) {
            out.extend_from_slice(buf);
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_come_back_exactly_and_in_order_across_chunks() {
        let mut cols = Columns::new();
        let (a, b) = (cols.add_column(), cols.add_column());
        let n = 2 * CHUNK + 17;
        for i in 0..n {
            cols.push(a, i as f64 / 3.0);
            if i % 2 == 0 {
                cols.push(b, -(i as f64) * 1e-300);
            }
        }
        assert!(cols.file.is_some());
        let va = cols.values(a).unwrap();
        assert_eq!(va, (0..n).map(|i| i as f64 / 3.0).collect::<Vec<_>>());
        let vb = cols.values(b).unwrap();
        assert_eq!(vb.len(), n.div_ceil(2));
        assert_eq!(vb[CHUNK], -((2 * CHUNK) as f64) * 1e-300);
        assert_eq!(cols.values(7).unwrap(), Vec::<f64>::new());
    }
}
