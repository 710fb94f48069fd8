//! Files that appear whole or not at all, with their SHA-256 computed as they are written.
//!
//! Bytes go to `<name>.partial` in the same folder (so the final rename never crosses a
//! file system); [`AtomicFile::commit`] flushes, fsyncs, renames over `<name>` and fsyncs
//! the folder. A reader therefore never sees a half-written result file. A run that is
//! killed leaves its `.partial` files behind: whatever was flushed after each finished run
//! is in them, which is what resuming an interrupted experiment builds on.

use std::fs::{File, OpenOptions};
use std::io::{self, BufWriter, Read, Seek, Write};
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

/// A result file being written; see the module documentation.
pub struct AtomicFile {
    path: PathBuf,
    partial: PathBuf,
    out: BufWriter<File>,
    hasher: Sha256,
}

impl AtomicFile {
    /// Starts writing `path`, replacing any earlier `.partial` left by an interrupted run.
    pub fn create(path: &Path) -> io::Result<AtomicFile> {
        let partial = partial_path(path);
        let file = OpenOptions::new()
            .write(true)
            .create(true)
            .truncate(true)
            .open(&partial)?;
        Ok(AtomicFile {
            path: path.to_path_buf(),
            partial,
            out: BufWriter::with_capacity(1 << 16, file),
            hasher: Sha256::new(),
        })
    }

    /// Continues an interrupted `path`: keeps the first `keep` bytes of its `.partial`
    /// (dropping anything after them, such as a torn last row), digests them, and appends.
    pub fn resume(path: &Path, keep: u64) -> io::Result<AtomicFile> {
        let partial = partial_path(path);
        let mut file = OpenOptions::new().read(true).write(true).open(&partial)?;
        file.set_len(keep)?;
        let mut hasher = Sha256::new();
        io::copy(&mut (&mut file).take(keep), &mut hasher)?;
        file.seek(io::SeekFrom::Start(keep))?;
        Ok(AtomicFile {
            path: path.to_path_buf(),
            partial,
            out: BufWriter::with_capacity(1 << 16, file),
            hasher,
        })
    }

    /// The final path this file will have.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Flushes, syncs and renames into place; returns the lowercase hex SHA-256 of the bytes.
    pub fn commit(mut self) -> io::Result<String> {
        self.out.flush()?;
        self.out.get_ref().sync_all()?;
        std::fs::rename(&self.partial, &self.path)?;
        sync_dir(&self.path);
        Ok(format!("{:x}", self.hasher.finalize()))
    }
}

impl Write for AtomicFile {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let n = self.out.write(buf)?;
        self.hasher.update(&buf[..n]);
        Ok(n)
    }

    /// Hands buffered bytes to the operating system: they then survive a killed process.
    fn flush(&mut self) -> io::Result<()> {
        self.out.flush()
    }
}

/// Where the bytes of `path` live until it is committed.
pub fn partial_path(path: &Path) -> PathBuf {
    let mut name = path.file_name().unwrap_or_default().to_os_string();
    name.push(".partial");
    path.with_file_name(name)
}

/// Makes a rename durable. Best effort: some systems cannot open a folder for syncing, and
/// the file itself is already synced.
fn sync_dir(path: &Path) {
    if let Some(dir) = path.parent() {
        let dir = if dir.as_os_str().is_empty() {
            Path::new(".")
        } else {
            dir
        };
        if let Ok(d) = File::open(dir) {
            let _ = d.sync_all();
        }
    }
}

/// SHA-256 of a whole file, lowercase hex.
pub fn digest_file(path: &Path) -> io::Result<String> {
    let mut hasher = Sha256::new();
    let mut file = File::open(path)?;
    io::copy(&mut file, &mut hasher)?;
    Ok(format!("{:x}", hasher.finalize()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn appears_only_on_commit_with_its_digest() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("x.csv");
        let mut f = AtomicFile::create(&path).unwrap();
        f.write_all(b"abc").unwrap();
        f.flush().unwrap();
        assert!(!path.exists());
        assert!(partial_path(&path).exists());
        let digest = f.commit().unwrap();
        // SHA-256("abc") from FIPS 180-2, appendix B.1.
        let abc = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";
        assert_eq!(digest, abc);
        assert_eq!(digest_file(&path).unwrap(), abc);
        assert!(!partial_path(&path).exists());
        assert_eq!(std::fs::read(&path).unwrap(), b"abc");
    }

    #[test]
    fn resuming_keeps_a_prefix_and_digests_the_whole() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("x.csv");
        let mut f = AtomicFile::create(&path).unwrap();
        f.write_all(b"abXYZ").unwrap();
        f.flush().unwrap();
        drop(f);
        let mut f = AtomicFile::resume(&path, 2).unwrap();
        f.write_all(b"c").unwrap();
        let digest = f.commit().unwrap();
        assert_eq!(std::fs::read(&path).unwrap(), b"abc");
        assert_eq!(digest, digest_file(&path).unwrap());
    }
}
