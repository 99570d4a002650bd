//! Where an output file really goes: outputs are files we own, or we write through.
//!
//! A symbolic link is followed, so the atomic write (a hidden temporary file renamed over
//! the target) happens beside the link's target and the link stays a link. An existing
//! file that is not a regular file (a character or block device such as `/dev/null`, a
//! FIFO, a socket) is opened and written in place, never replaced by a rename. A
//! directory is an error. The CLI's `synth`, `batch` and `jobs download` and the client's
//! downloads all write through [`Target`].

use std::io::{self, Write};
use std::path::{Path, PathBuf};

/// How many symbolic links are followed before giving up (as Linux's `MAXSYMLINKS`).
const MAX_LINKS: usize = 40;

/// A resolved output path.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Target {
    /// A regular file, or nothing yet: written to a hidden file beside it, which is then
    /// renamed over it (atomic).
    Replace(PathBuf),
    /// An existing device, FIFO or socket: opened for writing and written in place (no
    /// temporary file, no rename, no truncation).
    WriteThrough(PathBuf),
}

impl Target {
    /// Resolves `path`: follows symbolic links (at most 40) and looks at what is there.
    ///
    /// # Errors
    ///
    /// The path (or a link's target) is a directory, a link chain is too long, or the
    /// file system cannot be read.
    pub fn resolve(path: &Path) -> io::Result<Target> {
        let mut p = path.to_path_buf();
        for _ in 0..MAX_LINKS {
            let meta = match std::fs::symlink_metadata(&p) {
                Ok(m) => m,
                Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(Target::Replace(p)),
                Err(e) => return Err(e),
            };
            let kind = meta.file_type();
            if kind.is_symlink() {
                let link = std::fs::read_link(&p)?;
                p = match p.parent() {
                    Some(dir) if link.is_relative() => dir.join(link),
                    _ => link,
                };
            } else if kind.is_file() {
                return Ok(Target::Replace(p));
            } else if kind.is_dir() {
                return Err(io::Error::new(
                    io::ErrorKind::IsADirectory,
                    format!("{} is a directory", p.display()),
                ));
            } else {
                return Ok(Target::WriteThrough(p));
            }
        }
        Err(io::Error::other(format!(
            "{}: more than {MAX_LINKS} symbolic links",
            path.display()
        )))
    }

    /// The path bytes finally go to (a link's target, not the link).
    #[must_use]
    pub fn path(&self) -> &Path {
        match self {
            Target::Replace(p) | Target::WriteThrough(p) => p,
        }
    }

    /// Whether this is written in place rather than replaced.
    #[must_use]
    pub fn is_write_through(&self) -> bool {
        matches!(self, Target::WriteThrough(_))
    }

    /// Writes `bytes` as the whole content: to a hidden file beside a regular target that
    /// is fsynced and renamed over it, or straight into a device or FIFO.
    ///
    /// # Errors
    ///
    /// Any error creating, writing, syncing or renaming; the hidden file is removed.
    pub fn write_all(&self, bytes: &[u8]) -> io::Result<()> {
        match self {
            Target::WriteThrough(p) => {
                let mut f = std::fs::OpenOptions::new().write(true).open(p)?;
                f.write_all(bytes)?;
                f.flush()
            }
            Target::Replace(p) => {
                let part = hidden_sibling(p, "part");
                let written = std::fs::File::create(&part).and_then(|mut f| {
                    f.write_all(bytes)?;
                    f.sync_all()
                });
                let renamed = written.and_then(|()| std::fs::rename(&part, p));
                if renamed.is_err() {
                    let _ = std::fs::remove_file(&part);
                }
                renamed?;
                sync_parent(p);
                Ok(())
            }
        }
    }
}

/// Checks, before anything is written, that `path` can take an output: resolved as
/// [`Target::resolve`] does (a directory is an error), a file's directory must exist and
/// take new files (a hidden file is created there and removed, which also catches a
/// read-only file system and a name too long for the partial file beside it), and a device
/// or socket must open for writing. A FIFO is only checked for a write permission bit:
/// opening it would wait for a reader.
///
/// # Errors
///
/// What [`Target::resolve`] returns, or why the file could not be written.
pub fn check_writable(path: &Path) -> io::Result<()> {
    match Target::resolve(path)? {
        Target::Replace(p) => {
            let dir = dir_of(&p);
            match std::fs::metadata(dir) {
                Ok(m) if m.is_dir() => {}
                Ok(_) => {
                    return Err(io::Error::new(
                        io::ErrorKind::NotADirectory,
                        format!("{} is not a directory", dir.display()),
                    ));
                }
                Err(e) if e.kind() == io::ErrorKind::NotFound => {
                    return Err(io::Error::new(
                        io::ErrorKind::NotFound,
                        format!("the directory {} does not exist", dir.display()),
                    ));
                }
                Err(e) => return Err(e),
            }
            let probe = hidden_sibling(&p, &format!("probe-{}", std::process::id()));
            std::fs::OpenOptions::new()
                .write(true)
                .create_new(true)
                .open(&probe)?;
            let _ = std::fs::remove_file(&probe);
            Ok(())
        }
        Target::WriteThrough(p) => {
            #[cfg(unix)]
            {
                use std::os::unix::fs::{FileTypeExt, PermissionsExt};
                let meta = std::fs::metadata(&p)?;
                if meta.file_type().is_fifo() {
                    return if meta.permissions().mode() & 0o222 == 0 {
                        Err(io::Error::new(
                            io::ErrorKind::PermissionDenied,
                            format!("the named pipe {} is not writable", p.display()),
                        ))
                    } else {
                        Ok(())
                    };
                }
            }
            std::fs::OpenOptions::new().write(true).open(&p).map(drop)
        }
    }
}

/// The directory `path` is in (`.` for a bare file name).
fn dir_of(path: &Path) -> &Path {
    match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    }
}

/// `.NAME.SUFFIX` beside `path`.
#[must_use]
pub fn hidden_sibling(path: &Path, suffix: &str) -> PathBuf {
    let name = path
        .file_name()
        .map_or_else(|| "output".into(), |n| n.to_string_lossy().into_owned());
    path.with_file_name(format!(".{name}.{suffix}"))
}

/// Makes a rename in `path`'s directory durable (best effort: not every platform can open
/// a directory).
pub fn sync_parent(path: &Path) {
    let dir = dir_of(path);
    if let Ok(d) = std::fs::File::open(dir) {
        let _ = d.sync_all();
    }
}

/// The file `path` names, for comparing outputs: symbolic links followed, the directory
/// made canonical, the file name kept. Two paths with the same identity write the same file
/// (`x.wav`, `./x.wav` and a link to it all do).
///
/// # Errors
///
/// As [`Target::resolve`].
pub fn identity(path: &Path) -> io::Result<PathBuf> {
    let target = Target::resolve(path)?;
    let p = target.path();
    let dir = dir_of(p);
    let name = p.file_name().unwrap_or(p.as_os_str());
    // A directory that does not exist yet cannot be made canonical: fall back to its
    // absolute form (it is created later).
    let dir = std::fs::canonicalize(dir).or_else(|_| std::path::absolute(dir))?;
    Ok(dir.join(name))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tmp(name: &str) -> PathBuf {
        let d = std::env::temp_dir().join(format!("ttsc-target-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&d);
        std::fs::create_dir_all(&d).unwrap();
        d
    }

    #[test]
    fn links_are_followed_and_regular_files_replaced() {
        let d = tmp("links");
        let real = d.join("real.wav");
        std::fs::write(&real, b"old").unwrap();
        #[cfg(unix)]
        std::os::unix::fs::symlink("real.wav", d.join("link.wav")).unwrap();
        #[cfg(unix)]
        {
            let t = Target::resolve(&d.join("link.wav")).unwrap();
            assert_eq!(t, Target::Replace(d.join("real.wav")));
            t.write_all(b"new").unwrap();
            assert!(
                std::fs::symlink_metadata(d.join("link.wav"))
                    .unwrap()
                    .file_type()
                    .is_symlink()
            );
            assert_eq!(std::fs::read(&real).unwrap(), b"new");
            assert_eq!(
                identity(&d.join("link.wav")).unwrap(),
                identity(&real).unwrap()
            );
        }
        assert_eq!(
            identity(&d.join("x.wav")).unwrap(),
            identity(&d.join(".").join("x.wav")).unwrap()
        );
        assert!(Target::resolve(&d).is_err());
        std::fs::remove_dir_all(&d).unwrap();
    }

    #[test]
    fn writability_is_checked_without_leaving_anything() {
        let d = tmp("writable");
        check_writable(&d.join("a.wav")).unwrap();
        assert_eq!(
            std::fs::read_dir(&d).unwrap().count(),
            0,
            "the probe is removed"
        );
        let missing = check_writable(&d.join("no/a.wav")).unwrap_err();
        assert!(missing.to_string().contains("does not exist"), "{missing}");
        std::fs::write(d.join("file"), b"").unwrap();
        assert!(check_writable(&d.join("file/a.wav")).is_err());
        assert!(check_writable(&d).is_err(), "a directory");
        // The partial file's name would be too long for the file system.
        assert!(check_writable(&d.join("x".repeat(250))).is_err());
        std::fs::remove_dir_all(&d).unwrap();
    }
}
