//! `GET …/customers/{customer}/export` (shop key): everything stored about a member, streamed.
//!
//! The answer has the shape `{shop_id, exported_at, member, feedback, ledger: {account, history,
//! orders, coupons}}`; the edge writes it as it reads the member's rows from the ledger object a page at
//! a time (entries oldest first, order records by key, coupons in issue order), so a member with
//! a million orders costs no more memory than one with ten.

use crate::commands::{Command, ExportPart, Reply};
use crate::problem::ApiError;
use futures::stream;
use serde_json::Value;
use shared::{CustomerId, ShopId};
use worker::{Env, Response};

/// Rows per page the edge asks the object for.
const PAGE: usize = 500;

/// Where the stream is.
enum Step {
    Part(ExportPart, Option<String>, bool),
    Done,
}

async fn page(
    env: &Env,
    shop: &ShopId,
    customer: &CustomerId,
    part: ExportPart,
    after: Option<String>,
) -> Result<Value, ApiError> {
    let command = Command::ExportPage {
        customer: customer.to_string(),
        part,
        after,
        limit: PAGE,
    };
    match crate::ledger::ask(env, shop, &command).await? {
        Reply::Value(page) => Ok(serde_json::from_str(&page)?),
        _ => Err(ApiError::internal("export page refused")),
    }
}

/// The streamed export, once `head` (the member's view and account) has been read.
pub fn stream(
    env: Env,
    shop: ShopId,
    customer: CustomerId,
    head: Value,
) -> worker::Result<Response> {
    let opening = format!(
        "{{\"shop_id\":{},\"exported_at\":{},\"member\":{},\"feedback\":{},\"ledger\":{{\"account\":{},\"history\":[",
        head["shop_id"], head["exported_at"], head["member"], head["feedback"], head["account"]
    );
    let first = Step::Part(ExportPart::Entries, None, true);
    let body = stream::unfold((Some(opening), first), move |(prefix, step)| {
        let (env, shop, customer) = (env.clone(), shop.clone(), customer.clone());
        async move {
            if let Some(prefix) = prefix {
                return Some((Ok(prefix.into_bytes()), (None, step)));
            }
            let Step::Part(part, after, first) = step else {
                return None;
            };
            let value = match page(&env, &shop, &customer, part, after).await {
                Ok(v) => v,
                Err(_) => {
                    return Some((
                        Err(worker::Error::RustError("export interrupted".into())),
                        (None, Step::Done),
                    ))
                }
            };
            let mut chunk = String::new();
            let items = value["items"].as_array().cloned().unwrap_or_default();
            for (i, item) in items.iter().enumerate() {
                if !(first && i == 0) {
                    chunk.push(',');
                }
                match part {
                    ExportPart::Orders => {
                        chunk.push_str(&format!("{}:{}", item["key"], item["record"]))
                    }
                    _ => chunk.push_str(&item.to_string()),
                }
            }
            let first = first && items.is_empty();
            let next = match value["next"].as_str() {
                Some(next) => Step::Part(part, Some(next.to_owned()), first),
                None => {
                    chunk.push_str(match part {
                        ExportPart::Entries => "],\"orders\":{",
                        ExportPart::Orders => "},\"coupons\":[",
                        ExportPart::Coupons => "]}}",
                    });
                    match part {
                        ExportPart::Entries => Step::Part(ExportPart::Orders, None, true),
                        ExportPart::Orders => Step::Part(ExportPart::Coupons, None, true),
                        ExportPart::Coupons => Step::Done,
                    }
                }
            };
            Some((Ok(chunk.into_bytes()), (None, next)))
        }
    });
    let mut response = Response::from_stream(body)?;
    response
        .headers_mut()
        .set("Content-Type", "application/json")?;
    Ok(response)
}
