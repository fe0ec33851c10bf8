//! `POST /v1/shops/{shop}/events` (shop key): purchases, refunds and other facts → the card.
//! The event `id` is the idempotency key.

use super::Answer;
use crate::commands::Command;
use crate::problem::ApiError;
use shared::api::{BatchRequest, MAX_BATCH};
use shared::requests::EventRequest;
use worker::{Request, Response, Result, RouteContext};

pub async fn post(mut req: Request, ctx: RouteContext<()>) -> Result<Response> {
    crate::problem::respond(handle(&mut req, &ctx).await)
}

async fn handle(req: &mut Request, ctx: &RouteContext<()>) -> Answer {
    let shop = super::shop_param(ctx)?;
    super::ensure_demo_seeded(&ctx.env, &shop).await?;
    crate::auth::shop(req, &ctx.env, &shop).await?;
    let body = crate::body::json::<EventRequest>(req).await?;
    let (customer, event) = body
        .value
        .to_event(crate::now_unix() as i64)
        .map_err(ApiError::invalid)?;
    let idem = super::idem(
        format!("event:{}", event.id),
        crate::body::hash_of(&body.value)?,
    );
    let command = Command::Apply {
        idem,
        customer: customer.to_string(),
        event,
        shopper: false,
        fail_midway: super::test_fault(req, &ctx.env),
    };
    super::relay(&ctx.env, &shop, &command, 200).await
}

/// `POST /v1/shops/{shop}/events/batch` (shop key): up to [`MAX_BATCH`] events in one request,
/// for imports and back-fills. Each event is applied exactly as `POST /events` would (same
/// idempotency by `id`); the answer lists `{id, status, code?}` per event, in order.
pub async fn batch(mut req: Request, ctx: RouteContext<()>) -> Result<Response> {
    crate::problem::respond(
        async {
            let shop = super::shop_param(&ctx)?;
            super::ensure_demo_seeded(&ctx.env, &shop).await?;
            crate::auth::shop(&req, &ctx.env, &shop).await?;
            let body = crate::body::json::<BatchRequest>(&mut req).await?;
            if body.value.events.len() > MAX_BATCH {
                return Err(ApiError::field(
                    "events",
                    format!("at most {MAX_BATCH} events per batch"),
                ));
            }
            let now = crate::now_unix() as i64;
            let mut items = Vec::new();
            let mut refused = Vec::new();
            for (i, request) in body.value.events.iter().enumerate() {
                match request.to_event(now) {
                    Ok((customer, event)) => items.push(crate::commands::BatchItem {
                        idem: super::idem(
                            format!("event:{}", event.id),
                            crate::body::hash_of(request)?,
                        ),
                        customer: customer.to_string(),
                        event,
                    }),
                    Err(errors) => refused.push((i, request.id.clone(), errors)),
                }
            }
            if !refused.is_empty() {
                // Nothing is applied when any event is malformed: fix and resend the batch.
                let errors = refused
                    .into_iter()
                    .flat_map(|(i, _, errors)| {
                        errors.into_iter().map(move |mut e| {
                            e.field = format!("events[{i}].{}", e.field);
                            e
                        })
                    })
                    .collect();
                return Err(ApiError::invalid(errors));
            }
            super::relay(&ctx.env, &shop, &Command::ApplyBatch { items }, 200).await
        }
        .await,
    )
}
