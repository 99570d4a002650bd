//! The error codes the emulator answers with, and the HTTP status of each.
//!
//! The real service's full `MSS.` code list is not public; the emulator uses this small
//! set, taken from the codes Huawei documents (see the crate documentation for when each
//! is used). Errors carry Huawei's body `{"error_code", "error_msg", "request_id"}` and an
//! `X-Request-Id` header.
//!
//! | constant | code | status |
//! | --- | --- | --- |
//! | [`AUTH_FAILED`] | `APIGW.0301` | 401 |
//! | [`TOKEN_EXPIRED`] | `APIGW.0307` | 401 |
//! | `faults::THROTTLED_CODE` | `APIGW.0308` | 429 (injected faults only) |
//! | [`API_NOT_FOUND`] | `APIGW.0101` | 404 |
//! | [`BODY_TOO_LARGE`] | `APIGW.0201` | 413 |
//! | [`METHOD_NOT_ALLOWED`] | `MSS.00010004` | 405 |
//! | [`PROJECT_MISMATCH`] | `MSS.00010009` | 403 |
//! | [`BAD_JSON`] | `MSS.10000002` | 400 |
//! | [`INVALID_PARAMETER`] | `MSS.000000003` | 400 |
//! | [`NOT_FOUND`] | `MSS.10001001` | 404 |
//! | [`INTERNAL_ERROR`] | `MSS.000000002` | 500, and 503 for injected faults |
//! | [`JOB_FAILED`] | `MSS.000000001` | the `code` of a `FAILED` job (HTTP 200) |

/// Incorrect IAM authentication information: a bad, expired or missing signature, an
/// unknown access key, a locked access key, or an unknown token (HTTP 401).
pub const AUTH_FAILED: &str = "APIGW.0301";
/// The token expired and must be renewed (HTTP 401).
pub const TOKEN_EXPIRED: &str = "APIGW.0307";
/// No API at this path (HTTP 404).
pub const API_NOT_FOUND: &str = "APIGW.0101";
/// The body is larger than 12 MB (HTTP 413).
pub const BODY_TOO_LARGE: &str = "APIGW.0201";
/// A known path with another method (HTTP 405).
pub const METHOD_NOT_ALLOWED: &str = "MSS.00010004";
/// The project id in the path is not the credential's (HTTP 403).
pub const PROJECT_MISMATCH: &str = "MSS.00010009";
/// The body is not JSON of the documented shape (HTTP 400).
pub const BAD_JSON: &str = "MSS.10000002";
/// A parameter is missing, malformed or out of range; the message names the field
/// (HTTP 400).
pub const INVALID_PARAMETER: &str = "MSS.000000003";
/// No job, vocabulary entry or group with this id (HTTP 404).
pub const NOT_FOUND: &str = "MSS.10001001";
/// Internal error (HTTP 500; also the code of injected 500 and 503 faults).
pub const INTERNAL_ERROR: &str = crate::faults::INTERNAL_ERROR_CODE;
/// The `code` of a job that ended `FAILED`.
pub const JOB_FAILED: &str = "MSS.000000001";
