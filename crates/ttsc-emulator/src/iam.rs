//! The emulator's IAM endpoints: password login (`POST /v3/auth/tokens`) and project
//! discovery (`GET /v3/projects`).

use hyper::Response;
use hyper::header::HeaderValue;
use serde::Serialize;
use ttsc_models::iam::{
    KeystoneCreateUserTokenByPasswordRequest, KeystoneCreateUserTokenByPasswordResponse,
    KeystoneListProjectsRequest, KeystoneListProjectsResponse, Links, ProjectResult, TokenCatalog,
    TokenCatalogEndpoint, TokenDomainResult, TokenProjectDomainResult, TokenProjectResult,
    TokenResult, TokenRole, TokenUserDomainResult, TokenUserResult,
};
use ttsc_models::{Operation, WireRequest};

use crate::clock::rfc3339_micros;
use crate::http::{self, ApiError, Body};
use crate::ops::parse;
use crate::state::{Shared, TokenInfo};

/// A Keystone-style error: `{"error": {"code", "message", "title"}}`.
fn keystone_error(status: u16, title: &str, message: &str) -> Response<Body> {
    #[derive(Serialize)]
    struct Detail<'a> {
        code: u16,
        message: &'a str,
        title: &'a str,
    }
    #[derive(Serialize)]
    struct Wrapper<'a> {
        error: Detail<'a>,
    }
    http::json(
        status,
        &Wrapper {
            error: Detail {
                code: status,
                message,
                title,
            },
        },
    )
}

/// A stable id derived from a name (the emulator has one account and one user).
fn derived_id(name: &str) -> String {
    format!(
        "{:016x}{:016x}",
        crate::audio::voice_seed(name),
        crate::audio::voice_seed(&format!("{name}#"))
    )
}

/// `POST /v3/auth/tokens`: checks the user, password and account, and issues a token
/// valid for 24 hours of emulator time, scoped to the project (by id or region name).
pub(crate) fn create_token(
    shared: &Shared,
    wire: &WireRequest<'_>,
) -> Result<Response<Body>, ApiError> {
    let req: KeystoneCreateUserTokenByPasswordRequest = parse(wire)?;
    let creds = &shared.config.credentials;
    let auth = &req.body.auth;
    if !auth.identity.methods.iter().any(|m| m == "password") {
        return Ok(keystone_error(
            400,
            "Bad Request",
            "identity.methods must contain \"password\"",
        ));
    }
    let user = &auth.identity.password.user;
    if user.name != creds.user
        || user.password != creds.password
        || user.domain.name != creds.domain
    {
        return Ok(keystone_error(
            401,
            "Unauthorized",
            "The username or password is wrong.",
        ));
    }
    let project_scope = match (&auth.scope.project, &auth.scope.domain) {
        (Some(p), _) => {
            let by_id = p.id.as_deref() == Some(creds.project_id.as_str());
            let by_name = p.id.is_none() && p.name.as_deref() == Some(creds.region.as_str());
            if !(by_id || by_name) {
                return Ok(keystone_error(
                    400,
                    "Bad Request",
                    "The project does not exist in this account or region.",
                ));
            }
            true
        }
        (None, Some(d)) => {
            let ok = d.name.as_deref().is_none_or(|n| n == creds.domain)
                && d.id
                    .as_deref()
                    .is_none_or(|i| i == derived_id(&creds.domain));
            if !ok {
                return Ok(keystone_error(
                    400,
                    "Bad Request",
                    "The domain in the scope is not the user's account.",
                ));
            }
            false
        }
        (None, None) => false,
    };
    let now_ms = shared.clock.now_ms();
    let expires_ms = now_ms + i64::try_from(crate::config::TOKEN_TTL_SECS * 1000).unwrap_or(0);
    let token = format!(
        "MIIEMU{}{}{}",
        shared.token_ids.next(),
        shared.token_ids.next(),
        shared.token_ids.next()
    );
    shared
        .tokens
        .write()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
        .insert(
            token.clone(),
            TokenInfo {
                expires_ms,
                project_id: project_scope.then(|| creds.project_id.clone()),
            },
        );

    let domain_id = derived_id(&creds.domain);
    let mut result = TokenResult::new()
        .expires_at(rfc3339_micros(expires_ms))
        .issued_at(rfc3339_micros(now_ms))
        .methods(["password"])
        .roles([TokenRole::new().name("te_admin").id(derived_id("te_admin"))])
        .user(
            TokenUserResult::new()
                .name(creds.user.clone())
                .id(derived_id(&format!("user:{}", creds.user)))
                .password_expires_at("")
                .domain(
                    TokenUserDomainResult::new()
                        .name(creds.domain.clone())
                        .id(domain_id.clone()),
                ),
        );
    if project_scope {
        result = result.project(
            TokenProjectResult::new()
                .name(creds.region.clone())
                .id(creds.project_id.clone())
                .domain(
                    TokenProjectDomainResult::new()
                        .name(creds.domain.clone())
                        .id(domain_id.clone()),
                ),
        );
    } else {
        result = result.domain(
            TokenDomainResult::new()
                .name(creds.domain.clone())
                .id(domain_id),
        );
    }
    if req.nocatalog.as_deref().is_none_or(str::is_empty) {
        let base = format!("http://{}", shared.config.listen);
        result = result.catalog([TokenCatalog::new()
            .r#type("metastudio")
            .name("metastudio")
            .id(derived_id("metastudio"))
            .endpoints([TokenCatalogEndpoint::new()
                .url(base)
                .region(creds.region.clone())
                .region_id(creds.region.clone())
                .interface("public")
                .id(derived_id("metastudio-endpoint"))])]);
    }
    let body = KeystoneCreateUserTokenByPasswordResponse::new().token(result);
    let mut resp = http::json(
        KeystoneCreateUserTokenByPasswordRequest::INFO.success_status,
        &body,
    );
    if let Ok(v) = HeaderValue::from_str(&token) {
        resp.headers_mut().insert("x-subject-token", v);
    }
    Ok(resp)
}

/// `GET /v3/projects`: the one project, when the `name` filter (if any) is the region.
pub(crate) fn list_projects(
    shared: &Shared,
    wire: &WireRequest<'_>,
) -> Result<Response<Body>, ApiError> {
    let req: KeystoneListProjectsRequest = parse(wire)?;
    let creds = &shared.config.credentials;
    let domain_id = derived_id(&creds.domain);
    let matches = req.name.as_deref().is_none_or(|n| n == creds.region)
        && req.domain_id.as_deref().is_none_or(|d| d == domain_id)
        && req.enabled.is_none_or(|e| e)
        && req.is_domain.is_none_or(|d| !d);
    let base = format!("http://{}/v3/projects", shared.config.listen);
    let projects = if matches {
        vec![
            ProjectResult::new()
                .id(creds.project_id.clone())
                .name(creds.region.clone())
                .domain_id(domain_id.clone())
                .parent_id(domain_id)
                .enabled(true)
                .is_domain(false)
                .description("")
                .links(Links::new().self_(format!("{base}/{}", creds.project_id))),
        ]
    } else {
        Vec::new()
    };
    let body = KeystoneListProjectsResponse::new()
        .projects(projects)
        .links(Links::new().self_(base));
    Ok(http::json(200, &body))
}
