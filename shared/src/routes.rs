//! Facts about API paths that the edge needs as policy.

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
    use super::is_browser_facing;

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
