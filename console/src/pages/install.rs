//! Install: the script tag to paste, and the token-signing snippets the shop's backend uses (the
//! same files `tests/tests/snippets.rs` runs against the worker).

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
        "<script async src=\"{origin}/widget.js\" data-shop=\"{}\"\n        data-customer-token=\"<the token your backend signs for the logged-in shopper>\"></script>",
        shop
    );
    view! {
        <section class="card">
            <h2>"1. Paste the script tag"</h2>
            <p>"Into every page of your storefront (theme layout, footer). Visitors who are not signed in see your program's teaser."</p>
            <pre data-testid="script-tag"><code>{tag}</code></pre>
            <p class="hint">"Options: " <code>"data-locale"</code> " (18 languages), " <code>"data-mode=\"inline\" data-target=\"#selector\""</code>
                " to show the card inside your page instead of the launcher button. With a Content-Security-Policy, allow this origin for script-src, style-src and connect-src, plus 'wasm-unsafe-eval'."</p>
        </section>
        <section class="card">
            <h2>"2. Sign a token for the logged-in shopper, on your server"</h2>
            <p>"The token proves to the widget who the shopper is. Sign it with your secret key on the server; never send the key to the browser."</p>
            {SNIPPETS.iter().map(|(name, file, source)| view! {
                <details class="snippet" open=*name == "Node.js">
                    <summary>{*name} " — " <code>{*file}</code></summary>
                    <pre data-testid=format!("snippet-{file}")><code>{*source}</code></pre>
                </details>
            }).collect_view()}
        </section>
        <section class="card">
            <h2>"3. Report purchases and refunds"</h2>
            <pre><code>{format!("curl -X POST {origin}/v1/shops/{}/events \\\n  -H 'Authorization: Bearer $PUNCHCARD_SECRET_KEY' \\\n  -d '{{\"id\":\"order-1001-paid\",\"type\":\"order.paid\",\"customer_id\":\"c42\",\"order_id\":\"1001\",\"amount_minor\":2350,\"currency\":\"EUR\"}}'", s.shop)}</code></pre>
            <p class="hint">"The full API: " <a href="/openapi.json">"/openapi.json"</a></p>
        </section>
        <super::keys::RotateKey s=s.clone() session />
    }
}
