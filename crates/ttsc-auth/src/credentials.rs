//! Credential kinds: AK/SK, temporary AK/SK with a security token, and IAM tokens.

use std::fmt;

use crate::SecretString;

/// The header that carries an IAM token (token authentication sends no `Authorization`).
pub const X_AUTH_TOKEN: &str = "X-Auth-Token";
/// The header that carries the security token of temporary AK/SK credentials.
pub const X_SECURITY_TOKEN: &str = "X-Security-Token";

/// An access key pair: permanent (AK/SK) or temporary (AK/SK plus a security token).
///
/// `Debug` shows the access key id (it is not secret: it travels in every `Authorization`
/// header) and masks the secret key and the security token.
///
/// ```
/// use ttsc_auth::AccessKeyCredentials;
///
/// let creds = AccessKeyCredentials::new("HPUAEXAMPLEAK0000001", "not-a-real-secret")
///     .with_security_token("temporary-token");
/// assert!(creds.is_temporary());
/// let shown = format!("{creds:?}");
/// assert!(shown.contains("HPUAEXAMPLEAK0000001"));
/// assert!(!shown.contains("not-a-real-secret") && !shown.contains("temporary-token"));
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AccessKeyCredentials {
    access_key_id: String,
    secret_access_key: SecretString,
    security_token: Option<SecretString>,
}

impl AccessKeyCredentials {
    /// Permanent credentials from an access key id (AK) and a secret access key (SK).
    pub fn new(
        access_key_id: impl Into<String>,
        secret_access_key: impl Into<SecretString>,
    ) -> Self {
        Self {
            access_key_id: access_key_id.into(),
            secret_access_key: secret_access_key.into(),
            security_token: None,
        }
    }

    /// Makes these temporary credentials: the security token is sent as
    /// `X-Security-Token` and signed.
    #[must_use]
    pub fn with_security_token(mut self, security_token: impl Into<SecretString>) -> Self {
        self.security_token = Some(security_token.into());
        self
    }

    /// The access key id (AK).
    pub fn access_key_id(&self) -> &str {
        &self.access_key_id
    }

    /// The secret access key (SK).
    pub fn secret_access_key(&self) -> &SecretString {
        &self.secret_access_key
    }

    /// The security token of temporary credentials.
    pub fn security_token(&self) -> Option<&SecretString> {
        self.security_token.as_ref()
    }

    /// Whether these are temporary credentials (they carry a security token).
    pub fn is_temporary(&self) -> bool {
        self.security_token.is_some()
    }
}

/// An IAM token (the `X-Subject-Token` IAM returned), sent as `X-Auth-Token`.
///
/// `Debug` and `Display` print the mask; [`IamToken::header`] gives the header to send.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IamToken(SecretString);

impl IamToken {
    /// Wraps a token string.
    pub fn new(token: impl Into<SecretString>) -> Self {
        Self(token.into())
    }

    /// The token value. Keep the borrow short and never log it.
    pub fn expose_secret(&self) -> &str {
        self.0.expose_secret()
    }

    /// The header that authenticates a request with this token:
    /// `("X-Auth-Token", token)`.
    pub fn header(&self) -> (&'static str, &str) {
        (X_AUTH_TOKEN, self.0.expose_secret())
    }
}

impl fmt::Display for IamToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.0, f)
    }
}

/// The credentials a request is authenticated with.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Credentials {
    /// AK/SK, permanent or temporary: the request is signed.
    AccessKey(AccessKeyCredentials),
    /// A user-supplied IAM token, used as is: the request carries `X-Auth-Token`.
    Token(IamToken),
}

impl Credentials {
    /// The access key pair, when these are AK/SK credentials.
    pub fn access_key(&self) -> Option<&AccessKeyCredentials> {
        match self {
            Self::AccessKey(creds) => Some(creds),
            Self::Token(_) => None,
        }
    }

    /// The token, when these are token credentials.
    pub fn token(&self) -> Option<&IamToken> {
        match self {
            Self::Token(token) => Some(token),
            Self::AccessKey(_) => None,
        }
    }

    /// A short description of the kind, safe to show: `AK/SK`, `temporary AK/SK` or
    /// `IAM token`.
    pub fn kind(&self) -> &'static str {
        match self {
            Self::AccessKey(creds) if creds.is_temporary() => "temporary AK/SK",
            Self::AccessKey(_) => "AK/SK",
            Self::Token(_) => "IAM token",
        }
    }
}

impl From<AccessKeyCredentials> for Credentials {
    fn from(value: AccessKeyCredentials) -> Self {
        Self::AccessKey(value)
    }
}

impl From<IamToken> for Credentials {
    fn from(value: IamToken) -> Self {
        Self::Token(value)
    }
}
