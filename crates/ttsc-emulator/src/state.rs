//! The state one emulator shares between its connections.

use std::collections::HashMap;
use std::sync::atomic::AtomicBool;
use std::sync::{Arc, Mutex, RwLock, RwLockReadGuard, RwLockWriteGuard};

use ttsc_auth::verify::VerificationKey;

use crate::clock::EmuClock;
use crate::config::Config;
use crate::faults::{FaultConfig, FaultPlan};
use crate::files::FileStore;
use crate::inspect::Inspector;
use crate::jobs::{IdGen, Job, Records};
use crate::request_log::RequestLog;
use crate::rng::Rng;
use crate::vocab::Vocabulary;

/// An access key's run of failed signatures.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Failures {
    pub(crate) count: u32,
    /// Locked until this Unix millisecond.
    pub(crate) locked_until_ms: Option<i64>,
}

/// An issued IAM token.
#[derive(Debug, Clone)]
pub(crate) struct TokenInfo {
    pub(crate) expires_ms: i64,
    /// The project the token is scoped to (`None` for a domain-scoped token).
    pub(crate) project_id: Option<String>,
}

/// Jobs, records, vocabulary and voice samples: the tenant's data.
#[derive(Debug, Default)]
pub(crate) struct Store {
    pub(crate) jobs: HashMap<String, Arc<Job>>,
    /// The file token of each catalogue voice's SAMPLE recording, once synthesised.
    pub(crate) samples: HashMap<&'static str, String>,
    pub(crate) auditions: HashMap<String, Arc<Job>>,
    pub(crate) records: Records,
    pub(crate) vocabulary: Vocabulary,
}

/// Everything the request handlers share.
pub(crate) struct Shared {
    pub(crate) config: Config,
    pub(crate) clock: EmuClock,
    pub(crate) keys: HashMap<String, VerificationKey>,
    pub(crate) failures: Mutex<HashMap<String, Failures>>,
    /// Whether `failures` may hold an entry (spares successful requests the lock).
    pub(crate) any_failures: AtomicBool,
    pub(crate) tokens: RwLock<HashMap<String, TokenInfo>>,
    pub(crate) request_ids: IdGen,
    pub(crate) job_ids: IdGen,
    pub(crate) resource_ids: IdGen,
    pub(crate) token_ids: IdGen,
    pub(crate) faults: Option<Mutex<FaultPlan>>,
    pub(crate) files: Arc<RwLock<FileStore>>,
    pub(crate) store: RwLock<Store>,
    pub(crate) log: Option<RequestLog>,
    pub(crate) inspector: Inspector,
}

impl std::fmt::Debug for Shared {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Shared").finish_non_exhaustive()
    }
}

/// Stream ids forked off the seed, one per consumer.
const JOB_IDS: u64 = 0x4A4F_4249_4453;
const REQUEST_IDS: u64 = 0x5245_5149_4453;
const RESOURCE_IDS: u64 = 0x5245_5349_4453;
const TOKEN_IDS: u64 = 0x544F_4B45_4E53;
const PRELOAD: u64 = 0x0050_5245_4C4F_4144;
const FILE_KEY: u64 = 0x0046_494C_454B_4559;

impl Shared {
    pub(crate) fn new(config: Config, log: Option<RequestLog>) -> Self {
        let rng = Rng::new(config.seed);
        let clock = EmuClock::new(Arc::clone(&config.clock), config.clock_offset_secs);
        let mut keys = HashMap::new();
        let creds = &config.credentials;
        keys.insert(
            creds.access_key_id.clone(),
            VerificationKey::new(creds.secret_access_key.clone()).with_region(creds.region.clone()),
        );
        if let Some(t) = &config.temporary {
            keys.insert(
                t.access_key_id.clone(),
                VerificationKey::new(t.secret_access_key.clone()).with_region(creds.region.clone()),
            );
        }
        let faults = (config.fault_rate > 0.0 || config.download_fault_rate > 0.0).then(|| {
            let rates = FaultConfig::new(config.fault_rate, config.download_fault_rate)
                .unwrap_or_else(|_| FaultConfig::none());
            Mutex::new(FaultPlan::new(rates, &rng))
        });
        let files = FileStore::new(&mut rng.fork(FILE_KEY)).with_ttl_secs(config.url_ttl_secs);
        let resource_ids = IdGen::new(&rng, RESOURCE_IDS);
        let mut store = Store::default();
        if config.preload_jobs > 0 {
            let now_secs = clock.now_ms().div_euclid(1000);
            store.records.preload(
                config.preload_jobs,
                now_secs,
                &mut rng.fork(PRELOAD),
                &IdGen::new(&rng, PRELOAD),
            );
        }
        Self {
            inspector: Inspector::new(config.inspection_capacity),
            config,
            clock,
            keys,
            failures: Mutex::new(HashMap::new()),
            any_failures: AtomicBool::new(false),
            tokens: RwLock::new(HashMap::new()),
            request_ids: IdGen::new(&rng, REQUEST_IDS),
            job_ids: IdGen::new(&rng, JOB_IDS),
            resource_ids,
            token_ids: IdGen::new(&rng, TOKEN_IDS),
            faults,
            files: Arc::new(RwLock::new(files)),
            store: RwLock::new(store),
            log,
        }
    }

    pub(crate) fn read(&self) -> RwLockReadGuard<'_, Store> {
        self.store
            .read()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    pub(crate) fn write(&self) -> RwLockWriteGuard<'_, Store> {
        self.store
            .write()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    pub(crate) fn now_secs(&self) -> u64 {
        u64::try_from(self.clock.now_ms().div_euclid(1000)).unwrap_or(0)
    }

    /// A freshly signed absolute URL for a stored file.
    pub(crate) fn file_url(&self, base: &str, token: &str) -> Option<String> {
        let mut files = self
            .files
            .write()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        files
            .url(token, self.now_secs())
            .map(|u| format!("{base}{}", u.path_and_query()))
    }
}
