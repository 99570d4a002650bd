//! The batch journal: `.ttsc-batch.jsonl` in the output directory, append-only, one JSON
//! object per line, each line fsynced before the batch moves on.
//!
//! ```text
//! {"event":"created","id":"intro","job_id":"…","fingerprint":"…"}
//! {"event":"done","id":"intro","job_id":"…","files":["intro.wav"]}
//! {"event":"failed","id":"outro","job_id":"…","reason":"…"}
//! ```
//!
//! On a re-run the last entry of each id decides: `done` (with its files present) is
//! skipped, `created` is re-attached to its job instead of creating another (when the
//! line's request is unchanged: same fingerprint), `failed` and unknown ids start afresh.
//! A line cut short by a crash is ignored.

use std::collections::HashMap;
use std::fs::{File, OpenOptions};
use std::io::{self, BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use serde::{Deserialize, Serialize};

/// The journal's file name.
pub const FILE_NAME: &str = ".ttsc-batch.jsonl";

/// One journal line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "event", rename_all = "lowercase")]
pub enum Entry {
    /// The job of line `id` exists.
    Created {
        /// The manifest id.
        id: String,
        /// The service's job id.
        job_id: String,
        /// A hash of the request, so an edited line is not re-attached to an old job.
        fingerprint: String,
    },
    /// The outputs of line `id` are complete.
    Done {
        /// The manifest id.
        id: String,
        /// The service's job id.
        job_id: String,
        /// The files written, relative to the output directory.
        files: Vec<String>,
    },
    /// Line `id` failed after every try.
    Failed {
        /// The manifest id.
        id: String,
        /// The last job id, when one was created.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        job_id: Option<String>,
        /// Why.
        reason: String,
    },
}

impl Entry {
    fn id(&self) -> &str {
        match self {
            Entry::Created { id, .. } | Entry::Done { id, .. } | Entry::Failed { id, .. } => id,
        }
    }
}

/// An open journal.
#[derive(Debug)]
pub struct Journal {
    path: PathBuf,
    file: Mutex<File>,
}

impl Journal {
    /// Opens (or creates) the journal in `dir` and returns the last entry of every id.
    pub fn open(dir: &Path) -> io::Result<(Journal, HashMap<String, Entry>)> {
        let path = dir.join(FILE_NAME);
        let mut last = HashMap::new();
        // Whether the file ends mid-line (the previous run died while appending).
        let mut torn = false;
        match File::open(&path) {
            Ok(f) => {
                let mut reader = BufReader::new(f);
                let mut line = String::new();
                while reader.read_line(&mut line)? > 0 {
                    torn = !line.ends_with('\n');
                    // A line torn by a crash does not parse and is skipped.
                    if let Ok(entry) = serde_json::from_str::<Entry>(&line) {
                        last.insert(entry.id().to_string(), entry);
                    }
                    line.clear();
                }
            }
            Err(e) if e.kind() == io::ErrorKind::NotFound => {}
            Err(e) => return Err(e),
        }
        let mut file = OpenOptions::new().create(true).append(true).open(&path)?;
        // Start on a fresh line.
        if torn {
            file.write_all(b"\n")?;
        }
        Ok((
            Journal {
                path,
                file: Mutex::new(file),
            },
            last,
        ))
    }

    /// Appends `entry` and waits until it is on disk.
    pub fn append(&self, entry: &Entry) -> io::Result<()> {
        let mut line = serde_json::to_string(entry).map_err(io::Error::other)?;
        line.push('\n');
        let mut file = self.file.lock().unwrap_or_else(|p| p.into_inner());
        file.write_all(line.as_bytes())?;
        file.sync_data()
    }

    /// Where the journal is.
    pub fn path(&self) -> &Path {
        &self.path
    }
}

/// A stable 64-bit FNV-1a hash, hex-encoded.
pub fn fingerprint(bytes: &[u8]) -> String {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in bytes {
        h ^= u64::from(*b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    format!("{h:016x}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_last_entry_wins_and_torn_lines_are_skipped() {
        let dir = std::env::temp_dir().join(format!("ttsc-journal-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        {
            let (j, last) = Journal::open(&dir).unwrap();
            assert!(last.is_empty());
            j.append(&Entry::Created {
                id: "a".into(),
                job_id: "j1".into(),
                fingerprint: "f".into(),
            })
            .unwrap();
            j.append(&Entry::Done {
                id: "a".into(),
                job_id: "j1".into(),
                files: vec!["a.wav".into()],
            })
            .unwrap();
            j.append(&Entry::Created {
                id: "b".into(),
                job_id: "j2".into(),
                fingerprint: "f".into(),
            })
            .unwrap();
        }
        // A crash mid-line.
        let mut f = OpenOptions::new()
            .append(true)
            .open(dir.join(FILE_NAME))
            .unwrap();
        f.write_all(b"{\"event\":\"done\",\"id\":\"b\"").unwrap();
        drop(f);
        let (j, last) = Journal::open(&dir).unwrap();
        assert!(matches!(last["a"], Entry::Done { .. }));
        assert!(matches!(&last["b"], Entry::Created { job_id, .. } if job_id == "j2"));
        j.append(&Entry::Failed {
            id: "b".into(),
            job_id: None,
            reason: "x".into(),
        })
        .unwrap();
        let (_, last) = Journal::open(&dir).unwrap();
        assert!(matches!(last["b"], Entry::Failed { .. }));
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn fingerprints_are_stable() {
        assert_eq!(fingerprint(b""), "cbf29ce484222325");
        assert_ne!(fingerprint(b"a"), fingerprint(b"b"));
    }
}
