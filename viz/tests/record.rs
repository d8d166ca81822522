//! `--record` of a lesson without a window: every frame as a numbered PNG
//! (each step's run, then each step's end held for its caption to be read),
//! and, where ffmpeg is installed, `frames.mp4` with exactly those frames.
//!
//! Rendering needs a Vulkan driver (Mesa's lavapipe will do) and the video
//! ffmpeg; without them the test is skipped, unless CRIMESIM_REQUIRE_VULKAN
//! or CRIMESIM_REQUIRE_FFMPEG is set (as in CI).

use std::ffi::OsStr;
use std::path::{Path, PathBuf};
use std::process::Command;

use crimesim_viz::lesson_run::HOLD_FRAMES;

mod common;
use common::{Picture, TempDir, require, run_viz};

/// The test lesson: its second step runs one day of 24 hours.
const HOURS_RUN: usize = 24;

fn data(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data")
        .join(name)
}

/// The numbers of the `frame-NNNNNN.png` files in `dir`, sorted.
fn frame_numbers(dir: &Path) -> Vec<usize> {
    let mut n: Vec<usize> = std::fs::read_dir(dir)
        .unwrap()
        .filter_map(|e| {
            let name = e.unwrap().file_name().into_string().unwrap();
            name.strip_prefix("frame-")?
                .strip_suffix(".png")?
                .parse()
                .ok()
        })
        .collect();
    n.sort_unstable();
    n
}

/// The frames in a video, as ffprobe counts them by decoding it.
fn video_frames(video: &Path) -> usize {
    let out = Command::new("ffprobe")
        .args(["-v", "error", "-count_frames", "-select_streams", "v:0"])
        .args(["-show_entries", "stream=nb_read_frames,width,height"])
        .args(["-of", "csv=p=0"])
        .arg(video)
        .output()
        .expect("ffprobe runs");
    assert!(out.status.success(), "ffprobe refuses {}", video.display());
    let line = String::from_utf8(out.stdout).unwrap();
    let fields: Vec<&str> = line.trim().split(',').collect();
    assert_eq!(fields[..2], ["640", "400"], "the video's size: {line}");
    fields[2].parse().expect("a frame count")
}

#[test]
fn recording_a_lesson_writes_every_frame_and_a_video_of_them_all() {
    let dir = TempDir::new("record");
    let out = dir.path().join("rec");
    let lesson = data("record.toml");
    let args: [&OsStr; 7] = [
        "--lesson".as_ref(),
        lesson.as_os_str(),
        "--record".as_ref(),
        out.as_os_str(),
        "--size".as_ref(),
        "640x400".as_ref(),
        "--seeds=1".as_ref(),
    ];
    let Some(result) = run_viz(&args) else { return };
    let stderr = String::from_utf8_lossy(&result.stderr);

    // Numbered from 1 with none missing, each a whole picture of the size
    // asked for, and nothing left half-written.
    let frames = frame_numbers(&out);
    assert_eq!(frames, (1..=frames.len()).collect::<Vec<_>>());
    let at_least = 2 * HOLD_FRAMES as usize + HOURS_RUN;
    assert!(
        frames.len() >= at_least,
        "{} frames, fewer than the two holds and the day's hours ({at_least})",
        frames.len()
    );
    for i in [1, frames.len() / 2, frames.len()] {
        let p = Picture::read(&out.join(format!("frame-{i:06}.png")));
        assert_eq!((p.width, p.height), (640, 400));
    }
    let hidden = std::fs::read_dir(&out)
        .unwrap()
        .filter(|e| {
            e.as_ref()
                .unwrap()
                .file_name()
                .to_string_lossy()
                .starts_with('.')
        })
        .count();
    assert_eq!(hidden, 0, "partial files left in {}", out.display());

    // The recording ends on the lesson's last step, as its picture shows it.
    let last = Picture::read(&out.join(format!("frame-{:06}.png", frames.len())));
    let step = Picture::read(&out.join("step-02.png"));
    assert!(
        last.rgba == step.rgba,
        "the last frame is not the last step"
    );

    let video = out.join("frames.mp4");
    if !require::succeeds("ffmpeg", &["-version"]) {
        assert!(stderr.contains("no ffmpeg"), "{stderr}");
        require::missing("FFMPEG", "ffmpeg");
        return;
    }
    assert!(stderr.contains("wrote"), "{stderr}");
    assert_eq!(video_frames(&video), frames.len());
}
