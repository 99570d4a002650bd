//! Downloads of result files: streamed to disk in constant memory, atomic, resumable.
//!
//! Bytes go to a hidden `.NAME.part` file beside the target; when the announced length has
//! arrived the file is fsynced and renamed over the target, and the directory is fsynced, so
//! a crash never leaves a partial file under the final name. An interrupted transfer resumes
//! with `Range: bytes=N-` (also across runs: the `.part` file is the resume point). When the
//! pre-signed URL has expired, a fresh one is fetched from the job and the transfer continues.
//!
//! The destination is resolved with [`Target`]: a symbolic link is followed (the `.part`
//! file and the rename happen beside its target), and an existing device or FIFO is written
//! in place, never replaced.
//!
//! Download URLs are pre-signed object-storage URLs: the client never sends `Authorization`,
//! `X-Auth-Token` or `X-Security-Token` to them. Downloads follow up to 5 redirects (they
//! carry nothing secret); API and IAM calls follow none.

use std::future::Future;
use std::path::{Path, PathBuf};
use std::pin::Pin;
use std::time::Instant;

use tokio::io::AsyncWriteExt;

use ttsc_models::AudioFormat;

use crate::Client;
use crate::error::{Cause, Error, ErrorKind, Result};
use crate::http::transport_error;
use crate::sniff;
use crate::target::{Target, hidden_sibling, sync_parent};

/// What a download wrote.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Downloaded {
    /// The final path.
    pub path: PathBuf,
    /// Its size in bytes.
    pub bytes: u64,
    /// Bytes that were already there from an earlier, interrupted transfer.
    pub resumed_from: u64,
    /// How many times the transfer was resumed after an interruption in this call.
    pub resumes: u32,
    /// How many times a fresh URL was fetched because the old one had expired.
    pub url_refreshes: u32,
}

/// Largest subtitle or timestamp file a download accepts (64 MiB; the files of a
/// 10,000-character text are well under 2 MiB).
pub const MAX_TEXT_FILE_BYTES: u64 = 64 << 20;

/// A generous bound on the audio of a text of `chars` characters: 2 s per character (eight
/// times a normal speaking rate, four times at the slowest speed) of 48 kHz 16-bit stereo,
/// plus 16 MiB for silence and headers.
#[must_use]
pub fn audio_size_bound(chars: usize) -> u64 {
    (16 << 20) + (chars as u64).saturating_mul(2 * 48_000 * 2 * 2)
}

/// What a download must turn out to be. The file's first bytes are checked before it takes
/// its final name; a file that fails the check, or grows past its size bound, is removed.
#[derive(Debug, Clone, PartialEq, Eq)]
#[must_use]
pub struct Expect {
    kind: Kind,
    max_bytes: Option<u64>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Kind {
    Any,
    Text,
    Audio(Option<AudioFormat>),
}

impl Expect {
    /// Anything, up to the client's download size limit
    /// ([`ClientBuilder::max_download_bytes`](crate::ClientBuilder::max_download_bytes)).
    pub fn any() -> Self {
        Expect {
            kind: Kind::Any,
            max_bytes: None,
        }
    }

    /// Text (subtitles, timestamps): not an HTML page, at most [`MAX_TEXT_FILE_BYTES`].
    pub fn text() -> Self {
        Expect {
            kind: Kind::Text,
            max_bytes: Some(MAX_TEXT_FILE_BYTES),
        }
    }

    /// Audio in `format`, or when `None` in the format the response announces (its
    /// `Content-Type`, else the URL's extension): never empty, never an HTML page, WAV with
    /// its `RIFF`/`WAVE` header and MP3 with an ID3 tag or an MPEG frame sync.
    pub fn audio(format: Option<AudioFormat>) -> Self {
        Expect {
            kind: Kind::Audio(format.filter(|f| !matches!(f, AudioFormat::Unknown(_)))),
            max_bytes: None,
        }
    }

    /// At most `n` bytes (never more than the client's download size limit).
    pub fn max_bytes(mut self, n: u64) -> Self {
        self.max_bytes = Some(n);
        self
    }
}

/// A boxed future returning a fresh download URL.
pub type UrlFuture = Pin<Box<dyn Future<Output = Result<String>> + Send>>;

/// Fetches a fresh URL for the same file (for example by asking for the job again).
pub type RefreshUrl = Box<dyn FnMut() -> UrlFuture + Send>;

/// The file extension of a URL's last path segment (`…/a.mp3?sig=…` → `mp3`): up to four
/// ASCII letters or digits, else `None`.
#[must_use]
pub fn url_extension(url: &str) -> Option<&str> {
    let path = url.split(['?', '#']).next()?;
    let last = path.rsplit('/').next()?;
    let (_, ext) = last.rsplit_once('.')?;
    (!ext.is_empty() && ext.len() <= 4 && ext.bytes().all(|b| b.is_ascii_alphanumeric()))
        .then_some(ext)
}

/// The hidden partial file beside `dest`.
pub fn part_path(dest: &Path) -> PathBuf {
    hidden_sibling(dest, "part")
}

/// `Content-Range: bytes START-END/TOTAL` → (start, total).
fn content_range(v: &str) -> Option<(u64, Option<u64>)> {
    let rest = v.trim().strip_prefix("bytes ")?;
    let (range, total) = rest.split_once('/')?;
    let (start, _end) = range.split_once('-')?;
    Some((start.parse().ok()?, total.parse().ok()))
}

/// How one transfer attempt ended, when it did not complete.
enum Step {
    /// The URL was refused: fetch a fresh one.
    Expired(Error),
    /// Interrupted or inconsistent: resume after a pause.
    Retry(Error),
    /// Not worth retrying.
    Fatal(Error),
}

impl Client {
    /// Downloads `url` to `dest` (see the [module docs](crate::download)).
    pub async fn download(&self, url: &str, dest: &Path) -> Result<Downloaded> {
        self.download_with_refresh(url, dest, &Expect::any(), None)
            .await
    }

    /// Downloads `url` to `dest`, checking that it is what `expect` says, calling `refresh`
    /// for a fresh URL when the current one is refused as expired (403, 404 or 410), at
    /// most 3 times.
    ///
    /// Bounded three ways: by the response's `Content-Length`, by the size bound of
    /// `expect` and the client's download limit, and by the operation timeout for the
    /// whole transfer (a transfer cut by the deadline keeps its partial file, which the
    /// next call resumes).
    pub async fn download_with_refresh(
        &self,
        url: &str,
        dest: &Path,
        expect: &Expect,
        mut refresh: Option<RefreshUrl>,
    ) -> Result<Downloaded> {
        let inner = &self.inner;
        let limit = expect
            .max_bytes
            .unwrap_or(u64::MAX)
            .min(inner.max_download_bytes);
        let mut announced = match &expect.kind {
            Kind::Audio(None) => url_extension(url).and_then(sniff::format_of_extension),
            Kind::Audio(Some(f)) => Some(f.clone()),
            _ => None,
        };

        let target = Target::resolve(dest)
            .map_err(|e| Error::io(format!("cannot write {}", dest.display()), e))?;
        let through = target.is_write_through();
        let final_path = target.path();
        if let Some(dir) = final_path.parent().filter(|d| !d.as_os_str().is_empty())
            && !through
        {
            tokio::fs::create_dir_all(dir)
                .await
                .map_err(|e| Error::io(format!("cannot create {}", dir.display()), e))?;
        }
        // A device or FIFO is written in place; anything else goes to a `.part` file first.
        let part = if through {
            final_path.to_path_buf()
        } else {
            part_path(final_path)
        };
        let mut file = tokio::fs::OpenOptions::new()
            .create(!through)
            .append(!through)
            .write(through)
            .open(&part)
            .await
            .map_err(|e| Error::io(format!("cannot open {}", part.display()), e))?;
        let mut have = if through {
            0
        } else {
            file.metadata()
                .await
                .map_err(|e| Error::io(format!("cannot stat {}", part.display()), e))?
                .len()
        };
        if have > limit {
            file.set_len(0)
                .await
                .map_err(|e| Error::io(format!("cannot truncate {}", part.display()), e))?;
            have = 0;
        }
        let resumed_from = have;
        let mut url = url.to_string();
        let mut resumes = 0u32;
        let mut url_refreshes = 0u32;
        let mut failures = 0u32;
        let max_failures = inner.retry.max_attempts.max(3) * 2;
        let deadline = Instant::now() + inner.timeouts.operation;
        let too_big = |n: u64| {
            Step::Fatal(Error::new(
                ErrorKind::Download,
                format!("the download is larger than the {limit} bytes allowed (at least {n})"),
            ))
        };

        loop {
            let mut request = inner.downloads.get(&url);
            if have > 0 {
                request = request.header("Range", format!("bytes={have}-"));
            }
            let attempt = async {
                let mut response = request
                    .send()
                    .await
                    .map_err(|e| Step::Retry(transport_error(e)))?;
                let status = response.status().as_u16();
                let total = match status {
                    200 => {
                        if have > 0 {
                            // The server ignored the range: start over.
                            start_over(&file, &part, through, dest).await?;
                            have = 0;
                        }
                        response.content_length()
                    }
                    206 => {
                        let cr = response
                            .headers()
                            .get("content-range")
                            .and_then(|v| v.to_str().ok())
                            .and_then(content_range);
                        match cr {
                            Some((start, total)) if start == have => total,
                            _ => {
                                return Err(Step::Retry(Error::new(
                                    ErrorKind::Download,
                                    "the server answered a range request with another range",
                                )));
                            }
                        }
                    }
                    416 => {
                        // Nothing left to send: the partial file may already be complete.
                        let total = response
                            .headers()
                            .get("content-range")
                            .and_then(|v| v.to_str().ok())
                            .and_then(|v| {
                                v.trim()
                                    .strip_prefix("bytes */")
                                    .and_then(|t| t.parse::<u64>().ok())
                            });
                        if total == Some(have) {
                            return Ok(Some(have));
                        }
                        start_over(&file, &part, through, dest).await?;
                        have = 0;
                        return Err(Step::Retry(Error::new(
                            ErrorKind::Download,
                            "the partial file does not match; starting over",
                        )));
                    }
                    403 | 404 | 410 => {
                        let body = response.text().await.unwrap_or_default();
                        return Err(Step::Expired(
                            Error::new(
                                ErrorKind::Download,
                                format!(
                                    "the download URL was refused ({status}); it may have expired"
                                ),
                            )
                            .with_source(Cause(crate::text::sanitize(&body, 200))),
                        ));
                    }
                    500..=599 => {
                        return Err(Step::Retry(Error::new(
                            ErrorKind::Download,
                            format!("the download failed with status {status}"),
                        )));
                    }
                    other => {
                        return Err(Step::Fatal(Error::new(
                            ErrorKind::Download,
                            format!("the download failed with status {other}"),
                        )));
                    }
                };
                if let Some(total) = total.filter(|t| *t > limit) {
                    return Err(too_big(total));
                }
                if expect.kind == Kind::Audio(None)
                    && let Some(f) = response
                        .headers()
                        .get("content-type")
                        .and_then(|v| v.to_str().ok())
                        .and_then(sniff::format_of_content_type)
                {
                    announced = Some(f);
                }
                while let Some(chunk) = response
                    .chunk()
                    .await
                    .map_err(|e| Step::Retry(transport_error(e)))?
                {
                    let after = have + chunk.len() as u64;
                    if after > limit {
                        return Err(too_big(after));
                    }
                    if total.is_some_and(|t| after > t) {
                        return Err(Step::Fatal(Error::new(
                            ErrorKind::Download,
                            "the server sent more than the length it announced",
                        )));
                    }
                    file.write_all(&chunk).await.map_err(|e| {
                        Step::Fatal(Error::io(format!("cannot write {}", part.display()), e))
                    })?;
                    have = after;
                }
                Ok(total)
            };
            let attempt: std::result::Result<Option<u64>, Step> =
                match tokio::time::timeout_at(deadline.into(), attempt).await {
                    Ok(outcome) => outcome,
                    Err(_) => {
                        return Err(Error::new(
                            ErrorKind::Timeout,
                            format!(
                                "the download did not finish within {:?} (the operation timeout); \
                                 its partial file is kept and the next download resumes it",
                                inner.timeouts.operation
                            ),
                        ));
                    }
                };

            match attempt {
                Ok(total) => {
                    if let Some(total) = total
                        && total != have
                    {
                        // The body ended early: resume.
                        tracing::debug!(have, total, "download ended early; resuming");
                        resumes += 1;
                        failures += 1;
                        if failures > max_failures {
                            return Err(Error::new(
                                ErrorKind::Download,
                                format!("the download kept failing after {failures} tries"),
                            ));
                        }
                    } else {
                        file.flush().await.map_err(|e| {
                            Error::io(format!("cannot write {}", part.display()), e)
                        })?;
                        if !through {
                            // A device or FIFO cannot be read back; a file is checked before
                            // it takes the target's name.
                            if let Err(why) =
                                check_content(&part, &expect.kind, announced.as_ref()).await
                            {
                                drop(file);
                                discard(&part).await;
                                return Err(Error::new(ErrorKind::Download, why));
                            }
                            file.sync_all().await.map_err(|e| {
                                Error::io(format!("cannot fsync {}", part.display()), e)
                            })?;
                            drop(file);
                            tokio::fs::rename(&part, final_path).await.map_err(|e| {
                                Error::io(
                                    format!("cannot move the download to {}", dest.display()),
                                    e,
                                )
                            })?;
                            sync_parent(final_path);
                        }
                        return Ok(Downloaded {
                            path: dest.to_path_buf(),
                            bytes: have,
                            resumed_from,
                            resumes,
                            url_refreshes,
                        });
                    }
                }
                Err(Step::Expired(e)) => {
                    let Some(refresh) = refresh.as_mut().filter(|_| url_refreshes < 3) else {
                        return Err(e);
                    };
                    url_refreshes += 1;
                    url = refresh().await?;
                    continue;
                }
                Err(Step::Retry(e)) => {
                    resumes += 1;
                    failures += 1;
                    tracing::debug!(error = %e, have, "download interrupted; resuming");
                    if failures > max_failures || Instant::now() > deadline {
                        return Err(e);
                    }
                }
                Err(Step::Fatal(e)) => {
                    if !through {
                        drop(file);
                        discard(&part).await;
                    }
                    return Err(e);
                }
            }
            let pause = inner.retry.backoff(failures, inner.random.next_f64(), None);
            inner.sleep.sleep(pause).await;
        }
    }
}

/// Empties the partial file `part` for a transfer the server restarted. What was written
/// into a device or FIFO (`through`) cannot be taken back: that is fatal.
async fn start_over(
    file: &tokio::fs::File,
    part: &Path,
    through: bool,
    dest: &Path,
) -> std::result::Result<(), Step> {
    if through {
        return Err(Step::Fatal(Error::new(
            ErrorKind::Download,
            format!(
                "the server restarted the transfer, which cannot be undone in {}",
                dest.display()
            ),
        )));
    }
    file.set_len(0)
        .await
        .map_err(|e| Step::Fatal(Error::io(format!("cannot truncate {}", part.display()), e)))
}

/// Checks the first bytes of the finished partial file against what was expected.
async fn check_content(
    part: &Path,
    kind: &Kind,
    announced: Option<&AudioFormat>,
) -> std::result::Result<(), String> {
    match kind {
        Kind::Any => Ok(()),
        Kind::Text => sniff::check_text(&head_of(part).await),
        Kind::Audio(_) => sniff::check_audio(&head_of(part).await, announced),
    }
}

/// The first [`sniff::HEAD`] bytes of `part` (fewer, or none, when it cannot be read).
async fn head_of(part: &Path) -> Vec<u8> {
    use tokio::io::AsyncReadExt;
    let mut head = Vec::with_capacity(sniff::HEAD);
    if let Ok(f) = tokio::fs::File::open(part).await {
        let _ = f.take(sniff::HEAD as u64).read_to_end(&mut head).await;
    }
    head
}

/// Removes a partial file that must not be resumed (best effort: it is hidden anyway).
async fn discard(part: &Path) {
    if let Err(e) = tokio::fs::remove_file(part).await {
        tracing::debug!(error = %e, "cannot remove a rejected partial download");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_content_range() {
        assert_eq!(content_range("bytes 100-199/1000"), Some((100, Some(1000))));
        assert_eq!(content_range("bytes 0-0/*"), Some((0, None)));
        assert_eq!(content_range("items 1-2/3"), None);
    }

    #[test]
    fn part_file_is_hidden_beside_the_target() {
        assert_eq!(
            part_path(Path::new("out/a.wav")),
            PathBuf::from("out/.a.wav.part")
        );
    }
}
