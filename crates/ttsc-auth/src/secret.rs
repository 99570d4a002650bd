//! `SecretString`: secret material that prints as a fixed mask and is zeroized on drop.

use std::fmt;

use zeroize::{Zeroize, ZeroizeOnDrop};

/// What `Debug` and `Display` print in place of any secret.
pub const MASK: &str = "<redacted>";

/// A secret (secret access key, security token, password, IAM token).
///
/// `Debug` and `Display` print [`MASK`], never the value; the bytes are overwritten with
/// zeros when the value is dropped. Read the value with [`SecretString::expose_secret`],
/// only where it must be used (a header value, an HMAC key).
///
/// ```
/// use ttsc_auth::SecretString;
///
/// let sk = SecretString::new("s3cr3t");
/// assert_eq!(format!("{sk} {sk:?}"), "<redacted> <redacted>");
/// assert_eq!(sk.expose_secret(), "s3cr3t");
/// ```
#[derive(Clone, Default, PartialEq, Eq, Zeroize, ZeroizeOnDrop)]
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_and_display_print_the_fixed_mask() {
        let secret = SecretString::new("Ex4mpleSecretKeyForTestVectorsOnly0000001");
        assert_eq!(format!("{secret}"), "<redacted>");
        assert_eq!(format!("{secret:?}"), "<redacted>");
        assert_eq!(format!("{secret:#?}"), "<redacted>");
        assert_eq!(format!("{:?}", Some(&secret)), "Some(<redacted>)");
        assert_eq!(format!("{:?}", SecretString::default()), "<redacted>");
    }

    #[test]
    fn zeroize_clears_the_value() {
        let mut secret = SecretString::new("abc");
        secret.zeroize();
        assert!(secret.is_empty());
    }
}
