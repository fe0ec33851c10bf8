//! `GET /openapi.json`: the OpenAPI 3.1 description of API v1 (the integration tests hold every
//! response they receive to it).

use worker::{Request, Response, Result, RouteContext};

/// The document, kept beside the worker as data.
pub const DOCUMENT: &str = include_str!("../../openapi.json");

pub async fn get(_req: Request, _ctx: RouteContext<()>) -> Result<Response> {
    let mut response = Response::ok(DOCUMENT)?;
    response
        .headers_mut()
        .set("Content-Type", "application/json")?;
    response
        .headers_mut()
        .set("Access-Control-Allow-Origin", "*")?;
    Ok(response)
}
