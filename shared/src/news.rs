//! News in the card: short announcements of the shop ("Early access to the winter sale for
//! members"), each with its texts per locale, an optional link, a run and an audience. Members
//! find the ones that reach them at the top of their card (marked read once seen); guests see
//! the public ones in the teaser.
//!
//! Pure: which news a member is shown is decided from the program and their account, like the
//! campaigns, and the texts a shopper reads are chosen by their locale with a fallback.

use crate::api::FieldError;
use crate::campaigns::Audience;
use crate::ledger::Account;
use crate::program::Program;
use crate::time::Timestamp;
use serde::{Deserialize, Serialize};
use std::collections::HashSet;

/// News a program may hold.
pub const MAX_NEWS: usize = 10;
/// Characters of text (titles and texts, every locale) all of a program's news may hold: the
/// card carries them, so they are bounded as a whole.
pub const MAX_NEWS_CHARS: usize = 16_000;
/// How far ahead a card lists news that have not started yet (the widget shows them on time).
const AHEAD_SECONDS: Timestamp = 30 * crate::time::DAY;

/// One announcement.
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct News {
    /// Unique in the program; members' read marks refer to it.
    #[cfg_attr(feature = "openapi", schemars(pattern(crate::ids::ID_PATTERN)))]
    pub id: String,
    /// The texts in one or more locales; the first is the fallback for any other.
    #[cfg_attr(feature = "openapi", schemars(length(min = 1, max = 18)))]
    pub texts: Vec<NewsText>,
    /// Where "Read more" leads: an https:// URL or a path on the shop's site.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(
        feature = "openapi",
        schemars(length(max = 500), pattern(crate::program::JOIN_URL_PATTERN))
    )]
    pub link: Option<String>,
    /// RFC 3339; shown from then.
    #[cfg_attr(feature = "openapi", schemars(extend("format" = "date-time")))]
    pub starts_at: String,
    /// RFC 3339, after `starts_at` (by at most 366 days); shown until then.
    #[cfg_attr(feature = "openapi", schemars(extend("format" = "date-time")))]
    pub ends_at: String,
    /// Which members see it (judged when their card is computed).
    #[serde(default)]
    pub audience: Audience,
    /// Shown to visitors who are not signed in too (audience `everyone` only).
    #[serde(default)]
    pub public: bool,
}

/// An announcement in one locale.
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewsText {
    /// A BCP 47 language tag such as `en`, `ja` or `pt-BR`.
    #[cfg_attr(feature = "openapi", schemars(pattern(LOCALE_PATTERN)))]
    pub locale: String,
    #[cfg_attr(
        feature = "openapi",
        schemars(length(min = 1, max = 80), pattern(crate::requests::TEXT_PATTERN))
    )]
    pub title: String,
    #[cfg_attr(
        feature = "openapi",
        schemars(length(min = 1, max = 500), pattern(crate::requests::TEXT_PATTERN))
    )]
    pub text: String,
}

/// A language tag: a 2–3 letter language and optional subtags (`pt-BR`, `zh-Hant`).
pub const LOCALE_PATTERN: &str = "^[a-z]{2,3}(-[A-Za-z0-9]{2,8}){0,2}$";

/// Whether `tag` matches [`LOCALE_PATTERN`].
pub fn locale_ok(tag: &str) -> bool {
    let mut parts = tag.split('-');
    let language = parts.next().unwrap_or_default();
    let subtags: Vec<&str> = parts.collect();
    (2..=3).contains(&language.len())
        && language.bytes().all(|b| b.is_ascii_lowercase())
        && subtags.len() <= 2
        && subtags
            .iter()
            .all(|s| (2..=8).contains(&s.len()) && s.bytes().all(|b| b.is_ascii_alphanumeric()))
}

impl News {
    /// The run as Unix seconds `[start, end)` (nothing when unreadable).
    pub fn window(&self) -> Option<(Timestamp, Timestamp)> {
        Some((
            crate::time::parse_rfc3339(&self.starts_at)?,
            crate::time::parse_rfc3339(&self.ends_at)?,
        ))
    }

    /// How a card shows it.
    pub fn card_view(&self, read: bool) -> crate::api::CardNews {
        crate::api::CardNews {
            id: self.id.clone(),
            texts: self.texts.clone(),
            link: self.link.clone(),
            starts_at: self.starts_at.clone(),
            ends_at: self.ends_at.clone(),
            read,
        }
    }

    /// Whether a card computed at `now` lists it: not over, starting within 30 days.
    fn listed_at(&self, now: Timestamp) -> bool {
        self.window()
            .is_some_and(|(start, end)| end > now && start <= now + AHEAD_SECONDS)
    }
}

/// The text of `texts` for `locale`: that locale, else its language (`pt` for `pt-BR`, or the
/// first `pt-…`), else `fallback_locale` (the program's default), else the first.
pub fn text_for<'a>(
    texts: &'a [NewsText],
    locale: &str,
    fallback_locale: Option<&str>,
) -> Option<&'a NewsText> {
    let language = |tag: &str| tag.split('-').next().unwrap_or_default().to_owned();
    let wanted = language(locale);
    texts
        .iter()
        .find(|t| t.locale.eq_ignore_ascii_case(locale))
        .or_else(|| texts.iter().find(|t| t.locale == wanted))
        .or_else(|| texts.iter().find(|t| language(&t.locale) == wanted))
        .or_else(|| {
            fallback_locale.and_then(|f| texts.iter().find(|t| t.locale.eq_ignore_ascii_case(f)))
        })
        .or_else(|| texts.first())
}

/// The news a card computed at `now` lists for `member`: reaching them, not over, starting
/// within 30 days; soonest start first, each with whether the member has read it.
pub fn for_member<'a>(
    program: &'a Program,
    member: &'a Account,
    now: Timestamp,
) -> impl Iterator<Item = (&'a News, bool)> + 'a {
    let mut shown: Vec<&News> = program
        .news
        .iter()
        .filter(|n| n.listed_at(now))
        .filter(|n| {
            let (start, _) = n.window().unwrap_or_default();
            crate::campaigns::audience_reaches(&n.audience, member, now.max(start))
        })
        .collect();
    shown.sort_by_key(|n| n.window().map(|(start, _)| start));
    shown
        .into_iter()
        .map(|n| (n, member.news_read.contains(&n.id)))
}

/// The program for visitors: the news marked public only (members get theirs on their card).
pub fn public_program(program: &Program) -> Program {
    let mut public = program.clone();
    public.news.retain(|n| n.public);
    public
}

/// The read marks after a member read `ids`: the earlier ones and the new, restricted to the
/// program's news (so they never outnumber [`MAX_NEWS`]), in the program's order.
pub fn mark_read(program: &Program, read: &[String], ids: &[String]) -> Vec<String> {
    program
        .news
        .iter()
        .map(|n| &n.id)
        .filter(|id| read.contains(id) || ids.contains(id))
        .cloned()
        .collect()
}

/// Field errors of `program`'s news (`news[i].…`).
pub fn validate(program: &Program, errors: &mut Vec<FieldError>) {
    let mut bad = |field: String, message: &str| {
        errors.push(FieldError {
            field,
            message: message.to_owned(),
        })
    };
    if program.news.len() > MAX_NEWS {
        bad("news".into(), "at most 10 news");
    }
    let chars: usize = program
        .news
        .iter()
        .flat_map(|n| &n.texts)
        .map(|t| t.title.chars().count() + t.text.chars().count())
        .sum();
    if chars > MAX_NEWS_CHARS {
        bad("news".into(), "at most 16000 characters of text in all");
    }
    let mut ids = HashSet::new();
    for (i, n) in program.news.iter().enumerate() {
        let f = |name: &str| format!("news[{i}].{name}");
        if crate::ids::CustomerId::parse(&n.id).is_err() {
            bad(f("id"), "must be 1 to 64 letters, digits, '-' or '_'");
        } else if !ids.insert(n.id.as_str()) {
            bad(f("id"), "duplicate news id");
        }
        if n.texts.is_empty() || n.texts.len() > 18 {
            bad(f("texts"), "must hold 1 to 18 texts");
        }
        let mut locales = HashSet::new();
        for (j, t) in n.texts.iter().enumerate() {
            let g = |name: &str| format!("news[{i}].texts[{j}].{name}");
            if !locale_ok(&t.locale) {
                bad(
                    g("locale"),
                    "must be a language tag such as en, ja or pt-BR",
                );
            } else if !locales.insert(t.locale.to_ascii_lowercase()) {
                bad(g("locale"), "duplicate locale");
            }
            if !crate::requests::has_text(&t.title) || t.title.chars().count() > 80 {
                bad(g("title"), "must be 1 to 80 characters");
            }
            if !crate::requests::has_text(&t.text) || t.text.chars().count() > 500 {
                bad(g("text"), "must be 1 to 500 characters");
            }
        }
        if n.link
            .as_deref()
            .is_some_and(|l| !crate::program::join_url_ok(l))
        {
            bad(
                f("link"),
                "must be an https:// URL or a path on the shop's site starting with one '/'",
            );
        }
        crate::campaigns::check_window(&n.starts_at, &n.ends_at, &f, &mut bad);
        crate::campaigns::check_audience(program, &n.audience, &f, &mut bad);
        if n.public && n.audience != Audience::Everyone {
            bad(f("public"), "only news for everyone can be public");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(locale: &str, title: &str) -> NewsText {
        NewsText {
            locale: locale.into(),
            title: title.into(),
            text: "Members first.".into(),
        }
    }

    fn news(id: &str, start: &str, end: &str, audience: Audience) -> News {
        News {
            id: id.into(),
            texts: vec![text("en", "Winter sale"), text("ja", "冬のセール")],
            link: Some("/sale".into()),
            starts_at: start.into(),
            ends_at: end.into(),
            audience,
            public: false,
        }
    }

    fn program_with(news: Vec<News>) -> Program {
        let mut program = Program::demo_bakery();
        program.news = news;
        program
    }

    #[test]
    fn the_shoppers_locale_wins_then_its_language_then_the_default_then_the_first() {
        let texts = vec![
            text("de", "Winterschlussverkauf"),
            text("pt-BR", "Liquidação"),
            text("en", "Winter sale"),
        ];
        let title = |locale: &str, fallback: Option<&str>| {
            text_for(&texts, locale, fallback).map(|t| t.title.as_str())
        };
        assert_eq!(title("pt-br", None), Some("Liquidação"));
        assert_eq!(title("pt-PT", None), Some("Liquidação"));
        assert_eq!(title("de-AT", Some("en")), Some("Winterschlussverkauf"));
        assert_eq!(title("ja", Some("en")), Some("Winter sale"));
        assert_eq!(title("ja", None), Some("Winterschlussverkauf"));
        assert_eq!(text_for(&[], "en", None), None);
    }

    #[test]
    fn members_see_the_news_that_reach_them_soonest_first_and_marked_read() {
        let now = crate::time::parse_rfc3339("2026-12-02T10:00:00Z").unwrap();
        let mut account = crate::demo::accounts(&Program::demo_bakery(), now)
            .remove(0)
            .account;
        let tier = account.tier.clone().expect("the demo member has a tier");
        let program = program_with(vec![
            news(
                "later",
                "2026-12-20T00:00:00Z",
                "2026-12-24T00:00:00Z",
                Audience::Everyone,
            ),
            news(
                "now",
                "2026-12-01T00:00:00Z",
                "2026-12-05T00:00:00Z",
                Audience::Tiers { tiers: vec![tier] },
            ),
            news(
                "over",
                "2026-11-01T00:00:00Z",
                "2026-12-01T00:00:00Z",
                Audience::Everyone,
            ),
            news(
                "far",
                "2027-03-01T00:00:00Z",
                "2027-03-05T00:00:00Z",
                Audience::Everyone,
            ),
            news(
                "others",
                "2026-12-01T00:00:00Z",
                "2026-12-05T00:00:00Z",
                Audience::Inactive { days: 3000 },
            ),
        ]);
        let shown = |a: &Account| -> Vec<(String, bool)> {
            for_member(&program, a, now)
                .map(|(n, read)| (n.id.clone(), read))
                .collect()
        };
        assert_eq!(
            shown(&account),
            [("now".to_owned(), false), ("later".to_owned(), false)]
        );
        account.news_read = mark_read(&program, &account.news_read, &["now".into()]);
        assert_eq!(
            shown(&account),
            [("now".to_owned(), true), ("later".to_owned(), false)]
        );
    }

    #[test]
    fn read_marks_are_bounded_by_the_programs_news() {
        let program = program_with(vec![
            news(
                "a",
                "2026-12-01T00:00:00Z",
                "2026-12-05T00:00:00Z",
                Audience::Everyone,
            ),
            news(
                "b",
                "2026-12-01T00:00:00Z",
                "2026-12-05T00:00:00Z",
                Audience::Everyone,
            ),
        ]);
        let read = mark_read(&program, &["gone".into()], &["b".into(), "unknown".into()]);
        assert_eq!(read, ["b"]);
        let read = mark_read(&program, &read, &["a".into(), "a".into()]);
        assert_eq!(read, ["a", "b"]);
    }

    #[test]
    fn visitors_get_the_public_news_only() {
        let mut open = news(
            "open",
            "2026-12-01T00:00:00Z",
            "2026-12-05T00:00:00Z",
            Audience::Everyone,
        );
        open.public = true;
        let members = news(
            "members",
            "2026-12-01T00:00:00Z",
            "2026-12-05T00:00:00Z",
            Audience::Everyone,
        );
        let program = program_with(vec![open, members]);
        let ids: Vec<_> = public_program(&program)
            .news
            .into_iter()
            .map(|n| n.id)
            .collect();
        assert_eq!(ids, ["open"]);
    }

    #[test]
    fn every_rule_is_checked_by_field() {
        let fields = |news: Vec<News>| -> Vec<String> {
            match program_with(news).validate() {
                Ok(()) => Vec::new(),
                Err(errors) => errors.into_iter().map(|e| e.field).collect(),
            }
        };
        let ok = news(
            "ok",
            "2026-12-01T00:00:00Z",
            "2026-12-05T00:00:00Z",
            Audience::Everyone,
        );
        assert!(fields(vec![ok.clone()]).is_empty());
        let mut bad = ok.clone();
        bad.id = "ok".into();
        bad.texts = vec![
            text("EN", "x"),
            text("en", " "),
            text("en", &"t".repeat(81)),
        ];
        bad.link = Some("//evil.example".into());
        bad.ends_at = "2028-01-01T00:00:00Z".into();
        bad.audience = Audience::Tiers {
            tiers: vec!["nope".into()],
        };
        bad.public = true;
        assert_eq!(
            fields(vec![ok.clone(), bad]),
            [
                "news[1].id",
                "news[1].texts[0].locale",
                "news[1].texts[1].title",
                "news[1].texts[2].locale",
                "news[1].texts[2].title",
                "news[1].link",
                "news[1].ends_at",
                "news[1].audience.tiers",
                "news[1].public",
            ]
        );
        let mut long = ok.clone();
        long.texts = (0..18)
            .map(|i| NewsText {
                locale: format!("l{}", (b'a' + i as u8) as char),
                title: "t".repeat(80),
                text: "x".repeat(500),
            })
            .collect();
        let mut many: Vec<News> = (0..11)
            .map(|i| News {
                id: format!("n{i}"),
                ..long.clone()
            })
            .collect();
        assert_eq!(fields(many.clone()), ["news", "news"]);
        many.truncate(1);
        assert!(fields(many).is_empty());
        assert!(locale_ok("zh-Hant-TW") && locale_ok("pt-BR") && !locale_ok("english"));
    }
}
