//! Customer tokens: how a shop's backend tells the widget who the logged-in shopper is.
//!
//! Format (API.md): `v1.<customer_id>.<expires>.<signature>` where `signature` is the lowercase hex
//! HMAC-SHA256, keyed with the shop's secret key (UTF-8 bytes), of `v1.<shop_id>.<customer_id>.<expires>`.
//! The shop id is part of the signed message, so a token of one shop never verifies for another,
//! even if two shops shared a key.

use crate::ids::{CustomerId, ShopId};
use hmac::{Hmac, Mac};
use sha2::Sha256;

type HmacSha256 = Hmac<Sha256>;

/// Why a token was refused. Every variant maps to HTTP 401; the distinction is for logs and tests.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TokenError {
    #[error("the token is malformed")]
    Malformed,
    #[error("the token has expired")]
    Expired,
    #[error("the token's signature does not match")]
    BadSignature,
    /// Its `expires` lies further ahead than the shop allows (a token printed into a cached page
    /// or leaked once would work for that long).
    #[error("the token expires further ahead than this shop allows")]
    Lifetime,
}

/// The longest a token may be valid by default: 24 hours. A shop's backend signs a fresh token
/// whenever it renders a page for a logged-in shopper, so a day covers a long session while a
/// token copied from a cached page or a log stops working soon.
pub const DEFAULT_MAX_LIFETIME: u64 = 86_400;
/// The longest lifetime a shop may choose: 30 days (for pages cached that long, e.g. static
/// account pages re-rendered monthly). Longer would make a leaked token a standing credential.
pub const MAX_LIFETIME_LIMIT: u64 = 30 * 86_400;

/// What a shop accepts: tokens signed with any of `keys` (the current secret key and, during a
/// rotation's grace period, the one before it) that expire at most `max_lifetime` seconds ahead.
#[derive(Debug, Clone, Copy)]
pub struct Policy<'a> {
    pub keys: &'a [&'a str],
    pub max_lifetime: u64,
}

/// Signs a token for `customer` of `shop`, valid until `expires` (Unix seconds).
pub fn sign(secret_key: &str, shop: &ShopId, customer: &CustomerId, expires: u64) -> String {
    let signature = hex(&mac(secret_key, shop, customer.as_str(), expires)
        .finalize()
        .into_bytes());
    format!("v1.{customer}.{expires}.{signature}")
}

/// Verifies `token` for `shop` at time `now` (Unix seconds) under `policy` and returns whose it is.
///
/// The signature comparison is constant-time (`hmac`'s `verify_slice`), once per accepted key.
pub fn verify(
    token: &str,
    shop: &ShopId,
    policy: Policy,
    now: u64,
) -> Result<CustomerId, TokenError> {
    let mut parts = token.split('.');
    let (Some("v1"), Some(customer), Some(expires), Some(signature), None) = (
        parts.next(),
        parts.next(),
        parts.next(),
        parts.next(),
        parts.next(),
    ) else {
        return Err(TokenError::Malformed);
    };
    let customer = CustomerId::parse(customer).map_err(|_| TokenError::Malformed)?;
    let expires = parse_unix_seconds(expires).ok_or(TokenError::Malformed)?;
    let signature = unhex_lower(signature).ok_or(TokenError::Malformed)?;
    if signature.len() != 32 {
        return Err(TokenError::Malformed);
    }
    let signed = policy.keys.iter().any(|key| {
        mac(key, shop, customer.as_str(), expires)
            .verify_slice(&signature)
            .is_ok()
    });
    if !signed {
        return Err(TokenError::BadSignature);
    }
    if now >= expires {
        return Err(TokenError::Expired);
    }
    if expires - now > policy.max_lifetime {
        return Err(TokenError::Lifetime);
    }
    Ok(customer)
}

fn mac(secret_key: &str, shop: &ShopId, customer: &str, expires: u64) -> HmacSha256 {
    let mut mac =
        HmacSha256::new_from_slice(secret_key.as_bytes()).expect("HMAC accepts keys of any length");
    mac.update(b"v1.");
    mac.update(shop.as_str().as_bytes());
    mac.update(b".");
    mac.update(customer.as_bytes());
    mac.update(b".");
    mac.update(expires.to_string().as_bytes());
    mac
}

/// Canonical decimal only (digits, no sign, no spaces, no leading zero), fitting in `u64`: the
/// form the signature covers, so one token has exactly one spelling.
fn parse_unix_seconds(s: &str) -> Option<u64> {
    if s.is_empty() || s.len() > 20 || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    if s.len() > 1 && s.starts_with('0') {
        return None;
    }
    s.parse().ok()
}

/// Compares two secrets in time that depends only on their lengths, not on where they differ.
pub fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// Lowercase hex of `bytes`.
pub fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        out.push(DIGITS[(b >> 4) as usize] as char);
        out.push(DIGITS[(b & 0xf) as usize] as char);
    }
    out
}

/// Decodes lowercase hex; uppercase is refused because API.md fixes the signature's form.
fn unhex_lower(s: &str) -> Option<Vec<u8>> {
    fn nibble(c: u8) -> Option<u8> {
        match c {
            b'0'..=b'9' => Some(c - b'0'),
            b'a'..=b'f' => Some(c - b'a' + 10),
            _ => None,
        }
    }
    if !s.len().is_multiple_of(2) {
        return None;
    }
    s.as_bytes()
        .chunks_exact(2)
        .map(|pair| Some(nibble(pair[0])? << 4 | nibble(pair[1])?))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shop() -> ShopId {
        ShopId::parse("demo-bakery").unwrap()
    }
    fn c42() -> CustomerId {
        CustomerId::parse("c42").unwrap()
    }
    /// Key `sk_x`, and a lifetime long enough for the fixed times below.
    fn x() -> Policy<'static> {
        Policy {
            keys: &["sk_x"],
            max_lifetime: 10_000,
        }
    }
    fn keyed(keys: &'static [&'static str]) -> Policy<'static> {
        Policy { keys, ..x() }
    }

    #[test]
    fn matches_an_independent_hmac_sha256() {
        // From: printf 'v1.demo-bakery.c42.1767225600' | openssl dgst -sha256 -hmac sk_test_demo_bakery
        let token = sign("sk_test_demo_bakery", &shop(), &c42(), 1_767_225_600);
        assert_eq!(
            token,
            "v1.c42.1767225600.7b4a962862a8adb54566d5166ef057a20e2cf8f31f88e8fb316ff16655f08bdc"
        );
    }

    #[test]
    fn constant_time_eq_compares_exactly() {
        assert!(constant_time_eq(b"sk_abc", b"sk_abc"));
        assert!(!constant_time_eq(b"sk_abc", b"sk_abd"));
        assert!(!constant_time_eq(b"sk_abc", b"sk_ab"));
    }

    #[test]
    fn round_trips_before_expiry() {
        let token = sign("sk_x", &shop(), &c42(), 2_000);
        assert_eq!(verify(&token, &shop(), x(), 1_999), Ok(c42()));
    }

    #[test]
    fn refuses_expired_tokens() {
        let token = sign("sk_x", &shop(), &c42(), 2_000);
        assert_eq!(
            verify(&token, &shop(), x(), 2_000),
            Err(TokenError::Expired)
        );
    }

    #[test]
    fn refuses_another_shops_token_and_a_wrong_key() {
        let token = sign("sk_x", &shop(), &c42(), 2_000);
        let other = ShopId::parse("other-shop").unwrap();
        assert_eq!(
            verify(&token, &other, x(), 1),
            Err(TokenError::BadSignature)
        );
        assert_eq!(
            verify(&token, &shop(), keyed(&["sk_y"]), 1),
            Err(TokenError::BadSignature)
        );
    }

    #[test]
    fn refuses_tampering() {
        let token = sign("sk_x", &shop(), &c42(), 2_000);
        let as_c43 = token.replacen("c42", "c43", 1);
        assert_eq!(
            verify(&as_c43, &shop(), x(), 1),
            Err(TokenError::BadSignature)
        );
        let later = token.replacen("2000", "9000", 1);
        assert_eq!(
            verify(&later, &shop(), x(), 1),
            Err(TokenError::BadSignature)
        );
    }

    #[test]
    fn refuses_malformed_tokens() {
        let good = sign("sk_x", &shop(), &c42(), 2_000);
        let upper = good
            .to_uppercase()
            .replacen("V1", "v1", 1)
            .replacen("C42", "c42", 1);
        for bad in [
            "",
            "v1",
            "v2.c42.2000.00",
            "v1.c42.2000",
            "v1..2000.00",
            "v1.c42.-5.00",
            "v1.c42.+5.00",
            "v1.c42.99999999999999999999999.00",
            "v1.c42.2000.zz",
            "v1.c42.2000.abc",
            "v1.c42.2000.00",
            // The signed number with a leading zero: another spelling of the same token.
            &good.replacen(".2000.", ".02000.", 1),
            upper.as_str(),
            &format!("{good}.extra"),
        ] {
            assert_eq!(
                verify(bad, &shop(), x(), 1),
                Err(TokenError::Malformed),
                "{bad:?}"
            );
        }
    }

    #[test]
    fn refuses_tokens_that_expire_too_far_ahead() {
        let policy = Policy {
            keys: &["sk_x"],
            max_lifetime: DEFAULT_MAX_LIFETIME,
        };
        let day = sign("sk_x", &shop(), &c42(), 1_000 + DEFAULT_MAX_LIFETIME);
        assert_eq!(verify(&day, &shop(), policy, 1_000), Ok(c42()));
        let longer = sign("sk_x", &shop(), &c42(), 1_001 + DEFAULT_MAX_LIFETIME);
        assert_eq!(
            verify(&longer, &shop(), policy, 1_000),
            Err(TokenError::Lifetime)
        );
        let forever = sign("sk_x", &shop(), &c42(), u64::MAX);
        assert_eq!(
            verify(&forever, &shop(), policy, 1_000),
            Err(TokenError::Lifetime)
        );
    }

    #[test]
    fn accepts_every_key_of_the_policy() {
        let old = sign("sk_old", &shop(), &c42(), 2_000);
        let new = sign("sk_new", &shop(), &c42(), 2_000);
        let both = keyed(&["sk_new", "sk_old"]);
        assert_eq!(verify(&old, &shop(), both, 1_000), Ok(c42()));
        assert_eq!(verify(&new, &shop(), both, 1_000), Ok(c42()));
        assert_eq!(
            verify(&old, &shop(), keyed(&["sk_new"]), 1_000),
            Err(TokenError::BadSignature)
        );
    }
}
