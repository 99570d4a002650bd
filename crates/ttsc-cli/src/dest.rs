//! Where a command's output files go, checked before anything is sent: a file (written
//! through the client's [`Target`](target::Target), atomically or in place), or `-`, standard output.
//!
//! Audio for standard output is downloaded to a scratch file in the temporary directory
//! first (so it is checked like any download before a byte reaches the reader), then
//! copied out; nothing else is printed on standard output then.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

use ttsc_client::target;

use crate::error::{CliError, CliResult};
use crate::ui::Ui;

/// Whether `path` is `-`, standard output.
pub fn is_stdout(path: &Path) -> bool {
    path.as_os_str() == "-"
}

/// Checks a command's outputs, `(flag, path)` with the audio first, before anything is
/// sent. Only the first may be `-`, and not when standard output is a terminal (binary
/// audio would garble it). The others must be files (or devices and FIFOs, written
/// through) that can be written ([`target::check_writable`]: the directory exists and
/// takes files) and distinct after resolving: `x.wav`, `./x.wav` and a link to it are one
/// file.
pub fn check_outputs(ui: &Ui, outputs: &[(&str, &Path)]) -> CliResult {
    let mut seen: Vec<(&str, PathBuf)> = Vec::new();
    for (k, &(flag, path)) in outputs.iter().enumerate() {
        if path.as_os_str().is_empty() {
            return Err(CliError::usage(format!("{flag} is empty")));
        }
        if is_stdout(path) {
            if k > 0 {
                let (first, first_path) = outputs[0];
                let e = if is_stdout(first_path) {
                    CliError::usage(format!(
                        "{first} - and {flag} - both write to standard output"
                    ))
                } else {
                    CliError::usage(format!(
                        "{flag} - would write to standard output, which carries the command's result"
                    ))
                };
                return Err(e.hint(format!("name a file for {flag}")));
            }
            if ui.stdout_tty {
                return Err(CliError::usage(format!(
                    "{flag} - writes binary audio to standard output, which is a terminal"
                ))
                .hint("redirect it (`> out.wav`), pipe it (`| ffplay -`), or name a file"));
            }
            continue;
        }
        if path.is_dir() {
            return Err(CliError::usage(format!(
                "invalid value {} for {flag} (it is a directory; name a file)",
                path.display()
            )));
        }
        let identity = target::identity(path).map_err(|e| {
            CliError::usage(format!("invalid value {} for {flag}", path.display()))
                .cause(e.to_string())
        })?;
        if let Some((other, _)) = seen.iter().find(|(_, p)| *p == identity) {
            return Err(CliError::usage(format!(
                "{flag} and {other} name the same file {}",
                identity.display()
            )));
        }
        // A path that cannot be written costs nothing: no job is created for it.
        target::check_writable(path).map_err(|e| {
            CliError::usage(format!("cannot write {} for {flag}", path.display()))
                .cause(e.to_string())
        })?;
        seen.push((flag, identity));
    }
    Ok(())
}

/// Where an output is written: the file given, or for `-` a scratch file in a private
/// directory of this process (mode 0700, created anew, so nobody else can have prepared
/// or can read it) that [`Dest::finish`] copies to standard output. The directory is
/// removed when the `Dest` is dropped.
#[derive(Debug)]
pub struct Dest {
    path: PathBuf,
    scratch_dir: Option<PathBuf>,
}

static SCRATCH: AtomicUsize = AtomicUsize::new(0);

impl Dest {
    /// `given` as is, or for `-` a scratch file named `audio.EXT`.
    pub fn new(given: &Path, ext: &str) -> CliResult<Self> {
        if !is_stdout(given) {
            return Ok(Dest {
                path: given.to_path_buf(),
                scratch_dir: None,
            });
        }
        let tmp = std::env::temp_dir();
        let mut builder = std::fs::DirBuilder::new();
        #[cfg(unix)]
        std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
        // A name taken (by a leftover of an earlier process with this id) tries the next;
        // any other error would recur with every name.
        let mut taken = 0;
        let e = loop {
            let n = SCRATCH.fetch_add(1, Ordering::Relaxed);
            let dir = tmp.join(format!("ttsc-{}-{n}", std::process::id()));
            match builder.create(&dir) {
                Ok(()) => {
                    return Ok(Dest {
                        path: dir.join(format!("audio.{ext}")),
                        scratch_dir: Some(dir),
                    });
                }
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists && taken < 100 => {
                    taken += 1;
                }
                Err(e) => break e,
            }
        };
        Err(CliError::io(
            format!("cannot create a scratch directory in {}", tmp.display()),
            &e,
        ))
    }

    /// The path to write.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Whether this is standard output.
    pub fn is_stdout(&self) -> bool {
        self.scratch_dir.is_some()
    }

    /// For standard output, copies the finished scratch file there (in constant memory)
    /// and returns the bytes copied; otherwise nothing to do.
    pub fn finish(&self) -> CliResult<Option<u64>> {
        if !self.is_stdout() {
            return Ok(None);
        }
        let mut file = std::fs::File::open(&self.path)
            .map_err(|e| CliError::io(format!("cannot read {}", self.path.display()), &e))?;
        let mut out = std::io::stdout().lock();
        let n = std::io::copy(&mut file, &mut out)
            .and_then(|n| out.flush().map(|()| n))
            .map_err(|e| CliError::io("cannot write the audio to standard output", &e))?;
        Ok(Some(n))
    }
}

impl Drop for Dest {
    /// The scratch directory never outlives the command.
    fn drop(&mut self) {
        if let Some(dir) = &self.scratch_dir {
            let _ = std::fs::remove_dir_all(dir);
        }
    }
}
