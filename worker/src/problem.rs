//! The one place where errors become HTTP: `application/problem+json` (RFC 9457) with a stable code.

use serde::{Deserialize, Serialize};
use shared::api::{ErrorCode, FieldError, Problem};
use shared::ledger::LedgerError;
use worker::Response;

/// An [`ApiError`] between the ledger object and the edge.
#[derive(Serialize, Deserialize)]
struct Wire {
    code: String,
    detail: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    errors: Vec<FieldError>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    retry_after: Option<u64>,
}

/// An error the API reports to its caller. Details never include secrets.
#[derive(Debug)]
pub struct ApiError {
    code: ErrorCode,
    detail: String,
    errors: Vec<FieldError>,
    retry_after: Option<u64>,
}

impl ApiError {
    pub fn new(code: ErrorCode, detail: impl Into<String>) -> Self {
        Self {
            code,
            detail: detail.into(),
            errors: Vec::new(),
            retry_after: None,
        }
    }
    pub fn unauthorized(detail: impl Into<String>) -> Self {
        Self::new(ErrorCode::Unauthorized, detail)
    }
    pub fn not_found(detail: impl Into<String>) -> Self {
        Self::new(ErrorCode::NotFound, detail)
    }
    /// 500 `internal`: `what` is logged, the caller gets the generic sentence.
    pub fn internal(what: &str) -> Self {
        crate::log_error(&format!("internal error: {what}"));
        Self::new(
            ErrorCode::Internal,
            "the request could not be completed; nothing was changed",
        )
    }
    /// 422 `validation_failed` with one entry per bad field.
    pub fn invalid(errors: Vec<FieldError>) -> Self {
        let names: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
        let detail = format!("invalid fields: {}", names.join(", "));
        Self {
            errors,
            ..Self::new(ErrorCode::ValidationFailed, detail)
        }
    }
    /// 422 for a single field.
    pub fn field(field: &str, message: impl Into<String>) -> Self {
        Self::invalid(vec![FieldError {
            field: field.to_owned(),
            message: message.into(),
        }])
    }
    /// Adds a `Retry-After` header (seconds).
    pub fn with_retry_after(mut self, seconds: u64) -> Self {
        self.retry_after = Some(seconds);
        self
    }

    /// The problem+json body this error becomes.
    pub fn problem(&self) -> Problem {
        let mut problem = Problem::new(self.code, self.detail.clone());
        problem.errors = self.errors.clone();
        problem
    }

    /// The stable code of this error.
    pub fn code(&self) -> ErrorCode {
        self.code
    }

    /// This error as the ledger object sends it to the edge (see `crate::commands::Reply`).
    pub fn to_wire(&self) -> String {
        let wire = Wire {
            code: self.code.as_str().to_owned(),
            detail: self.detail.clone(),
            errors: self.errors.clone(),
            retry_after: self.retry_after,
        };
        serde_json::to_string(&wire).unwrap_or_default()
    }

    /// The error the ledger object sent ([`Self::to_wire`]); anything unreadable is internal.
    pub fn from_wire(text: &str) -> Self {
        match serde_json::from_str::<Wire>(text) {
            Ok(wire) => match ErrorCode::from_code(&wire.code) {
                Some(code) => Self {
                    code,
                    detail: wire.detail,
                    errors: wire.errors,
                    retry_after: wire.retry_after,
                },
                None => Self::internal("unknown error code from the ledger"),
            },
            Err(_) => Self::internal("unreadable refusal from the ledger"),
        }
    }

    pub fn into_response(self) -> worker::Result<Response> {
        let mut problem = Problem::new(self.code, self.detail);
        problem.errors = self.errors;
        let mut response = Response::from_json(&problem)?.with_status(problem.status);
        response
            .headers_mut()
            .set("Content-Type", "application/problem+json")?;
        if let Some(seconds) = self.retry_after {
            response
                .headers_mut()
                .set("Retry-After", &seconds.to_string())?;
        }
        Ok(response)
    }
}

impl From<LedgerError> for ApiError {
    fn from(e: LedgerError) -> Self {
        let detail = e.to_string();
        match e {
            LedgerError::IdempotencyConflict => Self::new(ErrorCode::IdempotencyConflict, detail),
            LedgerError::InsufficientPoints { .. } => {
                Self::new(ErrorCode::InsufficientPoints, detail)
            }
            LedgerError::CouponConsumed => Self::new(ErrorCode::CouponConsumed, detail),
            LedgerError::CouponVoid => Self::new(ErrorCode::CouponVoid, detail),
            LedgerError::CouponExpired => Self::new(ErrorCode::CouponExpired, detail),
            LedgerError::BirthdayAlreadySet => Self::new(ErrorCode::BirthdayAlreadySet, detail),
            LedgerError::NoOpenQuestion => Self::new(ErrorCode::NoOpenQuestion, detail),
            LedgerError::TooManyDates => Self::new(ErrorCode::Conflict, detail),
            LedgerError::UnknownCoupon(_) => Self::not_found(detail),
            LedgerError::DuplicateOrder(_) | LedgerError::ReferralClosed => {
                Self::new(ErrorCode::Conflict, detail)
            }
            LedgerError::UnknownReward(_) | LedgerError::NotRedeemable(_) => {
                Self::field("reward_id", detail)
            }
            LedgerError::UnknownOrder(_) => Self::field("order_id", detail),
            LedgerError::RefundExceedsOrder | LedgerError::Overflow(_) => {
                Self::field("amount_minor", detail)
            }
            LedgerError::CurrencyMismatch { .. } => Self::field("currency", detail),
            LedgerError::SelfReferral => Self::field("referrer_id", detail),
            LedgerError::Invalid { field, rule } => Self::field(field, format!("must be {rule}")),
        }
    }
}

impl From<worker::Error> for ApiError {
    fn from(e: worker::Error) -> Self {
        // The runtime's message may name bindings or internals: log it, do not send it.
        Self::internal(&e.to_string())
    }
}

impl From<worker::kv::KvError> for ApiError {
    fn from(e: worker::kv::KvError) -> Self {
        Self::internal(&format!("KV: {e}"))
    }
}

impl From<serde_json::Error> for ApiError {
    fn from(e: serde_json::Error) -> Self {
        worker::Error::from(e).into()
    }
}

/// Runs a handler body and turns its `ApiError` into a problem response.
pub fn respond(result: Result<Response, ApiError>) -> worker::Result<Response> {
    result.or_else(ApiError::into_response)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_error_crosses_the_wire_whole() {
        let sent = ApiError::field("reward_id", "no such reward").with_retry_after(7);
        let got = ApiError::from_wire(&sent.to_wire());
        assert_eq!(got.code, ErrorCode::ValidationFailed);
        assert_eq!(got.detail, sent.detail);
        assert_eq!(got.errors, sent.errors);
        assert_eq!(got.retry_after, Some(7));
        let plain = ApiError::from_wire(&ApiError::not_found("no member 'c1'").to_wire());
        assert_eq!((plain.code, plain.retry_after), (ErrorCode::NotFound, None));
    }

    #[test]
    fn an_unreadable_refusal_is_internal() {
        assert_eq!(ApiError::from_wire("{").code, ErrorCode::Internal);
        let unknown = r#"{"code":"no_such_code","detail":"x"}"#;
        assert_eq!(ApiError::from_wire(unknown).code, ErrorCode::Internal);
    }
}
