//! Work off the Python thread: the GIL is released while it runs; the
//! calling thread wakes every [`POLL`] to take the GIL briefly, run
//! Python's signal handlers (Ctrl-C) and report progress.

use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::sync::mpsc;
use std::time::Duration;

use crimesim::embed::Control;
use pyo3::prelude::*;

/// How often the waiting thread looks at signals and progress.
const POLL: Duration = Duration::from_millis(50);

/// What became of watched work: its result (`None` if it panicked, with the
/// message), and the exception raised meanwhile by a signal handler or the
/// progress callback, which asked the work to stop.
pub struct Watched<T> {
    pub result: Result<T, String>,
    pub raised: Option<PyErr>,
}

/// Runs `work` on a thread of its own with the GIL released. `progress`,
/// when given, is called as `progress(done, total)` whenever
/// `Control::done` has moved, and once at the end.
pub fn watch<T: Send>(
    py: Python<'_>,
    progress: Option<Py<PyAny>>,
    total: u64,
    work: impl FnOnce(&Arc<Control>) -> T + Send,
) -> Watched<T> {
    let control = Arc::new(Control::default());
    py.detach(|| {
        std::thread::scope(|scope| {
            let (send, receive) = mpsc::channel();
            let c = &control;
            scope.spawn(move || {
                let ran = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| work(c)));
                let _ = send.send(ran.map_err(panic_message));
            });
            let mut raised = None;
            let mut shown = None;
            loop {
                let finished = match receive.recv_timeout(POLL) {
                    Ok(result) => Some(result),
                    Err(mpsc::RecvTimeoutError::Timeout) => None,
                    Err(mpsc::RecvTimeoutError::Disconnected) => {
                        Some(Err("the worker thread ended without a result".to_string()))
                    }
                };
                if raised.is_none() {
                    raised = Python::attach(|py| {
                        poll(py, &control, progress.as_ref(), total, &mut shown)
                    });
                    if raised.is_some() {
                        control.stop.store(true, Ordering::SeqCst);
                    }
                }
                if let Some(result) = finished {
                    return Watched { result, raised };
                }
            }
        })
    })
}

/// Runs pending signal handlers, then reports progress if it moved.
fn poll(
    py: Python<'_>,
    control: &Control,
    progress: Option<&Py<PyAny>>,
    total: u64,
    shown: &mut Option<u64>,
) -> Option<PyErr> {
    if let Err(e) = py.check_signals() {
        return Some(e);
    }
    let done = control.done.load(Ordering::Relaxed);
    if let Some(callback) = progress
        && *shown != Some(done)
    {
        *shown = Some(done);
        if let Err(e) = callback.call1(py, (done, total)) {
            return Some(e);
        }
    }
    None
}

fn panic_message(panic: Box<dyn std::any::Any + Send>) -> String {
    panic
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| panic.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "unknown panic".into())
}
