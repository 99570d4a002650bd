//! The batch journal: `.ttsc-batch.jsonl` in the output directory, append-only, one JSON
//! object per line, each line fsynced before the batch moves on, and locked for the whole
//! run so two batches never share an output directory.
//!
//! ```text
//! {"event":"created","id":"intro","job_id":"…","fingerprint":"…"}
//! {"event":"started","id":"chapter","fingerprint":"…"}
//! {"event":"part","id":"chapter","job_id":"…"}
//! {"event":"done","id":"intro","job_id":"…","fingerprint":"…","files":["intro.wav"]}
//! {"event":"failed","id":"outro","job_id":"…","fingerprint":"…","reason":"…","permanent":true}
//! ```
//!
//! The fingerprint is the SHA-256 of the line's request, so an edited line (text, voice,
//! any option) is neither skipped nor re-attached to the job of its old content. On a
//! re-run the last entry of each id decides: `done` (same fingerprint, files present and
//! whole) is skipped, `created` (same fingerprint) is re-attached to its job instead of
//! creating another, `failed` with `permanent` (same fingerprint) is reported again without
//! a new job unless the user asks to retry failed lines, and anything else starts afresh.
//! A line longer than one job takes runs as parts through the client's long synthesis,
//! whose own journal beside the line's audio resumes the parts; `started` claims the line's
//! output files for the batch, and `part` names each part's job as soon as it exists, so that
//! no other line's failed create ever adopts it.
//! A line cut short by a crash, a line that is not UTF-8 and a line longer than
//! [`MAX_LINE`] are ignored.

use std::collections::{HashMap, HashSet};
use std::fs::{File, OpenOptions, TryLockError};
use std::io::{self, BufRead, BufReader, Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// The journal's file name.
pub const FILE_NAME: &str = ".ttsc-batch.jsonl";

/// The longest journal line read, in bytes; a longer one is ignored like a torn one.
pub const MAX_LINE: u64 = 64 * 1024;

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
        /// The line's [`fingerprint`] when the job was created.
        fingerprint: String,
    },
    /// Line `id`, longer than one job takes, began its long synthesis (the parts' jobs are
    /// in that synthesis's own journal beside the line's audio).
    Started {
        /// The manifest id.
        id: String,
        /// The line's [`fingerprint`].
        fingerprint: String,
    },
    /// A part of line `id`'s long synthesis has the job `job_id`. Never the line's last
    /// entry: it only adds to the jobs the journal names.
    Part {
        /// The manifest id.
        id: String,
        /// The service's job id.
        job_id: String,
    },
    /// The outputs of line `id` are complete.
    Done {
        /// The manifest id.
        id: String,
        /// The service's job id.
        job_id: String,
        /// The line's [`fingerprint`] (empty in journals of older versions: never matches).
        #[serde(default)]
        fingerprint: String,
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
        /// The line's [`fingerprint`].
        #[serde(default)]
        fingerprint: String,
        /// Why.
        reason: String,
        /// The service ran the job and marked it failed, or refused the create: trying the
        /// same request again would fail the same way.
        #[serde(default)]
        permanent: bool,
    },
}

impl Entry {
    fn id(&self) -> &str {
        match self {
            Entry::Created { id, .. }
            | Entry::Started { id, .. }
            | Entry::Part { id, .. }
            | Entry::Done { id, .. }
            | Entry::Failed { id, .. } => id,
        }
    }

    fn job_id(&self) -> Option<&str> {
        match self {
            Entry::Created { job_id, .. }
            | Entry::Part { job_id, .. }
            | Entry::Done { job_id, .. } => Some(job_id),
            Entry::Failed { job_id, .. } => job_id.as_deref(),
            Entry::Started { .. } => None,
        }
    }
}

/// What the journal says so far.
#[derive(Debug, Default)]
pub struct History {
    /// The last entry of each id.
    pub last: HashMap<String, Entry>,
    /// Every job id any entry names.
    job_ids: HashSet<String>,
    /// Job ids of `done` and `failed` entries: their line finished with them.
    settled: HashSet<String>,
    /// Every `created` job, in order, with its line's id.
    created: Vec<(String, String)>,
    /// Lines that began a long synthesis.
    started: HashSet<String>,
}

impl History {
    fn record(&mut self, entry: &Entry) {
        if let Some(job_id) = entry.job_id() {
            self.job_ids.insert(job_id.to_string());
            match entry {
                Entry::Created { id, .. } => self.created.push((id.clone(), job_id.to_string())),
                Entry::Done { .. } | Entry::Failed { .. } => {
                    self.settled.insert(job_id.to_string());
                }
                Entry::Started { .. } | Entry::Part { .. } => {}
            }
        }
        match entry {
            Entry::Part { .. } => return,
            Entry::Started { id, .. } => {
                self.started.insert(id.clone());
            }
            _ => {}
        }
        self.last.insert(entry.id().to_string(), entry.clone());
    }

    /// Whether line `id` has had a job in this output directory: its output files are the
    /// journal's to replace.
    pub fn owns(&self, id: &str) -> bool {
        self.created.iter().any(|(line, _)| line == id)
            || self.started.contains(id)
            || matches!(self.last.get(id), Some(Entry::Done { .. }))
    }

    /// Every job id the journal names: never adopted as the job of a failed create.
    pub fn job_ids(&self) -> &HashSet<String> {
        &self.job_ids
    }

    /// Jobs the journal says were created that no line owns: not finished by their line
    /// and not the job a line of `ids` (the manifest) is waiting for.
    pub fn orphans(&self, ids: &HashSet<&str>) -> Vec<String> {
        let mut seen = HashSet::new();
        self.created
            .iter()
            .filter(|(id, job_id)| {
                let current = ids.contains(id.as_str())
                    && matches!(self.last.get(id), Some(Entry::Created { job_id: j, .. }) if j == job_id);
                !current && !self.settled.contains(job_id) && seen.insert(job_id.as_str())
            })
            .map(|(_, job_id)| job_id.clone())
            .collect()
    }
}

/// Why the journal could not be opened.
#[derive(Debug)]
pub enum OpenError {
    /// Another process holds the journal's lock.
    Locked,
    /// Reading, creating or locking the file failed.
    Io(io::Error),
}

impl From<io::Error> for OpenError {
    fn from(e: io::Error) -> Self {
        OpenError::Io(e)
    }
}

/// An open, locked journal; the lock goes with the process (also on a crash).
#[derive(Debug)]
pub struct Journal {
    path: PathBuf,
    /// Whether this run created the file.
    new: bool,
    inner: Mutex<Inner>,
}

#[derive(Debug)]
struct Inner {
    file: File,
    history: History,
}

impl Journal {
    /// Opens (or creates) the journal in `dir` and takes its exclusive lock, or fails with
    /// [`OpenError::Locked`] when another process holds it.
    pub fn open(dir: &Path) -> Result<Journal, OpenError> {
        let path = dir.join(FILE_NAME);
        let new = !path.exists();
        let file = OpenOptions::new()
            .read(true)
            .append(true)
            .create(true)
            .open(&path)?;
        match file.try_lock() {
            Ok(()) => {}
            Err(TryLockError::WouldBlock) => return Err(OpenError::Locked),
            Err(TryLockError::Error(e)) => return Err(OpenError::Io(e)),
        }
        let mut journal = Journal {
            path,
            new,
            inner: Mutex::new(Inner {
                file,
                history: History::default(),
            }),
        };
        journal.load()?;
        Ok(journal)
    }

    /// Reads the entries written so far (under the lock: another run may have added some
    /// since the file was opened).
    fn load(&mut self) -> io::Result<()> {
        let inner = self.inner.get_mut().unwrap_or_else(|p| p.into_inner());
        (&inner.file).seek(SeekFrom::Start(0))?;
        let mut reader = BufReader::new(&inner.file);
        let mut line = Vec::new();
        // Whether the file ends mid-line (the previous run died while appending).
        let mut torn = false;
        loop {
            line.clear();
            let n = (&mut reader).take(MAX_LINE).read_until(b'\n', &mut line)?;
            if n == 0 {
                break;
            }
            torn = line.last() != Some(&b'\n');
            if torn && n as u64 == MAX_LINE {
                // Too long: skip to the end of the line, reading nothing more into memory.
                torn = skip_line(&mut reader)?;
                continue;
            }
            // A line torn by a crash, or not UTF-8, does not parse and is skipped.
            if let Ok(entry) = serde_json::from_slice::<Entry>(&line) {
                inner.history.record(&entry);
            }
        }
        // Start on a fresh line.
        if torn {
            inner.file.write_all(b"\n")?;
        }
        Ok(())
    }

    /// Appends `entry` and waits until it is on disk.
    pub fn append(&self, entry: &Entry) -> io::Result<()> {
        let mut line = serde_json::to_string(entry).map_err(io::Error::other)?;
        line.push('\n');
        let mut inner = self.inner.lock().unwrap_or_else(|p| p.into_inner());
        inner.file.write_all(line.as_bytes())?;
        inner.file.sync_data()?;
        inner.history.record(entry);
        Ok(())
    }

    /// Reads the journal's state.
    pub fn with_history<T>(&self, f: impl FnOnce(&History) -> T) -> T {
        let inner = self.inner.lock().unwrap_or_else(|p| p.into_inner());
        f(&inner.history)
    }

    /// Removes the journal if this run created it and wrote nothing (a run refused before
    /// its first request leaves the directory as it was).
    pub fn discard_if_unused(self) {
        let inner = self.inner.into_inner().unwrap_or_else(|p| p.into_inner());
        if self.new && inner.file.metadata().is_ok_and(|m| m.len() == 0) {
            let _ = std::fs::remove_file(&self.path);
        }
    }

    /// Where the journal is.
    pub fn path(&self) -> &Path {
        &self.path
    }
}

/// Reads past the rest of an overlong line; returns whether the file ended before a line
/// break.
fn skip_line(reader: &mut impl BufRead) -> io::Result<bool> {
    loop {
        let buf = reader.fill_buf()?;
        if buf.is_empty() {
            return Ok(true);
        }
        match buf.iter().position(|b| *b == b'\n') {
            Some(at) => {
                reader.consume(at + 1);
                return Ok(false);
            }
            None => {
                let n = buf.len();
                reader.consume(n);
            }
        }
    }
}

/// The SHA-256 of `bytes`, hex-encoded.
pub fn fingerprint(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn temp_dir(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("ttsc-journal-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }

    fn append_raw(dir: &Path, bytes: &[u8]) {
        let mut f = OpenOptions::new()
            .append(true)
            .open(dir.join(FILE_NAME))
            .unwrap();
        f.write_all(bytes).unwrap();
    }

    fn done(id: &str, job_id: &str) -> Entry {
        Entry::Done {
            id: id.into(),
            job_id: job_id.into(),
            fingerprint: "f".into(),
            files: vec![format!("{id}.wav")],
        }
    }

    fn created(id: &str, job_id: &str) -> Entry {
        Entry::Created {
            id: id.into(),
            job_id: job_id.into(),
            fingerprint: "f".into(),
        }
    }

    fn last(j: &Journal) -> HashMap<String, Entry> {
        j.with_history(|h| h.last.clone())
    }

    #[test]
    fn the_last_entry_wins_and_torn_lines_are_skipped() {
        let dir = temp_dir("torn");
        {
            let j = Journal::open(&dir).unwrap();
            assert!(last(&j).is_empty());
            j.append(&created("a", "j1")).unwrap();
            j.append(&done("a", "j1")).unwrap();
            j.append(&created("b", "j2")).unwrap();
        }
        // A crash mid-line.
        append_raw(&dir, b"{\"event\":\"done\",\"id\":\"b\"");
        let j = Journal::open(&dir).unwrap();
        assert!(matches!(last(&j)["a"], Entry::Done { .. }));
        assert!(matches!(&last(&j)["b"], Entry::Created { job_id, .. } if job_id == "j2"));
        j.append(&Entry::Failed {
            id: "b".into(),
            job_id: None,
            fingerprint: "f".into(),
            reason: "x".into(),
            permanent: false,
        })
        .unwrap();
        drop(j);
        let j = Journal::open(&dir).unwrap();
        assert!(matches!(last(&j)["b"], Entry::Failed { .. }));
        drop(j);
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn invalid_utf8_torn_characters_and_overlong_lines_are_skipped() {
        let dir = temp_dir("utf8");
        drop(Journal::open(&dir).unwrap());
        let good = |e: &Entry| format!("{}\n", serde_json::to_string(e).unwrap());
        append_raw(&dir, good(&done("a", "j1")).as_bytes());
        append_raw(&dir, b"{\"event\":\"done\",\"id\":\"b\xff\xfe\"}\n");
        append_raw(&dir, &vec![b'x'; MAX_LINE as usize * 2]);
        append_raw(&dir, b"\n");
        append_raw(&dir, good(&done("c", "j3")).as_bytes());
        // "é" cut after its first byte by a crash.
        append_raw(
            &dir,
            "{\"event\":\"failed\",\"id\":\"d\",\"reason\":\"caf".as_bytes(),
        );
        append_raw(&dir, &"é".as_bytes()[..1]);
        let j = Journal::open(&dir).unwrap();
        let mut ids: Vec<String> = last(&j).into_keys().collect();
        ids.sort();
        assert_eq!(ids, ["a", "c"]);
        // Server text with any character stays valid UTF-8 on a fresh line.
        j.append(&Entry::Failed {
            id: "d".into(),
            job_id: None,
            fingerprint: "f".into(),
            reason: "voix bloquée \u{202e} 失败".into(),
            permanent: true,
        })
        .unwrap();
        drop(j);
        let j = Journal::open(&dir).unwrap();
        assert!(
            matches!(&last(&j)["d"], Entry::Failed { reason, permanent: true, .. } if reason.ends_with("失败"))
        );
        drop(j);
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn a_second_open_is_refused_while_the_first_holds_the_lock() {
        let dir = temp_dir("lock");
        let first = Journal::open(&dir).unwrap();
        assert!(matches!(Journal::open(&dir), Err(OpenError::Locked)));
        drop(first);
        drop(Journal::open(&dir).unwrap());
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn orphans_are_created_jobs_no_line_owns() {
        let mut h = History::default();
        for e in [
            created("a", "j1"),
            done("a", "j1"),
            created("b", "j2"), // b's current job
            created("c", "j3"), // c edited: replaced by j4
            created("c", "j4"),
            created("gone", "j5"), // no longer in the manifest
            Entry::Started {
                id: "long".into(),
                fingerprint: "f".into(),
            }, // a long line, whose parts' jobs are named as they are created
            Entry::Part {
                id: "long".into(),
                job_id: "p1".into(),
            },
        ] {
            h.record(&e);
        }
        let ids: HashSet<&str> = ["a", "b", "c", "long"].into();
        assert_eq!(h.orphans(&ids), ["j3", "j5"]);
        assert!(h.owns("a") && h.owns("c") && h.owns("long") && !h.owns("z"));
        // A part's job is never adopted by another line, and is not the line's state.
        assert_eq!(h.job_ids().len(), 6);
        assert!(h.job_ids().contains("p1"));
        assert!(matches!(h.last["long"], Entry::Started { .. }));
    }

    #[test]
    fn fingerprints_are_sha256() {
        assert_eq!(
            fingerprint(b""),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
        assert_ne!(fingerprint(b"a"), fingerprint(b"b"));
    }
}
