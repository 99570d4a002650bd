//! Validation of documented constraints, run before a request is sent (client) or served
//! (emulator).
//!
//! Every generated request type implements [`Validate`]. Validation collects *all* problems,
//! each naming the wire field, the value and what is allowed, so a user fixes a bad request in
//! one round.

use std::fmt;

/// What a field must satisfy.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Rule {
    /// An integer within `min..=max` (either bound may be absent).
    Range {
        /// Smallest allowed value.
        min: Option<i64>,
        /// Largest allowed value.
        max: Option<i64>,
    },
    /// A string whose length in characters is within `min..=max`.
    Length {
        /// Fewest characters allowed.
        min: Option<u64>,
        /// Most characters allowed.
        max: Option<u64>,
    },
    /// An array whose number of items is within `min..=max`.
    Items {
        /// Fewest items allowed.
        min: Option<u64>,
        /// Most items allowed.
        max: Option<u64>,
    },
    /// One of a fixed set of values.
    OneOf(&'static [&'static str]),
    /// An RFC 3339 date-time such as `2026-11-01T00:00:00Z`.
    DateTime,
    /// A value that must be present.
    Required,
    /// A value of the wrong type (only when parsing from the wire).
    Type(&'static str),
}

impl fmt::Display for Rule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fn bounds<T: fmt::Display>(
            f: &mut fmt::Formatter<'_>,
            min: &Option<T>,
            max: &Option<T>,
        ) -> fmt::Result {
            match (min, max) {
                (Some(a), Some(b)) => write!(f, "{a} to {b}"),
                (Some(a), None) => write!(f, "at least {a}"),
                (None, Some(b)) => write!(f, "at most {b}"),
                (None, None) => write!(f, "any"),
            }
        }
        match self {
            Rule::Range { min, max } => {
                f.write_str("allowed: ")?;
                bounds(f, min, max)
            }
            Rule::Length { min, max } => {
                f.write_str("allowed length: ")?;
                bounds(f, min, max)?;
                f.write_str(" characters")
            }
            Rule::Items { min, max } => {
                f.write_str("allowed: ")?;
                bounds(f, min, max)?;
                f.write_str(" items")
            }
            Rule::OneOf(values) => write!(f, "expected one of {}", values.join(", ")),
            Rule::DateTime => {
                f.write_str("expected an RFC 3339 date-time such as 2026-11-01T00:00:00Z")
            }
            Rule::Required => f.write_str("required"),
            Rule::Type(ty) => write!(f, "expected {ty}"),
        }
    }
}

/// One problem with one field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Violation {
    field: String,
    value: Option<String>,
    rule: Rule,
}

impl Violation {
    /// A violation of `rule` by `field` (its wire name, dotted for nested fields) holding
    /// `value` (already rendered; `None` when the field is missing).
    pub fn new(field: impl Into<String>, value: Option<String>, rule: Rule) -> Self {
        Violation {
            field: field.into(),
            value,
            rule,
        }
    }

    /// The wire name of the field, dotted for nested fields (`callback_config.callback_url`)
    /// and indexed for arrays (`asset_ids[2]`).
    pub fn field(&self) -> &str {
        &self.field
    }

    /// The offending value as rendered for the message, `None` when the field is missing.
    pub fn value(&self) -> Option<&str> {
        self.value.as_deref()
    }

    /// The rule the value breaks.
    pub fn rule(&self) -> &Rule {
        &self.rule
    }
}

impl fmt::Display for Violation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (&self.value, &self.rule) {
            (None, Rule::Required) => write!(f, "{} is required", self.field),
            (None, rule) => write!(f, "{} is missing ({rule})", self.field),
            (Some(v), rule) => write!(f, "{} = {v} is invalid ({rule})", self.field),
        }
    }
}

/// Every problem found in one request. Never empty.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidationError {
    operation: &'static str,
    violations: Vec<Violation>,
}

impl ValidationError {
    /// Builds the error; `violations` must not be empty.
    pub fn new(operation: &'static str, violations: Vec<Violation>) -> Self {
        debug_assert!(!violations.is_empty());
        ValidationError {
            operation,
            violations,
        }
    }

    /// The operation whose request was invalid (`ShowTtsJob`, …).
    pub fn operation(&self) -> &'static str {
        self.operation
    }

    /// Every violation found, in field order.
    pub fn violations(&self) -> &[Violation] {
        &self.violations
    }

    /// The error without its [`Rule::OneOf`] violations (values outside a documented
    /// enumeration); `None` when nothing else is wrong.
    ///
    /// A client sends such values on: the service may know a value added after this version
    /// (the models keep it as `Unknown`). A server, which knows its values, keeps the whole
    /// error.
    pub fn without_unknown_values(&self) -> Option<ValidationError> {
        let rest: Vec<Violation> = self
            .violations
            .iter()
            .filter(|v| !matches!(v.rule, Rule::OneOf(_)))
            .cloned()
            .collect();
        (!rest.is_empty()).then(|| ValidationError::new(self.operation, rest))
    }
}

impl fmt::Display for ValidationError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "invalid {} request: ", self.operation)?;
        for (i, v) in self.violations.iter().enumerate() {
            if i > 0 {
                f.write_str("; ")?;
            }
            write!(f, "{v}")?;
        }
        Ok(())
    }
}

impl std::error::Error for ValidationError {}

/// Types whose documented constraints can be checked locally.
pub trait Validate {
    /// Appends every violation to `out`, prefixing field names with `prefix` (empty at the top
    /// level, `"callback_config."` for a nested object).
    fn collect_violations(&self, prefix: &str, out: &mut Vec<Violation>);
}

impl Validate for crate::SecretString {
    /// Secrets carry no documented constraint here, and their value must never appear in a
    /// violation.
    fn collect_violations(&self, _prefix: &str, _out: &mut Vec<Violation>) {}
}

/// Renders a string value for a message: quoted, and shortened when long.
pub(crate) fn show_str(s: &str) -> String {
    const MAX: usize = 40;
    let mut chars = s.chars();
    let head: String = chars.by_ref().take(MAX).collect();
    if chars.next().is_some() {
        format!("{head:?}… ({} characters)", s.chars().count())
    } else {
        format!("{head:?}")
    }
}

/// Helpers called by generated `collect_violations` implementations.
#[doc(hidden)]
pub mod check {
    use super::{Rule, Violation, show_str};

    fn name(prefix: &str, field: &str) -> String {
        let mut s = String::with_capacity(prefix.len() + field.len());
        s.push_str(prefix);
        s.push_str(field);
        s
    }

    /// Integer range.
    pub fn range(
        out: &mut Vec<Violation>,
        prefix: &str,
        field: &str,
        value: i64,
        min: Option<i64>,
        max: Option<i64>,
    ) {
        if min.is_some_and(|m| value < m) || max.is_some_and(|m| value > m) {
            out.push(Violation::new(
                name(prefix, field),
                Some(value.to_string()),
                Rule::Range { min, max },
            ));
        }
    }

    /// Number range for floating point fields.
    pub fn range_f64(
        out: &mut Vec<Violation>,
        prefix: &str,
        field: &str,
        value: f64,
        min: Option<i64>,
        max: Option<i64>,
    ) {
        #[allow(
            clippy::cast_precision_loss,
            reason = "bounds are small documented integers"
        )]
        let bad = value.is_nan()
            || min.is_some_and(|m| value < m as f64)
            || max.is_some_and(|m| value > m as f64);
        if bad {
            out.push(Violation::new(
                name(prefix, field),
                Some(value.to_string()),
                Rule::Range { min, max },
            ));
        }
    }

    /// String length in characters.
    pub fn length(
        out: &mut Vec<Violation>,
        prefix: &str,
        field: &str,
        value: &str,
        min: Option<u64>,
        max: Option<u64>,
    ) {
        let n = value.chars().count() as u64;
        if min.is_some_and(|m| n < m) || max.is_some_and(|m| n > m) {
            out.push(Violation::new(
                name(prefix, field),
                Some(show_str(value)),
                Rule::Length { min, max },
            ));
        }
    }

    /// Array length.
    pub fn items(
        out: &mut Vec<Violation>,
        prefix: &str,
        field: &str,
        len: usize,
        min: Option<u64>,
        max: Option<u64>,
    ) {
        let n = len as u64;
        if min.is_some_and(|m| n < m) || max.is_some_and(|m| n > m) {
            out.push(Violation::new(
                name(prefix, field),
                Some(format!("{n} items")),
                Rule::Items { min, max },
            ));
        }
    }

    /// A documented enumeration value (rejects values this version does not know).
    pub fn known(
        out: &mut Vec<Violation>,
        prefix: &str,
        field: &str,
        value: &str,
        known: bool,
        allowed: &'static [&'static str],
    ) {
        if !known {
            out.push(Violation::new(
                name(prefix, field),
                Some(show_str(value)),
                Rule::OneOf(allowed),
            ));
        }
    }

    /// RFC 3339 date-time.
    pub fn date_time(out: &mut Vec<Violation>, prefix: &str, field: &str, value: &str) {
        if !crate::wire::is_rfc3339(value) {
            out.push(Violation::new(
                name(prefix, field),
                Some(show_str(value)),
                Rule::DateTime,
            ));
        }
    }

    /// Field path of an array element.
    pub fn index(prefix: &str, field: &str, i: usize) -> String {
        format!("{prefix}{field}[{i}]")
    }

    /// Field path prefix of a nested object.
    pub fn nested(prefix: &str, field: &str) -> String {
        format!("{prefix}{field}.")
    }
}
