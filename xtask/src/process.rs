//! Running the tools the automation drives (cargo, wrangler, worker-build, node), with
//! failures that say which command failed and how.

use std::ffi::OsStr;
use std::path::Path;
use std::process::{Command, Stdio};

use crate::Failure;

/// A command to run from the repository's root.
pub struct Cmd {
    command: Command,
    shown: String,
}

impl Cmd {
    pub fn new(program: impl AsRef<OsStr>, root: &Path) -> Self {
        let shown = program.as_ref().to_string_lossy().into_owned();
        let mut command = Command::new(program);
        command.current_dir(root);
        Self { command, shown }
    }

    /// `node_modules/.bin/wrangler`, without usage metrics (CI and offline machines).
    pub fn wrangler(root: &Path) -> Self {
        let mut cmd = Self::new(root.join("node_modules/.bin/wrangler"), root);
        cmd.shown = "wrangler".into();
        cmd.env("WRANGLER_SEND_METRICS", "false");
        cmd
    }

    pub fn arg(&mut self, arg: impl AsRef<OsStr>) -> &mut Self {
        let text = arg.as_ref().to_string_lossy();
        self.shown.push(' ');
        self.shown.push_str(&text);
        self.command.arg(arg);
        self
    }

    pub fn args<I: IntoIterator<Item = S>, S: AsRef<OsStr>>(&mut self, args: I) -> &mut Self {
        for arg in args {
            self.arg(arg);
        }
        self
    }

    pub fn env(&mut self, name: impl AsRef<OsStr>, value: impl AsRef<OsStr>) -> &mut Self {
        self.command.env(name, value);
        self
    }

    pub fn current_dir(&mut self, dir: &Path) -> &mut Self {
        self.command.current_dir(dir);
        self
    }

    /// Runs it with this process's output; fails unless it exits 0.
    pub fn run(&mut self) -> Result<(), Failure> {
        let status = self
            .command
            .status()
            .map_err(|e| Failure::new(format!("could not start `{}`: {e}", self.shown)))?;
        if status.success() {
            Ok(())
        } else {
            Err(Failure::new(format!("`{}` failed ({status})", self.shown)))
        }
    }

    /// Runs it and returns what it printed (stdout and stderr, in that order), whether or
    /// not it succeeded: for tools whose words say more than their exit code.
    pub fn output_text(&mut self) -> Result<(bool, String), Failure> {
        let output = self
            .command
            .stdin(Stdio::null())
            .output()
            .map_err(|e| Failure::new(format!("could not start `{}`: {e}", self.shown)))?;
        let mut text = String::from_utf8_lossy(&output.stdout).into_owned();
        text.push_str(&String::from_utf8_lossy(&output.stderr));
        Ok((output.status.success(), text))
    }

    /// Runs it and returns its stdout; fails, with what it printed, unless it exits 0.
    pub fn stdout(&mut self) -> Result<String, Failure> {
        let bytes = self.stdout_bytes()?;
        String::from_utf8(bytes)
            .map_err(|_| Failure::new(format!("`{}` printed text that is not UTF-8", self.shown)))
    }

    /// Runs it and returns its stdout as bytes; fails unless it exits 0.
    pub fn stdout_bytes(&mut self) -> Result<Vec<u8>, Failure> {
        let output = self
            .command
            .stdin(Stdio::null())
            .stderr(Stdio::inherit())
            .output()
            .map_err(|e| Failure::new(format!("could not start `{}`: {e}", self.shown)))?;
        if !output.status.success() {
            return Err(Failure::new(format!(
                "`{}` failed ({})",
                self.shown, output.status
            )));
        }
        Ok(output.stdout)
    }
}
