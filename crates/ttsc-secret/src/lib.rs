//! [`SecretString`]: the one type every ttsc crate keeps secrets in.
//!
//! ```
//! use ttsc_secret::SecretString;
//!
//! let sk = SecretString::new("s3cr3t");
//! assert_eq!(format!("{sk} {sk:?}"), "<redacted> <redacted>");
//! assert_eq!(sk.expose_secret(), "s3cr3t");
//! ```

use std::fmt;

use zeroize::{Zeroize, ZeroizeOnDrop};

/// What `Debug` and `Display` print in place of any secret.
pub const MASK: &str = "<redacted>";

/// A secret (secret access key, security token, password, IAM token).
///
/// `Debug` and `Display` print [`MASK`], never the value; the bytes are overwritten with
/// zeros when the value is dropped. Read the value with [`SecretString::expose_secret`],
/// only where it must be used (a header value, an HMAC key, a request body). With the
/// `serde` feature it serializes as the plain string.
#[derive(Clone, Default, PartialEq, Eq, Zeroize, ZeroizeOnDrop)]
#[cfg_attr(
    feature = "serde",
    derive(serde::Serialize, serde::Deserialize),
    serde(transparent)
)]
pub struct SecretString(String);

impl SecretString {
    /// Wraps a secret. A `String` passed in is moved, not copied.
    pub fn new(value: impl Into<String>) -> Self {
        Self(value.into())
    }

    /// The secret value. Keep the borrow short and never log it.
    pub fn expose_secret(&self) -> &str {
        &self.0
    }

    /// Whether the secret is the empty string.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl From<String> for SecretString {
    fn from(value: String) -> Self {
        Self(value)
    }
}

impl From<&str> for SecretString {
    fn from(value: &str) -> Self {
        Self(value.to_owned())
    }
}

impl fmt::Debug for SecretString {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(MASK)
    }
}

impl fmt::Display for SecretString {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(MASK)
    }
}
