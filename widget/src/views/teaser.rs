//! What a visitor who is not signed in sees: what members of the program get, and a join link.

use super::news::news;
use super::{heading, i18n};
use crate::dom::{el, El};
use shared::program::Program;

/// The program's teaser for guests (`program` as `GET /program` returned it).
pub fn teaser(program: &Program) -> El {
    let i18n = i18n();
    let currency = program.currency.as_str();
    let earn = i18n.fill(
        "teaser_earn",
        &[
            (
                "points",
                &i18n.plural("points_n", program.earn.points_per_unit, &[]),
            ),
            ("amount", &i18n.money(program.earn.unit_minor, currency)),
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
    let rewards: Vec<El> = program
        .rewards
        .iter()
        .filter(|r| r.cost_points > 0)
        .map(|r| {
            el("li")
                .class("pc-reward")
                .child(el("span").class("pc-reward__name").child(r.name.as_str()))
                .child(el("span").class("pc-reward__cost").child(i18n.plural(
                    "points_n",
                    r.cost_points,
                    &[],
                )))
        })
        .collect();
    let rewards = (!rewards.is_empty()).then(|| {
        vec![
            heading(i18n.t("rewards_title")),
            el("ul").class("pc-list").child(rewards),
        ]
    });
    let join = program.join_url.as_ref().map(|url| {
        el("a")
            .class("pc-button pc-join")
            .testid("join")
            .attr("href", url)
            .attr("target", "_top")
            .child(i18n.t("join"))
    });
    let perk = |testid: Option<&str>, text: String| el("li").testid_if(testid).child(text);
    el("div")
        .class("pc-teaser")
        .testid("teaser")
        .child(el("h2").class("pc-title").child(program.name.as_str()))
        .child(news(
            program.news.iter().map(|n| n.card_view(true)).collect(),
            program.default_locale.as_deref(),
            None,
        ))
        .child(el("p").child(i18n.t("teaser_intro")))
        .child(
            el("ul")
                .class("pc-perks")
                .child(perk(Some("earn-rule"), earn))
                .child(welcome.map(|w| perk(Some("welcome"), w)))
                .child(stamps.map(|s| perk(None, s)))
                .child(tiers.map(|t| perk(None, t)))
                .child(birthday.map(|b| perk(None, b))),
        )
        .child(rewards)
        .child(join)
}
