//! Messages the widget shows. English only in the skeleton; catalogs per locale come with the
//! widget issue, and every view already takes its words from here.

/// A message key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Msg {
    Loading,
    Points,
    StampCard,
    Join,
    EarnRule,
    WelcomeBonus,
    NetworkError,
    SignedOut,
    Retry,
    NoCardYet,
}

/// The English text of `msg`.
pub fn en(msg: Msg) -> &'static str {
    match msg {
        Msg::Loading => "Loading your card…",
        Msg::Points => "points",
        Msg::StampCard => "Stamp card",
        Msg::Join => "Join our loyalty club",
        Msg::EarnRule => "Earn {points} points for every {unit} you spend.",
        Msg::WelcomeBonus => "Get {points} bonus points when you join.",
        Msg::NetworkError => "We could not load your card. Check your connection.",
        Msg::SignedOut => "Your session has ended. Please sign in again.",
        Msg::Retry => "Try again",
        Msg::NoCardYet => "Your card is on its way: make a first purchase to start collecting.",
    }
}

/// Formats an amount of minor units in `currency` for display (skeleton: `12.34 EUR`).
pub fn money(minor: i64, currency: &str) -> String {
    let sign = if minor < 0 { "-" } else { "" };
    let abs = minor.unsigned_abs();
    format!("{sign}{}.{:02} {currency}", abs / 100, abs % 100)
}
