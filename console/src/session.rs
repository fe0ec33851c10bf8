//! The signed-in shop: id and secret key, kept in `sessionStorage` for this tab only.

/// Who is signed in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Session {
    pub shop: String,
    pub key: String,
}

const SHOP: &str = "punchcard.shop";
const KEY: &str = "punchcard.key";
/// A customer token for the preview member, read by `/console/preview.html` (same origin).
pub const PREVIEW_TOKEN: &str = "punchcard.preview_token";

fn storage() -> Option<web_sys::Storage> {
    web_sys::window()?.session_storage().ok()?
}

impl Session {
    /// The session of this tab, if signed in.
    pub fn load() -> Option<Session> {
        let s = storage()?;
        Some(Session {
            shop: s.get_item(SHOP).ok()??,
            key: s.get_item(KEY).ok()??,
        })
    }

    /// Remembers the session for this tab, with a fresh preview token.
    pub fn save(&self) {
        if let Some(s) = storage() {
            let _ = s.set_item(SHOP, &self.shop);
            let _ = s.set_item(KEY, &self.key);
            let _ = s.set_item(PREVIEW_TOKEN, &self.preview_token());
        }
    }

    /// Forgets the session.
    pub fn clear() {
        if let Some(s) = storage() {
            for item in [SHOP, KEY, PREVIEW_TOKEN] {
                let _ = s.remove_item(item);
            }
        }
    }

    /// A token for the member `preview` (valid one hour), signed here as the shop's backend would.
    pub fn preview_token(&self) -> String {
        let (Ok(shop), Ok(customer)) = (
            shared::ShopId::parse(&self.shop),
            shared::CustomerId::parse("preview"),
        ) else {
            return String::new();
        };
        let expires = (js_sys::Date::now() / 1000.0) as u64 + 3600;
        shared::token::sign(&self.key, &shop, &customer, expires)
    }
}
