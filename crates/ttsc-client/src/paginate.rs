//! Pagination streams over offset/limit listings (job records, vocabulary configs and
//! groups, tenant configs, assets such as voices).
//!
//! The first page reveals `count`; the remaining pages are then fetched concurrently (bounded
//! by [`Paginator::concurrency`], default 8) and yielded in order. At most `concurrency` pages
//! are held in memory, however many records there are.
//!
//! Listings are newest first, so a record created while a listing runs shifts later records
//! down by one: the next page then repeats the last record of the previous one. [`items`]
//! drops such repeats by record id (comparing with the ids of the two previous pages). When a
//! page reports a larger `count` than the first one, the stream keeps fetching past the
//! originally planned end so that no old record is missed, up to two pages more than the
//! first `count` allowed.
//!
//! Every listing is bounded: it ends at an empty page, at a page that brings no record not
//! seen before, at the page cap above (100,000 pages when the service sends no `count`), and
//! at [`Paginator::deadline`] (30 minutes by default). A record *deleted* mid-listing can
//! still make one record slip between two pages; re-list when exactness matters.
//!
//! [`items`]: Paginator::items

use std::collections::{HashSet, VecDeque};
use std::hash::{Hash, Hasher};
use std::time::Duration;

use futures_util::stream::{self, BoxStream, StreamExt};
use ttsc_models::{
    DigitalAssetInfo, Paginated, SaveTtscTenantConfigsRequestBody, TtsJobDetail,
    TtscGroupAssetsConfig, VocabularyConfig,
};

use crate::Client;
use crate::error::{Error, ErrorKind, Result};

/// A record with an id, used to drop repeats during a listing.
pub trait RecordId {
    /// The record's id, when it has one.
    fn record_id(&self) -> Option<&str>;
}

impl RecordId for TtsJobDetail {
    fn record_id(&self) -> Option<&str> {
        self.job_id.as_deref()
    }
}

impl RecordId for VocabularyConfig {
    fn record_id(&self) -> Option<&str> {
        self.id.as_deref()
    }
}

impl RecordId for TtscGroupAssetsConfig {
    fn record_id(&self) -> Option<&str> {
        self.group_id.as_deref()
    }
}

impl RecordId for DigitalAssetInfo {
    fn record_id(&self) -> Option<&str> {
        self.asset_id.as_deref()
    }
}

impl RecordId for SaveTtscTenantConfigsRequestBody {
    fn record_id(&self) -> Option<&str> {
        self.id.as_deref().or(Some(self.key.as_str()))
    }
}

/// A lazy listing: nothing is sent until a stream is polled.
#[derive(Debug)]
#[must_use = "a paginator does nothing until one of its streams is polled"]
pub struct Paginator<O> {
    client: Client,
    request: O,
    page_size: Option<i64>,
    concurrency: usize,
    deadline: Duration,
}

impl<O> Paginator<O>
where
    O: Paginated + Clone,
    O::Item: RecordId + 'static,
{
    pub(crate) fn new(client: Client, request: O) -> Self {
        let concurrency = client.inner.page_concurrency;
        Paginator {
            client,
            request,
            page_size: None,
            concurrency,
            deadline: DEFAULT_LISTING_DEADLINE,
        }
    }

    /// Records per page (default: the request's `limit`, else the largest the operation
    /// allows).
    pub fn page_size(mut self, n: i64) -> Self {
        self.page_size = Some(n);
        self
    }

    /// Pages fetched at once after the first (default 8; 1 pages sequentially).
    pub fn concurrency(mut self, n: usize) -> Self {
        self.concurrency = n.max(1);
        self
    }

    /// How long the whole listing may take (default [`DEFAULT_LISTING_DEADLINE`], 30
    /// minutes); past it the stream ends with an [`ErrorKind::Timeout`] error.
    pub fn deadline(mut self, d: Duration) -> Self {
        self.deadline = d;
        self
    }

    /// Every page's response, in order. The stream ends after the first error, and after
    /// an empty page or one that brings no record not seen before; it fetches at most
    /// two pages beyond what the first page's `count` announced, however the count grows.
    pub fn pages(self) -> BoxStream<'static, Result<O::Response>> {
        let (tx, rx) = tokio::sync::mpsc::channel::<Result<O::Response>>(self.concurrency);
        // The producer starts on the first poll, and stops when the stream is dropped.
        stream::unfold((Some((self, tx)), rx), |(args, mut rx)| async move {
            if let Some((paginator, tx)) = args {
                tokio::spawn(produce(paginator, tx));
            }
            rx.recv().await.map(|r| (r, (None, rx)))
        })
        .boxed()
    }

    /// Every record, in order, without repeats. The stream ends after the first error.
    pub fn items(self) -> BoxStream<'static, Result<O::Item>> {
        let mut recent: VecDeque<Vec<String>> = VecDeque::with_capacity(3);
        self.pages()
            .flat_map(move |page| match page {
                Err(e) => stream::iter(vec![Err(e)]),
                Ok(response) => {
                    let items = O::into_items(response);
                    let mut ids = Vec::with_capacity(items.len());
                    let mut out = Vec::with_capacity(items.len());
                    for item in items {
                        if let Some(id) = item.record_id() {
                            if recent.iter().any(|page| page.iter().any(|seen| seen == id))
                                || ids.iter().any(|seen: &String| seen == id)
                            {
                                tracing::debug!(id, "dropping a record repeated across pages");
                                continue;
                            }
                            ids.push(id.to_string());
                        }
                        out.push(Ok(item));
                    }
                    recent.push_back(ids);
                    if recent.len() > 2 {
                        recent.pop_front();
                    }
                    stream::iter(out)
                }
            })
            .boxed()
    }

    /// Collects every record into a `Vec` (for small listings; prefer [`items`](Self::items)).
    pub async fn collect_all(self) -> Result<Vec<O::Item>> {
        let mut s = self.items();
        let mut out = Vec::new();
        while let Some(item) = s.next().await {
            out.push(item?);
        }
        Ok(out)
    }
}

/// Pages a listing may fetch beyond what its first `count` announced (records created
/// while it runs push old ones further down).
const MARGIN_PAGES: i64 = 2;

/// Pages a listing without a `count` may fetch.
const MAX_PAGES_WITHOUT_COUNT: i64 = 100_000;

/// The default of [`Paginator::deadline`]: 30 minutes for a whole listing.
pub const DEFAULT_LISTING_DEADLINE: Duration = Duration::from_secs(30 * 60);

/// Watches the pages of a listing for the signs that it will never end on its own.
struct Progress {
    seen: HashSet<u64>,
    stale_pages: u32,
}

impl Progress {
    /// How many records `page` holds, and whether the listing should go on after it: it
    /// stops at an empty page and at a page that brings no record not seen before (a
    /// single-record page may repeat the last record once legitimately, when a record was
    /// created meanwhile).
    fn look<O>(&mut self, page: &O::Response) -> (usize, bool)
    where
        O: Paginated,
        O::Item: RecordId,
    {
        let items = O::into_items(page.clone());
        if items.is_empty() {
            return (0, false);
        }
        let mut new = false;
        for item in &items {
            let Some(id) = item.record_id() else {
                new = true;
                continue;
            };
            let mut h = std::collections::hash_map::DefaultHasher::new();
            id.hash(&mut h);
            new |= self.seen.insert(h.finish());
        }
        if new {
            self.stale_pages = 0;
            return (items.len(), true);
        }
        self.stale_pages += 1;
        (items.len(), items.len() == 1 && self.stale_pages < 2)
    }
}

async fn produce<O>(paginator: Paginator<O>, tx: tokio::sync::mpsc::Sender<Result<O::Response>>)
where
    O: Paginated + Clone,
    O::Item: RecordId,
{
    let Paginator {
        client,
        request,
        page_size,
        concurrency,
        deadline,
    } = paginator;
    let max = O::INFO.pagination.map_or(100, |p| p.max_limit);
    let size = page_size
        .or(request.page_limit())
        .unwrap_or(max)
        .clamp(1, max);
    let start = request.page_offset();
    let limit = deadline;
    let deadline = tokio::time::Instant::now() + deadline;
    let fetch = |offset: i64| {
        let client = client.clone();
        let mut req = request.clone();
        req.set_page(offset, size);
        async move {
            match tokio::time::timeout_at(deadline, client.send(&req)).await {
                Ok(page) => page,
                Err(_) => Err(Error::new(
                    ErrorKind::Timeout,
                    format!(
                        "the listing did not finish within {limit:?} (Paginator::deadline); \
                         {offset} records were read"
                    ),
                )
                .with_operation(O::INFO.name)),
            }
        }
    };
    let mut progress = Progress {
        seen: HashSet::new(),
        stale_pages: 0,
    };
    let first = fetch(start).await;
    let (total, (records, goes_on)) = match &first {
        Ok(p) => (O::total(p), progress.look::<O>(p)),
        Err(_) => (None, (0, false)),
    };
    let full = records as i64 == size;
    if tx.send(first).await.is_err() || !goes_on {
        return;
    }
    // Without a count, pages are fetched one at a time until a short one.
    let Some(mut total) = total else {
        let mut offset = start + size;
        let mut full = full;
        for _ in 1..MAX_PAGES_WITHOUT_COUNT {
            if !full {
                return;
            }
            let page = fetch(offset).await;
            let (records, goes_on) = page.as_ref().map_or((0, false), |p| progress.look::<O>(p));
            full = records as i64 == size;
            if tx.send(page).await.is_err() || !goes_on {
                return;
            }
            offset += size;
        }
        return;
    };
    // With one, pages are fetched concurrently up to it, never past what the first count
    // allowed plus a margin, however the count grows.
    let pages_allowed = (total.saturating_sub(start).max(0) + size - 1) / size + MARGIN_PAGES;
    let end = start.saturating_add(pages_allowed.saturating_mul(size));
    let mut next = start + size;
    while next < total.min(end) {
        let stop = total.min(end);
        let planned = (next..stop).step_by(size as usize);
        next += (stop - next + size - 1) / size * size;
        let mut pages = stream::iter(planned).map(&fetch).buffered(concurrency);
        while let Some(page) = pages.next().await {
            let goes_on = match &page {
                Ok(p) => {
                    // Records created meanwhile push old ones past the planned end.
                    total = total.max(O::total(p).unwrap_or(total));
                    progress.look::<O>(p).1
                }
                Err(_) => false,
            };
            if tx.send(page).await.is_err() || !goes_on {
                return;
            }
        }
    }
}

impl Client {
    /// A lazy listing of any paginated operation: `client.paginate(req).items()` streams every
    /// record.
    pub fn paginate<O>(&self, request: O) -> Paginator<O>
    where
        O: Paginated + Clone,
        O::Item: RecordId + 'static,
    {
        Paginator::new(self.clone(), request)
    }
}
