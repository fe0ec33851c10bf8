//! `GET /v1/shops/{shop}/me` and `POST …/me/redemptions`: the shopper's own card, authenticated by
//! their customer token. The card is read from the KV snapshot; if KV has none (first visit, new
//! edge location), the ledger object is asked — it opens the account on first contact — and it
//! repairs KV.

use crate::commands::Command;
use crate::problem::ApiError;
use shared::api::{BirthdayRequest, DateRequest, FeedbackRequest, ReadNewsRequest};
use shared::ledger::{Event, EventKind};
use shared::ShopId;
use worker::{Env, Request, Response, Result, RouteContext};

/// `GET …/me` through the router (`HEAD`); `GET` itself takes [`card`] before the router.
pub async fn get(req: Request, ctx: RouteContext<()>) -> Result<Response> {
    let shop = crate::param(&ctx, "shop").unwrap_or_default().to_owned();
    let authorization = req.headers().get("Authorization").ok().flatten();
    let response = card(authorization, &ctx.env, &shop).await?;
    Ok(Response::from(response))
}

/// `GET …/me`, reached before the router (see `lib.rs`): the hottest route of all, so the card's
/// KV bytes go into the response as they are, never through wasm memory, and the response is
/// built in one call with headers made once per isolate.
pub async fn card(
    authorization: Option<String>,
    env: &Env,
    shop: &str,
) -> Result<web_sys::Response> {
    let answer = match snapshot(authorization, env, shop).await {
        Ok(Ok(bytes)) => return cached_card_response(&bytes),
        Ok(Err(fallback)) => fallback,
        Err(e) => e.into_response()?,
    };
    Ok(super::finish(answer, true)?.into())
}

/// The card's snapshot bytes from KV (`Ok(Ok)`), or the object's answer when KV has none.
async fn snapshot(
    authorization: Option<String>,
    env: &Env,
    shop: &str,
) -> std::result::Result<std::result::Result<js_sys::ArrayBuffer, Response>, ApiError> {
    let shop = ShopId::parse(shop)
        .map_err(|_| ApiError::not_found(format!("no shop '{}'", shop.escape_default())))?;
    super::ensure_demo_seeded(env, &shop).await?;
    let (customer, version) =
        crate::auth::customer_by_authorization(authorization, env, &shop).await?;
    let key = crate::kv::card_key(&shop, version, &customer);
    if let Some(bytes) = crate::kv::get_bytes(env, &key).await? {
        return Ok(Ok(bytes));
    }
    let card = Command::Card {
        customer: customer.to_string(),
        open: true,
    };
    Ok(Err(super::relay(env, &shop, &card, 200).await?))
}

thread_local! {
    /// Status 200 with `Content-Type`, `Cache-Control` and the CORS headers of a card, made once
    /// per isolate (`Response` copies what it is given).
    static CARD_INIT: web_sys::ResponseInit = {
        let headers = web_sys::Headers::new().expect("Headers");
        for (name, value) in super::browser_headers("application/json") {
            headers.set(name, value).expect("a valid header");
        }
        let init = web_sys::ResponseInit::new();
        init.set_status(200);
        init.set_headers(&headers);
        init
    };
}

fn cached_card_response(bytes: &js_sys::ArrayBuffer) -> Result<web_sys::Response> {
    CARD_INIT
        .with(|init| web_sys::Response::new_with_opt_buffer_source_and_init(Some(bytes), init))
        .map_err(|e| worker::Error::JsError(format!("{e:?}")))
}

pub async fn redeem(mut req: Request, ctx: RouteContext<()>) -> Result<Response> {
    crate::problem::respond(
        async {
            let shop = super::shop_param(&ctx)?;
            super::ensure_demo_seeded(&ctx.env, &shop).await?;
            let (customer, _) = crate::auth::customer(&req, &ctx.env, &shop).await?;
            // A request without its Idempotency-Key is refused before it counts against the limit.
            super::idempotency_key(&req)?;
            crate::limits::shopper_write(&ctx.env, &shop, &customer).await?;
            super::customers::redemption(&mut req, &ctx, &shop, &customer).await
        }
        .await,
    )
}

/// A shopper's own write through their token (rate-limited): the body read as `T` becomes a
/// ledger event `{name}:{part}` with the idempotency key `{name}:{customer}:{part}` (the same
/// request again is a replay), applied to the member and answered with their card.
async fn shopper_write<T: serde::de::DeserializeOwned>(
    mut req: Request,
    ctx: RouteContext<()>,
    event: impl FnOnce(T, &str) -> std::result::Result<(&'static str, String, EventKind), ApiError>,
) -> Result<Response> {
    crate::problem::respond(
        async {
            let shop = super::shop_param(&ctx)?;
            super::ensure_demo_seeded(&ctx.env, &shop).await?;
            let customer = crate::auth::customer_write(&req, &ctx.env, &shop).await?;
            let body = crate::body::json::<T>(&mut req).await?;
            let (name, part, kind) = event(body.value, &body.hash[..16])?;
            let command = Command::Apply {
                idem: super::idem(format!("{name}:{customer}:{part}"), body.hash),
                customer: customer.to_string(),
                event: Event {
                    id: format!("{name}:{part}"),
                    at: crate::now_unix() as i64,
                    kind,
                },
                shopper: true,
                fail_midway: false,
            };
            super::relay(&ctx.env, &shop, &command, 200).await
        }
        .await,
    )
}

/// `POST …/me/birthday` `{"date":"MM-DD"}`: the member tells us their birthday, once. The same
/// date again is a replay; another date is 409 `birthday_already_set`.
pub async fn birthday(req: Request, ctx: RouteContext<()>) -> Result<Response> {
    shopper_write(req, ctx, |body: BirthdayRequest, _| {
        let (month, day) = shared::time::parse_month_day(&body.date).ok_or_else(|| {
            ApiError::field(
                "date",
                "must be a real month and day written MM-DD, e.g. 02-29",
            )
        })?;
        let date = format!("{month:02}-{day:02}");
        Ok(("birthday", date, EventKind::SetBirthday { month, day }))
    })
    .await
}

/// `POST …/me/news/read` `{"ids":[…]}`: the shopper has seen these news of their card. Marks
/// only the program's news; sending the same ids again is a replay.
pub async fn read_news(req: Request, ctx: RouteContext<()>) -> Result<Response> {
    shopper_write(req, ctx, |body: ReadNewsRequest, hash| {
        shared::requests::check_news_ids(&body.ids).map_err(ApiError::invalid)?;
        Ok((
            "news",
            hash.to_owned(),
            EventKind::ReadNews { ids: body.ids },
        ))
    })
    .await
}

/// `POST …/me/feedback` `{"question", "score", "comment"?}`: the member answers the card's open
/// question. The same answer again is a replay; another answer to it is 409
/// `idempotency_conflict`, a question that is not open 409 `no_open_question`.
pub async fn feedback(req: Request, ctx: RouteContext<()>) -> Result<Response> {
    shopper_write(req, ctx, |body: FeedbackRequest, _| {
        let (score, comment) = shared::feedback::check_answer(body.score, body.comment.as_deref())
            .map_err(ApiError::invalid)?;
        let question = body.question;
        let kind = EventKind::Feedback {
            question,
            score,
            comment,
        };
        Ok(("feedback", question.to_string(), kind))
    })
    .await
}

/// `POST …/me/dates` `{"label", "date": "MM-DD"}`: a date the member wants celebrated every
/// year (at most three; the same one again changes nothing, a fourth is 409 `conflict`).
pub async fn add_date(req: Request, ctx: RouteContext<()>) -> Result<Response> {
    shopper_write(req, ctx, |body: DateRequest, hash| {
        let date =
            shared::occasions::check_date(&body.label, &body.date).map_err(ApiError::invalid)?;
        let kind = EventKind::AddDate {
            label: date.label,
            month: date.month,
            day: date.day,
        };
        Ok(("date", hash.to_owned(), kind))
    })
    .await
}
