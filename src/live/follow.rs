//! `tail -F` as a `Read`: the bytes appended to a log file from now on, across rotation (the
//! path names a new file: it is read from its start) and truncation (read again from the
//! start). It ends — returns end of file — only when told to stop, so the `analyze` pipeline
//! can read a live error log exactly as it reads a file.

use std::fs::File;
use std::io::{self, Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

/// How often a quiet file is looked at again.
const POLL: Duration = Duration::from_millis(200);

pub struct Follow {
    path: PathBuf,
    file: Option<File>,
    /// Bytes read from `file` so far.
    pos: u64,
    identity: Option<Identity>,
    stop: Arc<AtomicBool>,
    /// Whether the missing-file notice was given already.
    told_missing: bool,
}

/// What tells one file from the next one at the same path.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Identity {
    dev: u64,
    ino: u64,
}

#[cfg(unix)]
fn identity(meta: &std::fs::Metadata) -> Option<Identity> {
    use std::os::unix::fs::MetadataExt;
    Some(Identity {
        dev: meta.dev(),
        ino: meta.ino(),
    })
}

#[cfg(not(unix))]
fn identity(_meta: &std::fs::Metadata) -> Option<Identity> {
    None
}

impl Follow {
    /// Starts at the current end of `path` (or waits for it to appear). A file that exists but
    /// cannot be read is an error now, not later.
    pub fn new(path: &Path, stop: Arc<AtomicBool>) -> io::Result<Follow> {
        let mut follow = Follow {
            path: path.to_path_buf(),
            file: None,
            pos: 0,
            identity: None,
            stop,
            told_missing: false,
        };
        match File::open(path) {
            Ok(mut file) => {
                follow.pos = file.seek(SeekFrom::End(0))?;
                follow.identity = identity(&file.metadata()?);
                follow.file = Some(file);
            }
            Err(e) if e.kind() == io::ErrorKind::NotFound => {
                eprintln!(
                    "warning: `{}` does not exist yet; waiting for it",
                    path.display()
                );
                follow.told_missing = true;
            }
            Err(e) => return Err(e),
        }
        Ok(follow)
    }

    /// At the end of the current file: switch to a new file at the path, or start over after
    /// a truncation. True when there may be something new to read.
    fn check_path(&mut self) -> bool {
        let Ok(meta) = std::fs::metadata(&self.path) else {
            // Rotated away and not yet recreated: keep the old file until a new one appears.
            return false;
        };
        let now = identity(&meta);
        let replaced = self.file.is_none() || (now.is_some() && now != self.identity);
        if replaced {
            match File::open(&self.path) {
                Ok(file) => {
                    if self.file.is_some() || self.told_missing {
                        eprintln!("note: following the new `{}`", self.path.display());
                    }
                    self.identity = identity(&meta);
                    self.file = Some(file);
                    self.pos = 0;
                    self.told_missing = false;
                    return true;
                }
                Err(_) => return false,
            }
        }
        if meta.len() < self.pos {
            if let Some(file) = &mut self.file {
                if file.seek(SeekFrom::Start(0)).is_ok() {
                    eprintln!(
                        "note: `{}` was truncated; reading it from the start",
                        self.path.display()
                    );
                    self.pos = 0;
                    return true;
                }
            }
        }
        meta.len() > self.pos
    }
}

impl Read for Follow {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        loop {
            if self.stop.load(Ordering::Relaxed) {
                return Ok(0);
            }
            if let Some(file) = &mut self.file {
                let n = file.read(buf)?;
                if n > 0 {
                    self.pos += n as u64;
                    return Ok(n);
                }
            }
            if !self.check_path() {
                std::thread::sleep(POLL);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// One read: it waits until there is something, then returns what is there.
    fn read_now(follow: &mut Follow) -> String {
        let mut buf = [0u8; 64];
        let n = follow.read(&mut buf).unwrap();
        String::from_utf8(buf[..n].to_vec()).unwrap()
    }

    #[test]
    fn follows_appends_rotation_and_truncation() {
        let dir = std::env::temp_dir().join(format!("lockscope-follow-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("error.log");
        std::fs::write(&path, "old line\n").unwrap();
        let stop = Arc::new(AtomicBool::new(false));
        let mut follow = Follow::new(&path, stop.clone()).unwrap();

        let append = |text: &str| {
            use std::io::Write;
            let mut f = std::fs::OpenOptions::new()
                .append(true)
                .open(&path)
                .unwrap();
            f.write_all(text.as_bytes()).unwrap();
        };
        append("one\n");
        assert_eq!(read_now(&mut follow), "one\n");

        std::fs::rename(&path, dir.join("error.log.1")).unwrap();
        std::fs::write(&path, "two\n").unwrap();
        assert_eq!(read_now(&mut follow), "two\n");

        std::fs::write(&path, "").unwrap();
        append("3\n");
        assert_eq!(read_now(&mut follow), "3\n");

        stop.store(true, Ordering::Relaxed);
        assert_eq!(follow.read(&mut [0u8; 8]).unwrap(), 0);
        let _ = std::fs::remove_dir_all(&dir);
    }
}
