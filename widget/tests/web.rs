//! The widget in a real headless browser (wasm-bindgen-test-runner + chromedriver): the whole app
//! mounted as the loader mounts it, against a stubbed `window.fetch` that answers with real API
//! shapes (cards and programs computed by `shared`, the real catalogs from `widget/locales/`).

use punchcard_widget::i18n::LOCALES;
use serde_json::{json, Value};
use shared::api::{Card, CouponView, RedemptionResponse};
use shared::program::Program;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

#[wasm_bindgen(inline_js = r#"
export function stub_fetch(routes) {
  window.__pcCalls = [];
  window.fetch = async (req) => {
    const method = req.method || "GET";
    const body = method === "POST" ? await req.clone().text() : null;
    window.__pcCalls.push({ url: req.url, method, body, key: req.headers.get("Idempotency-Key"),
      auth: req.headers.get("Authorization") });
    for (const [pattern, status, text] of routes) {
      if ((method + " " + req.url).includes(pattern)) {
        if (status === 0) throw new TypeError("Failed to fetch");
        const type = status < 300 ? "application/json" : "application/problem+json";
        return new Response(text, { status, headers: { "Content-Type": type } });
      }
    }
    return new Response('{"type":"about:blank","title":"Not found","status":404,"detail":"no stub","code":"not_found"}',
      { status: 404, headers: { "Content-Type": "application/problem+json" } });
  };
}
export function fetch_calls() { return JSON.stringify(window.__pcCalls || []); }
export function listen_redeemed() {
  window.__pcRedeemed = [];
  window.addEventListener("punchcard:redeemed", (e) => window.__pcRedeemed.push(e.detail));
}
export function redeemed() { return JSON.stringify(window.__pcRedeemed || []); }
"#)]
extern "C" {
    fn stub_fetch(routes: JsValue);
    fn fetch_calls() -> String;
    fn listen_redeemed();
    fn redeemed() -> String;
}

const NOW: i64 = 1_790_000_000;
const TOKEN: &str = "v1.c42.4102444800.00";
const BASE: &str = "https://punchcard.test";

fn catalog(locale: &str) -> &'static str {
    match locale {
        "en" => include_str!("../locales/en.json"),
        "de" => include_str!("../locales/de.json"),
        "es" => include_str!("../locales/es.json"),
        "fr" => include_str!("../locales/fr.json"),
        "it" => include_str!("../locales/it.json"),
        "pt-BR" => include_str!("../locales/pt-BR.json"),
        "nl" => include_str!("../locales/nl.json"),
        "el" => include_str!("../locales/el.json"),
        "ru" => include_str!("../locales/ru.json"),
        "ja" => include_str!("../locales/ja.json"),
        "ko" => include_str!("../locales/ko.json"),
        "zh-CN" => include_str!("../locales/zh-CN.json"),
        "zh-TW" => include_str!("../locales/zh-TW.json"),
        "hi" => include_str!("../locales/hi.json"),
        "cs" => include_str!("../locales/cs.json"),
        "sk" => include_str!("../locales/sk.json"),
        "bg" => include_str!("../locales/bg.json"),
        "ro" => include_str!("../locales/ro.json"),
        other => panic!("no catalog {other}"),
    }
}

/// The demo member's card exactly as the worker computes it.
fn demo_card() -> Card {
    let program = Program::demo_bakery();
    let account = shared::demo::accounts(&program, NOW).remove(0);
    shared::card::card("demo-bakery", &account, &account.recent(50), &program, NOW)
}

fn program_json() -> String {
    serde_json::to_string(&Program::demo_bakery()).unwrap()
}

/// Installs the fetch stub: `(pattern, status, body)`; status 0 is a network failure.
fn stub(routes: &[(&str, u16, String)]) {
    let routes: Vec<Value> = routes.iter().map(|(p, s, b)| json!([p, s, b])).collect();
    stub_fetch(js_sys::JSON::parse(&Value::Array(routes).to_string()).unwrap());
}

fn member_routes(locale: &str) -> Vec<(&'static str, u16, String)> {
    vec![
        (
            "GET https://punchcard.test/widget/locales/",
            200,
            catalog(locale).to_owned(),
        ),
        (
            "GET https://punchcard.test/v1/shops/demo-bakery/program",
            200,
            program_json(),
        ),
        (
            "GET https://punchcard.test/v1/shops/demo-bakery/me",
            200,
            serde_json::to_string(&demo_card()).unwrap(),
        ),
    ]
}

/// Mounts the whole widget the way the loader does, into a fresh element.
fn mount(token: Option<&str>, locale: &str) -> web_sys::HtmlElement {
    let document = web_sys::window().unwrap().document().unwrap();
    let el: web_sys::HtmlElement = document.create_element("div").unwrap().unchecked_into();
    document.body().unwrap().append_child(&el).unwrap();
    punchcard_widget::mount(
        el.clone(),
        BASE.into(),
        "demo-bakery".into(),
        token.map(str::to_owned),
        locale.into(),
    );
    el
}

async fn sleep(ms: i32) {
    let promise = js_sys::Promise::new(&mut |resolve, _| {
        web_sys::window()
            .unwrap()
            .set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, ms)
            .unwrap();
    });
    JsFuture::from(promise).await.unwrap();
}

/// Waits (up to 3 s) for `selector` to match inside `root`.
async fn find(root: &web_sys::HtmlElement, selector: &str) -> web_sys::HtmlElement {
    for _ in 0..150 {
        if let Some(el) = root.query_selector(selector).unwrap() {
            return el.unchecked_into();
        }
        sleep(20).await;
    }
    panic!(
        "nothing matches {selector}; the widget shows: {}",
        root.inner_html()
    );
}

fn text(el: impl AsRef<web_sys::Node>) -> String {
    el.as_ref().text_content().unwrap_or_default()
}

fn count(root: &web_sys::HtmlElement, selector: &str) -> u32 {
    root.query_selector_all(selector).unwrap().length()
}

fn calls() -> Vec<Value> {
    serde_json::from_str(&fetch_calls()).unwrap()
}

#[wasm_bindgen_test]
async fn member_view_shows_every_part_of_the_card() {
    stub(&member_routes("en"));
    let root = mount(Some(TOKEN), "en");
    let card = demo_card();
    assert_eq!(text(&find(&root, "[data-testid=points]").await), "1,148");
    assert_eq!(card.points, 1148);
    assert_eq!(
        text(&find(&root, "[data-testid=worth]").await),
        "Worth €11.48"
    );
    assert_eq!(text(&find(&root, "[data-testid=tier-name]").await), "Gold");
    let next = text(&find(&root, "[data-testid=tier-next]").await);
    assert!(
        next.starts_with("Spend €") && next.ends_with("more to reach Platinum"),
        "{next}"
    );
    let progress = find(&root, "progress").await;
    let pct = card
        .tier
        .as_ref()
        .unwrap()
        .next
        .as_ref()
        .unwrap()
        .progress_pct;
    assert_eq!(progress.get_attribute("value").unwrap(), pct.to_string());
    assert_eq!(count(&root, ".pc-slot"), 10);
    assert_eq!(count(&root, ".pc-slot--filled"), 4);
    assert_eq!(
        find(&root, "[data-testid=stamps]")
            .await
            .get_attribute("aria-label")
            .unwrap(),
        "4 of 10 stamps"
    );
    assert_eq!(
        text(&find(&root, "[data-testid=stamps-more]").await),
        "6 more stamps to A cake on us"
    );
    // Rewards: affordable first, each with a redeem button.
    let rewards = root
        .query_selector_all("[data-testid=rewards] .pc-reward__name")
        .unwrap();
    let names: Vec<String> = (0..rewards.length())
        .map(|i| text(rewards.get(i).unwrap()))
        .collect();
    assert_eq!(names, ["Free shipping", "€5 off"]);
    assert_eq!(count(&root, "[data-testid=redeem]"), 2);
    assert_eq!(
        count(&root, "[data-testid=coupon]"),
        card.coupons.len() as u32
    );
    assert_eq!(
        text(&find(&root, "[data-testid=member-code]").await),
        card.member_code
    );
    let qr = find(&root, "[data-testid=qr] path").await;
    assert!(qr.get_attribute("d").unwrap().matches('M').count() > 100);
    let link = text(&find(&root, "[data-testid=referral-link]").await);
    assert!(
        link.ends_with(&format!("/join.html?ref={}", card.member_code)),
        "{link}"
    );
    find(&root, "[data-testid=birthday] select").await;
    assert_eq!(count(&root, ".pc-history__line"), card.history.len() as u32);
    assert!(text(&find(&root, "[data-testid=history]").await).contains("Welcome bonus"));
    // The member's token went with the card request, and only there.
    let calls = calls();
    let me = calls
        .iter()
        .find(|c| c["url"].as_str().unwrap().ends_with("/me"))
        .unwrap();
    assert_eq!(me["auth"], format!("Bearer {TOKEN}"));
    let program = calls
        .iter()
        .find(|c| c["url"].as_str().unwrap().ends_with("/program"))
        .unwrap();
    assert_eq!(program["auth"], Value::Null);
}

#[wasm_bindgen_test]
async fn redeem_asks_to_confirm_then_shows_the_coupon_and_tells_the_page() {
    let card = demo_card();
    let mut after = card.clone();
    after.points -= 300;
    let coupon = CouponView {
        code: "PC-7KQ2-M9XD".into(),
        reward_id: "ship".into(),
        status: "active".into(),
        kind: "free_shipping".into(),
        value_minor: None,
        sku: None,
        customer_id: "c42".into(),
        issued_at: "2026-09-21T00:00:00Z".into(),
        expires_at: "2026-12-20T00:00:00Z".into(),
        order_id: None,
    };
    let response = RedemptionResponse {
        coupon,
        card: after,
    };
    let mut routes = member_routes("en");
    routes.insert(
        0,
        (
            "POST https://punchcard.test/v1/shops/demo-bakery/me/redemptions",
            201,
            serde_json::to_string(&response).unwrap(),
        ),
    );
    stub(&routes);
    listen_redeemed();
    let root = mount(Some(TOKEN), "en");
    find(&root, "[data-testid=redeem]").await.click();
    let confirm = find(&root, "[data-testid=confirm]").await;
    assert!(text(&find(&root, ".pc-confirm").await).contains("Spend 300 points on Free shipping?"));
    // Cancel goes back without a request; the second time we confirm.
    find(&root, "[data-testid=cancel]").await.click();
    sleep(30).await;
    assert!(root
        .query_selector("[data-testid=confirm]")
        .unwrap()
        .is_none());
    find(&root, "[data-testid=redeem]").await.click();
    drop(confirm);
    find(&root, "[data-testid=confirm]").await.click();
    assert_eq!(
        text(&find(&root, "[data-testid=coupon-code]").await),
        "PC-7KQ2-M9XD"
    );
    assert_eq!(text(&find(&root, "[data-testid=points]").await), "848");
    let posts: Vec<Value> = calls()
        .into_iter()
        .filter(|c| c["method"] == "POST")
        .collect();
    assert_eq!(posts.len(), 1);
    assert_eq!(posts[0]["body"], r#"{"reward_id":"ship"}"#);
    assert!(posts[0]["key"].as_str().is_some_and(|k| k.len() > 8));
    let events: Vec<Value> = serde_json::from_str(&redeemed()).unwrap();
    assert_eq!(events.len(), 1);
    assert_eq!(events[0]["code"], "PC-7KQ2-M9XD");
    assert_eq!(events[0]["kind"], "free_shipping");
}

#[wasm_bindgen_test]
async fn a_refused_redemption_says_why_and_changes_nothing() {
    let mut routes = member_routes("en");
    let problem = json!({"type": "about:blank", "title": "Insufficient points", "status": 409,
        "detail": "not enough points", "code": "insufficient_points"});
    routes.insert(
        0,
        (
            "POST https://punchcard.test/v1/shops/demo-bakery/me/redemptions",
            409,
            problem.to_string(),
        ),
    );
    stub(&routes);
    let root = mount(Some(TOKEN), "en");
    find(&root, "[data-testid=redeem]").await.click();
    find(&root, "[data-testid=confirm]").await.click();
    assert_eq!(
        text(&find(&root, "[data-testid=redeem-error]").await),
        "You do not have enough points for this reward yet."
    );
    assert_eq!(text(&find(&root, "[data-testid=points]").await), "1,148");
    assert!(root
        .query_selector("[data-testid=new-coupon]")
        .unwrap()
        .is_none());
}

#[wasm_bindgen_test]
async fn guests_see_the_teaser_with_plurals_money_and_the_join_link() {
    stub(&member_routes("en"));
    let root = mount(None, "en");
    assert_eq!(
        text(&find(&root, "[data-testid=earn-rule]").await),
        "Earn 1 point for every €1.00 you spend"
    );
    assert_eq!(
        text(&find(&root, "[data-testid=welcome]").await),
        "100 bonus points when you join"
    );
    assert_eq!(
        find(&root, "[data-testid=join]")
            .await
            .get_attribute("href")
            .unwrap(),
        "/join.html"
    );
    assert!(
        calls().iter().all(|c| c["auth"].is_null()),
        "a guest sends no token"
    );
}

#[wasm_bindgen_test]
async fn identify_and_logout_switch_the_shopper_without_a_reload() {
    stub(&member_routes("en"));
    let root = mount(None, "en");
    find(&root, "[data-testid=teaser]").await;
    punchcard_widget::identify(Some(TOKEN.into()));
    assert_eq!(text(&find(&root, "[data-testid=points]").await), "1,148");
    punchcard_widget::identify(None);
    find(&root, "[data-testid=teaser]").await;
    assert!(root
        .query_selector("[data-testid=points]")
        .unwrap()
        .is_none());
}

#[wasm_bindgen_test]
async fn an_expired_token_offers_a_retry_that_works() {
    let mut routes = member_routes("en");
    let problem = json!({"type": "about:blank", "title": "Unauthorized", "status": 401,
        "detail": "token expired", "code": "unauthorized"});
    routes.insert(
        0,
        (
            "GET https://punchcard.test/v1/shops/demo-bakery/me",
            401,
            problem.to_string(),
        ),
    );
    stub(&routes);
    let root = mount(Some(TOKEN), "en");
    let alert = find(&root, "[role=alert]").await;
    assert_eq!(
        text(&alert),
        "Your session has ended. Please sign in again.Try again"
    );
    stub(&member_routes("en"));
    find(&root, "[data-testid=retry]").await.click();
    assert_eq!(text(&find(&root, "[data-testid=points]").await), "1,148");
}

#[wasm_bindgen_test]
async fn a_network_failure_is_explained_not_blank() {
    stub(&[("GET https://punchcard.test/", 0, String::new())]);
    let root = mount(Some(TOKEN), "en");
    let alert = find(&root, "[role=alert]").await;
    assert!(
        text(&alert).contains("Check your connection"),
        "{}",
        text(&alert)
    );
    find(&root, "[data-testid=retry]").await;
}

#[wasm_bindgen_test]
async fn german_formats_numbers_money_and_plurals_through_intl() {
    stub(&member_routes("de"));
    let root = mount(Some(TOKEN), "de");
    assert_eq!(text(&find(&root, "[data-testid=points]").await), "1.148");
    assert_eq!(text(&find(&root, ".pc-points__label").await), "Punkte");
    assert_eq!(
        text(&find(&root, "[data-testid=worth]").await),
        "Wert: 11,48\u{a0}€"
    );
    assert_eq!(
        text(&find(&root, "[data-testid=stamps-more]").await),
        "Noch 6 Stempel bis: A cake on us"
    );
}

#[wasm_bindgen_test]
fn kept_formatters_answer_only_for_their_own_locale_and_options() {
    use punchcard_widget::i18n::I18n;
    let (en, de) = (
        I18n::new("en", Default::default()),
        I18n::new("de", Default::default()),
    );
    for _ in 0..2 {
        assert_eq!(en.money(1148, "EUR"), "€11.48");
        assert_eq!(en.money(1148, "JPY"), "¥1,148");
        assert_eq!(de.money(1148, "EUR"), "11,48\u{a0}€");
        assert_eq!(
            (en.number(1148), de.number(1148)),
            ("1,148".into(), "1.148".into())
        );
        assert_eq!(en.date("2026-11-23T14:05:00Z"), "Nov 23, 2026");
        assert_eq!(
            en.date_time("2026-11-23T14:05:00Z"),
            "Nov 23, 2026, 2:05 PM"
        );
        assert_eq!(de.date("2026-11-23T14:05:00Z"), "23.11.2026");
        assert_eq!(
            (en.month_name(2), de.month_name(2)),
            ("February".into(), "Februar".into())
        );
    }
    // More formatters than the cache keeps (9 currencies × 4 locales): it starts over and still
    // answers what a formatter made afresh answers.
    let fresh = |locale: &str, currency: &str| {
        let options = js_sys::Object::new();
        js_sys::Reflect::set(&options, &"style".into(), &"currency".into()).unwrap();
        js_sys::Reflect::set(&options, &"currency".into(), &currency.into()).unwrap();
        let format = js_sys::Intl::NumberFormat::new(&js_sys::Array::of1(&locale.into()), &options);
        format
            .format()
            .call1(&JsValue::NULL, &1234.56.into())
            .unwrap()
            .as_string()
            .unwrap()
    };
    for currency in [
        "USD", "GBP", "CHF", "SEK", "NOK", "DKK", "PLN", "RON", "BGN",
    ] {
        for locale in ["en", "de", "fr", "ja"] {
            let money = I18n::new(locale, Default::default()).money(123_456, currency);
            assert_eq!(money, fresh(locale, currency), "{locale} {currency}");
        }
    }
    assert_eq!(en.money(1148, "JPY"), "¥1,148");
}

#[wasm_bindgen_test]
async fn the_birthday_is_entered_once() {
    let mut card = demo_card();
    card.birthday = Some("02-29".into());
    let mut routes = member_routes("en");
    routes.insert(
        0,
        (
            "POST https://punchcard.test/v1/shops/demo-bakery/me/birthday",
            200,
            serde_json::to_string(&card).unwrap(),
        ),
    );
    stub(&routes);
    let root = mount(Some(TOKEN), "en");
    let selects = {
        find(&root, "[data-testid=birthday] select").await;
        root.query_selector_all("[data-testid=birthday] select")
            .unwrap()
    };
    for (i, value) in [(0, "2"), (1, "29")] {
        let select: web_sys::HtmlSelectElement = selects.get(i).unwrap().unchecked_into();
        select.set_value(value);
        select
            .dispatch_event(&web_sys::Event::new("change").unwrap())
            .unwrap();
    }
    let form: web_sys::HtmlFormElement = find(&root, "form[data-testid=birthday]")
        .await
        .unchecked_into();
    form.request_submit().unwrap();
    assert_eq!(
        text(&find(&root, "p[data-testid=birthday]").await),
        "We will celebrate with you on February 29."
    );
    let post = calls().into_iter().find(|c| c["method"] == "POST").unwrap();
    assert_eq!(post["body"], r#"{"date":"02-29"}"#);
}

#[wasm_bindgen_test]
fn every_catalog_has_every_key_and_the_plural_forms_of_its_language() {
    let loader = include_str!("../loader/widget.js");
    for locale in LOCALES {
        let messages: serde_json::Map<String, Value> =
            serde_json::from_str(catalog(locale)).unwrap();
        let problems = punchcard_i18n::catalog_problems(catalog("en"), catalog(locale), locale);
        assert!(problems.is_empty(), "{problems:#?}");
        // The loader paints the launcher before any catalog loads: its labels must agree.
        let labels = format!(
            "\"{locale}\": [{}, {}]",
            messages["launcher"], messages["close"]
        );
        assert!(
            loader.contains(&labels),
            "loader labels for {locale}: {labels}"
        );
    }
}

#[wasm_bindgen_test]
async fn a_running_campaign_shows_on_the_card_by_the_shoppers_clock() {
    let campaign = |id: &str, starts: &str, ends: &str| shared::api::CardCampaign {
        id: id.into(),
        name: format!("Campaign {id}"),
        starts_at: starts.into(),
        ends_at: ends.into(),
    };
    let mut card = demo_card();
    card.campaigns = vec![
        campaign("ended", "2020-01-01T00:00:00Z", "2021-01-01T00:00:00Z"),
        campaign("running", "2020-01-01T00:00:00Z", "2099-12-31T00:00:00Z"),
        campaign("later", "2098-01-01T00:00:00Z", "2099-01-01T00:00:00Z"),
    ];
    for (locale, until) in [
        ("en", "Campaign running — until Dec 31, 2099"),
        ("ja", "Campaign running（2099/12/31まで）"),
    ] {
        let mut routes = member_routes(locale);
        routes[2].2 = serde_json::to_string(&card).unwrap();
        stub(&routes);
        let root = mount(Some(TOKEN), locale);
        assert_eq!(text(&find(&root, "[data-testid=campaign]").await), until);
        assert_eq!(
            count(&root, "[data-testid=campaign]"),
            1,
            "only the running one"
        );
        root.remove();
    }
}

/// News for the tests: running unless `starts`/`ends` say otherwise, in English and Japanese.
fn news(id: &str, starts: &str, ends: &str, read: bool) -> shared::api::CardNews {
    let text = |locale: &str, title: &str| shared::news::NewsText {
        locale: locale.into(),
        title: title.into(),
        text: format!("{title}: members first."),
    };
    shared::api::CardNews {
        id: id.into(),
        texts: vec![
            text("en", &format!("News {id}")),
            text("ja", &format!("お知らせ {id}")),
        ],
        link: Some("/sale".into()),
        starts_at: starts.into(),
        ends_at: ends.into(),
        read,
    }
}

#[wasm_bindgen_test]
async fn news_show_in_the_shoppers_locale_and_unread_ones_are_marked_read() {
    let mut card = demo_card();
    card.news = vec![
        news(
            "fresh",
            "2020-01-01T00:00:00Z",
            "2099-12-31T00:00:00Z",
            false,
        ),
        news("seen", "2020-01-01T00:00:00Z", "2099-12-31T00:00:00Z", true),
        news(
            "ended",
            "2020-01-01T00:00:00Z",
            "2021-01-01T00:00:00Z",
            false,
        ),
        news(
            "later",
            "2098-01-01T00:00:00Z",
            "2099-01-01T00:00:00Z",
            false,
        ),
    ];
    for (locale, title) in [
        ("en", "NewNews fresh"),
        ("ja", "新着お知らせ fresh"),
        ("de", "NeuNews fresh"),
    ] {
        let mut routes = member_routes(locale);
        routes[2].2 = serde_json::to_string(&card).unwrap();
        routes.insert(
            0,
            (
                "POST https://punchcard.test/v1/shops/demo-bakery/me/news/read",
                200,
                serde_json::to_string(&card).unwrap(),
            ),
        );
        stub(&routes);
        let root = mount(Some(TOKEN), locale);
        let first = find(&root, "[data-testid=news]").await;
        assert_eq!(text(first.query_selector("h3").unwrap().unwrap()), title);
        assert_eq!(count(&root, "[data-testid=news]"), 2, "the running ones");
        assert_eq!(count(&root, "[data-testid=news-new]"), 1, "one unread");
        assert_eq!(
            first
                .query_selector("a")
                .unwrap()
                .unwrap()
                .get_attribute("href")
                .unwrap(),
            "/sale"
        );
        let mut post = None;
        for _ in 0..100 {
            post = calls().into_iter().find(|c| c["method"] == "POST");
            if post.is_some() {
                break;
            }
            sleep(20).await;
        }
        let post = post.expect("the unread news are marked read");
        assert_eq!(post["body"], r#"{"ids":["fresh"]}"#);
        root.remove();
    }
}

#[wasm_bindgen_test]
async fn guests_see_the_public_news_in_the_teaser_and_mark_nothing() {
    let mut program = Program::demo_bakery();
    let n = news("open", "2020-01-01T00:00:00Z", "2099-12-31T00:00:00Z", true);
    program.news = vec![shared::news::News {
        id: n.id,
        texts: n.texts,
        link: None,
        starts_at: n.starts_at,
        ends_at: n.ends_at,
        audience: shared::campaigns::Audience::Everyone,
        public: true,
    }];
    let mut routes = member_routes("ja");
    routes[1].2 = serde_json::to_string(&program).unwrap();
    stub(&routes);
    let root = mount(None, "ja");
    let shown = find(&root, "[data-testid=teaser] [data-testid=news]").await;
    assert_eq!(
        text(shown.query_selector("h3").unwrap().unwrap()),
        "お知らせ open"
    );
    assert_eq!(count(&root, "[data-testid=news-new]"), 0);
    sleep(100).await;
    assert!(
        calls().iter().all(|c| c["method"] == "GET"),
        "a guest marks nothing"
    );
    root.remove();
}

#[wasm_bindgen_test]
async fn the_feedback_question_takes_a_score_and_a_comment_and_thanks() {
    let mut card = demo_card();
    card.feedback = Some(shared::api::CardFeedback {
        question: 3,
        points: 50,
        until: "2099-01-01T00:00:00Z".into(),
    });
    let mut answered = demo_card();
    answered.feedback = None;
    for (locale, question) in [
        (
            "en",
            "How likely are you to recommend Crumb Club to a friend?",
        ),
        ("ja", "Crumb Clubを友人に勧める可能性はどのくらいですか？"),
    ] {
        let mut routes = member_routes(locale);
        routes[2].2 = serde_json::to_string(&card).unwrap();
        routes.insert(
            0,
            (
                "POST https://punchcard.test/v1/shops/demo-bakery/me/feedback",
                200,
                serde_json::to_string(&answered).unwrap(),
            ),
        );
        stub(&routes);
        let root = mount(Some(TOKEN), locale);
        let form = find(&root, "form[data-testid=feedback]").await;
        assert_eq!(text(form.query_selector("h3").unwrap().unwrap()), question);
        assert_eq!(count(&root, "[data-testid=feedback-score]"), 11);
        let send: web_sys::HtmlButtonElement = find(&root, "[data-testid=feedback-send]")
            .await
            .unchecked_into();
        assert!(send.disabled(), "no score chosen yet");
        let nine: web_sys::HtmlElement = root
            .query_selector_all("[data-testid=feedback-score]")
            .unwrap()
            .get(9)
            .unwrap()
            .unchecked_into();
        nine.click();
        sleep(20).await;
        assert_eq!(nine.get_attribute("aria-pressed").as_deref(), Some("true"));
        let comment: web_sys::HtmlTextAreaElement = find(&root, "[data-testid=feedback-comment]")
            .await
            .unchecked_into();
        comment.set_value("Best rye in town");
        comment
            .dispatch_event(&web_sys::Event::new("input").unwrap())
            .unwrap();
        let form: web_sys::HtmlFormElement = form.unchecked_into();
        form.request_submit().unwrap();
        find(&root, "[data-testid=feedback-thanks]").await;
        let post = calls().into_iter().find(|c| c["method"] == "POST").unwrap();
        assert_eq!(
            post["body"],
            r#"{"question":3,"score":9,"comment":"Best rye in town"}"#
        );
        root.remove();
    }
}

#[wasm_bindgen_test]
async fn a_member_adds_a_date_to_celebrate_and_sees_it_listed() {
    let mut program = Program::demo_bakery();
    program.special_dates = Some(shared::occasions::Occasion {
        points: 100,
        reward_id: None,
    });
    let mut saved = demo_card();
    saved.dates = vec![shared::api::CardDate {
        label: "Our wedding".into(),
        date: "06-12".into(),
    }];
    let mut routes = member_routes("en");
    routes[1].2 = serde_json::to_string(&program).unwrap();
    routes.insert(
        0,
        (
            "POST https://punchcard.test/v1/shops/demo-bakery/me/dates",
            200,
            serde_json::to_string(&saved).unwrap(),
        ),
    );
    stub(&routes);
    let root = mount(Some(TOKEN), "en");
    find(&root, "form[data-testid=dates-form]").await;
    let label: web_sys::HtmlInputElement = find(&root, "[data-testid=date-label]")
        .await
        .unchecked_into();
    label.set_value("Our wedding");
    label
        .dispatch_event(&web_sys::Event::new("input").unwrap())
        .unwrap();
    let selects = root
        .query_selector_all("form[data-testid=dates-form] select")
        .unwrap();
    for (i, value) in [(0, "6"), (1, "12")] {
        let select: web_sys::HtmlSelectElement = selects.get(i).unwrap().unchecked_into();
        select.set_value(value);
        select
            .dispatch_event(&web_sys::Event::new("change").unwrap())
            .unwrap();
    }
    let form: web_sys::HtmlFormElement = find(&root, "form[data-testid=dates-form]")
        .await
        .unchecked_into();
    form.request_submit().unwrap();
    assert_eq!(
        text(&find(&root, "[data-testid=date]").await),
        "Our wedding — June 12"
    );
    let post = calls().into_iter().find(|c| c["method"] == "POST").unwrap();
    assert_eq!(post["body"], r#"{"label":"Our wedding","date":"06-12"}"#);
    root.remove();
}
