//! [`SecretString`]: a string field that must never be printed (IAM passwords).

use std::fmt;

use serde::{Deserialize, Serialize};

/// A secret carried in a request body. `Debug` and `Display` print a fixed mask; the value is
/// only reachable through [`expose`](SecretString::expose) and serialization.
#[derive(Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct SecretString(String);

impl SecretString {
    /// The mask printed in place of the value.
    pub const MASK: &'static str = "******";

    /// The secret value. Call sites of this method are the places a secret can leak; keep
    /// them few.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl From<String> for SecretString {
    fn from(s: String) -> Self {
        SecretString(s)
    }
}

impl From<&str> for SecretString {
    fn from(s: &str) -> Self {
        SecretString(s.to_owned())
    }
}

impl fmt::Debug for SecretString {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(Self::MASK)
    }
}

impl fmt::Display for SecretString {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(Self::MASK)
    }
}

impl crate::Validate for SecretString {
    /// Secrets carry no documented constraint here, and their value must never appear in a
    /// violation.
    fn collect_violations(&self, _prefix: &str, _out: &mut Vec<crate::Violation>) {}
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn never_prints_the_value() {
        let s = SecretString::from("hunter2");
        assert_eq!(format!("{s:?} {s}"), "****** ******");
        assert_eq!(s.expose(), "hunter2");
        assert_eq!(serde_json::to_string(&s).unwrap(), "\"hunter2\"");
    }
}
