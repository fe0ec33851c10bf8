//! Charts as inline SVG drawn by the app, and number formats. The numbers are always shown beside
//! the drawing.

use crate::i18n::{i18n, t};
use leptos::prelude::*;
use shared::api::ParetoPoint;
use wasm_bindgen::JsValue;

/// Basis points as a percentage with one decimal (cut, not rounded), in the owner's language:
/// 2500 → "25.0 %" in English, "25,0 %" in German.
pub fn percent(bp: i64) -> String {
    let options = js_sys::Object::new();
    for key in ["minimumFractionDigits", "maximumFractionDigits"] {
        let _ = js_sys::Reflect::set(&options, &key.into(), &JsValue::from_f64(1.0));
    }
    share(&decimal(&options, (bp / 10) as f64 / 10.0))
}

/// A whole percentage (`20` → "20 %") in the owner's language.
fn whole_percent(pct: i64) -> String {
    share(&i18n().number(pct))
}

fn share(value: &str) -> String {
    i18n().fill("chart_percent", &[("value", value)])
}

/// `value` formatted by `Intl.NumberFormat` for the owner's locale with `options`.
fn decimal(options: &js_sys::Object, value: f64) -> String {
    let locales = js_sys::Array::of1(&i18n().locale().into());
    js_sys::Intl::NumberFormat::new(&locales, options)
        .format()
        .call1(&JsValue::NULL, &JsValue::from_f64(value))
        .ok()
        .and_then(|s| s.as_string())
        .unwrap_or_else(|| value.to_string())
}

/// Minor units as money in the owner's language (`€1,234.56`).
pub fn money(minor: i64, currency: &str) -> String {
    i18n().money(minor, currency)
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
            aria-label=i18n().fill("chart_pareto_label", &[("share", &percent(top20_bp))])>
            <rect x="0" y="0" width="200" height="200" fill="#faf7f2" stroke="#c9bfb3"></rect>
            <line x1="0" y1="200" x2="200" y2="0" stroke="#c9bfb3" stroke-dasharray="4 4"></line>
            <line x1="40" y1="0" x2="40" y2="200" stroke="#8a7f77" stroke-dasharray="2 3"></line>
            <polyline points=points fill="none" stroke="#7a3e00" stroke-width="3"></polyline>
            <circle cx="40" cy=y20 r="5" fill="#7a3e00"></circle>
            <text x="46" y=y20 dy=label_dy font-size="12" fill="#1f1a17">{percent(top20_bp)}</text>
            <text x="0" y="218" font-size="11" fill="#5c524b">{whole_percent(0)}</text>
            <text x="32" y="218" font-size="11" fill="#5c524b">{whole_percent(20)}</text>
            <text x="170" y="218" font-size="11" fill="#5c524b">{whole_percent(100)}</text>
            <text x="30" y="234" font-size="11" fill="#5c524b">{t("chart_pareto_x")}</text>
            <text x="-28" y="8" font-size="11" fill="#5c524b">{whole_percent(100)}</text>
            <text x="-22" y="200" font-size="11" fill="#5c524b">{whole_percent(0)}</text>
        </svg>
    }
}

/// About how wide `text` is at 12 px, in view-box units (CJK and other wide scripts count
/// double), so a chart leaves room for its labels in every language.
fn text_width(text: &str) -> i64 {
    text.chars()
        .map(|c| if c as u32 >= 0x2E80 { 12 } else { 7 })
        .sum()
}

/// Horizontal bars with their values: `(label, value, shown value)`. The label column and the
/// room after the longest bar fit the longest label and value.
#[component]
pub fn Bars(items: Vec<(String, i64, String)>, #[prop(into)] label: String) -> impl IntoView {
    let max = items.iter().map(|i| i.1).max().unwrap_or(0).max(1);
    let height = items.len() as i64 * 28;
    let column = items
        .iter()
        .map(|i| text_width(&i.0))
        .max()
        .unwrap_or(0)
        .clamp(60, 220)
        + 12;
    let values = items.iter().map(|i| text_width(&i.2)).max().unwrap_or(0) + 8;
    let width = column + 154 + values;
    view! {
        <svg class="chart chart--bars" viewBox=format!("0 0 {width} {height}") role="img" aria-label=label>
            {items.into_iter().enumerate().map(|(i, (name, value, shown))| {
                let y = i as i64 * 28;
                let bar = (value.max(0) * 150 / max).max(1);
                view! {
                    <text x="2" y=y + 17 font-size="12" fill="#1f1a17">{name}</text>
                    <rect x=column y=y + 5 width=bar height="16" rx="3" fill="#7a3e00"></rect>
                    <text x=column + 4 + bar y=y + 17 font-size="12" fill="#1f1a17">{shown}</text>
                }
            }).collect_view()}
        </svg>
    }
}
