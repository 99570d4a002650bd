//! Pagination streams over offset/limit listings (job records, vocabulary configs and
//! groups, tenant configs).
//!
//! The first page reveals `count`; the remaining pages are then fetched concurrently (bounded
//! by [`Paginator::concurrency`], default 8) and yielded in order. At most `concurrency` pages
//! are held in memory, however many records there are.
//!
//! Listings are newest first, so a record created while a listing runs shifts later records
//! down by one: the next page then repeats the last record of the previous one. [`items`]
//! drops such repeats by record id (comparing with the ids of the two previous pages). When a
//! page reports a larger `count` than the first one, the stream keeps fetching past the
//! originally planned end so that no old record is missed. A record *deleted* mid-listing can
//! still make one record slip between two pages; re-list when exactness matters.
//!
//! [`items`]: Paginator::items

use std::collections::VecDeque;

use futures_util::stream::{self, BoxStream, StreamExt};
use ttsc_models::{
    Paginated, SaveTtscTenantConfigsRequestBody, TtsJobDetail, TtscGroupAssetsConfig,
    VocabularyConfig,
};

use crate::Client;
use crate::error::Result;

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

    /// Every page's response, in order. The stream ends after the first error.
    pub fn pages(self) -> BoxStream<'static, Result<O::Response>> {
        let Paginator {
            client,
            request,
            page_size,
            concurrency,
        } = self;
        let max = O::INFO.pagination.map_or(100, |p| p.max_limit);
        let size = page_size
            .or(request.page_limit())
            .unwrap_or(max)
            .clamp(1, max);
        let start = request.page_offset();
        let (tx, rx) = tokio::sync::mpsc::channel::<Result<O::Response>>(concurrency);
        // The producer starts on the first poll, and stops when the stream is dropped.
        let start_args = Some((client, request, start, size, concurrency, tx));
        stream::unfold((start_args, rx), |(args, mut rx)| async move {
            if let Some((client, request, start, size, concurrency, tx)) = args {
                tokio::spawn(produce(client, request, start, size, concurrency, tx));
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

async fn produce<O: Paginated + Clone>(
    client: Client,
    request: O,
    start: i64,
    size: i64,
    concurrency: usize,
    tx: tokio::sync::mpsc::Sender<Result<O::Response>>,
) {
    let fetch = |offset: i64| {
        let client = client.clone();
        let mut req = request.clone();
        req.set_page(offset, size);
        async move { client.send(&req).await }
    };
    let first = match fetch(start).await {
        Ok(first) => first,
        Err(e) => {
            let _ = tx.send(Err(e)).await;
            return;
        }
    };
    let Some(mut total) = O::total(&first) else {
        // No count: fall back to sequential paging until a short page.
        let mut last_len = O::into_items(first.clone()).len() as i64;
        if tx.send(Ok(first)).await.is_err() {
            return;
        }
        let mut offset = start + size;
        while last_len == size {
            let page = fetch(offset).await;
            let failed = page.is_err();
            last_len = page
                .as_ref()
                .map_or(0, |p| O::into_items(p.clone()).len() as i64);
            if tx.send(page).await.is_err() || failed {
                return;
            }
            offset += size;
        }
        return;
    };
    if tx.send(Ok(first)).await.is_err() {
        return;
    }
    let mut next = start + size;
    while next < total {
        let planned: Vec<i64> = (next..total).step_by(size as usize).collect();
        next = planned.last().map_or(next, |last| last + size);
        let mut pages = stream::iter(planned).map(&fetch).buffered(concurrency);
        while let Some(page) = pages.next().await {
            let failed = page.is_err();
            if let Ok(p) = &page {
                // Records created meanwhile push old ones past the planned end.
                total = total.max(O::total(p).unwrap_or(total));
            }
            if tx.send(page).await.is_err() || failed {
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
