//! The processes a measurement starts and must stop, whatever happens: [`Running`] is a
//! process started as the leader of a process group of its own and stopped, by its pid,
//! when it is dropped (on success, on an error, and after a signal). [`catch_signals`]
//! turns SIGINT, SIGTERM and SIGHUP into a flag that [`Running::wait`] and the other
//! waits check, so a Ctrl-C unwinds the task through its guards instead of ending the
//! process with its children still running.

use std::process::{Child, ChildStdout, Command, ExitStatus};
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use airline_e2e::signals::{block_stop_signals, wait_for_signal};

use crate::Failure;

static INTERRUPTED: AtomicBool = AtomicBool::new(false);

/// How often a wait looks at the process and the flag.
const POLL: Duration = Duration::from_millis(100);

/// Whether a stop signal has arrived since [`catch_signals`].
pub fn interrupted() -> bool {
    INTERRUPTED.load(Ordering::SeqCst)
}

/// The failure a task returns when a signal stopped it.
pub fn interruption() -> Failure {
    Failure::new("interrupted")
}

/// Fails once a stop signal has arrived: for the task to check between its steps.
pub fn check_interrupted() -> Result<(), Failure> {
    if interrupted() {
        Err(interruption())
    } else {
        Ok(())
    }
}

/// From now on SIGINT, SIGTERM and SIGHUP only set the flag [`interrupted`] reads. Call it
/// before this process starts any thread: the signals are blocked in the calling thread,
/// which every later thread inherits, and taken by one thread with `sigwait` (no
/// asynchronous handler). Children start with a clear mask (std resets it).
pub fn catch_signals() {
    let signals = block_stop_signals();
    std::thread::spawn(move || {
        while wait_for_signal(&signals).is_some() {
            if INTERRUPTED.swap(true, Ordering::SeqCst) {
                eprintln!("xtask: stopping what was started (signalled again: still stopping)");
            } else {
                eprintln!("xtask: stopping what was started");
            }
        }
    });
}

/// How a process is asked to stop before it is killed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stop {
    /// Its stdin closed, then SIGTERM (serve-e2e: it then stops its dev server's own
    /// process group).
    Terminate,
    /// SIGINT, as a Ctrl-C would (Lighthouse: it then closes its Chromium).
    Interrupt,
}

/// A process this task started, stopped when dropped.
pub struct Running {
    name: String,
    child: Child,
    stop: Stop,
    /// How long it gets to stop before its process group is killed.
    grace: Duration,
    /// Its exit status, once it has been reaped.
    exited: Option<ExitStatus>,
}

impl Running {
    /// Starts `command` (whose stdio the caller has set) in a process group of its own:
    /// a Ctrl-C in the terminal then reaches it only through this task, which stops it
    /// in order.
    pub fn start(
        name: &str,
        command: &mut Command,
        stop: Stop,
        grace: Duration,
    ) -> Result<Self, Failure> {
        use std::os::unix::process::CommandExt as _;
        let child = command
            .process_group(0)
            .spawn()
            .map_err(|e| Failure::new(format!("could not start {name}: {e}")))?;
        Ok(Self {
            name: name.to_owned(),
            child,
            stop,
            grace,
            exited: None,
        })
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    /// Its stdout, if it was piped and not yet taken.
    pub fn take_stdout(&mut self) -> Option<ChildStdout> {
        self.child.stdout.take()
    }

    /// Its exit status, if it has exited.
    pub fn exited(&mut self) -> Option<ExitStatus> {
        if self.exited.is_none() {
            self.exited = self.child.try_wait().ok().flatten();
        }
        self.exited
    }

    /// Waits for it to exit; fails when a stop signal arrives first (dropping it then
    /// stops it).
    pub fn wait(&mut self) -> Result<ExitStatus, Failure> {
        loop {
            if let Some(status) = self.exited() {
                return Ok(status);
            }
            check_interrupted()?;
            std::thread::sleep(POLL);
        }
    }

    /// Asks it to stop, waits up to the grace period, then kills its process group.
    fn stop(&mut self) {
        if self.exited().is_none() {
            match self.stop {
                Stop::Terminate => {
                    // Closing its stdin is the first request; SIGTERM the second.
                    drop(self.child.stdin.take());
                    signal_group(self.child.id(), libc::SIGTERM);
                }
                Stop::Interrupt => signal_group(self.child.id(), libc::SIGINT),
            }
            let deadline = Instant::now() + self.grace;
            while self.exited().is_none() && Instant::now() < deadline {
                std::thread::sleep(POLL);
            }
            if self.exited().is_none() {
                eprintln!(
                    "xtask: {} did not stop within {:?}: killing it",
                    self.name, self.grace
                );
            }
        }
        // Whatever it left in its group goes with it.
        signal_group(self.child.id(), libc::SIGKILL);
        if self.exited.is_none() {
            self.exited = self.child.wait().ok();
        }
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        self.stop();
    }
}

/// Sends `signal` to the process group `group` leads.
fn signal_group(group: u32, signal: libc::c_int) {
    let Ok(group) = libc::pid_t::try_from(group) else {
        return;
    };
    // SAFETY: kill() with a negative pid signals exactly the process group this task
    // created for the child; it dereferences nothing.
    #[allow(unsafe_code)]
    unsafe {
        libc::kill(-group, signal);
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]

    use std::process::Stdio;

    use super::*;

    /// A shell that starts a grandchild in its own group and waits: dropping the guard
    /// stops both (the group) within the grace period.
    #[test]
    fn dropping_a_running_process_stops_its_whole_process_group() {
        let dir = tempfile::tempdir().unwrap();
        let pid_file = dir.path().join("grandchild");
        let mut command = Command::new("sh");
        command
            .arg("-c")
            .arg(format!(
                "trap '' TERM; sleep 60 & echo $! > {}; wait",
                pid_file.display()
            ))
            .stdin(Stdio::piped());
        let started = Instant::now();
        let running = Running::start(
            "a shell ignoring SIGTERM",
            &mut command,
            Stop::Terminate,
            Duration::from_millis(300),
        )
        .unwrap();
        let grandchild = loop {
            if let Ok(text) = std::fs::read_to_string(&pid_file) {
                if let Ok(pid) = text.trim().parse::<i32>() {
                    break pid;
                }
            }
            assert!(started.elapsed() < Duration::from_secs(10), "no grandchild");
            std::thread::sleep(Duration::from_millis(20));
        };
        drop(running);
        assert!(started.elapsed() < Duration::from_secs(10));
        // The grandchild is gone (or a zombie awaiting init): no longer sleeping.
        std::thread::sleep(Duration::from_millis(100));
        let state = std::fs::read_to_string(format!("/proc/{grandchild}/stat")).unwrap_or_default();
        let alive = state
            .rsplit_once(") ")
            .is_some_and(|(_, rest)| !rest.starts_with('Z'));
        assert!(!alive, "the grandchild still runs: {state}");
    }

    #[test]
    fn a_process_that_stops_when_asked_is_waited_for_with_its_status() {
        let mut command = Command::new("sh");
        command.arg("-c").arg("exit 3");
        let mut running =
            Running::start("sh", &mut command, Stop::Interrupt, Duration::from_secs(5)).unwrap();
        assert_eq!(running.wait().unwrap().code(), Some(3));
        assert_eq!(running.name(), "sh");
    }
}
