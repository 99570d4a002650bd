//! [`TenantConfigValue`]: the value of a tenant-level switch, which the service documents as a
//! string but whose own example sends a boolean.

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// The value of a tenant configuration (`SaveTtscTenantConfigsRequestBody.value`).
///
/// The reference types it as a string, yet its example sends `{"key": "vocabulary", "value":
/// true}`; both forms are accepted and sent back as received.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TenantConfigValue {
    /// A JSON boolean.
    Bool(bool),
    /// A JSON string.
    String(String),
}

impl TenantConfigValue {
    /// The value as a boolean switch: `true`/`false`, or the strings `"true"`/`"false"`
    /// (any case). `None` for other strings.
    pub fn as_bool(&self) -> Option<bool> {
        match self {
            TenantConfigValue::Bool(b) => Some(*b),
            TenantConfigValue::String(s) if s.eq_ignore_ascii_case("true") => Some(true),
            TenantConfigValue::String(s) if s.eq_ignore_ascii_case("false") => Some(false),
            TenantConfigValue::String(_) => None,
        }
    }
}

impl Default for TenantConfigValue {
    fn default() -> Self {
        TenantConfigValue::String(String::new())
    }
}

impl From<bool> for TenantConfigValue {
    fn from(b: bool) -> Self {
        TenantConfigValue::Bool(b)
    }
}

impl From<&str> for TenantConfigValue {
    fn from(s: &str) -> Self {
        TenantConfigValue::String(s.to_owned())
    }
}

impl From<String> for TenantConfigValue {
    fn from(s: String) -> Self {
        TenantConfigValue::String(s)
    }
}

impl fmt::Display for TenantConfigValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TenantConfigValue::Bool(b) => write!(f, "{b}"),
            TenantConfigValue::String(s) => f.write_str(s),
        }
    }
}

impl Serialize for TenantConfigValue {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            TenantConfigValue::Bool(b) => s.serialize_bool(*b),
            TenantConfigValue::String(v) => s.serialize_str(v),
        }
    }
}

impl<'de> Deserialize<'de> for TenantConfigValue {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Raw {
            Bool(bool),
            String(String),
        }
        Ok(match Raw::deserialize(d)? {
            Raw::Bool(b) => TenantConfigValue::Bool(b),
            Raw::String(s) => TenantConfigValue::String(s),
        })
    }
}

impl crate::Validate for TenantConfigValue {
    fn collect_violations(&self, _prefix: &str, _out: &mut Vec<crate::Violation>) {}
}
