//! Thread priority: the background seeds run only on processor time that
//! the window and the city shown leave.

/// Puts the calling thread in the idle class (Linux's `SCHED_IDLE`: it
/// runs only when nothing else of any priority wants the processor), or at
/// nice 19 where that is refused; elsewhere it keeps its priority.
pub fn lowest() {
    #[cfg(target_os = "linux")]
    // SAFETY: `gettid` has no preconditions; `sched_setscheduler` and
    // `setpriority` on the calling thread's id change only that thread,
    // and a failure (reported by the return value) leaves it as it was.
    unsafe {
        let tid = libc::gettid();
        let param = libc::sched_param { sched_priority: 0 };
        if libc::sched_setscheduler(tid, libc::SCHED_IDLE, &param) != 0 {
            libc::setpriority(libc::PRIO_PROCESS, tid as libc::id_t, 19);
        }
    }
}

#[cfg(all(test, target_os = "linux"))]
mod tests {
    /// The calling thread's scheduling policy and nice value.
    fn policy() -> (i32, i32) {
        // SAFETY: both only read the calling thread's settings.
        unsafe {
            let tid = libc::gettid();
            let nice = libc::getpriority(libc::PRIO_PROCESS, tid as libc::id_t);
            (libc::sched_getscheduler(tid), nice)
        }
    }

    #[test]
    fn lowest_puts_the_calling_thread_in_the_idle_class_and_no_other() {
        let before = policy();
        let inside = std::thread::spawn(|| {
            super::lowest();
            policy()
        })
        .join()
        .unwrap();
        assert!(inside.0 == libc::SCHED_IDLE || inside.1 == 19, "{inside:?}");
        assert_eq!(policy(), before);
    }
}
