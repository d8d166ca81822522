//! `report` and `merge` on corrupted output folders: a real small run
//! folder and a real small sweep folder (made once, by the library, in a
//! temporary folder) with one of their files damaged as the input says
//! (bits flipped, cut short, replaced or removed). They may refuse, never
//! panic. Run: `RUSTC_BOOTSTRAP=1 cargo fuzz run output_folder`.
#![no_main]

use std::fs;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use clap::Parser;
use crimesim::cli::{Cli, MergeArgs};
use libfuzzer_sys::fuzz_target;

struct Folders {
    run: PathBuf,
    sweep: PathBuf,
    work: PathBuf,
}

const EXPERIMENT: &str = "base = \"base.toml\"\ndesign = \"grid\"\nreplicates = 2\nseed = 5\n\
[set]\nticks = 48\n\n[[vary]]\npath = \"city.generate.lighting_max\"\nvalues = [0.2, 0.9]\n";

const BASE: &str = "model = \"city\"\nrecord_every = 6\n[grid]\nwidth = 16\nheight = 16\n\
[city]\npopulation = 300\n[city.generate]\ndistricts_x = 2\ndistricts_y = 2\n";

fn crimesim(args: &[&str]) {
    let cli = Cli::try_parse_from(std::iter::once("crimesim").chain(args.iter().copied()))
        .expect("valid arguments");
    crimesim::run(cli).expect("the seed folder is written");
}

fn folders() -> &'static Folders {
    static FOLDERS: OnceLock<Folders> = OnceLock::new();
    FOLDERS.get_or_init(|| {
        let root = std::env::temp_dir().join(format!("crimesim-fuzz-{}", std::process::id()));
        let _ = fs::remove_dir_all(&root);
        fs::create_dir_all(&root).unwrap();
        let (base, experiment) = (root.join("base.toml"), root.join("exp.toml"));
        fs::write(&base, BASE).unwrap();
        fs::write(&experiment, EXPERIMENT).unwrap();
        let run = root.join("run");
        let sweep = root.join("sweep");
        let s = |p: &Path| p.to_str().unwrap().to_string();
        crimesim(&["run", &s(&base), "--out", &s(&run), "--ticks", "48", "-q"]);
        crimesim(&["sweep", &s(&experiment), "--out", &s(&sweep), "-q"]);
        crimesim(&["merge", &s(&sweep)]);
        Folders {
            run,
            sweep,
            work: root.join("work"),
        }
    })
}

/// Every file under `dir`, sorted, as paths relative to it.
fn files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else {
                out.push(p.strip_prefix(dir).unwrap().to_path_buf());
            }
        }
    }
    out.sort();
    out
}

fn copy(from: &Path, to: &Path) {
    for f in files(from) {
        fs::create_dir_all(to.join(&f).parent().unwrap()).unwrap();
        fs::copy(from.join(&f), to.join(&f)).unwrap();
    }
}

/// Damages one file as `data` says: byte 0 picks the file, byte 1 the
/// damage, the rest are positions, a length or the new content.
fn damage(dir: &Path, data: &[u8]) {
    let all = files(dir);
    let file = dir.join(&all[data[0] as usize % all.len()]);
    let mut bytes = fs::read(&file).unwrap();
    let rest = &data[2..];
    let len = bytes.len().max(1);
    let at = |i: usize| {
        let b = rest
            .get(i..i + 4)
            .map_or(0, |b| u32::from_le_bytes(b.try_into().unwrap()));
        b as usize % len
    };
    match data[1] % 4 {
        0 => {
            for i in (0..rest.len().min(32)).step_by(4) {
                let j = at(i);
                if let Some(b) = bytes.get_mut(j) {
                    *b ^= 1 << (rest[i] % 8);
                }
            }
        }
        1 => bytes.truncate(at(0)),
        2 => bytes = rest.to_vec(),
        _ => {
            fs::remove_file(&file).unwrap();
            return;
        }
    }
    fs::write(&file, bytes).unwrap();
}

fuzz_target!(|data: &[u8]| {
    if data.len() < 3 {
        return;
    }
    let f = folders();
    let sweep = data[0] & 0x80 != 0;
    let _ = fs::remove_dir_all(&f.work);
    copy(if sweep { &f.sweep } else { &f.run }, &f.work);
    damage(&f.work, &data[1..]);
    let _ = crimesim::report::render(&f.work);
    if sweep {
        let _ = crimesim::commands::merge::merge(&MergeArgs {
            dir: f.work.clone(),
            resubmit: None,
        });
    }
});
