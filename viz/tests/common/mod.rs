//! What the visualizer's integration tests share.
#![allow(dead_code)]

use std::path::{Path, PathBuf};

// The rule every test that needs a tool follows (shared with the root tests).
#[path = "../../../tests/common/require.rs"]
pub mod require;

/// A folder of its own under the system's temporary folder, removed on drop.
pub struct TempDir(PathBuf);

impl TempDir {
    pub fn new(name: &str) -> TempDir {
        let p = std::env::temp_dir().join(format!("crimesim-viz-{}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&p);
        std::fs::create_dir_all(&p).unwrap();
        TempDir(p)
    }

    pub fn path(&self) -> &Path {
        &self.0
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// A PNG picture as RGBA.
pub struct Picture {
    pub width: u32,
    pub height: u32,
    pub rgba: Vec<u8>,
}

impl Picture {
    pub fn read(path: &Path) -> Picture {
        let decoder = png::Decoder::new(std::io::BufReader::new(
            std::fs::File::open(path).expect("the picture exists"),
        ));
        let mut reader = decoder.read_info().expect("a PNG");
        let mut buf = vec![0; reader.output_buffer_size().expect("a size")];
        let info = reader.next_frame(&mut buf).expect("a frame");
        assert_eq!(info.color_type, png::ColorType::Rgba);
        buf.truncate(info.buffer_size());
        Picture {
            width: info.width,
            height: info.height,
            rgba: buf,
        }
    }

    pub fn rgb(&self, x: u32, y: u32) -> [u8; 3] {
        let i = ((y * self.width + x) * 4) as usize;
        [self.rgba[i], self.rgba[i + 1], self.rgba[i + 2]]
    }

    /// Pixels in the rectangle (x, y, width, height) that `f` accepts.
    pub fn count(&self, (x, y, w, h): (f32, f32, f32, f32), f: impl Fn([u8; 3]) -> bool) -> usize {
        let (x1, y1) = (
            ((x + w) as u32).min(self.width),
            ((y + h) as u32).min(self.height),
        );
        (y as u32..y1)
            .flat_map(|py| (x as u32..x1).map(move |px| (px, py)))
            .filter(|&(px, py)| f(self.rgb(px, py)))
            .count()
    }
}

/// Whether two colours are within `tol` in every channel.
pub fn near(a: [u8; 3], b: [u8; 3], tol: u8) -> bool {
    a.iter().zip(b).all(|(x, y)| x.abs_diff(y) <= tol)
}

/// How long a run of the binary may take before the test fails: a
/// recording or lesson that never finishes is a failure, not a hang.
const LIMIT: std::time::Duration = std::time::Duration::from_secs(900);

/// The crimesim-viz binary's outcome; `None` (the test is skipped, or
/// fails where a Vulkan driver is required) when there is no GPU driver.
pub fn run_viz(args: &[&std::ffi::OsStr]) -> Option<std::process::Output> {
    use std::io::Read;
    use std::process::Stdio;
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_crimesim-viz"))
        .args(args)
        .env("RUST_LOG", "warn")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the binary runs");
    let drain = |mut r: Box<dyn Read + Send>| {
        std::thread::spawn(move || {
            let mut v = Vec::new();
            let _ = r.read_to_end(&mut v);
            v
        })
    };
    let stdout = drain(Box::new(child.stdout.take().expect("piped")));
    let stderr = drain(Box::new(child.stderr.take().expect("piped")));
    let started = std::time::Instant::now();
    let status = loop {
        if let Some(s) = child.try_wait().expect("the binary can be waited for") {
            break s;
        }
        if started.elapsed() > LIMIT {
            let _ = child.kill();
            let _ = child.wait();
            panic!("crimesim-viz {args:?} did not finish in {LIMIT:?}");
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
    };
    let out = std::process::Output {
        status,
        stdout: stdout.join().expect("stdout read"),
        stderr: stderr.join().expect("stderr read"),
    };
    if !out.status.success() {
        let stderr = String::from_utf8_lossy(&out.stderr);
        let no_gpu =
            stderr.contains("adapter") || stderr.contains("Vulkan") || stderr.contains("GPU");
        if no_gpu {
            require::missing("VULKAN", &format!("a Vulkan driver ({stderr})"));
            return None;
        }
        panic!("crimesim-viz failed: {}\n{stderr}", out.status);
    }
    Some(out)
}
