//! Identifier newtypes that can only hold valid values.
//!
//! Ids appear in URLs, KV keys and signed token messages, so they are restricted to a small,
//! unambiguous alphabet: `[A-Za-z0-9_-]`, 1 to 64 characters. A `.` can never occur, which is what
//! keeps the `v1.<shop>.<customer>.<expires>` token message unambiguous.

use serde::{Deserialize, Serialize};
use std::fmt;

/// Why a string is not a valid id.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IdError {
    #[error("must not be empty")]
    Empty,
    #[error("must be at most {max} characters")]
    TooLong { max: usize },
    #[error("may contain only letters, digits, '-' and '_'")]
    InvalidCharacter,
}

/// Longest id accepted, in bytes (all allowed characters are ASCII).
pub const MAX_ID_LEN: usize = 64;

/// The id rule as a JSON Schema / ECMA-262 pattern (the OpenAPI document states it).
pub const ID_PATTERN: &str = "^[A-Za-z0-9_-]{1,64}$";

/// Checks `s` against the id rule without making an id (no allocation).
pub fn check_id(s: &str) -> Result<(), IdError> {
    if s.is_empty() {
        return Err(IdError::Empty);
    }
    if s.len() > MAX_ID_LEN {
        return Err(IdError::TooLong { max: MAX_ID_LEN });
    }
    if !s
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
    {
        return Err(IdError::InvalidCharacter);
    }
    Ok(())
}

macro_rules! id_type {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
        #[serde(try_from = "String", into = "String")]
        pub struct $name(String);

        impl $name {
            /// Parses an id, rejecting anything outside `[A-Za-z0-9_-]{1,64}`.
            pub fn parse(s: &str) -> Result<Self, IdError> {
                check_id(s)?;
                Ok(Self(s.to_owned()))
            }

            /// The id as text.
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl TryFrom<String> for $name {
            type Error = IdError;
            fn try_from(s: String) -> Result<Self, IdError> {
                check_id(&s)?;
                Ok(Self(s))
            }
        }

        impl From<$name> for String {
            fn from(id: $name) -> String {
                id.0
            }
        }

        #[cfg(feature = "openapi")]
        impl schemars::JsonSchema for $name {
            fn inline_schema() -> bool {
                true
            }
            fn schema_name() -> std::borrow::Cow<'static, str> {
                stringify!($name).into()
            }
            fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
                schemars::json_schema!({"type": "string", "pattern": ID_PATTERN})
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }
    };
}

id_type!(
    /// A shop, e.g. `demo-bakery`.
    ShopId
);
id_type!(
    /// A shopper, as the shop's own backend identifies them, e.g. `c42`.
    CustomerId
);

/// The suppression entry of an erased member (kept only while their shop refuses re-joining):
/// a SHA-256 of the customer id, so the entry itself holds no id in clear.
pub fn suppression_key(customer: &str) -> String {
    use sha2::{Digest, Sha256};
    let digest = Sha256::digest(format!("punchcard-erased:{customer}").as_bytes());
    crate::token::hex(&digest)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_the_documented_alphabet() {
        assert_eq!(
            ShopId::parse("demo-bakery").unwrap().as_str(),
            "demo-bakery"
        );
        assert!(CustomerId::parse("c_42-X").is_ok());
        assert!(CustomerId::parse(&"a".repeat(64)).is_ok());
    }

    #[test]
    fn rejects_everything_else() {
        assert_eq!(ShopId::parse(""), Err(IdError::Empty));
        assert_eq!(
            CustomerId::parse(&"a".repeat(65)),
            Err(IdError::TooLong { max: 64 })
        );
        for bad in ["a.b", "a b", "a/b", "é", "a%2e", "..", "a:b"] {
            assert_eq!(
                CustomerId::parse(bad),
                Err(IdError::InvalidCharacter),
                "{bad}"
            );
        }
    }

    #[test]
    fn the_pattern_states_the_same_rule() {
        // The pattern is what clients read; check_id is what the server runs.
        assert_eq!(ID_PATTERN, format!("^[A-Za-z0-9_-]{{1,{MAX_ID_LEN}}}$"));
    }

    #[test]
    fn serde_goes_through_validation() {
        let ok: ShopId = serde_json::from_str("\"shop-1\"").unwrap();
        assert_eq!(ok.as_str(), "shop-1");
        assert!(serde_json::from_str::<ShopId>("\"no.dots\"").is_err());
        assert_eq!(serde_json::to_string(&ok).unwrap(), "\"shop-1\"");
    }
}
