//! TTS jobs (asynchronous and audition): their lazily computed progress, their artefacts,
//! and the job records listed by ShowTtsJob, preloaded ones included.
//!
//! A job has no timer: its state is computed from its creation time and the emulator's
//! clock whenever it is read. Its files are synthesised on a blocking thread the first
//! time someone reads the job after it finished, then kept in the [`FileStore`] while a
//! URL to them is live; a read after the store freed them synthesises them again.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use ttsc_models::{
    AudioFormat as WireFormat, JobState, JobType, TtsJobDetail, TtsJobFile, TtsServiceEnum,
};

use crate::audio::{self, AudioFormat, SynthParams};
use crate::clock::rfc3339_secs;
use crate::files::FileStore;
use crate::rng::{GOLDEN_GAMMA, Rng, mix64};
use crate::subtitles::{self, SrtOptions};
use crate::timestamps::{ActionFile, TimestampFile};
use crate::voices;

/// Deterministic unique 32-hex-digit ids from a seed and a counter, without a lock.
#[derive(Debug)]
pub(crate) struct IdGen {
    salt: u64,
    salt2: u64,
    counter: AtomicU64,
}

impl IdGen {
    pub(crate) fn new(rng: &Rng, stream: u64) -> Self {
        let mut r = rng.fork(stream);
        Self {
            salt: r.next_u64(),
            salt2: r.next_u64(),
            counter: AtomicU64::new(0),
        }
    }

    /// The next id: 32 lower-case hex digits.
    pub(crate) fn next(&self) -> String {
        let n = self.counter.fetch_add(1, Ordering::Relaxed);
        // `mix64` is a bijection, so distinct counters give distinct first halves.
        let a = mix64(self.salt.wrapping_add(n.wrapping_mul(GOLDEN_GAMMA)));
        let b = mix64(self.salt2 ^ a);
        format!("{a:016x}{b:016x}")
    }
}

/// Whether a job was created by CreateAsyncTtsJob or CreateTtsAudition.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum JobKind {
    Async,
    Audition,
}

impl JobKind {
    fn job_type(self) -> &'static str {
        match self {
            Self::Async => "ASYNC_JOB",
            Self::Audition => "AUDITION",
        }
    }
}

/// What to synthesise.
#[derive(Debug, Clone)]
pub(crate) struct JobSpec {
    pub(crate) text: String,
    pub(crate) voice: String,
    pub(crate) params: SynthParams,
    pub(crate) format: AudioFormat,
    pub(crate) need_timestamp: bool,
    pub(crate) gen_srt: bool,
    pub(crate) srt: SrtOptions,
    pub(crate) action: bool,
    pub(crate) silence_flag: bool,
    pub(crate) silence_time_ms: u64,
}

/// Where a job stands at some instant.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Phase {
    Waiting,
    Processing,
    /// Finished: succeeded or failed, which the artefacts (or the planned failure) tell.
    Done,
}

/// The stored files of a finished job (file-store tokens), or why it failed.
#[derive(Debug, Default)]
pub(crate) struct Artefacts {
    pub(crate) audio: Option<String>,
    pub(crate) info: Option<String>,
    pub(crate) srt: Option<String>,
    pub(crate) action: Option<String>,
    pub(crate) failure: Option<String>,
}

impl Artefacts {
    /// Whether every file is still stored; signs a fresh URL for each, which keeps it
    /// for another TTL from `now_secs`.
    fn keep(&self, files: &std::sync::RwLock<FileStore>, now_secs: u64) -> bool {
        let mut files = files
            .write()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        [&self.audio, &self.info, &self.srt, &self.action]
            .into_iter()
            .flatten()
            .all(|token| files.url(token, now_secs).is_some())
    }

    /// No files, only why the job failed.
    fn failed(message: impl Into<String>) -> Self {
        Self {
            failure: Some(message.into()),
            ..Self::default()
        }
    }
}

/// One job.
#[derive(Debug)]
pub(crate) struct Job {
    pub(crate) id: String,
    pub(crate) kind: JobKind,
    pub(crate) created_ms: i64,
    pub(crate) duration_ms: u64,
    pub(crate) spec: JobSpec,
    pub(crate) business_type: Option<String>,
    /// A failure known at creation (the failing voice, MP3 without an encoder).
    pub(crate) planned_failure: Option<String>,
    artefacts: tokio::sync::Mutex<Option<Arc<Artefacts>>>,
}

/// How long a job of `chars` characters takes: `base` up to 100 characters, then
/// another `base` per 500 characters.
pub(crate) fn job_duration_ms(base: u64, chars: usize) -> u64 {
    let extra = chars.saturating_sub(100) as u64;
    base.saturating_mul(500 + extra) / 500
}

impl Job {
    pub(crate) fn new(
        id: String,
        kind: JobKind,
        created_ms: i64,
        duration_ms: u64,
        spec: JobSpec,
        business_type: Option<String>,
    ) -> Self {
        let planned_failure = match voices::classify(&spec.voice) {
            voices::Voice::Failing => Some(voices::FAILING_VOICE_MESSAGE.to_owned()),
            _ if spec.format == AudioFormat::Mp3 && !crate::mp3::AVAILABLE => Some(
                "MP3 output is not available: this emulator was built without the mp3 feature"
                    .to_owned(),
            ),
            _ => None,
        };
        Self {
            id,
            kind,
            created_ms,
            duration_ms,
            spec,
            business_type,
            planned_failure,
            artefacts: tokio::sync::Mutex::new(None),
        }
    }

    /// The job's phase at `now_ms`: waiting for the first fifth of its duration, then
    /// processing, then done.
    pub(crate) fn phase(&self, now_ms: i64) -> Phase {
        let elapsed = u64::try_from(now_ms.saturating_sub(self.created_ms)).unwrap_or(0);
        if elapsed >= self.duration_ms {
            Phase::Done
        } else if elapsed < self.duration_ms / 5 {
            Phase::Waiting
        } else {
            Phase::Processing
        }
    }

    /// The artefacts, generating them on a blocking thread the first time and again
    /// when the store has freed them (concurrent callers wait for the same generation).
    pub(crate) async fn artefacts(
        self: &Arc<Self>,
        files: &Arc<std::sync::RwLock<FileStore>>,
        now_secs: u64,
    ) -> Arc<Artefacts> {
        let mut slot = self.artefacts.lock().await;
        if let Some(a) = slot.as_ref()
            && a.keep(files, now_secs)
        {
            return Arc::clone(a);
        }
        let job = Arc::clone(self);
        let store = Arc::clone(files);
        let work = tokio::task::spawn_blocking(move || generate(&job, &store, now_secs));
        let a = match work.await {
            Ok(a) => Arc::new(a),
            Err(_) => Arc::new(Artefacts::failed("internal error while synthesising")),
        };
        *slot = Some(Arc::clone(&a));
        a
    }

    /// The job's record in ShowTtsJob. `artefacts` and `urls` give the file URLs of a
    /// finished job.
    pub(crate) fn detail(
        &self,
        now_ms: i64,
        artefacts: Option<&Artefacts>,
        url: &dyn Fn(&str) -> Option<String>,
    ) -> TtsJobDetail {
        let (state, fail_msg) = self.state(now_ms, artefacts);
        let format = match self.spec.format {
            AudioFormat::Mp3 => WireFormat::Mp3,
            AudioFormat::Pcm => WireFormat::Pcm,
            _ => WireFormat::Wav,
        };
        let mut detail = TtsJobDetail::new()
            .job_id(self.id.clone())
            .asset_id(self.spec.voice.clone())
            .tts_service_enum(voices::service_of(&self.spec.voice).clone())
            .text_length(i32::try_from(self.spec.text.chars().count()).unwrap_or(i32::MAX))
            .create_time(rfc3339_secs(self.created_ms.div_euclid(1000)))
            .audio_format(format)
            .need_timestamp(self.spec.need_timestamp)
            .gen_srt(self.spec.gen_srt)
            .job_type(JobType::from(self.kind.job_type()))
            .job_state(state.clone());
        if let Some(msg) = fail_msg {
            detail = detail.fail_msg(msg);
        }
        if let Some(a) = artefacts.filter(|_| state == JobState::Succeed) {
            let mut file = TtsJobFile::new();
            file.audio_file_url = a.audio.as_deref().and_then(url);
            file.audio_info_file_url = a.info.as_deref().and_then(url);
            file.audio_srt_file_url = a.srt.as_deref().and_then(url);
            file.audio_action_file_url = a.action.as_deref().and_then(url);
            detail = detail.files(vec![file]);
        }
        detail
    }

    /// The wire state and failure message at `now_ms`.
    pub(crate) fn state(
        &self,
        now_ms: i64,
        artefacts: Option<&Artefacts>,
    ) -> (JobState, Option<String>) {
        match self.phase(now_ms) {
            Phase::Waiting => (JobState::Waiting, None),
            Phase::Processing => (JobState::Processing, None),
            Phase::Done => {
                let failure = self
                    .planned_failure
                    .clone()
                    .or_else(|| artefacts.and_then(|a| a.failure.clone()));
                match failure {
                    Some(msg) => (JobState::Failed, Some(msg)),
                    None => (JobState::Succeed, None),
                }
            }
        }
    }
}

/// Synthesises a job's files and stores them (runs on a blocking thread).
fn generate(job: &Job, files: &std::sync::RwLock<FileStore>, now_secs: u64) -> Artefacts {
    let spec = &job.spec;
    let stem = job.id.as_str();
    let store = |bytes: Vec<u8>, content_type: &str, name: String| -> String {
        let mut files = files
            .write()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        files.put(bytes, content_type, &name, now_secs).token
    };
    if let Some(failure) = &job.planned_failure {
        let mut out = Artefacts::failed(failure.clone());
        if spec.silence_flag
            && let Ok(silence) = audio::silence(spec.silence_time_ms, &spec.params)
        {
            out.audio = Some(store(
                silence.to_wav(),
                AudioFormat::Wav.content_type(),
                format!("{stem}.wav"),
            ));
        }
        return out;
    }
    let speech = match audio::synthesize(&spec.text, &spec.params) {
        Ok(s) => s,
        Err(e) => return Artefacts::failed(format!("TTS synthesis failed: {e}")),
    };
    let bytes = match speech.encode(spec.format) {
        Ok(b) => b,
        Err(e) => return Artefacts::failed(format!("TTS synthesis failed: {e}")),
    };
    let mut out = Artefacts {
        audio: Some(store(
            bytes,
            spec.format.content_type(),
            format!("{stem}.{}", spec.format.extension()),
        )),
        ..Artefacts::default()
    };
    if spec.gen_srt {
        let srt = subtitles::srt(speech.timeline(), &spec.srt);
        out.srt = Some(store(
            srt.into_bytes(),
            "application/x-subrip",
            format!("{stem}.srt"),
        ));
    }
    if spec.need_timestamp {
        let info = TimestampFile::from_timeline(speech.timeline()).to_json();
        out.info = Some(store(
            info,
            "application/json",
            format!("{stem}.timestamp.json"),
        ));
    }
    if spec.action {
        let action = ActionFile::from_timeline(speech.timeline()).to_json();
        out.action = Some(store(
            action,
            "application/json",
            format!("{stem}.action.json"),
        ));
    }
    out
}

/// A synthetic historical record (`--preload-jobs`).
#[derive(Debug, Clone)]
pub(crate) struct Preloaded {
    websocket_job_id: Option<String>,
    asset_id: String,
    service: TtsServiceEnum,
    text_length: i32,
    format: WireFormat,
    need_timestamp: bool,
    gen_srt: bool,
    job_type: JobType,
    state: JobState,
    fail_msg: Option<String>,
}

/// Where a record comes from.
#[derive(Debug, Clone)]
pub(crate) enum Source {
    Preloaded(Box<Preloaded>),
    Live(Arc<Job>),
}

/// One row of the records, with what the filters look at.
#[derive(Debug, Clone)]
pub(crate) struct Entry {
    create_secs: i64,
    job_id: Arc<str>,
    job_type: &'static str,
    service: &'static str,
    business_type: Option<Arc<str>>,
    pub(crate) source: Source,
}

/// The filters of ShowTtsJob.
#[derive(Debug, Default)]
pub(crate) struct RecordFilter {
    pub(crate) since: Option<i64>,
    pub(crate) until: Option<i64>,
    pub(crate) job_id: Option<String>,
    pub(crate) job_type: Option<String>,
    pub(crate) service: Option<String>,
    pub(crate) business_type: Option<String>,
}

impl RecordFilter {
    fn is_attribute_filter(&self) -> bool {
        self.job_id.is_some()
            || self.job_type.is_some()
            || self.service.is_some()
            || self.business_type.is_some()
    }

    fn matches(&self, e: &Entry) -> bool {
        self.job_id.as_deref().is_none_or(|id| *e.job_id == *id)
            && self.job_type.as_deref().is_none_or(|t| e.job_type == t)
            && self.service.as_deref().is_none_or(|s| e.service == s)
            && self
                .business_type
                .as_deref()
                .is_none_or(|b| e.business_type.as_deref() == Some(b))
    }
}

/// Every record, sorted by (creation second, job id) ascending; listed newest first.
#[derive(Debug, Default)]
pub(crate) struct Records {
    entries: Vec<Entry>,
}

fn static_str(s: &str, set: &'static [&'static str]) -> &'static str {
    set.iter().copied().find(|v| *v == s).unwrap_or("")
}

impl Records {
    pub(crate) fn len(&self) -> usize {
        self.entries.len()
    }

    /// The preloaded record with id `job_id` and its creation time, if there is one.
    pub(crate) fn preloaded(&self, job_id: &str) -> Option<(&Preloaded, i64)> {
        self.entries.iter().find_map(|e| match &e.source {
            Source::Preloaded(p) if &*e.job_id == job_id => Some((&**p, e.create_secs)),
            _ => None,
        })
    }

    fn insert(&mut self, entry: Entry) {
        let key = (entry.create_secs, entry.job_id.clone());
        let at = self
            .entries
            .partition_point(|e| (e.create_secs, &e.job_id) <= (key.0, &key.1));
        self.entries.insert(at, entry);
    }

    /// Records a live job.
    pub(crate) fn add_job(&mut self, job: &Arc<Job>) {
        self.insert(Entry {
            create_secs: job.created_ms.div_euclid(1000),
            job_id: Arc::from(job.id.as_str()),
            job_type: job.kind.job_type(),
            service: static_str(
                voices::service_of(&job.spec.voice).as_str(),
                TtsServiceEnum::VALUES,
            ),
            business_type: job.business_type.as_deref().map(Arc::from),
            source: Source::Live(Arc::clone(job)),
        });
    }

    /// Adds `count` synthetic records created during the 28 days before `now_secs`,
    /// drawn from `rng` (so the same seed gives the same records).
    pub(crate) fn preload(&mut self, count: usize, now_secs: i64, rng: &mut Rng, ids: &IdGen) {
        const TYPES: [(JobType, u64); 4] = [
            (JobType::AsyncJob, 50),
            (JobType::Audition, 20),
            (JobType::Websocket, 20),
            (JobType::Preload, 10),
        ];
        const BUSINESS: [&str; 3] = ["DIGITAL_HUMAN", "VOICE_ASSET", "TTS_PLATFORM"];
        const FAILURES: [&str; 3] = [
            "TTS synthesis failed: the text contains unsupported characters",
            "TTS synthesis failed: the voice model is unavailable",
            "TTS synthesis timed out",
        ];
        let window = 28 * 86_400;
        self.entries.reserve(count);
        for _ in 0..count {
            let roll = rng.below(100);
            let mut acc = 0;
            let job_type = TYPES
                .iter()
                .find(|(_, w)| {
                    acc += w;
                    roll < acc
                })
                .map_or(JobType::AsyncJob, |(t, _)| t.clone());
            let service =
                voices::SERVICES[rng.below(voices::SERVICES.len() as u64) as usize].clone();
            let age = i64::try_from(rng.below(window)).unwrap_or(0) + 60;
            let state_roll = rng.below(100);
            let (state, fail_msg) = match state_roll {
                0..85 => (JobState::Succeed, None),
                85..95 => (
                    JobState::Failed,
                    Some(FAILURES[rng.below(3) as usize].to_owned()),
                ),
                95..98 => (JobState::Processing, None),
                _ => (JobState::Waiting, None),
            };
            let format = match (&job_type, rng.below(3)) {
                (JobType::Websocket, 0 | 1) => WireFormat::Pcm,
                (_, 0) => WireFormat::Mp3,
                _ => WireFormat::Wav,
            };
            let business_type = match job_type {
                JobType::Audition | JobType::Preload => {
                    Some(Arc::from(BUSINESS[rng.below(3) as usize]))
                }
                _ => None,
            };
            let asset_id = ids.next();
            let job_id = ids.next();
            let websocket_job_id = (job_type == JobType::Websocket).then(|| ids.next());
            let preloaded = Preloaded {
                websocket_job_id,
                asset_id,
                service: service.clone(),
                text_length: i32::try_from(1 + rng.below(10_000)).unwrap_or(1),
                format,
                need_timestamp: rng.chance(0.3),
                gen_srt: rng.chance(0.4),
                job_type: job_type.clone(),
                state,
                fail_msg,
            };
            self.entries.push(Entry {
                create_secs: now_secs - age,
                job_id: Arc::from(job_id.as_str()),
                job_type: static_str(job_type.as_str(), JobType::VALUES),
                service: static_str(service.as_str(), TtsServiceEnum::VALUES),
                business_type,
                source: Source::Preloaded(Box::new(preloaded)),
            });
        }
        self.entries
            .sort_unstable_by(|a, b| (a.create_secs, &a.job_id).cmp(&(b.create_secs, &b.job_id)));
    }
}

impl Preloaded {
    /// The record as a job ShowAsyncTtsJob can serve, in the same state as its listing: a
    /// finished record is done (its files synthesised on first request from a stand-in text
    /// of its length, at most 200 characters), a failed one fails with its message, and a
    /// waiting or processing one stays so. `None` for records of other job types.
    pub(crate) fn to_job(&self, job_id: &str, create_secs: i64, now_ms: i64) -> Option<Job> {
        if self.job_type != JobType::AsyncJob {
            return None;
        }
        const STAND_IN: &str = "This is a preloaded job record of the emulator. ";
        let chars = usize::try_from(self.text_length.clamp(1, 200)).unwrap_or(1);
        let text: String = STAND_IN.chars().cycle().take(chars).collect();
        // A job's phase comes from its age: pick the creation time and duration that give
        // the recorded state.
        const FOREVER_MS: u64 = 1_000_000_000_000;
        let (created_ms, duration_ms) = match self.state {
            JobState::Waiting => (now_ms, FOREVER_MS),
            JobState::Processing => (now_ms - (FOREVER_MS / 2) as i64, FOREVER_MS),
            _ => (create_secs.saturating_mul(1000), 1),
        };
        let spec = JobSpec {
            text,
            voice: self.asset_id.clone(),
            params: SynthParams::default().with_voice_id(&self.asset_id),
            format: match self.format {
                WireFormat::Mp3 => AudioFormat::Mp3,
                _ => AudioFormat::Wav,
            },
            need_timestamp: self.need_timestamp,
            gen_srt: self.gen_srt,
            srt: SrtOptions::default(),
            action: true,
            silence_flag: false,
            silence_time_ms: 0,
        };
        let mut job = Job::new(
            job_id.to_owned(),
            JobKind::Async,
            created_ms,
            duration_ms,
            spec,
            None,
        );
        if self.state == JobState::Failed {
            job.planned_failure = self
                .fail_msg
                .clone()
                .or(Some("TTS synthesis failed".into()));
        }
        Some(job)
    }

    /// The record as listed.
    pub(crate) fn detail(&self, job_id: &str, create_secs: i64) -> TtsJobDetail {
        let mut d = TtsJobDetail::new()
            .job_id(job_id)
            .asset_id(self.asset_id.clone())
            .tts_service_enum(self.service.clone())
            .text_length(self.text_length)
            .create_time(rfc3339_secs(create_secs))
            .audio_format(self.format.clone())
            .need_timestamp(self.need_timestamp)
            .gen_srt(self.gen_srt)
            .job_type(self.job_type.clone())
            .job_state(self.state.clone());
        if let Some(ws) = &self.websocket_job_id {
            d = d.websocket_job_id(ws.clone());
        }
        if let Some(m) = &self.fail_msg {
            d = d.fail_msg(m.clone());
        }
        d
    }
}

impl Records {
    /// The number of records matching `filter` and their `offset`/`limit` page, newest
    /// first, preloaded records already rendered.
    pub(crate) fn page_rendered(
        &self,
        filter: &RecordFilter,
        offset: usize,
        limit: usize,
    ) -> (usize, Vec<PageItem>) {
        let lo = filter
            .since
            .map_or(0, |s| self.entries.partition_point(|e| e.create_secs < s));
        let hi = filter.until.map_or(self.entries.len(), |u| {
            self.entries.partition_point(|e| e.create_secs <= u)
        });
        let window = self.entries.get(lo..hi.max(lo)).unwrap_or(&[]);
        let render = |e: &Entry| match &e.source {
            Source::Preloaded(p) => PageItem::Ready(Box::new(p.detail(&e.job_id, e.create_secs))),
            Source::Live(job) => PageItem::Live(Arc::clone(job)),
        };
        if !filter.is_attribute_filter() {
            let page = window
                .iter()
                .rev()
                .skip(offset)
                .take(limit)
                .map(render)
                .collect();
            return (window.len(), page);
        }
        let mut count = 0;
        let mut page = Vec::with_capacity(limit.min(100));
        for e in window.iter().rev().filter(|e| filter.matches(e)) {
            if count >= offset && page.len() < limit {
                page.push(render(e));
            }
            count += 1;
        }
        (count, page)
    }
}

/// One record of a page: rendered already, or a live job to render after the lock.
#[derive(Debug)]
pub(crate) enum PageItem {
    Ready(Box<TtsJobDetail>),
    Live(Arc<Job>),
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_unique_and_hex() {
        let ids = IdGen::new(&Rng::new(1), 5);
        let mut all: Vec<String> = (0..1000).map(|_| ids.next()).collect();
        assert!(all.iter().all(|i| i.len() == 32));
        all.sort();
        all.dedup();
        assert_eq!(all.len(), 1000);
    }

    #[test]
    fn durations_grow_with_text() {
        assert_eq!(job_duration_ms(1500, 10), 1500);
        assert_eq!(job_duration_ms(1500, 600), 3000);
        assert_eq!(job_duration_ms(0, 10_000), 0);
    }

    #[test]
    fn preloaded_pages_are_newest_first_and_counted() {
        let mut r = Records::default();
        let ids = IdGen::new(&Rng::new(1), 5);
        r.preload(500, 2_000_000_000, &mut Rng::new(3), &ids);
        let (count, page) = r.page_rendered(&RecordFilter::default(), 0, 500);
        assert_eq!(count, 500);
        let times: Vec<String> = page
            .iter()
            .map(|p| match p {
                PageItem::Ready(d) => d.create_time.clone().unwrap_or_default(),
                PageItem::Live(_) => String::new(),
            })
            .collect();
        assert!(times.windows(2).all(|w| w[0] >= w[1]));
        let filter = RecordFilter {
            job_type: Some("WEBSOCKET".into()),
            ..RecordFilter::default()
        };
        let (ws, _) = r.page_rendered(&filter, 0, 10);
        assert!(ws > 0 && ws < 500);
    }
}
