//! Facts about API paths that the edge needs as policy.

/// Every route of the API (`:name` is a path parameter) with the methods it answers, for the
/// `Allow` header of a 405 (RFC 9110 §15.5.6) and for the tests that check the router, this
/// table and the OpenAPI document agree. `OPTIONS` (CORS preflight) is answered on every path.
pub const ROUTES: &[(&str, &[&str])] = &[
    ("/openapi.json", &["GET"]),
    ("/v1/shops", &["POST"]),
    ("/v1/shops/:shop/program", &["GET", "PUT"]),
    ("/v1/shops/:shop/settings", &["GET", "PUT"]),
    ("/v1/shops/:shop/keys/rotate", &["POST"]),
    ("/v1/shops/:shop/events", &["POST"]),
    ("/v1/shops/:shop/events/batch", &["POST"]),
    ("/v1/shops/:shop/customers/:customer", &["GET", "DELETE"]),
    ("/v1/shops/:shop/customers/:customer/export", &["GET"]),
    ("/v1/shops/:shop/customers/:customer/history", &["GET"]),
    ("/v1/shops/:shop/customers/:customer/adjustments", &["POST"]),
    ("/v1/shops/:shop/customers/:customer/stamps", &["POST"]),
    ("/v1/shops/:shop/customers/:customer/redemptions", &["POST"]),
    ("/v1/shops/:shop/maintenance/purge", &["POST"]),
    ("/v1/dev/shops/:shop/legacy-accounts/:customer", &["POST"]),
    ("/v1/dev/shops/:shop/daily", &["POST"]),
    ("/v1/shops/:shop/coupons/:code", &["GET"]),
    ("/v1/shops/:shop/coupons/:code/consume", &["POST"]),
    ("/v1/shops/:shop/members/:code", &["GET"]),
    ("/v1/shops/:shop/analytics", &["GET"]),
    ("/v1/shops/:shop/webhooks", &["GET", "POST"]),
    ("/v1/shops/:shop/webhooks/:webhook", &["DELETE"]),
    ("/v1/shops/:shop/webhooks/:webhook/deliveries", &["GET"]),
    (
        "/v1/shops/:shop/webhooks/:webhook/deliveries/:delivery/redeliver",
        &["POST"],
    ),
    ("/v1/shops/:shop/me", &["GET"]),
    ("/v1/shops/:shop/me/redemptions", &["POST"]),
    ("/v1/shops/:shop/me/birthday", &["POST"]),
    ("/v1/shops/:shop/me/news/read", &["POST"]),
    ("/v1/shops/:shop/me/feedback", &["POST"]),
    ("/v1/shops/:shop/feedback", &["GET"]),
    ("/v1/shops/:shop/me/dates", &["POST"]),
    ("/v1/shops/:shop/occasions", &["GET"]),
];

/// Whether `path` matches `pattern` (`:name` matches one non-empty segment).
pub fn matches(pattern: &str, path: &str) -> bool {
    let (mut p, mut s) = (pattern.split('/'), path.split('/'));
    loop {
        match (p.next(), s.next()) {
            (None, None) => return true,
            (Some(want), Some(got)) if want.starts_with(':') && !got.is_empty() => {}
            (Some(want), Some(got)) if want == got => {}
            _ => return false,
        }
    }
}

/// The `Allow` header value for `path`: the methods of its route plus `OPTIONS`, or `None` for a
/// path that is no route.
pub fn allow(path: &str) -> Option<String> {
    let (_, methods) = ROUTES.iter().find(|(pattern, _)| matches(pattern, path))?;
    let mut allowed: Vec<&str> = methods.to_vec();
    allowed.push("OPTIONS");
    Some(allowed.join(", "))
}

/// Routes a storefront page calls from the shopper's browser (any origin, bearer token, no
/// cookies): `/v1/shops/{shop}/me…` and `/v1/shops/{shop}/program`. Shop-secret and admin routes
/// get no CORS allowance, so a browser page on another origin cannot use a leaked key.
pub fn is_browser_facing(path: &str) -> bool {
    let mut parts = path.trim_start_matches('/').split('/');
    match (parts.next(), parts.next(), parts.next(), parts.next()) {
        (Some("v1"), Some("shops"), Some(shop), Some("me")) => !shop.is_empty(),
        (Some("v1"), Some("shops"), Some(shop), Some("program")) => {
            !shop.is_empty() && parts.next().is_none()
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::{allow, is_browser_facing, matches};

    #[test]
    fn allow_lists_the_methods_of_the_matching_route() {
        assert_eq!(
            allow("/v1/shops/demo/program").as_deref(),
            Some("GET, PUT, OPTIONS")
        );
        assert_eq!(
            allow("/v1/shops/demo/customers/c42").as_deref(),
            Some("GET, DELETE, OPTIONS")
        );
        assert_eq!(allow("/v1/shops").as_deref(), Some("POST, OPTIONS"));
        assert_eq!(allow("/v1/shops/demo/nothing"), None);
        assert!(!matches("/v1/shops/:shop/me", "/v1/shops//me"));
        assert!(!matches("/v1/shops/:shop/me", "/v1/shops/a/me/x"));
    }

    #[test]
    fn only_shopper_routes_are_browser_facing() {
        assert!(is_browser_facing("/v1/shops/demo-bakery/me"));
        assert!(is_browser_facing("/v1/shops/demo-bakery/me/redemptions"));
        assert!(is_browser_facing("/v1/shops/demo-bakery/program"));
        assert!(!is_browser_facing("/v1/shops/demo-bakery/program/extra"));
        assert!(!is_browser_facing("/v1/shops//me"));
        assert!(!is_browser_facing("/v1/shops/demo-bakery/events"));
        assert!(!is_browser_facing("/v1/shops"));
        assert!(!is_browser_facing("/v1/shops/demo-bakery/customers/c42"));
        assert!(!is_browser_facing("/v2/shops/demo-bakery/me"));
    }
}
