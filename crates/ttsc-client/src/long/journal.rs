//! The journal of a long synthesis: which part has which job, so an interrupted run
//! re-attaches to its jobs instead of creating them again.
//!
//! It is a small JSON file beside the output (`.NAME.ttsc-parts.json`), rewritten
//! atomically after every change. Before a part's job is created the journal records the
//! time (`creating_since`); after, the job id. A run that finds a time without an id was
//! stopped while a create was in flight: it looks for that job among the records created
//! since then (same voice and text length, not already another part's) and adopts it, and
//! creates the job only when there is none. Creates are made one at a time, so at most one
//! part is ever in that state. The journal belongs to one set of arguments (a SHA-256
//! fingerprint of the job body and the part limit); another set starts afresh.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::error::{Error, ErrorKind, Result};
use crate::target::{Target, hidden_sibling};

const VERSION: u32 = 1;

/// One part's entry.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct Entry {
    /// The part's length in characters.
    pub(crate) chars: usize,
    /// Its job, once created.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) job_id: Option<String>,
    /// Unix seconds from which to search for a job whose create was in flight.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) creating_since: Option<u64>,
}

#[derive(Debug, Serialize, Deserialize)]
struct State {
    version: u32,
    fingerprint: String,
    parts: Vec<Entry>,
}

/// The journal, loaded.
#[derive(Debug)]
pub(crate) struct Journal {
    path: PathBuf,
    state: State,
}

/// The journal's path for the output `audio`.
pub(crate) fn path_for(audio: &Path) -> PathBuf {
    hidden_sibling(audio, "ttsc-parts.json")
}

/// A fingerprint of everything that decides the parts and their jobs.
pub(crate) fn fingerprint(body: &impl Serialize, max_part_chars: usize) -> String {
    let mut hash = Sha256::new();
    hash.update(serde_json::to_vec(body).expect("request bodies serialize"));
    hash.update(max_part_chars.to_le_bytes());
    hash.finalize().iter().map(|b| format!("{b:02x}")).collect()
}

impl Journal {
    /// Opens the journal at `path` for a run with `fingerprint` and parts of `chars`
    /// characters. Returns it and, when an older journal of other arguments was there,
    /// that journal's job ids (whose files the caller may remove).
    pub(crate) fn open(
        path: PathBuf,
        fingerprint: String,
        chars: &[usize],
    ) -> Result<(Journal, Vec<String>)> {
        let mut stale = Vec::new();
        match std::fs::read(&path) {
            Ok(bytes) => match serde_json::from_slice::<State>(&bytes) {
                Ok(state)
                    if state.version == VERSION
                        && state.fingerprint == fingerprint
                        && state
                            .parts
                            .iter()
                            .map(|e| e.chars)
                            .eq(chars.iter().copied()) =>
                {
                    return Ok((Journal { path, state }, stale));
                }
                Ok(state) => {
                    tracing::info!(path = %path.display(), "the parts journal is for other arguments; starting afresh");
                    stale = state.parts.into_iter().filter_map(|e| e.job_id).collect();
                }
                Err(e) => {
                    return Err(Error::new(
                        ErrorKind::Io,
                        format!(
                            "{} is not a ttsc parts journal; remove it to start afresh",
                            path.display()
                        ),
                    )
                    .with_source(e));
                }
            },
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(Error::io(format!("cannot read {}", path.display()), e)),
        }
        let journal = Journal {
            path,
            state: State {
                version: VERSION,
                fingerprint,
                parts: chars
                    .iter()
                    .map(|&chars| Entry {
                        chars,
                        ..Entry::default()
                    })
                    .collect(),
            },
        };
        journal.save()?;
        Ok((journal, stale))
    }

    /// Part `k`'s entry.
    pub(crate) fn entry(&self, k: usize) -> &Entry {
        &self.state.parts[k]
    }

    /// Every job id recorded.
    pub(crate) fn job_ids(&self) -> impl Iterator<Item = &str> {
        self.state.parts.iter().filter_map(|e| e.job_id.as_deref())
    }

    /// Records that part `k`'s job is being created, searchable from `since` (Unix seconds).
    pub(crate) fn creating(&mut self, k: usize, since: u64) -> Result<()> {
        let e = &mut self.state.parts[k];
        e.job_id = None;
        e.creating_since = Some(since);
        self.save()
    }

    /// Records part `k`'s job (or forgets it, with `None`, when it failed).
    pub(crate) fn set_job(&mut self, k: usize, job_id: Option<String>) -> Result<()> {
        let e = &mut self.state.parts[k];
        e.job_id = job_id;
        e.creating_since = None;
        self.save()
    }

    /// Removes the journal: the run is complete.
    pub(crate) fn remove(self) -> Result<()> {
        std::fs::remove_file(&self.path)
            .map_err(|e| Error::io(format!("cannot remove {}", self.path.display()), e))
    }

    fn save(&self) -> Result<()> {
        let bytes = serde_json::to_vec_pretty(&self.state).expect("the journal serializes");
        Target::Replace(self.path.clone())
            .write_all(&bytes)
            .map_err(|e| Error::io(format!("cannot write {}", self.path.display()), e))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn survives_reopening_and_is_reset_by_other_arguments() {
        let dir = std::env::temp_dir().join(format!("ttsc-journal-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = path_for(&dir.join("book.wav"));
        assert_eq!(path.file_name().unwrap(), ".book.wav.ttsc-parts.json");
        let _ = std::fs::remove_file(&path);

        let (mut j, stale) = Journal::open(path.clone(), "f1".into(), &[3, 4]).unwrap();
        assert!(stale.is_empty());
        j.creating(0, 100).unwrap();
        j.set_job(1, Some("job-b".into())).unwrap();

        let (j, _) = Journal::open(path.clone(), "f1".into(), &[3, 4]).unwrap();
        assert_eq!(j.entry(0).creating_since, Some(100));
        assert_eq!(j.entry(0).job_id, None);
        assert_eq!(j.job_ids().collect::<Vec<_>>(), ["job-b"]);

        let (j, stale) = Journal::open(path.clone(), "f2".into(), &[3, 4]).unwrap();
        assert_eq!(stale, ["job-b"]);
        assert_eq!(j.job_ids().count(), 0);
        j.remove().unwrap();
        assert!(!path.exists());

        std::fs::write(&path, b"not json").unwrap();
        let err = Journal::open(path.clone(), "f1".into(), &[3]).unwrap_err();
        assert!(
            err.to_string().contains("not a ttsc parts journal"),
            "{err}"
        );
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn fingerprints_differ_with_the_body_and_the_limit() {
        assert_ne!(fingerprint(&"a", 10), fingerprint(&"b", 10));
        assert_ne!(fingerprint(&"a", 10), fingerprint(&"a", 11));
        assert_eq!(fingerprint(&"a", 10).len(), 64);
    }
}
