//! Pure Punchcard logic shared by the worker, the widget and the tests.
//!
//! Nothing here does I/O or reads a clock: time is always passed in as Unix seconds, so the same
//! code runs natively (tests, benchmarks) and on `wasm32-unknown-unknown` (worker, widget).

pub mod analytics;
pub mod api;
pub mod campaigns;
pub mod card;
pub mod code;
pub mod compact;
pub mod demo;
pub mod feedback;
pub mod ids;
pub mod ledger;
pub mod money;
pub mod news;
pub mod occasions;
#[cfg(feature = "openapi")]
pub mod openapi;
pub mod program;
pub mod requests;
pub mod routes;
pub mod time;
pub mod token;
pub mod webhooks;

pub use ids::{CustomerId, IdError, ShopId};
