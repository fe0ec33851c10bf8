//! The OpenAPI 3.1 document of API v1, derived from the request and response types of this crate
//! (`schemars`), so every constraint a type states — lengths, patterns, ranges, enums, required
//! fields — is the one the server enforces. The operations (paths, credentials, statuses) are the
//! table below; `cargo xtask openapi` writes the document the worker serves, and tests fail when
//! that file, the served document, the router's [`ROUTES`](crate::routes::ROUTES) and these types
//! drift apart.

use crate::api::{
    Analytics, BatchRequest, BatchResults, BirthdayRequest, Card, CardWithOutcome, CouponView,
    ErrorCode, Export, HistoryPage, Problem, PurgeRequest, Purged, RedemptionResponse,
    ShopCustomerView,
};
use crate::program::Program;
use crate::requests::{
    AdjustmentRequest, ConsumeRequest, CreateShop, EventRequest, KeyRotated, RotateKey,
    ShopCreated, ShopSettings, StampsRequest, KEY_PATTERN,
};
use schemars::generate::{Contract, SchemaSettings};
use schemars::{JsonSchema, SchemaGenerator};
use serde_json::{json, Map, Value};

/// Who may call an operation.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Auth {
    Public,
    Admin,
    Shop,
    Customer,
}

/// One operation of the table: everything the document says about it.
struct Op {
    method: &'static str,
    /// The path with `{param}` templates.
    path: &'static str,
    id: &'static str,
    summary: &'static str,
    auth: Auth,
    /// The request body's schema, and whether it may be left out.
    body: Option<(Value, bool)>,
    /// The success status, its description and its body's schema (`None`: no body).
    ok: (u16, &'static str, Option<Value>),
    /// Statuses besides the success, the credential's and the body's.
    errors: &'static [u16],
    /// Answers carry `Idempotent-Replayed` (commands keyed by an event id or Idempotency-Key).
    replays: bool,
    /// Requires an `Idempotency-Key` header.
    idempotency_key: bool,
    query: Vec<Value>,
    /// The success may also be `text/csv` (asked for with `format=csv`).
    csv: bool,
}

/// The document, as `GET /openapi.json` serves it.
pub fn document() -> Value {
    let mut requests = Generator::new(Contract::Deserialize);
    let mut responses = Generator::new(Contract::Serialize);
    let ops = operations(&mut requests, &mut responses);
    responses.of::<Problem>();
    let mut paths = Map::new();
    for op in &ops {
        let item = paths
            .entry(op.path)
            .or_insert_with(|| json!({"parameters": path_parameters(op.path)}));
        item[op.method] = operation(op);
    }
    // One name, one schema: where a type is both read and written (Program, ShopSettings), the
    // document states what the server accepts, which every answer also satisfies.
    let mut schemas = responses.0.take_definitions(true);
    schemas.append(&mut requests.0.take_definitions(true));
    json!({
        "openapi": "3.1.0",
        "info": {
            "title": "Punchcard API",
            "version": "1.0.0",
            "description": "Loyalty cards for any storefront. Money is integer minor units, points are integers, times are RFC 3339 UTC. Errors are application/problem+json with a stable code. Rules a schema cannot state (ids unique within a list, thresholds ascending, references between fields, the brand colour's contrast, times relative to now) are checked by the server and answered 422 with the field named."
        },
        "servers": [{"url": "http://127.0.0.1:8787"}],
        "components": {
            "securitySchemes": {
                "adminKey": {"type": "http", "scheme": "bearer", "description": "The platform admin key (worker secret ADMIN_KEY)."},
                "shopKey": {"type": "http", "scheme": "bearer", "description": "The shop's secret key, sk_…, returned once by POST /v1/shops and by key rotation."},
                "customerToken": {"type": "http", "scheme": "bearer", "description": "v1.<customer_id>.<expires>.<hex HMAC-SHA256(shop secret key, v1.<shop_id>.<customer_id>.<expires>)>; expires (Unix seconds, canonical decimal) at most the shop's token_max_lifetime_seconds ahead."}
            },
            "schemas": schemas,
        },
        "paths": paths,
    })
}

/// A schemars generator whose references point into `#/components/schemas`.
struct Generator(SchemaGenerator);

impl Generator {
    fn new(contract: Contract) -> Generator {
        let mut settings = SchemaSettings::draft2020_12();
        settings.definitions_path = "/components/schemas".into();
        settings.meta_schema = None;
        settings.contract = contract;
        Generator(settings.into_generator())
    }

    fn of<T: JsonSchema>(&mut self) -> Value {
        self.0.subschema_for::<T>().to_value()
    }
}

fn operations(req: &mut Generator, res: &mut Generator) -> Vec<Op> {
    let body = |schema: Value| Some((schema, false));
    let op = |method, path, id, summary, auth| Op {
        method,
        path,
        id,
        summary,
        auth,
        body: None,
        ok: (200, "", None),
        errors: &[],
        replays: false,
        idempotency_key: false,
        query: Vec::new(),
        csv: false,
    };
    vec![
        Op {
            body: body(req.of::<CreateShop>()),
            ok: (201, "Created; the secret key is shown only here", Some(res.of::<ShopCreated>())),
            errors: &[403, 409],
            ..op("post", "/v1/shops", "createShop", "Create a shop (platform admin)", Auth::Admin)
        },
        Op {
            ok: (200, "The program", Some(res.of::<Program>())),
            errors: &[401, 404, 409],
            ..op("get", "/v1/shops/{shop}/program", "getProgram", "The shop's loyalty program (public: the widget reads it, with the news marked public only; with the shop key as bearer, the whole program, members' news included)", Auth::Public)
        },
        Op {
            body: body(req.of::<Program>()),
            ok: (200, "The stored program", Some(res.of::<Program>())),
            errors: &[404],
            ..op("put", "/v1/shops/{shop}/program", "putProgram", "Replace the shop's loyalty program", Auth::Shop)
        },
        Op {
            ok: (200, "The settings", Some(res.of::<ShopSettings>())),
            errors: &[404],
            ..op("get", "/v1/shops/{shop}/settings", "getShopSettings", "The shop's security settings", Auth::Shop)
        },
        Op {
            body: body(req.of::<ShopSettings>()),
            ok: (200, "The settings as stored", Some(res.of::<ShopSettings>())),
            errors: &[404],
            ..op("put", "/v1/shops/{shop}/settings", "putShopSettings", "Replace the shop's security settings (the longest customer-token lifetime)", Auth::Shop)
        },
        Op {
            body: Some((req.of::<RotateKey>(), true)),
            ok: (200, "The new key, shown this once", Some(res.of::<KeyRotated>())),
            errors: &[404],
            ..op("post", "/v1/shops/{shop}/keys/rotate", "rotateShopKey", "Issue a new secret key; the current one keeps working (API and token signatures) for grace_seconds (default 86400, 0 revokes it now). Only the current key may rotate.", Auth::Shop)
        },
        Op {
            body: body(req.of::<EventRequest>()),
            ok: (200, "The member's updated card and what the event did", Some(res.of::<CardWithOutcome>())),
            errors: &[404, 409],
            replays: true,
            ..op("post", "/v1/shops/{shop}/events", "postEvent", "Report a purchase, refund or other fact (idempotent by id)", Auth::Shop)
        },
        Op {
            body: body(req.of::<BatchRequest>()),
            ok: (200, "One result per event, in order", Some(res.of::<BatchResults>())),
            errors: &[404, 409],
            ..op("post", "/v1/shops/{shop}/events/batch", "postEventsBatch", "Up to 500 events in one request; each applied as POST /events would", Auth::Shop)
        },
        Op {
            ok: (200, "The member as the shop sees them", Some(res.of::<ShopCustomerView>())),
            errors: &[404],
            ..op("get", "/v1/shops/{shop}/customers/{customer}", "getCustomer", "A member's card, newest 50 entries and everything only the shop sees", Auth::Shop)
        },
        Op {
            ok: (204, "Erased", None),
            errors: &[404],
            ..op("delete", "/v1/shops/{shop}/customers/{customer}", "eraseCustomer", "Erase every trace of a member (GDPR Art. 17)", Auth::Shop)
        },
        Op {
            ok: (200, "Everything stored about the member", Some(res.of::<Export>())),
            errors: &[404],
            ..op("get", "/v1/shops/{shop}/customers/{customer}/export", "exportCustomer", "Everything stored about a member, streamed (GDPR Art. 15/20)", Auth::Shop)
        },
        Op {
            ok: (200, "One page of entries", Some(res.of::<HistoryPage>())),
            errors: &[404, 422],
            query: vec![
                json!({"name": "before", "in": "query", "required": false, "schema": {"type": "integer", "minimum": 0, "maximum": i64::MAX}, "description": "A cursor from `history_before` or `next_before`: entries older than it"}),
                json!({"name": "limit", "in": "query", "required": false, "schema": {"type": "integer", "minimum": 1, "maximum": 200, "default": 50}}),
            ],
            ..op("get", "/v1/shops/{shop}/customers/{customer}/history", "customerHistory", "Page through a member's ledger entries, newest first", Auth::Shop)
        },
        Op {
            body: body(req.of::<AdjustmentRequest>()),
            ok: (201, "Adjusted", Some(res.of::<CardWithOutcome>())),
            errors: &[404, 409],
            replays: true,
            ..op("post", "/v1/shops/{shop}/customers/{customer}/adjustments", "adjustPoints", "Credit or debit points by hand, with a reason", Auth::Shop)
        },
        Op {
            body: body(req.of::<StampsRequest>()),
            ok: (201, "Stamped", Some(res.of::<CardWithOutcome>())),
            errors: &[404, 409],
            replays: true,
            ..op("post", "/v1/shops/{shop}/customers/{customer}/stamps", "addStamps", "Add stamps in store", Auth::Shop)
        },
        Op {
            body: body(req.of::<crate::requests::RedemptionRequest>()),
            ok: (201, "Redeemed", Some(res.of::<RedemptionResponse>())),
            errors: &[404, 409],
            replays: true,
            idempotency_key: true,
            ..op("post", "/v1/shops/{shop}/customers/{customer}/redemptions", "redeemForCustomer", "Redeem a reward on a member's behalf", Auth::Shop)
        },
        Op {
            body: body(req.of::<PurgeRequest>()),
            ok: (200, "How many records were deleted (at most 10,000 a call)", Some(res.of::<Purged>())),
            errors: &[404],
            ..op("post", "/v1/shops/{shop}/maintenance/purge", "purgeIdempotencyRecords", "Delete the shop's idempotency records older than a given age (the ledger does this daily after 90 days)", Auth::Admin)
        },
        Op {
            ok: (200, "The coupon", Some(res.of::<CouponView>())),
            errors: &[404],
            ..op("get", "/v1/shops/{shop}/coupons/{code}", "getCoupon", "A coupon by its code (checkout validation)", Auth::Shop)
        },
        Op {
            body: body(req.of::<ConsumeRequest>()),
            ok: (200, "Consumed by this order", Some(res.of::<CouponView>())),
            errors: &[404, 409],
            ..op("post", "/v1/shops/{shop}/coupons/{code}/consume", "consumeCoupon", "Mark a coupon used by an order (the same order again is a replay)", Auth::Shop)
        },
        Op {
            ok: (200, "The member as the shop sees them", Some(res.of::<ShopCustomerView>())),
            errors: &[404],
            ..op("get", "/v1/shops/{shop}/members/{code}", "getMemberByCode", "The member with this member code, as the shop sees them", Auth::Shop)
        },
        Op {
            ok: (200, "The program's figures", Some(res.of::<Analytics>())),
            errors: &[404, 409],
            ..op("get", "/v1/shops/{shop}/analytics", "getAnalytics", "The program's figures from incremental aggregates", Auth::Shop)
        },
        Op {
            ok: (200, "The shopper's card", Some(res.of::<Card>())),
            errors: &[403, 404],
            ..op("get", "/v1/shops/{shop}/me", "getMyCard", "The signed-in shopper's card", Auth::Customer)
        },
        Op {
            body: body(req.of::<crate::requests::RedemptionRequest>()),
            ok: (201, "Redeemed", Some(res.of::<RedemptionResponse>())),
            errors: &[404, 409],
            replays: true,
            idempotency_key: true,
            ..op("post", "/v1/shops/{shop}/me/redemptions", "redeemMine", "The shopper redeems a reward for a coupon", Auth::Customer)
        },
        Op {
            body: body(req.of::<BirthdayRequest>()),
            ok: (200, "The card, with the birthday", Some(res.of::<CardWithOutcome>())),
            errors: &[403, 404, 409],
            replays: true,
            ..op("post", "/v1/shops/{shop}/me/birthday", "setMyBirthday", "The member tells us their birthday, once (the same date again is a replay)", Auth::Customer)
        },
        Op {
            body: body(req.of::<crate::api::FeedbackRequest>()),
            ok: (200, "The card, the question answered (and its points credited)", Some(res.of::<CardWithOutcome>())),
            errors: &[403, 404, 409],
            replays: true,
            ..op("post", "/v1/shops/{shop}/me/feedback", "answerMyFeedback", "The member answers the card's open feedback question, 0–10 with an optional comment (the same answer again is a replay; another answer to it is 409 idempotency_conflict; a question that is not open, 409 no_open_question)", Auth::Customer)
        },
        Op {
            ok: (200, "The NPS report", Some(res.of::<crate::api::FeedbackReport>())),
            errors: &[404, 422],
            query: vec![
                json!({"name": "before", "in": "query", "required": false, "schema": {"type": "integer", "minimum": 0, "maximum": i64::MAX}, "description": "A cursor from `next_before`: answers older than it"}),
                json!({"name": "limit", "in": "query", "required": false, "schema": {"type": "integer", "minimum": 1, "maximum": 200, "default": 50}}),
            ],
            ..op("get", "/v1/shops/{shop}/feedback", "getFeedback", "The Net Promoter Score of the last 12 months (promoters 9–10 minus detractors 0–6, in %), month by month, and the answers with their comments, newest first", Auth::Shop)
        },
        Op {
            body: body(req.of::<crate::api::DateRequest>()),
            ok: (200, "The card, with the date", Some(res.of::<CardWithOutcome>())),
            errors: &[403, 404, 409],
            replays: true,
            ..op("post", "/v1/shops/{shop}/me/dates", "addMyDate", "The member adds a date to celebrate every year, e.g. a wedding anniversary (at most three; the same one again changes nothing, a fourth is 409 conflict)", Auth::Customer)
        },
        Op {
            ok: (200, "The occasions, soonest first (text/csv with format=csv)", Some(res.of::<crate::occasions::UpcomingList>())),
            errors: &[404, 422],
            query: vec![
                json!({"name": "days", "in": "query", "required": false, "schema": {"type": "integer", "minimum": 1, "maximum": 60, "default": 14}}),
                json!({"name": "format", "in": "query", "required": false, "schema": {"type": "string", "enum": ["json", "csv"], "default": "json"}}),
            ],
            csv: true,
            ..op("get", "/v1/shops/{shop}/occasions", "getOccasions", "Birthdays, membership anniversaries and the members' own dates of the coming days, with the members' ids and codes (the florist's call list), as JSON or CSV", Auth::Shop)
        },
        Op {
            body: body(req.of::<crate::api::ReadNewsRequest>()),
            ok: (200, "The card, those news marked read", Some(res.of::<CardWithOutcome>())),
            errors: &[403, 404],
            replays: true,
            ..op("post", "/v1/shops/{shop}/me/news/read", "readMyNews", "The shopper has seen these news of the card (ids of the program's news; others are ignored)", Auth::Customer)
        },
        Op {
            body: body(req.of::<crate::webhooks::WebhookRequest>()),
            ok: (201, "Registered; the signing secret is shown only here", Some(res.of::<crate::webhooks::Webhook>())),
            errors: &[404, 409],
            ..op("post", "/v1/shops/{shop}/webhooks", "createWebhook", "Register an endpoint for events (at most 10 per shop); deliveries are signed with Punchcard-Signature: t=<unix>,v1=<hex HMAC-SHA256(secret, \"<t>.<body>\")>, carry Punchcard-Event-Id, and are retried with backoff for 24 hours", Auth::Shop)
        },
        Op {
            ok: (200, "The shop's webhooks (without their secrets)", Some(res.of::<crate::webhooks::WebhookList>())),
            errors: &[404],
            ..op("get", "/v1/shops/{shop}/webhooks", "listWebhooks", "The shop's webhook endpoints", Auth::Shop)
        },
        Op {
            ok: (204, "Removed, with its deliveries", None),
            errors: &[404],
            ..op("delete", "/v1/shops/{shop}/webhooks/{webhook}", "deleteWebhook", "Remove a webhook endpoint", Auth::Shop)
        },
        Op {
            ok: (200, "The newest 100 deliveries", Some(res.of::<crate::webhooks::DeliveryLog>())),
            errors: &[404],
            ..op("get", "/v1/shops/{shop}/webhooks/{webhook}/deliveries", "webhookDeliveries", "A webhook's delivery log", Auth::Shop)
        },
        Op {
            ok: (200, "The delivery log, the delivery queued again", Some(res.of::<crate::webhooks::DeliveryLog>())),
            errors: &[404],
            ..op("post", "/v1/shops/{shop}/webhooks/{webhook}/deliveries/{delivery}/redeliver", "redeliverWebhook", "Send a delivery again now (with 24 hours of retries of its own)", Auth::Shop)
        },
        Op {
            ok: (200, "This document", Some(json!({"type": "object"}))),
            ..op("get", "/openapi.json", "openapi", "This document", Auth::Public)
        },
    ]
}

/// The `{shop}`, `{customer}` and `{code}` parameters of `path`.
fn path_parameters(path: &str) -> Value {
    let id = json!({"type": "string", "pattern": crate::ids::ID_PATTERN});
    let params: Vec<Value> = path
        .split('/')
        .filter_map(|segment| segment.strip_prefix('{')?.strip_suffix('}'))
        .map(|name| match name {
            "code" => json!({"name": "code", "in": "path", "required": true, "schema": {"type": "string", "minLength": 1, "maxLength": 64}, "description": "A coupon code (PC-…) or member code (M-…); case, spaces and dashes are forgiven"}),
            "webhook" => json!({"name": "webhook", "in": "path", "required": true, "schema": {"type": "string", "pattern": "^wh_[0-9a-f]{16}$"}}),
            "delivery" => json!({"name": "delivery", "in": "path", "required": true, "schema": {"type": "string", "pattern": "^evt_[0-9a-f]{24}$"}, "description": "The event's id (Punchcard-Event-Id)"}),
            _ => json!({"name": name, "in": "path", "required": true, "schema": id}),
        })
        .collect();
    Value::Array(params)
}

fn operation(op: &Op) -> Value {
    let mut o = json!({"operationId": op.id, "summary": op.summary});
    o["security"] = match op.auth {
        Auth::Public => json!([]),
        Auth::Admin => json!([{"adminKey": []}]),
        Auth::Shop => json!([{"shopKey": []}]),
        Auth::Customer => json!([{"customerToken": []}]),
    };
    let mut parameters = op.query.clone();
    if op.idempotency_key {
        parameters.push(json!({"name": "Idempotency-Key", "in": "header", "required": true, "schema": {"type": "string", "pattern": KEY_PATTERN}, "description": "The redemption's idempotency key: the same key and body again answers the first result"}));
    }
    if !parameters.is_empty() {
        o["parameters"] = Value::Array(parameters);
    }
    if let Some((schema, optional)) = &op.body {
        o["requestBody"] =
            json!({"required": !optional, "content": {"application/json": {"schema": schema}}});
    }
    let mut responses = Map::new();
    let (status, description, schema) = &op.ok;
    let mut ok = json!({ "description": description });
    if let Some(schema) = schema {
        ok["content"] = json!({"application/json": {"schema": schema}});
        if op.csv {
            ok["content"]["text/csv"] = json!({"schema": {"type": "string"}});
        }
    }
    if op.replays {
        ok["headers"] = json!({"Idempotent-Replayed": {"description": "true when this is the stored answer of an earlier identical request", "schema": {"type": "string", "enum": ["true"]}}});
    }
    responses.insert(status.to_string(), ok);
    let mut errors: Vec<u16> = op.errors.to_vec();
    match op.auth {
        Auth::Public => {}
        // The admin routes are not rate limited at the edge: the admin is the platform.
        Auth::Admin => errors.push(401),
        Auth::Shop => errors.extend([401, 429]),
        Auth::Customer => {
            errors.push(401);
            if op.method != "get" {
                errors.push(429);
            }
        }
    }
    if op.body.is_some() {
        errors.extend([413, 422]);
    }
    if op.path != "/openapi.json" {
        errors.push(500);
    }
    errors.sort_unstable();
    errors.dedup();
    for status in errors {
        responses.insert(status.to_string(), problem_response(status));
    }
    o["responses"] = Value::Object(responses);
    o
}

/// A problem+json answer with `status`, listing the codes it may carry.
fn problem_response(status: u16) -> Value {
    let description = match status {
        401 => "Missing or invalid credentials",
        403 => "Forbidden (member_erased: the shop erased this member and does not let them re-join)",
        404 => "Not found",
        409 => "Conflict",
        413 => "Body over 64 KiB",
        422 => "Invalid fields (one entry per field in errors)",
        429 => "Too many requests at the edge (per shop on the shop API, per shopper on /me writes); wait Retry-After seconds",
        _ => "Internal error",
    };
    let codes: Vec<&str> = ErrorCode::ALL
        .iter()
        .filter(|c| c.status() == status)
        .map(|c| c.as_str())
        .collect();
    let mut response = json!({
        "description": format!("{description} (code: {})", codes.join(", ")),
        "content": {"application/problem+json": {"schema": {"$ref": format!("#/components/schemas/{}", Problem::schema_name())}}},
    });
    if status == 429 {
        response["headers"] = json!({"Retry-After": {"schema": {"type": "integer", "minimum": 1}}});
    }
    response
}

/// The document as the file the worker embeds: pretty, with a final newline.
pub fn document_text() -> String {
    let mut text = serde_json::to_string_pretty(&document()).expect("the document is JSON");
    text.push('\n');
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_committed_document_is_the_derived_one() {
        let committed = include_str!("../../worker/openapi.json");
        assert!(
            committed == document_text(),
            "worker/openapi.json is not what the types say: run `cargo xtask openapi`"
        );
    }

    #[test]
    fn every_route_and_method_is_documented_and_nothing_else() {
        let doc = document();
        let paths = doc["paths"].as_object().unwrap();
        let mut documented = 0;
        for (route, methods) in crate::routes::ROUTES {
            if route.starts_with("/v1/dev/") {
                continue; // local development only, never deployed
            }
            let template = route
                .split('/')
                .map(|s| match s.strip_prefix(':') {
                    Some(name) => format!("{{{name}}}"),
                    None => s.to_owned(),
                })
                .collect::<Vec<_>>()
                .join("/");
            let item = paths
                .get(&template)
                .unwrap_or_else(|| panic!("{template} is not documented"));
            for method in *methods {
                assert!(
                    item.get(method.to_ascii_lowercase()).is_some(),
                    "{method} {template} is not documented"
                );
                documented += 1;
            }
        }
        let operations: usize = paths
            .values()
            .map(|item| item.as_object().unwrap().len() - 1)
            .sum();
        assert_eq!(
            operations, documented,
            "the document has operations no route serves"
        );
    }

    #[test]
    fn every_reference_resolves() {
        let doc = document();
        fn walk(v: &Value, doc: &Value) {
            match v {
                Value::Object(map) => {
                    if let Some(Value::String(r)) = map.get("$ref") {
                        let pointer = r.strip_prefix('#').expect("local reference");
                        assert!(doc.pointer(pointer).is_some(), "{r} does not resolve");
                    }
                    map.values().for_each(|v| walk(v, doc));
                }
                Value::Array(items) => items.iter().for_each(|v| walk(v, doc)),
                _ => {}
            }
        }
        walk(&doc, &doc);
    }
}
