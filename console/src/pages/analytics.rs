//! Analytics: members and activity, points and the liability, redemption rate, revenue from
//! members, the Pareto view, RFM segments, the birthdays of the next two weeks, and the members'
//! feedback (the Net Promoter Score, month by month, and their comments).

use super::around;
use crate::api;
use crate::charts::{percent, Bars, ParetoChart};
use crate::i18n::{fill, i18n, t};
use crate::session::Session;
use leptos::prelude::*;
use shared::api::{Analytics, FeedbackAnswer, FeedbackReport};

/// The catalog key of a segment's name.
fn segment_name(id: &str) -> &'static str {
    match id {
        "champions" => "analytics_segment_champions",
        "loyal" => "analytics_segment_loyal",
        "recent" => "analytics_segment_recent",
        "at_risk" => "analytics_segment_at_risk",
        "lost" => "analytics_segment_lost",
        _ => "analytics_segment_no_orders",
    }
}

/// A birthday `MM-DD` as the owner's language writes it (as sent if it is not one).
fn birthday(date: &str) -> String {
    let parsed = date
        .split_once('-')
        .and_then(|(m, d)| Some((m.parse::<u8>().ok()?, d.parse::<u8>().ok()?)))
        .filter(|(m, d)| (1..=12).contains(m) && (1..=31).contains(d));
    match parsed {
        Some((month, day)) => i18n().month_day(month, day),
        None => date.to_owned(),
    }
}

/// The analytics page.
#[component]
pub fn AnalyticsPage(s: Session) -> impl IntoView {
    let s2 = s.clone();
    let data = LocalResource::new(move || {
        let s = s.clone();
        async move { api::analytics(&s).await }
    });
    view! {
        <div class="analytics">
            <div class="editor__bar">
                <h2>{t("analytics_title")}</h2>
                <button type="button" class="button button--quiet" data-testid="refresh" on:click=move |_| data.refetch()>{t("analytics_refresh")}</button>
            </div>
            {move || match data.get() {
                None => view! { <p aria-busy="true">{t("analytics_loading")}</p> }.into_any(),
                Some(Err(e)) => view! { <p class="alert" role="alert">{e.message()}</p> }.into_any(),
                Some(Ok(a)) => view! { <Report a /> }.into_any(),
            }}
            <Occasions s=s2.clone() />
            <Feedback s=s2 refresh=data />
        </div>
    }
}

/// The Net Promoter Score of the last 12 months, its trend and the answers (paged).
#[component]
fn Feedback(s: Session, refresh: LocalResource<Result<Analytics, api::ApiError>>) -> impl IntoView {
    let report = RwSignal::new(None::<Result<FeedbackReport, api::ApiError>>);
    let older = RwSignal::new(Vec::<FeedbackAnswer>::new());
    let load = {
        let s = s.clone();
        move |before: Option<u64>| {
            let s = s.clone();
            leptos::task::spawn_local(async move {
                let answer = api::feedback(&s, before).await;
                match (before, answer) {
                    (Some(_), Ok(page)) => {
                        older.update(|o| o.extend(page.answers.clone()));
                        report.update(|r| {
                            if let Some(Ok(r)) = r {
                                r.next_before = page.next_before;
                            }
                        });
                    }
                    (_, answer) => {
                        older.set(Vec::new());
                        report.set(Some(answer));
                    }
                }
            });
        }
    };
    let first = load.clone();
    Effect::new(move || {
        refresh.track();
        first(None);
    });
    let texts = i18n();
    view! {
        <section class="card" data-testid="nps">
            <h3>{t("analytics_nps_title")}</h3>
            {move || match report.get() {
                None => view! { <p aria-busy="true">{t("analytics_loading")}</p> }.into_any(),
                Some(Err(e)) => view! { <p class="alert" role="alert">{e.message()}</p> }.into_any(),
                Some(Ok(r)) => {
                    let texts = texts.clone();
                    let load = load.clone();
                    let score = r.nps.map_or_else(|| "—".to_owned(), |n| format!("{n:+}"));
                    let counts = fill("analytics_nps_counts", &[
                        ("promoters", &texts.number(r.promoters)),
                        ("passives", &texts.number(r.passives)),
                        ("detractors", &texts.number(r.detractors)),
                    ]);
                    let answers = r.answers.into_iter().chain(older.get()).map(|a| {
                        let when = texts.date(&a.at);
                        view! {
                            <li data-testid="nps-answer"><strong>{a.score}</strong> " · " {a.customer_id} " · " {when}
                                {a.comment.map(|c| view! { <blockquote>{c}</blockquote> })}</li>
                        }
                    }).collect_view();
                    let next = r.next_before;
                    view! {
                        <p><span class="tile__label">{t("analytics_nps")}</span> " " <strong class="tile__value" data-testid="nps-score">{score}</strong></p>
                        {if r.nps.is_none() {
                            view! { <p class="hint">{t("analytics_nps_none")}</p> }.into_any()
                        } else {
                            view! {
                                <p data-testid="nps-counts">{counts}</p>
                                <table class="table" data-testid="nps-months">
                                    <caption>{t("analytics_nps_trend")}</caption>
                                    <thead><tr><th scope="col">{t("analytics_nps_month")}</th><th scope="col">{t("analytics_nps")}</th><th scope="col">{t("analytics_nps_answers")}</th></tr></thead>
                                    <tbody>{r.months.into_iter().map(|m| view! {
                                        <tr><td>{m.month}</td><td>{format!("{:+}", m.nps)}</td><td>{texts.number(m.answers)}</td></tr>
                                    }).collect_view()}</tbody>
                                </table>
                                <h4>{t("analytics_nps_comments")}</h4>
                                <ul class="answers">{answers}</ul>
                                {next.map(|cursor| view! {
                                    <button type="button" class="button button--quiet" data-testid="nps-more" on:click=move |_| load(Some(cursor))>{t("analytics_nps_more")}</button>
                                })}
                            }.into_any()
                        }}
                    }.into_any()
                }
            }}
            <p class="hint">{t("analytics_nps_hint")}</p>
        </section>
    }
}

#[component]
fn Report(a: Analytics) -> impl IntoView {
    let texts = i18n();
    let c = a.currency.clone();
    let money = |minor: i64| texts.money(minor, &c);
    let tile = |label: &str, value: String, id: &'static str| {
        let label = t(label);
        view! {
            <div class="tile"><span class="tile__label">{label}</span><strong class="tile__value" data-testid=id>{value}</strong></div>
        }
    };
    let points = vec![
        (
            t("analytics_points_issued"),
            a.points.issued,
            texts.number(a.points.issued),
        ),
        (
            t("analytics_points_redeemed"),
            a.points.redeemed,
            texts.number(a.points.redeemed),
        ),
        (
            t("analytics_points_expired"),
            a.points.expired,
            texts.number(a.points.expired),
        ),
        (
            t("analytics_points_taken_back"),
            a.points.deducted,
            texts.number(a.points.deducted),
        ),
        (
            t("analytics_points_outstanding"),
            a.points.outstanding,
            texts.number(a.points.outstanding),
        ),
    ];
    let segments: Vec<(String, i64, String)> = a
        .segments
        .iter()
        .map(|s| {
            (
                t(segment_name(&s.id)),
                s.members,
                format!("{} · {}", texts.number(s.members), money(s.revenue_minor)),
            )
        })
        .collect();
    let (pareto_before, pareto_after) = around(&t("analytics_pareto_text"), "share");
    view! {
        <div class="tiles">
            {tile("analytics_members", texts.number(a.members), "members")}
            {tile("analytics_active_30", texts.number(a.active_30d), "active-30")}
            {tile("analytics_active_90", texts.number(a.active_90d), "active-90")}
            {tile("analytics_revenue", money(a.revenue_minor), "revenue")}
            {tile("analytics_orders", texts.number(a.orders), "orders")}
            {tile("analytics_outstanding", texts.number(a.points.outstanding), "outstanding")}
            {tile("analytics_liability", money(a.points.outstanding_value_minor), "liability")}
            {tile("analytics_redemption_rate", percent(a.redemption_rate_bp), "redemption-rate")}
        </div>
        <div class="grid2">
            <section class="card">
                <h3>{t("analytics_pareto_title")}</h3>
                <p>{pareto_before} <strong data-testid="pareto">{percent(a.pareto_top20_bp)}</strong> {pareto_after}</p>
                <ParetoChart curve=a.pareto_curve.clone() top20_bp=a.pareto_top20_bp />
            </section>
            <section class="card">
                <h3>{t("analytics_segments_title")}</h3>
                <Bars items=segments label=t("analytics_segments_label") />
                <p class="hint">{t("analytics_segments_hint")}</p>
            </section>
            <section class="card">
                <h3>{t("analytics_points_title")}</h3>
                <Bars items=points label=t("analytics_points_label") />
            </section>
            <section class="card">
                <h3>{t("analytics_birthdays_title")}</h3>
                {if a.birthdays_next_14_days.is_empty() {
                    view! { <p class="hint">{t("analytics_birthdays_none")}</p> }.into_any()
                } else {
                    view! { <ul data-testid="birthdays">{a.birthdays_next_14_days.iter().map(|b| view! { <li>{birthday(&b.date)} " — " {b.customer_id.clone()}</li> }).collect_view()}</ul> }.into_any()
                }}
            </section>
        </div>
        <p class="hint">{fill("analytics_computed", &[("time", &texts.date_time(&a.computed_at))])}</p>
    }
}

/// How far ahead the console lists occasions.
const OCCASION_DAYS: u32 = 30;

/// Birthdays and anniversaries of the next 30 days with the members' ids and codes, and the
/// same list as a CSV download (the florist's call list).
#[component]
fn Occasions(s: Session) -> impl IntoView {
    let list = {
        let s = s.clone();
        LocalResource::new(move || {
            let s = s.clone();
            async move { api::occasions(&s, OCCASION_DAYS).await }
        })
    };
    let failed = RwSignal::new(None::<String>);
    let csv = move |_| {
        let s = s.clone();
        leptos::task::spawn_local(async move {
            let path = format!("occasions?days={OCCASION_DAYS}&format=csv");
            match api::text(&s, &path).await {
                Ok(text) => {
                    super::download(&format!("occasions-{}.csv", s.shop), &text, "text/csv")
                }
                Err(e) => failed.set(Some(e.message())),
            }
        });
    };
    let texts = i18n();
    view! {
        <section class="card" data-testid="occasions">
            <h3>{t("analytics_occasions_title")}</h3>
            {move || match list.get() {
                None => view! { <p aria-busy="true">{t("analytics_loading")}</p> }.into_any(),
                Some(Err(e)) => view! { <p class="alert" role="alert">{e.message()}</p> }.into_any(),
                Some(Ok(l)) if l.occasions.is_empty() => view! { <p class="hint">{t("analytics_occasions_none")}</p> }.into_any(),
                Some(Ok(l)) => {
                    let texts = texts.clone();
                    view! {
                        <table class="table" data-testid="occasions-list">
                            <thead><tr>
                                <th scope="col">{t("analytics_occasions_on")}</th>
                                <th scope="col">{t("analytics_occasions_what")}</th>
                                <th scope="col">{t("analytics_occasions_member")}</th>
                                <th scope="col">{t("analytics_occasions_code")}</th>
                            </tr></thead>
                            <tbody>{l.occasions.into_iter().map(|o| {
                                let what = match o.kind.as_str() {
                                    "birthday" => t("analytics_occasion_birthday"),
                                    "membership" => fill("analytics_occasion_membership", &[("years", &texts.number(o.years.unwrap_or(0)))]),
                                    _ => o.label.clone().unwrap_or_default(),
                                };
                                let on = texts.date(&format!("{}T00:00:00Z", o.on));
                                view! { <tr data-testid="occasion"><td>{on}</td><td>{what}</td><td>{o.customer_id}</td><td><code>{o.member_code}</code></td></tr> }
                            }).collect_view()}</tbody>
                        </table>
                        {l.truncated.then(|| view! { <p class="hint">{t("analytics_occasions_truncated")}</p> })}
                    }.into_any()
                }
            }}
            <button type="button" class="button button--quiet" data-testid="occasions-csv" on:click=csv>{t("analytics_occasions_csv")}</button>
            {move || failed.get().map(|m| view! { <p class="alert" role="alert">{m}</p> })}
        </section>
    }
}
