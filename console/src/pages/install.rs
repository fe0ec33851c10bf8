//! Install: the script tag to paste, and the token-signing snippets the shop's backend uses (the
//! same files `tests/tests/snippets.rs` runs against the worker).

use super::{around, pieces};
use crate::i18n::t;
use crate::session::Session;
use leptos::prelude::*;

/// The snippets, by language: (name, file, source).
pub const SNIPPETS: [(&str, &str, &str); 4] = [
    (
        "Node.js",
        "token.mjs",
        include_str!("../../../docs/snippets/token.mjs"),
    ),
    (
        "Python",
        "token.py",
        include_str!("../../../docs/snippets/token.py"),
    ),
    (
        "PHP",
        "token.php",
        include_str!("../../../docs/snippets/token.php"),
    ),
    (
        "Ruby",
        "token.rb",
        include_str!("../../../docs/snippets/token.rb"),
    ),
];

/// The install page.
#[component]
pub fn InstallPage(s: Session, session: RwSignal<Option<Session>>) -> impl IntoView {
    let origin = web_sys::window()
        .and_then(|w| w.location().origin().ok())
        .unwrap_or_default();
    let shop = s.shop.clone();
    let tag = format!(
        "<script async src=\"{origin}/widget.js\" data-shop=\"{}\"\n        data-customer-token=\"<{}>\"></script>",
        shop,
        t("install_tag_token")
    );
    // The options sentence holds the attributes as code.
    let options = pieces(&t("install_tag_options"))
        .into_iter()
        .map(|(text, hole)| {
            let code = hole.map(|h| match h.as_str() {
                "locale" => view! { <code>"data-locale"</code> }.into_any(),
                "inline" => view! { <code>"data-mode=\"inline\" data-target=\"#selector\""</code> }
                    .into_any(),
                other => format!("{{{other}}}").into_any(),
            });
            view! { {text} {code} }
        })
        .collect_view();
    let (api_before, api_after) = around(&t("install_api"), "link");
    view! {
        <section class="card">
            <h2>{t("install_tag_title")}</h2>
            <p>{t("install_tag_where")}</p>
            <pre data-testid="script-tag"><code>{tag}</code></pre>
            <p class="hint">{options}</p>
        </section>
        <section class="card">
            <h2>{t("install_token_title")}</h2>
            <p>{t("install_token_text")}</p>
            {SNIPPETS.iter().map(|(name, file, source)| view! {
                <details class="snippet" open=*name == "Node.js">
                    <summary>{*name} " — " <code>{*file}</code></summary>
                    <pre data-testid=format!("snippet-{file}")><code>{*source}</code></pre>
                </details>
            }).collect_view()}
        </section>
        <section class="card">
            <h2>{t("install_events_title")}</h2>
            <pre><code>{format!("curl -X POST {origin}/v1/shops/{}/events \\\n  -H 'Authorization: Bearer $PUNCHCARD_SECRET_KEY' \\\n  -d '{{\"id\":\"order-1001-paid\",\"type\":\"order.paid\",\"customer_id\":\"c42\",\"order_id\":\"1001\",\"amount_minor\":2350,\"currency\":\"EUR\"}}'", s.shop)}</code></pre>
            <p class="hint">{api_before} <a href="/openapi.json">"/openapi.json"</a> {api_after}</p>
        </section>
        <super::keys::RotateKey s=s.clone() session />
    }
}
