//! Pictures to PNG files.

use std::fs::File;
use std::io::BufWriter;
use std::path::Path;

use bevy::image::Image;
use bevy::render::render_resource::TextureFormat;

/// An image's pixels as tightly packed RGBA, when its format is 8-bit.
pub fn rgba(image: &Image) -> Option<(u32, u32, Vec<u8>)> {
    let (w, h) = (image.width(), image.height());
    let data = image.data.as_ref()?;
    if data.len() != (w * h * 4) as usize {
        return None;
    }
    let mut px = data.clone();
    match image.texture_descriptor.format {
        TextureFormat::Rgba8Unorm | TextureFormat::Rgba8UnormSrgb => {}
        TextureFormat::Bgra8Unorm | TextureFormat::Bgra8UnormSrgb => {
            px.chunks_exact_mut(4).for_each(|p| p.swap(0, 2));
        }
        _ => return None,
    }
    // The alpha of a rendered frame is not a picture's transparency.
    px.chunks_exact_mut(4).for_each(|p| p[3] = 255);
    Some((w, h, px))
}

/// Writes a PNG under a hidden name beside `path`, renamed to `path` when
/// complete, so a reader never sees half a picture.
pub fn write(path: &Path, width: u32, height: u32, rgba: &[u8]) -> std::io::Result<()> {
    let name = path.file_name().unwrap_or_default().to_string_lossy();
    let partial = path.with_file_name(format!(".{name}.partial"));
    let written = encode(&partial, width, height, rgba);
    match written {
        Ok(()) => std::fs::rename(&partial, path),
        Err(e) => {
            let _ = std::fs::remove_file(&partial);
            Err(e)
        }
    }
}

fn encode(path: &Path, width: u32, height: u32, rgba: &[u8]) -> std::io::Result<()> {
    let file = BufWriter::new(File::create(path)?);
    let mut enc = png::Encoder::new(file, width, height);
    enc.set_color(png::ColorType::Rgba);
    enc.set_depth(png::BitDepth::Eight);
    let mut w = enc.write_header().map_err(std::io::Error::other)?;
    w.write_image_data(rgba).map_err(std::io::Error::other)?;
    w.finish().map_err(std::io::Error::other)
}
