//! What a visitor who is not signed in sees: what members of the program get.

use crate::i18n::{en, money, Msg};
use leptos::prelude::*;
use shared::program::Program;

/// The program's teaser for guests.
#[component]
pub fn Teaser(
    /// The program as `GET /program` returned it.
    program: Program,
) -> impl IntoView {
    let earn = en(Msg::EarnRule)
        .replace("{points}", &program.earn.points_per_unit.to_string())
        .replace(
            "{unit}",
            &money(program.earn.unit_minor, program.currency.as_str()),
        );
    let welcome = program
        .welcome_points
        .filter(|p| *p > 0)
        .map(|p| en(Msg::WelcomeBonus).replace("{points}", &p.to_string()));
    view! {
        <div class="pc-teaser" data-testid="teaser">
            <h2 class="pc-teaser__title">{program.name}</h2>
            <p>{en(Msg::Join)}</p>
            <p data-testid="earn-rule">{earn}</p>
            {welcome.map(|w| view! { <p data-testid="welcome">{w}</p> })}
        </div>
    }
}
