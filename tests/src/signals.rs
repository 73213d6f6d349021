//! Stopping what a long-running harness started when someone stops it: the stop signals
//! are blocked and waited for on one thread (serve-e2e for the browser tests, and
//! `cargo xtask bench`), which then stops the servers by process group.

/// Blocks SIGTERM, SIGINT and SIGHUP in the calling thread (and the threads it starts
/// later) and returns the set, for [`wait_for_signal`].
pub fn block_stop_signals() -> libc::sigset_t {
    // SAFETY: sigset_t is plain data that sigemptyset initialises; the calls only read
    // and write the set passed to them and this thread's signal mask.
    #[allow(unsafe_code)]
    unsafe {
        let mut set: libc::sigset_t = std::mem::zeroed();
        libc::sigemptyset(&mut set);
        for signal in [libc::SIGTERM, libc::SIGINT, libc::SIGHUP] {
            libc::sigaddset(&mut set, signal);
        }
        libc::pthread_sigmask(libc::SIG_BLOCK, &set, std::ptr::null_mut());
        set
    }
}

/// Waits for one of the blocked signals in `set` and returns it.
pub fn wait_for_signal(set: &libc::sigset_t) -> Option<libc::c_int> {
    let mut signal: libc::c_int = 0;
    // SAFETY: sigwait reads the set and writes one int we own.
    #[allow(unsafe_code)]
    let result = unsafe { libc::sigwait(set, &mut signal) };
    (result == 0).then_some(signal)
}
