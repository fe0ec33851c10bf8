//! Charts as inline SVG drawn by the app, and number formats. The numbers are always shown beside
//! the drawing.

use leptos::prelude::*;
use shared::api::ParetoPoint;

/// Basis points as a percentage: 2500 → "25.0 %".
pub fn percent(bp: i64) -> String {
    format!("{}.{} %", bp / 100, (bp % 100).abs() / 10)
}

/// Minor units as money in the browser's format (`€1,234.56`).
pub fn money(minor: i64, currency: &str) -> String {
    let options = js_sys::Object::new();
    let set = |k: &str, v: &str| {
        let _ = js_sys::Reflect::set(&options, &k.into(), &v.into());
    };
    set("style", "currency");
    set("currency", currency);
    let format = js_sys::Intl::NumberFormat::new(&js_sys::Array::of1(&"en".into()), &options);
    format
        .format()
        .call1(&wasm_bindgen::JsValue::NULL, &(minor as f64 / 100.0).into())
        .ok()
        .and_then(|s| s.as_string())
        .unwrap_or_else(|| format!("{}.{:02} {currency}", minor / 100, minor % 100))
}

/// The Pareto curve: share of members (x, biggest spenders first) against share of revenue (y),
/// with the diagonal of an even spread and a marker at 20 % of members.
#[component]
pub fn ParetoChart(curve: Vec<ParetoPoint>, top20_bp: i64) -> impl IntoView {
    let points: String = curve
        .iter()
        .map(|p| format!("{},{} ", p.members_bp / 50, 200 - p.revenue_bp / 50))
        .collect();
    let y20 = 200 - top20_bp / 50;
    // The marker's label goes below the marker when it sits near the top edge.
    let label_dy = if y20 < 24 { "18" } else { "-6" };
    view! {
        // The view box holds every label with room to spare (the axis labels reach x = -30 and
        // y = 232; the marker's label at most 24 units above or below its marker).
        <svg class="chart" viewBox="-34 -16 268 256" role="img" data-testid="pareto-chart"
            aria-label=format!("The top 20 % of members bring {} of revenue", percent(top20_bp))>
            <rect x="0" y="0" width="200" height="200" fill="#faf7f2" stroke="#c9bfb3"></rect>
            <line x1="0" y1="200" x2="200" y2="0" stroke="#c9bfb3" stroke-dasharray="4 4"></line>
            <line x1="40" y1="0" x2="40" y2="200" stroke="#8a7f77" stroke-dasharray="2 3"></line>
            <polyline points=points fill="none" stroke="#7a3e00" stroke-width="3"></polyline>
            <circle cx="40" cy=y20 r="5" fill="#7a3e00"></circle>
            <text x="46" y=y20 dy=label_dy font-size="12" fill="#1f1a17">{percent(top20_bp)}</text>
            <text x="0" y="218" font-size="11" fill="#5c524b">"0 %"</text>
            <text x="32" y="218" font-size="11" fill="#5c524b">"20 %"</text>
            <text x="170" y="218" font-size="11" fill="#5c524b">"100 %"</text>
            <text x="30" y="234" font-size="11" fill="#5c524b">"members, biggest spenders first"</text>
            <text x="-28" y="8" font-size="11" fill="#5c524b">"100 %"</text>
            <text x="-22" y="200" font-size="11" fill="#5c524b">"0 %"</text>
        </svg>
    }
}

/// Horizontal bars with their values: `(label, value, shown value)`.
#[component]
pub fn Bars(items: Vec<(String, i64, String)>, #[prop(into)] label: String) -> impl IntoView {
    let max = items.iter().map(|i| i.1).max().unwrap_or(0).max(1);
    let height = items.len() as i64 * 28;
    view! {
        // Room right of the longest bar for its value ("55,598 · €1,234,567.89").
        <svg class="chart chart--bars" viewBox=format!("0 0 440 {height}") role="img" aria-label=label>
            {items.into_iter().enumerate().map(|(i, (name, value, shown))| {
                let y = i as i64 * 28;
                let width = (value.max(0) * 150 / max).max(1);
                view! {
                    <text x="0" y=y + 17 font-size="12" fill="#1f1a17">{name}</text>
                    <rect x="110" y=y + 5 width=width height="16" rx="3" fill="#7a3e00"></rect>
                    <text x=114 + width y=y + 17 font-size="12" fill="#1f1a17">{shown}</text>
                }
            }).collect_view()}
        </svg>
    }
}
