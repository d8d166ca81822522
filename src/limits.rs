//! What the machine allows a run: the memory budget a scenario is checked
//! against before anything is allocated, and reading input files that
//! cannot block or grow without bound.

use std::fs::{File, OpenOptions};
use std::io::{self, Read};
use std::path::{Path, PathBuf};

/// The largest scenario file read.
pub const MAX_SCENARIO_BYTES: u64 = 16 << 20;

/// Reads `path` as input: a regular file only (a FIFO would block until a
/// writer comes, a device such as `/dev/zero` never ends), of at most `cap`
/// bytes.
pub fn read_input(path: &Path, cap: u64) -> io::Result<Vec<u8>> {
    let file = open_nonblocking(path)?;
    let meta = file.metadata()?;
    if !meta.is_file() {
        return Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            "not a regular file (a FIFO, device or folder cannot be read as one)",
        ));
    }
    let too_large = || {
        io::Error::new(
            io::ErrorKind::InvalidInput,
            format!(
                "larger than {}, the most read from one input file",
                crimesim_core::scenario::human_bytes(cap)
            ),
        )
    };
    if meta.len() > cap {
        return Err(too_large());
    }
    let mut bytes = Vec::with_capacity(meta.len() as usize);
    file.take(cap + 1).read_to_end(&mut bytes)?;
    if bytes.len() as u64 > cap {
        return Err(too_large());
    }
    Ok(bytes)
}

#[cfg(unix)]
fn open_nonblocking(path: &Path) -> io::Result<File> {
    use std::os::unix::fs::OpenOptionsExt;
    OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NONBLOCK)
        .open(path)
}

#[cfg(not(unix))]
fn open_nonblocking(path: &Path) -> io::Result<File> {
    OpenOptions::new().read(true).open(path)
}

/// Where UTF-8 decoding of `bytes` fails, as a 1-based (line, column):
/// the column counts characters.
pub fn utf8_error_position(bytes: &[u8], valid_up_to: usize) -> (usize, usize) {
    let valid = &bytes[..valid_up_to];
    let line_start = valid.iter().rposition(|&b| b == b'\n').map_or(0, |i| i + 1);
    let line = valid.iter().filter(|&&b| b == b'\n').count() + 1;
    let col = String::from_utf8_lossy(&valid[line_start..])
        .chars()
        .count()
        + 1;
    (line, col)
}

/// Reads a file a scenario names (a raster layer) as text, at most `cap`
/// bytes; invalid UTF-8 is reported with its line and column.
pub fn read_layer(path: &Path, cap: u64) -> io::Result<String> {
    let bytes = read_input(path, cap)?;
    String::from_utf8(bytes).map_err(|e| {
        let (line, col) = utf8_error_position(e.as_bytes(), e.utf8_error().valid_up_to());
        io::Error::new(
            io::ErrorKind::InvalidData,
            format!("invalid UTF-8 at line {line}, column {col}"),
        )
    })
}

/// The most a layer may hold given the memory budget: parsed, a layer takes
/// about 16 bytes per value of at least 2 bytes of text, so a sixteenth of
/// the budget keeps its parse within half of it.
pub fn layer_cap(memory_budget: u64) -> u64 {
    (memory_budget / 16).clamp(1 << 20, 1 << 30)
}

/// Memory a run may use: the least of what the system reports as
/// available, what the process's address-space limit (RLIMIT_AS) leaves,
/// and what its cgroup's memory limit leaves; 8 GiB where none is known.
pub fn memory_budget_bytes() -> u64 {
    [available(), address_space_left(), cgroup_left()]
        .into_iter()
        .flatten()
        .min()
        .unwrap_or(8 << 30)
}

fn available() -> Option<u64> {
    let meminfo = std::fs::read_to_string("/proc/meminfo").ok()?;
    kib_field(&meminfo, "MemAvailable:")
}

/// A `Name: N kB` line of a /proc file, in bytes.
fn kib_field(text: &str, name: &str) -> Option<u64> {
    text.lines()
        .find(|l| l.starts_with(name))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|kib| kib.parse::<u64>().ok())
        .map(|kib| kib * 1024)
}

#[cfg(unix)]
fn address_space_left() -> Option<u64> {
    let mut limit = libc::rlimit {
        rlim_cur: 0,
        rlim_max: 0,
    };
    // SAFETY: getrlimit writes into the struct it is given and nothing else.
    if unsafe { libc::getrlimit(libc::RLIMIT_AS, &mut limit) } != 0
        || limit.rlim_cur == libc::RLIM_INFINITY
    {
        return None;
    }
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let used = kib_field(&status, "VmSize:").unwrap_or(0);
    #[allow(clippy::unnecessary_cast)] // rlim_t is not u64 on every platform
    let limit = limit.rlim_cur as u64;
    Some(limit.saturating_sub(used))
}

#[cfg(not(unix))]
fn address_space_left() -> Option<u64> {
    None
}

/// The cgroup's memory limit less its usage: cgroup v2 (`memory.max`,
/// `memory.current`) or v1 (`memory.limit_in_bytes`, `memory.usage_in_bytes`).
fn cgroup_left() -> Option<u64> {
    let membership = std::fs::read_to_string("/proc/self/cgroup").unwrap_or_default();
    let root = Path::new("/sys/fs/cgroup");
    let mut candidates: Vec<(PathBuf, &str, &str)> = Vec::new();
    for line in membership.lines() {
        let mut parts = line.splitn(3, ':');
        let (_, controllers, path) = (parts.next(), parts.next()?, parts.next()?);
        let rel = path.trim_start_matches('/');
        if controllers.is_empty() {
            candidates.push((root.join(rel), "memory.max", "memory.current"));
        } else if controllers.split(',').any(|c| c == "memory") {
            let dir = root.join("memory").join(rel);
            candidates.push((dir, "memory.limit_in_bytes", "memory.usage_in_bytes"));
        }
    }
    candidates.push((root.to_path_buf(), "memory.max", "memory.current"));
    let v1 = root.join("memory");
    candidates.push((v1, "memory.limit_in_bytes", "memory.usage_in_bytes"));
    candidates
        .iter()
        .find_map(|(dir, max, current)| cgroup_limit_left(dir, max, current))
}

fn cgroup_limit_left(dir: &Path, max: &str, current: &str) -> Option<u64> {
    let read = |name: &str| std::fs::read_to_string(dir.join(name)).ok();
    let limit: u64 = read(max)?.trim().parse().ok()?; // "max": no limit
    if limit >= 1 << 60 {
        return None; // cgroup v1 writes a huge number for no limit
    }
    let used: u64 = read(current)
        .and_then(|t| t.trim().parse().ok())
        .unwrap_or(0);
    Some(limit.saturating_sub(used))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utf8_errors_are_placed_by_line_and_character() {
        let bytes = b"seed = 1\nname = \"\xc3\xa9t\xff\"\n";
        let e = String::from_utf8(bytes.to_vec()).unwrap_err();
        let at = utf8_error_position(bytes, e.utf8_error().valid_up_to());
        assert_eq!(at, (2, 11), "after `name = \"`, é and t");
    }

    #[test]
    fn a_layer_cap_follows_the_budget_within_bounds() {
        assert_eq!(layer_cap(0), 1 << 20);
        assert_eq!(layer_cap(1 << 34), 1 << 30);
        assert_eq!(layer_cap(1 << 30), 1 << 26);
    }

    #[test]
    fn a_cgroup_limit_counts_less_its_usage_and_max_means_none() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        std::fs::write(d.join("memory.max"), "max\n").unwrap();
        assert_eq!(cgroup_limit_left(d, "memory.max", "memory.current"), None);
        std::fs::write(d.join("memory.max"), "1000000\n").unwrap();
        std::fs::write(d.join("memory.current"), "250000\n").unwrap();
        assert_eq!(
            cgroup_limit_left(d, "memory.max", "memory.current"),
            Some(750_000)
        );
        // cgroup v1 without a limit.
        std::fs::write(d.join("memory.limit_in_bytes"), "9223372036854771712\n").unwrap();
        assert_eq!(
            cgroup_limit_left(d, "memory.limit_in_bytes", "memory.usage_in_bytes"),
            None
        );
    }

    #[test]
    fn the_memory_budget_is_at_most_what_the_system_has_available() {
        let budget = memory_budget_bytes();
        if let Some(a) = available() {
            assert!(budget <= a);
        }
        assert!(budget > 0);
    }
}
