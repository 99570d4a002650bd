//! Result files served at signed, expiring download URLs, like pre-signed object storage.
//!
//! The service hands out result files (`audio_file_url`, `download_url`, …) as
//! pre-signed object-storage URLs that need no credentials and expire after an hour.
//! [`FileStore`] does the same for the emulator:
//!
//! - [`FileStore::put`] keeps the bytes under an unguessable token and returns a URL
//!   path `/emulator-files/{token}/{file_name}?expires={unix seconds}&sig={hex}`. The
//!   token is 128 bits derived from the store's key and a counter; `sig` is
//!   HMAC-SHA256 over the token, the file name and the expiry, with the store's key.
//! - [`FileStore::get`] checks a requested path and query, in this order, and refuses
//!   with a [`Refusal`]: a path outside `/emulator-files/` → not found; `expires` or
//!   `sig` missing → access denied; a signature that does not match (any tampering
//!   with token, name or expiry) → signature mismatch; `now > expires` → expired (a URL
//!   is valid through its expiry second); no such file → not found.
//! - [`FileStore::url`] signs a fresh URL for a stored file, so every poll of a job can
//!   return a URL with a full lifetime, as the service does.
//!
//! A file lives as long as the last URL signed for it: every call that takes `now`
//! first frees the files whose every URL has expired, so the store holds only what a
//! live URL can fetch. The sweep visits the files in expiry order and stops at the
//! first live one, so its work is proportional to what it frees. The emulator
//! regenerates a job's files when it is read after they were freed.
//!
//! Time is always passed in (`now`, Unix seconds); the store never reads a clock.
//!
//! # Refusals on the wire
//!
//! Like object storage (OBS, S3), refusals are XML, served as `application/xml`:
//!
//! ```xml
//! <?xml version="1.0" encoding="UTF-8"?>
//! <Error><Code>AccessDenied</Code><Message>Request has expired</Message><RequestId>…</RequestId></Error>
//! ```
//!
//! | refusal | status | `Code` |
//! | --- | --- | --- |
//! | [`NotFound`](Refusal::NotFound) | 404 | `NoSuchKey` |
//! | [`MissingSignature`](Refusal::MissingSignature) | 403 | `AccessDenied` |
//! | [`BadSignature`](Refusal::BadSignature) | 403 | `SignatureDoesNotMatch` |
//! | [`Expired`](Refusal::Expired) | 403 | `AccessDenied` |

use std::collections::{BTreeSet, HashMap};
use std::fmt::Write as _;

use bytes::Bytes;
use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;

use crate::rng::Rng;

/// How long a download URL stays valid by default, in seconds (the service's hour).
pub const DEFAULT_TTL_SECS: u64 = 3600;
/// The path under which files are served.
pub const PATH_PREFIX: &str = "/emulator-files/";
/// The `Content-Type` of a refusal body.
pub const REFUSAL_CONTENT_TYPE: &str = "application/xml";

/// A file kept by the store.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct StoredFile {
    /// The content (cheap to clone).
    pub bytes: Bytes,
    /// The `Content-Type` to serve it with.
    pub content_type: String,
    /// The file name in its URL (after [`sanitize_file_name`]).
    pub file_name: String,
    /// When it was stored, in Unix seconds.
    pub created_at: u64,
    /// When the last URL signed for it expires, in Unix seconds; it is freed after.
    pub expires: u64,
}

/// A signed download URL (path and query; the server adds scheme and host).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct FileUrl {
    /// The file's token, its identity in the store.
    pub token: String,
    /// When the URL stops working, in Unix seconds.
    pub expires: u64,
    path_and_query: String,
}

impl FileUrl {
    /// `/emulator-files/{token}/{file_name}?expires={expires}&sig={hex}`.
    #[must_use]
    pub fn path_and_query(&self) -> &str {
        &self.path_and_query
    }
}

/// Why a download was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Refusal {
    /// No file at this path (never stored, removed, or not a file path at all).
    #[error("no such file")]
    NotFound,
    /// The query lacks `expires` or `sig`.
    #[error("the download URL has no signature")]
    MissingSignature,
    /// The signature does not match the token, file name and expiry.
    #[error("the download URL's signature does not match")]
    BadSignature,
    /// The URL is past its expiry.
    #[error("the download URL expired at {expires}")]
    Expired {
        /// When it expired, in Unix seconds.
        expires: u64,
    },
    /// Neither `GET` nor `HEAD`.
    #[error("downloads accept only GET and HEAD")]
    MethodNotAllowed,
}

impl Refusal {
    /// The HTTP status to answer with.
    #[must_use]
    pub const fn status(&self) -> u16 {
        match self {
            Self::NotFound => 404,
            Self::MethodNotAllowed => 405,
            Self::MissingSignature | Self::BadSignature | Self::Expired { .. } => 403,
        }
    }

    /// The object-storage error code.
    #[must_use]
    pub const fn code(&self) -> &'static str {
        match self {
            Self::NotFound => "NoSuchKey",
            Self::MissingSignature | Self::Expired { .. } => "AccessDenied",
            Self::BadSignature => "SignatureDoesNotMatch",
            Self::MethodNotAllowed => "MethodNotAllowed",
        }
    }

    /// The object-storage error message.
    #[must_use]
    pub const fn message(&self) -> &'static str {
        match self {
            Self::NotFound => "The specified key does not exist.",
            Self::MissingSignature => {
                "Query-string authentication requires the expires and sig parameters"
            }
            Self::BadSignature => {
                "The request signature we calculated does not match the signature you provided."
            }
            Self::Expired { .. } => "Request has expired",
            Self::MethodNotAllowed => "The specified method is not allowed against this resource.",
        }
    }

    /// The XML error body, with `request_id` (escaped).
    #[must_use]
    pub fn xml_body(&self, request_id: &str) -> String {
        format!(
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>{}</Code><Message>{}</Message><RequestId>{}</RequestId></Error>",
            self.code(),
            self.message(),
            xml_escape(request_id)
        )
    }
}

fn xml_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            c => out.push(c),
        }
    }
    out
}

/// Makes a file name safe for a URL path segment: characters other than ASCII letters,
/// digits, `.`, `_` and `-` become `_`; an empty or dots-only name gets a `file`
/// prefix (so `.` and `..` never reach a path); at most 128 characters are kept.
#[must_use]
pub fn sanitize_file_name(name: &str) -> String {
    let mut clean: String = name
        .chars()
        .take(128)
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-') {
                c
            } else {
                '_'
            }
        })
        .collect();
    if clean.chars().all(|c| c == '.') {
        clean.insert_str(0, "file");
    }
    clean
}

/// HMAC-SHA256 (RFC 2104) with a 32-byte key.
fn hmac_sha256(key: &[u8; 32], message: &[u8]) -> [u8; 32] {
    Hmac::<Sha256>::new_from_slice(key)
        .expect("HMAC takes a key of any length")
        .chain_update(message)
        .finalize()
        .into_bytes()
        .into()
}

fn hex(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        let _ = write!(out, "{b:02x}");
    }
    out
}

/// Compares without an early exit, so response timing does not reveal the prefix of a
/// valid signature.
fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// Result files and the key that signs their URLs.
#[derive(Debug)]
pub struct FileStore {
    key: [u8; 32],
    ttl_secs: u64,
    counter: u64,
    files: HashMap<String, StoredFile>,
    /// `(expires, token)` of every stored file, so a sweep stops at the first live one.
    by_expiry: BTreeSet<(u64, String)>,
    bytes: u64,
}

impl FileStore {
    /// An empty store whose signing key is drawn from `rng`, with the default TTL.
    #[must_use]
    pub fn new(rng: &mut Rng) -> Self {
        let mut key = [0u8; 32];
        rng.fill_bytes(&mut key);
        Self::with_key(key)
    }

    /// An empty store with a given signing key, with the default TTL.
    #[must_use]
    pub fn with_key(key: [u8; 32]) -> Self {
        Self {
            key,
            ttl_secs: DEFAULT_TTL_SECS,
            counter: 0,
            files: HashMap::new(),
            by_expiry: BTreeSet::new(),
            bytes: 0,
        }
    }

    /// Sets how long new URLs stay valid, in seconds.
    #[must_use]
    pub fn with_ttl_secs(mut self, ttl_secs: u64) -> Self {
        self.ttl_secs = ttl_secs;
        self
    }

    /// The number of stored files.
    #[must_use]
    pub fn len(&self) -> usize {
        self.files.len()
    }

    /// Whether the store is empty.
    #[must_use]
    #[cfg(test)]
    pub fn is_empty(&self) -> bool {
        self.files.is_empty()
    }

    /// The bytes held by the stored files.
    #[must_use]
    pub fn total_bytes(&self) -> u64 {
        self.bytes
    }

    /// Stores a file and returns its URL, valid for the TTL from `now` (Unix seconds),
    /// after freeing the files whose URLs all expired before `now`.
    ///
    /// `file_name` goes through [`sanitize_file_name`].
    pub fn put(
        &mut self,
        bytes: impl Into<Bytes>,
        content_type: &str,
        file_name: &str,
        now: u64,
    ) -> FileUrl {
        self.remove_expired(now);
        self.counter += 1;
        let mut message = b"token\n".to_vec();
        message.extend_from_slice(&self.counter.to_be_bytes());
        let token = hex(&hmac_sha256(&self.key, &message)[..16]);
        let file_name = sanitize_file_name(file_name);
        let expires = now.saturating_add(self.ttl_secs);
        let url = self.sign(&token, &file_name, expires);
        let bytes: Bytes = bytes.into();
        self.bytes += bytes.len() as u64;
        self.by_expiry.insert((expires, token.clone()));
        self.files.insert(
            token,
            StoredFile {
                bytes,
                content_type: content_type.to_owned(),
                file_name,
                created_at: now,
                expires,
            },
        );
        url
    }

    /// A fresh URL for a stored file, valid for the TTL from `now`, which keeps the file
    /// until then; `None` if the token is unknown or the file was freed (expired files
    /// are freed first).
    pub fn url(&mut self, token: &str, now: u64) -> Option<FileUrl> {
        self.remove_expired(now);
        let expires = now.saturating_add(self.ttl_secs);
        let file = self.files.get_mut(token)?;
        if expires > file.expires {
            self.by_expiry.remove(&(file.expires, token.to_owned()));
            self.by_expiry.insert((expires, token.to_owned()));
            file.expires = expires;
        }
        let file_name = file.file_name.clone();
        Some(self.sign(token, &file_name, expires))
    }

    /// The stored file for a token, without any URL check (for the server's own use).
    #[must_use]
    pub fn file(&self, token: &str) -> Option<&StoredFile> {
        self.files.get(token)
    }

    /// Removes a file; its URLs then answer [`Refusal::NotFound`].
    #[cfg(test)]
    pub fn remove(&mut self, token: &str) -> Option<StoredFile> {
        let file = self.files.remove(token)?;
        self.by_expiry.remove(&(file.expires, token.to_owned()));
        self.bytes -= file.bytes.len() as u64;
        Some(file)
    }

    /// Frees the files whose every URL expired before `now` (Unix seconds); returns how
    /// many. Visits only those files and the first live one.
    pub fn remove_expired(&mut self, now: u64) -> usize {
        let mut freed = 0;
        while self
            .by_expiry
            .first()
            .is_some_and(|(expires, _)| *expires < now)
        {
            if let Some((_, token)) = self.by_expiry.pop_first()
                && let Some(file) = self.files.remove(&token)
            {
                self.bytes -= file.bytes.len() as u64;
                freed += 1;
            }
        }
        freed
    }

    fn signature(&self, token: &str, file_name: &str, expires: u64) -> String {
        let message = format!("GET\n{token}\n{file_name}\n{expires}");
        hex(&hmac_sha256(&self.key, message.as_bytes()))
    }

    fn sign(&self, token: &str, file_name: &str, expires: u64) -> FileUrl {
        let sig = self.signature(token, file_name, expires);
        FileUrl {
            token: token.to_owned(),
            expires,
            path_and_query: format!("{PATH_PREFIX}{token}/{file_name}?expires={expires}&sig={sig}"),
        }
    }

    /// Checks a download request (`path` without the query, `query` without the `?`)
    /// at time `now` (Unix seconds) and returns the file.
    ///
    /// Expired files are freed first.
    ///
    /// # Errors
    ///
    /// A [`Refusal`], checked in the order given in the [module documentation](self).
    pub fn get(
        &mut self,
        path: &str,
        query: Option<&str>,
        now: u64,
    ) -> Result<StoredFile, Refusal> {
        self.remove_expired(now);
        let rest = path.strip_prefix(PATH_PREFIX).ok_or(Refusal::NotFound)?;
        let (token, file_name) = rest.split_once('/').ok_or(Refusal::NotFound)?;
        if token.is_empty() || file_name.is_empty() || file_name.contains('/') {
            return Err(Refusal::NotFound);
        }
        let param = |name: &str| {
            query?
                .split('&')
                .filter_map(|pair| pair.split_once('='))
                .find(|(key, _)| *key == name)
                .map(|(_, value)| value)
        };
        let (Some(expires), Some(sig)) = (param("expires"), param("sig")) else {
            return Err(Refusal::MissingSignature);
        };
        let expires: u64 = expires.parse().map_err(|_| Refusal::BadSignature)?;
        let expected = self.signature(token, file_name, expires);
        if !constant_time_eq(expected.as_bytes(), sig.as_bytes()) {
            return Err(Refusal::BadSignature);
        }
        if now > expires {
            return Err(Refusal::Expired { expires });
        }
        match self.files.get(token) {
            Some(file) if file.file_name == file_name => Ok(file.clone()),
            _ => Err(Refusal::NotFound),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOW: u64 = 1_800_000_000;

    fn store() -> FileStore {
        FileStore::new(&mut Rng::new(7))
    }

    fn split(url: &FileUrl) -> (String, String) {
        let (path, query) = url.path_and_query().split_once('?').unwrap();
        (path.to_owned(), query.to_owned())
    }

    #[test]
    fn hmac_matches_rfc_4231() {
        // RFC 4231 test case 2 uses a short key, padded with zeros like ours.
        let mut key = [0u8; 32];
        key[..4].copy_from_slice(b"Jefe");
        assert_eq!(
            hex(&hmac_sha256(&key, b"what do ya want for nothing?")),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
    }

    #[test]
    fn put_then_get_roundtrips() {
        let mut s = store();
        let url = s.put(Bytes::from_static(b"hello"), "text/plain", "a.txt", NOW);
        assert_eq!(url.expires, NOW + DEFAULT_TTL_SECS);
        let (path, query) = split(&url);
        assert_eq!(path, format!("/emulator-files/{}/a.txt", url.token));
        assert!(query.starts_with(&format!("expires={}&sig=", NOW + 3600)));
        let file = s.get(&path, Some(&query), NOW).unwrap();
        assert_eq!(file.bytes, "hello");
        assert_eq!(file.content_type, "text/plain");
        assert_eq!(file.file_name, "a.txt");
        assert_eq!(file.created_at, NOW);
        assert_eq!(s.len(), 1);
    }

    #[test]
    fn tokens_are_unique_unguessable_and_deterministic() {
        let mut a = store();
        let mut b = store();
        let ta: Vec<String> = (0..50)
            .map(|_| a.put(&b""[..], "x", "f", NOW).token)
            .collect();
        let tb: Vec<String> = (0..50)
            .map(|_| b.put(&b""[..], "x", "f", NOW).token)
            .collect();
        assert_eq!(ta, tb, "same seed, same tokens");
        let mut unique = ta.clone();
        unique.sort();
        unique.dedup();
        assert_eq!(unique.len(), 50);
        assert!(
            ta.iter()
                .all(|t| t.len() == 32 && t.bytes().all(|c| c.is_ascii_hexdigit()))
        );
        let mut other = FileStore::new(&mut Rng::new(8));
        assert_ne!(other.put(&b""[..], "x", "f", NOW).token, ta[0]);
    }

    #[test]
    fn expiry_is_enforced_with_the_ttl() {
        let mut s = store().with_ttl_secs(60);
        let url = s.put(&b"x"[..], "x", "f.bin", NOW);
        let (path, query) = split(&url);
        assert!(
            s.get(&path, Some(&query), NOW + 60).is_ok(),
            "valid through its expiry second"
        );
        assert_eq!(
            s.get(&path, Some(&query), NOW + 61),
            Err(Refusal::Expired { expires: NOW + 60 })
        );
    }

    #[test]
    fn tampering_is_refused() {
        let mut s = store();
        let url = s.put(&b"x"[..], "x", "f.wav", NOW);
        let other = s.put(&b"y"[..], "x", "g.wav", NOW);
        let (path, query) = split(&url);
        let sig = query.split_once("&sig=").unwrap().1.to_owned();
        // A later expiry.
        let longer = format!("expires={}&sig={sig}", NOW + 999_999);
        assert_eq!(s.get(&path, Some(&longer), NOW), Err(Refusal::BadSignature));
        // Another file name or another token with this signature.
        let renamed = path.replace("f.wav", "f.mp3");
        assert_eq!(
            s.get(&renamed, Some(&query), NOW),
            Err(Refusal::BadSignature)
        );
        let swapped = path.replace(&url.token, &other.token);
        assert_eq!(
            s.get(&swapped, Some(&query), NOW),
            Err(Refusal::BadSignature)
        );
        // A flipped signature character.
        let mut flipped = query.clone();
        let last = flipped.pop().unwrap();
        flipped.push(if last == '0' { '1' } else { '0' });
        assert_eq!(
            s.get(&path, Some(&flipped), NOW),
            Err(Refusal::BadSignature)
        );
        // A garbled expiry.
        let garbled = format!("expires=soon&sig={sig}");
        assert_eq!(
            s.get(&path, Some(&garbled), NOW),
            Err(Refusal::BadSignature)
        );
        // A tampered, expired URL reports the tampering, not the expiry.
        assert_eq!(
            s.get(&path, Some(&longer), NOW + 10_000_000),
            Err(Refusal::BadSignature)
        );
    }

    #[test]
    fn missing_parameters_and_bad_paths() {
        let mut s = store();
        let url = s.put(&b"x"[..], "x", "f", NOW);
        let (path, query) = split(&url);
        assert_eq!(s.get(&path, None, NOW), Err(Refusal::MissingSignature));
        let only_sig = query.split_once('&').unwrap().1;
        assert_eq!(
            s.get(&path, Some(only_sig), NOW),
            Err(Refusal::MissingSignature)
        );
        for bad in [
            "/other/path",
            "/emulator-files/",
            "/emulator-files/tok",
            "/emulator-files//f",
        ] {
            assert_eq!(
                s.get(bad, Some(&query), NOW),
                Err(Refusal::NotFound),
                "{bad}"
            );
        }
        // Extra query parameters, in any order, are fine.
        let reordered = format!("x=1&{}&{}", only_sig, query.split_once('&').unwrap().0);
        assert!(s.get(&path, Some(&reordered), NOW).is_ok());
    }

    #[test]
    fn removed_files_are_not_found_and_fresh_urls_can_be_signed() {
        let mut s = store();
        let url = s.put(&b"x"[..], "x", "f", NOW);
        let fresh = s.url(&url.token, NOW + 1000).unwrap();
        assert_eq!(fresh.expires, NOW + 1000 + 3600);
        let (path, query) = split(&fresh);
        assert!(s.get(&path, Some(&query), NOW + 4000).is_ok());
        assert!(s.file(&url.token).is_some());
        assert!(s.remove(&url.token).is_some());
        assert_eq!(s.get(&path, Some(&query), NOW), Err(Refusal::NotFound));
        assert_eq!(s.url(&url.token, NOW), None);
        assert!(s.is_empty());
    }

    #[test]
    fn files_are_freed_when_their_last_url_expires() {
        let mut s = store().with_ttl_secs(60);
        let a = s.put(&b"aaaa"[..], "x", "a", NOW);
        let b = s.put(&b"bb"[..], "x", "b", NOW + 30);
        assert_eq!((s.len(), s.total_bytes()), (2, 6));
        // A fresh URL for `a` at NOW + 50 keeps it until NOW + 110.
        let fresh = s.url(&a.token, NOW + 50).unwrap();
        assert_eq!(s.remove_expired(NOW + 91), 1, "b expired at NOW + 90");
        assert_eq!((s.len(), s.total_bytes()), (1, 4));
        assert!(s.file(&b.token).is_none());
        let (path, query) = split(&fresh);
        assert!(s.get(&path, Some(&query), NOW + 110).is_ok());
        // Every call that takes `now` sweeps: the first URL answers as expired, and the
        // file is gone.
        let (path, query) = split(&a);
        assert_eq!(
            s.get(&path, Some(&query), NOW + 111),
            Err(Refusal::Expired { expires: NOW + 60 })
        );
        assert!(s.is_empty());
        assert_eq!(s.total_bytes(), 0);
        assert_eq!(s.url(&a.token, NOW + 111), None);
        // A put sweeps too.
        s.put(&b"c"[..], "x", "c", NOW + 200);
        s.put(&b"d"[..], "x", "d", NOW + 261);
        assert_eq!((s.len(), s.total_bytes()), (1, 1));
    }

    #[test]
    fn file_names_are_sanitized() {
        assert_eq!(sanitize_file_name("job 1/../x?.wav"), "job_1_.._x_.wav");
        assert_eq!(sanitize_file_name(".."), "file..");
        assert_eq!(sanitize_file_name(""), "file");
        assert_eq!(sanitize_file_name("语音.mp3"), "__.mp3");
        assert_eq!(sanitize_file_name(&"a".repeat(300)).len(), 128);
        let mut s = store();
        let url = s.put(&b"x"[..], "x", "my file.wav", NOW);
        assert!(url.path_and_query().contains("/my_file.wav?"));
    }

    #[test]
    fn refusals_look_like_object_storage() {
        assert_eq!(
            (Refusal::NotFound.status(), Refusal::NotFound.code()),
            (404, "NoSuchKey")
        );
        assert_eq!(Refusal::BadSignature.code(), "SignatureDoesNotMatch");
        let expired = Refusal::Expired { expires: 5 };
        assert_eq!((expired.status(), expired.code()), (403, "AccessDenied"));
        assert_eq!(Refusal::MissingSignature.status(), 403);
        assert_eq!(
            expired.xml_body("req<1>"),
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>AccessDenied</Code><Message>Request has expired</Message><RequestId>req&lt;1&gt;</RequestId></Error>"
        );
        assert_eq!(expired.to_string(), "the download URL expired at 5");
        let method = Refusal::MethodNotAllowed;
        assert_eq!((method.status(), method.code()), (405, "MethodNotAllowed"));
        assert!(
            method
                .xml_body("a&b")
                .contains("<RequestId>a&amp;b</RequestId>")
        );
    }
}
