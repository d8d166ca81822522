//! Decoding files from outside with libraries that may panic on malformed
//! input: arrow-rs's IPC reader slices buffers at offsets read from the
//! file and panics when they point past its end. Such a panic is caught
//! and becomes an error about the file, and nothing is printed for it.

use std::cell::Cell;
use std::panic::{self, AssertUnwindSafe};
use std::sync::Once;

thread_local! {
    static DECODING: Cell<bool> = const { Cell::new(false) };
}

static HOOK: Once = Once::new();

/// Runs `decode`; a panic inside it comes back as `Err` with its message.
/// Panics elsewhere are reported by the hook that was installed before.
pub fn decode<T>(decode: impl FnOnce() -> T) -> Result<T, String> {
    HOOK.call_once(|| {
        let previous = panic::take_hook();
        panic::set_hook(Box::new(move |info| {
            if !DECODING.with(Cell::get) {
                previous(info);
            }
        }));
    });
    let was = DECODING.with(|d| d.replace(true));
    let result = panic::catch_unwind(AssertUnwindSafe(decode));
    DECODING.with(|d| d.set(was));
    result.map_err(|payload| {
        payload
            .downcast_ref::<String>()
            .cloned()
            .or_else(|| payload.downcast_ref::<&str>().map(|s| s.to_string()))
            .unwrap_or_else(|| "malformed data".to_string())
    })
}

/// Checks the blocks an Arrow IPC file's footer lists against the file's
/// length before the reader allocates them: arrow-rs allocates each block's
/// stated size (a corrupted length asks for terabytes). A footer that does
/// not parse is left to the reader, which reports it.
pub fn check_ipc_blocks(path: &std::path::Path) -> Result<(), String> {
    let bytes = std::fs::read(path).map_err(|e| e.to_string())?;
    let len = bytes.len();
    if len < 10 || &bytes[len - 6..] != b"ARROW1" {
        return Ok(());
    }
    let footer_len = i32::from_le_bytes(bytes[len - 10..len - 6].try_into().unwrap());
    let Some(start) = usize::try_from(footer_len)
        .ok()
        .and_then(|f| (len - 10).checked_sub(f))
    else {
        return Err(format!("footer length {footer_len} does not fit the file"));
    };
    let Ok(footer) = arrow_ipc::root_as_footer(&bytes[start..len - 10]) else {
        return Ok(());
    };
    let blocks = footer
        .recordBatches()
        .into_iter()
        .chain(footer.dictionaries());
    for block in blocks.flat_map(|v| v.iter()) {
        let end = [
            block.offset(),
            block.metaDataLength() as i64,
            block.bodyLength(),
        ]
        .iter()
        .try_fold(0i64, |sum, &part| {
            (part >= 0).then(|| sum.checked_add(part)).flatten()
        });
        if end.is_none_or(|end| end as u64 > len as u64) {
            return Err(format!(
                "a block at offset {} of {} + {} bytes lies beyond the file's {len} bytes",
                block.offset(),
                block.metaDataLength(),
                block.bodyLength()
            ));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_block_longer_than_the_file_is_refused_before_reading() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.arrow");
        let schema =
            std::sync::Arc::new(arrow_schema::Schema::new(vec![arrow_schema::Field::new(
                "x",
                arrow_schema::DataType::UInt64,
                false,
            )]));
        let column = std::sync::Arc::new(arrow_array::UInt64Array::from(vec![1u64, 2, 3]));
        let batch = arrow_array::RecordBatch::try_new(schema, vec![column]).unwrap();
        let mut bytes = crate::table::ipc_bytes(&batch).unwrap();
        std::fs::write(&path, &bytes).unwrap();
        assert_eq!(check_ipc_blocks(&path), Ok(()));
        // The footer's block record: offset (i64), metadata length (i32),
        // padding, body length (i64). Make the body length huge.
        let record: Vec<u8> = {
            let footer = arrow_ipc::root_as_footer(footer_of(&bytes)).unwrap();
            let b = footer.recordBatches().unwrap().get(0);
            [
                &b.offset().to_le_bytes()[..],
                &b.metaDataLength().to_le_bytes(),
                &[0; 4],
                &b.bodyLength().to_le_bytes(),
            ]
            .concat()
        };
        let at = bytes
            .windows(24)
            .rposition(|w| w == record.as_slice())
            .expect("the block record")
            + 16;
        bytes[at + 5] = 0x10;
        std::fs::write(&path, &bytes).unwrap();
        let err = check_ipc_blocks(&path).unwrap_err();
        assert!(err.contains("beyond the file"), "{err}");
    }

    fn footer_of(bytes: &[u8]) -> &[u8] {
        let len = bytes.len();
        let f = i32::from_le_bytes(bytes[len - 10..len - 6].try_into().unwrap()) as usize;
        &bytes[len - 10 - f..len - 10]
    }

    #[test]
    fn a_panic_while_decoding_becomes_an_error_with_its_message() {
        let r: Result<(), String> = decode(|| panic!("offset past the end"));
        assert_eq!(r, Err("offset past the end".to_string()));
        assert_eq!(decode(|| 3), Ok(3));
    }
}
