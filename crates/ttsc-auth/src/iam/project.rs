//! Project id discovery: `GET {iam}/v3/projects?name=REGION`, signed with AK/SK, cached
//! per access key and region.

use std::collections::HashMap;
use std::fmt;
use std::sync::{Arc, Mutex, PoisonError};

use serde::Deserialize;

use super::{IamError, IamRequest, IamTransport};
use crate::clock::Clock;
use crate::encoding::percent_encode_into;
use crate::sign::Signer;

const OPERATION: &str = "project discovery";

#[derive(Deserialize)]
struct ProjectsResponse {
    projects: Vec<Project>,
}

#[derive(Deserialize)]
struct Project {
    id: String,
}

/// Finds the project id of a region for credentials that lack one, the way the official
/// SDKs do: one signed `GET {iam}/v3/projects?name=REGION`, which must match exactly one
/// project. Results are cached per (access key id, region); concurrent lookups share one
/// request.
pub struct ProjectIdResolver {
    transport: Arc<dyn IamTransport>,
    clock: Arc<dyn Clock>,
    endpoint: String,
    cache: Mutex<HashMap<(String, String), String>>,
    lookup_lock: tokio::sync::Mutex<()>,
}

impl fmt::Debug for ProjectIdResolver {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let cached = self
            .cache
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .len();
        f.debug_struct("ProjectIdResolver")
            .field("endpoint", &self.endpoint)
            .field("cached", &cached)
            .field("clock", &self.clock)
            .finish_non_exhaustive()
    }
}

impl ProjectIdResolver {
    /// A resolver asking `iam_endpoint` through `transport`; requests are signed as of
    /// `clock`'s time.
    pub fn new(
        transport: Arc<dyn IamTransport>,
        iam_endpoint: impl Into<String>,
        clock: Arc<dyn Clock>,
    ) -> Self {
        Self {
            transport,
            clock,
            endpoint: super::endpoint_base(iam_endpoint),
            cache: Mutex::new(HashMap::new()),
            lookup_lock: tokio::sync::Mutex::new(()),
        }
    }

    /// The cached project id of `region` for `access_key_id`, without asking IAM.
    pub fn cached(&self, access_key_id: &str, region: &str) -> Option<String> {
        self.cache
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .get(&(access_key_id.to_owned(), region.to_owned()))
            .cloned()
    }

    /// The project id of `region` for the credentials of `signer`.
    ///
    /// # Errors
    ///
    /// [`IamError::NoProject`] or [`IamError::MultipleProjects`] when not exactly one
    /// project matches, and the transport, status and signing errors of the request.
    pub async fn project_id(&self, signer: &Signer, region: &str) -> Result<String, IamError> {
        if let Some(id) = self.cached(signer.access_key_id(), region) {
            return Ok(id);
        }
        let _guard = self.lookup_lock.lock().await;
        if let Some(id) = self.cached(signer.access_key_id(), region) {
            return Ok(id);
        }

        let mut url = format!("{}/v3/projects?name=", self.endpoint);
        percent_encode_into(&mut url, region);
        let mut request = IamRequest::new("GET", url);
        request
            .sign(signer, self.clock.now())
            .map_err(|source| IamError::Sign {
                operation: OPERATION,
                source,
            })?;
        tracing::info!(region, endpoint = %self.endpoint, "project id not configured; asking IAM");
        let response =
            self.transport
                .send(request)
                .await
                .map_err(|source| IamError::Transport {
                    operation: OPERATION,
                    source,
                })?;
        if !response.is_success() {
            return Err(IamError::from_response(OPERATION, &response));
        }
        let body: ProjectsResponse =
            serde_json::from_slice(&response.body).map_err(|e| IamError::InvalidResponse {
                operation: OPERATION,
                reason: format!("expected {{\"projects\": [{{\"id\": …}}]}}: {e}"),
            })?;
        let id = match body.projects.as_slice() {
            [] => {
                return Err(IamError::NoProject {
                    region: region.to_owned(),
                });
            }
            [only] => only.id.clone(),
            several => {
                return Err(IamError::MultipleProjects {
                    region: region.to_owned(),
                    ids: several.iter().map(|p| p.id.clone()).collect(),
                });
            }
        };
        tracing::info!(region, project_id = %id, "discovered project id");
        self.cache
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .insert(
                (signer.access_key_id().to_owned(), region.to_owned()),
                id.clone(),
            );
        Ok(id)
    }
}
