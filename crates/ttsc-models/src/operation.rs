//! The operation catalogue: one [`Operation`] impl per API operation, and static
//! [`OperationInfo`] describing its method, path and parameters.
//!
//! The client has one generic send path over [`Operation`]; the emulator routes requests with
//! [`OperationInfo::match_path`] over [`TTS_OPERATIONS`](crate::TTS_OPERATIONS).

use std::fmt;

use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::validate::{Validate, ValidationError, Violation};
use crate::wire::{WireRequest, percent_decode};

/// HTTP method of an operation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Method {
    /// `GET`
    Get,
    /// `POST`
    Post,
    /// `PUT`
    Put,
    /// `DELETE`
    Delete,
}

impl Method {
    /// The method as written on the wire.
    pub const fn as_str(self) -> &'static str {
        match self {
            Method::Get => "GET",
            Method::Post => "POST",
            Method::Put => "PUT",
            Method::Delete => "DELETE",
        }
    }
}

impl fmt::Display for Method {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Where a parameter travels.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ParamLocation {
    /// A `{name}` segment of the path.
    Path,
    /// A query-string pair.
    Query,
    /// A request header.
    Header,
}

/// A documented parameter of an operation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ParamInfo {
    /// Wire name (`limit`, `X-App-UserId`, …).
    pub name: &'static str,
    /// Where it travels.
    pub location: ParamLocation,
    /// Whether the service requires it.
    pub required: bool,
    /// Whether it carries authentication (set by the signer, not by request types).
    pub auth: bool,
}

/// How an operation pages through a listing (offset/limit with a total count).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PaginationInfo {
    /// Response field holding the page's items.
    pub items: &'static str,
    /// Response field holding the total number of matching records.
    pub count: &'static str,
    /// Largest page size the service accepts.
    pub max_limit: i64,
}

/// Static description of one operation, generated from the API description.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OperationInfo {
    /// Identifier for exhaustive matching.
    pub id: crate::OperationId,
    /// Operation name as in Huawei's SDKs (`ShowTtsJob`).
    pub name: &'static str,
    /// One-line summary.
    pub summary: &'static str,
    /// HTTP method.
    pub method: Method,
    /// Path template (`/v1/{project_id}/ttsc/async-jobs/{job_id}`).
    pub path: &'static str,
    /// Every documented parameter, authentication headers included.
    pub params: &'static [ParamInfo],
    /// Name of the request body type, when the operation has a body.
    pub body: Option<&'static str>,
    /// Whether the body is required.
    pub body_required: bool,
    /// Wire names of the body's top-level fields, in documented order (empty without a body).
    pub body_fields: &'static [&'static str],
    /// Name of the response type.
    pub response: &'static str,
    /// Whether a successful response has an empty body.
    pub empty_response: bool,
    /// Status code of success (200 for every TTS operation).
    pub success_status: u16,
    /// Whether repeating the call is harmless (false for POSTs that create work).
    pub idempotent: bool,
    /// Offset/limit paging, for listing operations.
    pub pagination: Option<PaginationInfo>,
}

impl OperationInfo {
    /// Whether the operation accepts the header `name` (case-insensitive).
    pub fn accepts_header(&self, name: &str) -> bool {
        self.params
            .iter()
            .any(|p| p.location == ParamLocation::Header && p.name.eq_ignore_ascii_case(name))
    }

    /// Matches a request path (as received, percent-encoded, without query) against this
    /// operation's template. Returns the decoded path parameters on a match.
    ///
    /// ```
    /// use ttsc_models::{Method, ShowAsyncTtsJobRequest, Operation};
    /// let info = ShowAsyncTtsJobRequest::INFO;
    /// let params = info.match_path(Method::Get, "/v1/p1/ttsc/async-jobs/job%201").unwrap();
    /// assert_eq!(params, vec![("project_id", "p1".to_string()), ("job_id", "job 1".to_string())]);
    /// assert!(info.match_path(Method::Post, "/v1/p1/ttsc/async-jobs/j").is_none());
    /// ```
    pub fn match_path(&self, method: Method, path: &str) -> Option<Vec<(&'static str, String)>> {
        if method != self.method {
            return None;
        }
        let mut params = Vec::new();
        let mut got = path.trim_end_matches('/').split('/');
        for want in self.path.split('/') {
            let seg = got.next()?;
            if let Some(name) = want.strip_prefix('{').and_then(|w| w.strip_suffix('}')) {
                if seg.is_empty() {
                    return None;
                }
                params.push((name, percent_decode(seg)?));
            } else if want != seg {
                return None;
            }
        }
        if got.next().is_some() {
            return None;
        }
        Some(params)
    }
}

/// A request type: the typed parameters of one operation.
///
/// Implemented by every generated `…Request` type. The client sends any `Operation` through
/// one code path; the emulator parses any `Operation` from the wire with
/// [`from_wire`](Operation::from_wire).
pub trait Operation: Validate + Sized + Send + Sync + 'static {
    /// Static description: method, path, parameters.
    const INFO: &'static OperationInfo;
    /// The JSON body type ([`NoBody`] for operations without one).
    type Body: Serialize + DeserializeOwned + Send + Sync;
    /// The response type.
    type Response: Serialize + DeserializeOwned + Default + fmt::Debug + Clone + Send + Sync;

    /// The request path with `project_id` and the other path parameters percent-encoded.
    fn path(&self, project_id: &str) -> String;
    /// Query pairs (raw, not encoded), in documented order; absent parameters are left out.
    fn query(&self) -> Vec<(&'static str, String)>;
    /// Non-authentication headers to send (`X-App-UserId`, `X-Request-Id`, …).
    fn headers(&self) -> Vec<(&'static str, String)>;
    /// The body to send as JSON, if any.
    fn body(&self) -> Option<&Self::Body>;
    /// Parses a received request (emulator side). Missing required parameters, values of the
    /// wrong type and malformed bodies are reported as violations; documented ranges are not
    /// checked here, call [`validate`](Operation::validate) for those.
    fn from_wire(request: &WireRequest<'_>) -> Result<Self, ValidationError>;

    /// Checks every documented constraint, returning all violations.
    fn validate(&self) -> Result<(), ValidationError> {
        let mut out: Vec<Violation> = Vec::new();
        self.collect_violations("", &mut out);
        if out.is_empty() {
            Ok(())
        } else {
            Err(ValidationError::new(Self::INFO.name, out))
        }
    }
}

/// A listing operation the client can page through with offset and limit.
pub trait Paginated: Operation {
    /// The type of one listed record.
    type Item: Serialize + DeserializeOwned + fmt::Debug + Clone + Send + Sync;
    /// The requested offset (0 when unset).
    fn page_offset(&self) -> i64;
    /// The requested page size, when set.
    fn page_limit(&self) -> Option<i64>;
    /// Sets offset and limit for one page.
    fn set_page(&mut self, offset: i64, limit: i64);
    /// The total number of matching records, when the response says.
    fn total(response: &Self::Response) -> Option<i64>;
    /// Takes the page's records out of a response.
    fn into_items(response: Self::Response) -> Vec<Self::Item>;
}

/// The body type of operations that send none.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct NoBody {}

/// The response of operations whose success has an empty body. Deserializes from `{}` or any
/// JSON object (fields are ignored).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct EmptyResponse {}
