//! One writer per output folder: an advisory lock held while a command
//! writes it.
//!
//! The lock is `std::fs::File::try_lock` (an `flock` on Unix) on a hidden
//! file in the folder (or beside a run of a sweep), released when the
//! process ends however it ends. The holder writes its pid, host and command
//! line into the file, so that a second writer is refused at once with a
//! message naming it. The holder removes the file before it lets go of the
//! lock; one that locked a file already removed (it opened the file just
//! before) sees that the path no longer names its file and tries again, so
//! two processes never hold two files of one name.

use std::fs::{File, OpenOptions};
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

use crate::error::{Error, Result};

/// The lock file of an output folder.
pub const LOCK_FILE: &str = ".crimesim.lock";

/// A held lock; dropping it releases the lock.
#[derive(Debug)]
pub struct Lock {
    _file: File,
    pub path: PathBuf,
}

impl Drop for Lock {
    /// Removes the lock file, then (closing it) releases the lock. A killed
    /// holder leaves its file, which the next writer takes over.
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.path);
    }
}

/// Locks the folder `dir` (creating it) for writing.
pub fn folder(dir: &Path) -> Result<Lock> {
    std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
    acquire(&dir.join(LOCK_FILE), dir)
}

/// Locks `what` through the lock file `path`, or says who holds it.
pub fn acquire(path: &Path, what: &Path) -> Result<Lock> {
    for _ in 0..100 {
        if let Some(lock) = try_acquire(path, what)? {
            return Ok(lock);
        }
    }
    Err(Error::Other(format!(
        "{}: the lock file keeps being replaced; cannot lock the folder",
        path.display()
    )))
}

/// One attempt: `None` if the file locked was removed meanwhile.
fn try_acquire(path: &Path, what: &Path) -> Result<Option<Lock>> {
    let mut file = OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .open(path)
        .map_err(|e| Error::io(path, e))?;
    match file.try_lock() {
        Ok(()) => {}
        Err(std::fs::TryLockError::WouldBlock) => {
            let mut holder = String::new();
            let _ = file.read_to_string(&mut holder);
            let holder = holder.trim();
            return Err(Error::Locked {
                path: what.to_path_buf(),
                holder: if holder.is_empty() {
                    "a process that has not yet said who it is".into()
                } else {
                    holder.to_string()
                },
            });
        }
        Err(std::fs::TryLockError::Error(e)) => return Err(Error::io(path, e)),
    }
    if !still_named(&file, path) {
        return Ok(None);
    }
    let me = format!(
        "pid {} on {}: {}\n",
        std::process::id(),
        host(),
        std::env::args().collect::<Vec<_>>().join(" ")
    );
    let wrote = file
        .set_len(0)
        .and_then(|()| file.seek(SeekFrom::Start(0)))
        .and_then(|_| file.write_all(me.as_bytes()));
    wrote.map_err(|e| Error::io(path, e))?;
    Ok(Some(Lock {
        _file: file,
        path: path.to_path_buf(),
    }))
}

/// Whether `path` still names the open `file`.
#[cfg(unix)]
fn still_named(file: &File, path: &Path) -> bool {
    use std::os::unix::fs::MetadataExt;
    match (file.metadata(), std::fs::metadata(path)) {
        (Ok(a), Ok(b)) => a.dev() == b.dev() && a.ino() == b.ino(),
        _ => false,
    }
}

#[cfg(not(unix))]
fn still_named(_file: &File, path: &Path) -> bool {
    path.exists()
}

pub fn host() -> String {
    std::fs::read_to_string("/proc/sys/kernel/hostname")
        .ok()
        .or_else(|| std::env::var("HOSTNAME").ok())
        .map(|h| h.trim().to_string())
        .filter(|h| !h.is_empty())
        .unwrap_or_else(|| "an unknown host".into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_second_lock_on_a_folder_is_refused_naming_the_holder_until_the_first_is_dropped() {
        let dir = tempfile::tempdir().unwrap();
        let first = folder(dir.path()).unwrap();
        let err = folder(dir.path()).unwrap_err();
        assert_eq!(err.exit_code(), crate::error::EXIT_BAD_INPUT);
        let text = err.to_string();
        assert!(
            text.contains(&format!("pid {}", std::process::id())),
            "{text}"
        );
        drop(first);
        assert!(!dir.path().join(LOCK_FILE).exists());
        folder(dir.path()).unwrap();
    }
}
