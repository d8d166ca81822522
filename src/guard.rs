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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_panic_while_decoding_becomes_an_error_with_its_message() {
        let r: Result<(), String> = decode(|| panic!("offset past the end"));
        assert_eq!(r, Err("offset past the end".to_string()));
        assert_eq!(decode(|| 3), Ok(3));
    }
}
