//! Analytics: members and activity, points and the liability, redemption rate, revenue from
//! members, the Pareto view, RFM segments and the birthdays of the next two weeks.

use crate::api;
use crate::charts::{money, percent, Bars, ParetoChart};
use crate::session::Session;
use leptos::prelude::*;
use shared::api::Analytics;

fn segment_name(id: &str) -> &'static str {
    match id {
        "champions" => "Champions",
        "loyal" => "Loyal",
        "recent" => "Recent",
        "at_risk" => "At risk",
        "lost" => "Lost",
        _ => "No orders yet",
    }
}

/// The analytics page.
#[component]
pub fn AnalyticsPage(s: Session) -> impl IntoView {
    let data = LocalResource::new(move || {
        let s = s.clone();
        async move { api::analytics(&s).await }
    });
    view! {
        <div class="analytics">
            <div class="editor__bar">
                <h2>"Analytics"</h2>
                <button type="button" class="button button--quiet" data-testid="refresh" on:click=move |_| data.refetch()>"Refresh"</button>
            </div>
            {move || match data.get() {
                None => view! { <p aria-busy="true">"Loading…"</p> }.into_any(),
                Some(Err(e)) => view! { <p class="alert" role="alert">{e.message()}</p> }.into_any(),
                Some(Ok(a)) => view! { <Report a /> }.into_any(),
            }}
        </div>
    }
}

#[component]
fn Report(a: Analytics) -> impl IntoView {
    let c = a.currency.clone();
    let tile = |label: &'static str, value: String, id: &'static str| {
        view! {
            <div class="tile"><span class="tile__label">{label}</span><strong class="tile__value" data-testid=id>{value}</strong></div>
        }
    };
    let points = vec![
        (
            "Issued".to_owned(),
            a.points.issued,
            a.points.issued.to_string(),
        ),
        (
            "Redeemed".to_owned(),
            a.points.redeemed,
            a.points.redeemed.to_string(),
        ),
        (
            "Expired".to_owned(),
            a.points.expired,
            a.points.expired.to_string(),
        ),
        (
            "Taken back".to_owned(),
            a.points.deducted,
            a.points.deducted.to_string(),
        ),
        (
            "Outstanding".to_owned(),
            a.points.outstanding,
            a.points.outstanding.to_string(),
        ),
    ];
    let segments: Vec<(String, i64, String)> = a
        .segments
        .iter()
        .map(|s| {
            (
                segment_name(&s.id).to_owned(),
                s.members,
                format!("{} · {}", s.members, money(s.revenue_minor, &c)),
            )
        })
        .collect();
    view! {
        <div class="tiles">
            {tile("Members", a.members.to_string(), "members")}
            {tile("Active in 30 days", a.active_30d.to_string(), "active-30")}
            {tile("Active in 90 days", a.active_90d.to_string(), "active-90")}
            {tile("Revenue from members", money(a.revenue_minor, &c), "revenue")}
            {tile("Orders", a.orders.to_string(), "orders")}
            {tile("Points outstanding", a.points.outstanding.to_string(), "outstanding")}
            {tile("Liability (at the best reward rate)", money(a.points.outstanding_value_minor, &c), "liability")}
            {tile("Redemption rate", percent(a.redemption_rate_bp), "redemption-rate")}
        </div>
        <div class="grid2">
            <section class="card">
                <h3>"The best 20 %"</h3>
                <p>"The top 20 % of members bring " <strong data-testid="pareto">{percent(a.pareto_top20_bp)}</strong> " of revenue from members."</p>
                <ParetoChart curve=a.pareto_curve.clone() top20_bp=a.pareto_top20_bp />
            </section>
            <section class="card">
                <h3>"Segments (recency, frequency, revenue)"</h3>
                <Bars items=segments label="Members per segment" />
                <p class="hint">"Champions: ordered in the last 30 days, 4+ orders. Loyal: last 90 days, 2+ orders. Recent: last 90 days, first order. At risk: 90–180 days. Lost: over 180 days."</p>
            </section>
            <section class="card">
                <h3>"Points"</h3>
                <Bars items=points label="Points issued, redeemed, expired, taken back and outstanding" />
            </section>
            <section class="card">
                <h3>"Birthdays in the next 14 days"</h3>
                {if a.birthdays_next_14_days.is_empty() {
                    view! { <p class="hint">"None."</p> }.into_any()
                } else {
                    view! { <ul data-testid="birthdays">{a.birthdays_next_14_days.iter().map(|b| view! { <li>{b.date.clone()} " — " {b.customer_id.clone()}</li> }).collect_view()}</ul> }.into_any()
                }}
            </section>
        </div>
        <p class="hint">"Computed " {a.computed_at.clone()} " from running totals kept by the shop's ledger."</p>
    }
}
