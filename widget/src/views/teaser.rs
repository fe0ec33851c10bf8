//! What a visitor who is not signed in sees: what members of the program get, and a join link.

use super::i18n;
use super::news::News;
use leptos::prelude::*;
use shared::program::Program;

/// The program's teaser for guests.
#[component]
pub fn Teaser(
    /// The program as `GET /program` returned it.
    program: Program,
) -> impl IntoView {
    let i18n = i18n();
    let currency = program.currency.as_str().to_owned();
    let earn = i18n.fill(
        "teaser_earn",
        &[
            (
                "points",
                &i18n.plural("points_n", program.earn.points_per_unit, &[]),
            ),
            ("amount", &i18n.money(program.earn.unit_minor, &currency)),
        ],
    );
    let welcome = program
        .welcome_points
        .filter(|p| *p > 0)
        .map(|p| i18n.plural("teaser_welcome", p, &[]));
    let stamps = program.stamps.as_ref().and_then(|s| {
        let reward = program.reward(&s.reward_id)?;
        Some(i18n.plural("teaser_stamps", s.goal.into(), &[("reward", &reward.name)]))
    });
    let tiers = (program.tiers.len() > 1).then(|| {
        let names: Vec<&str> = program.tiers.iter().map(|t| t.name.as_str()).collect();
        i18n.fill("teaser_tiers", &[("tiers", &names.join(" · "))])
    });
    let birthday = program
        .birthday_points
        .filter(|p| *p > 0)
        .map(|p| i18n.plural("teaser_birthday", p, &[]));
    // A catalog with nothing to buy for points shows no rewards heading at all.
    let redeemable: Vec<_> = program
        .rewards
        .iter()
        .filter(|r| r.cost_points > 0)
        .collect();
    let rewards = (!redeemable.is_empty()).then(|| {
        let items = redeemable
            .into_iter()
            .map(|r| {
                let cost = i18n.plural("points_n", r.cost_points, &[]);
                view! { <li class="pc-reward"><span class="pc-reward__name">{r.name.clone()}</span><span class="pc-reward__cost">{cost}</span></li> }
            })
            .collect_view();
        view! {
            <h3 class="pc-h">{i18n.t("rewards_title")}</h3>
            <ul class="pc-list">{items}</ul>
        }
    });
    let join = program.join_url.clone().map(|url| {
        view! { <a class="pc-button pc-join" data-testid="join" href=url target="_top">{i18n.t("join")}</a> }
    });
    view! {
        <div class="pc-teaser" data-testid="teaser">
            <h2 class="pc-title">{program.name.clone()}</h2>
            <News news=program.news.iter().map(|n| n.card_view(true)).collect() fallback=program.default_locale.clone() />
            <p>{i18n.t("teaser_intro")}</p>
            <ul class="pc-perks">
                <li data-testid="earn-rule">{earn}</li>
                {welcome.map(|w| view! { <li data-testid="welcome">{w}</li> })}
                {stamps.map(|s| view! { <li>{s}</li> })}
                {tiers.map(|t| view! { <li>{t}</li> })}
                {birthday.map(|b| view! { <li>{b}</li> })}
            </ul>
            {rewards}
            {join}
        </div>
    }
}
