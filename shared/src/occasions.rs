//! Anniversaries: the membership anniversary (the member's join date, every year from the first)
//! and up to three dates a member sets ("our wedding anniversary"), each celebrated once a
//! calendar year like a birthday (29 February on 1 March in other years), with the program's
//! points or coupon, announced 14 days ahead (`anniversary.upcoming`), and listed for the shop
//! with the members' ids and codes (JSON or CSV).

use crate::api::FieldError;
use crate::program::Program;
use serde::{Deserialize, Serialize};

/// Dates a member may set.
pub const MAX_DATES: usize = 3;
/// The longest label of a member's date.
pub const MAX_LABEL_CHARS: usize = 40;
/// The occasion slot of the membership anniversary; a member's dates are slots 1 to 3.
pub const MEMBERSHIP: u8 = 0;

/// What a program gives on an occasion: points, a reward's coupon, or both.
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Occasion {
    #[serde(default)]
    #[cfg_attr(
        feature = "openapi",
        schemars(range(min = 0, max = crate::program::MAX_PROGRAM_POINTS))
    )]
    pub points: i64,
    /// A reward of the catalog to give as a coupon.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schemars(pattern(crate::ids::ID_PATTERN)))]
    pub reward_id: Option<String>,
}

/// A date a member set, celebrated every year.
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct MemberDate {
    /// What it is, in the member's words ("Our wedding anniversary").
    pub label: String,
    pub month: u8,
    pub day: u8,
}

/// Field errors of the program's occasions (`anniversary.…`, `special_dates.…`).
pub fn validate(program: &Program, errors: &mut Vec<FieldError>) {
    for (name, occasion) in [
        ("anniversary", &program.anniversary),
        ("special_dates", &program.special_dates),
    ] {
        let Some(o) = occasion else { continue };
        if !(0..=crate::program::MAX_PROGRAM_POINTS).contains(&o.points) {
            errors.push(FieldError {
                field: format!("{name}.points"),
                message: format!(
                    "must be between 0 and {}",
                    crate::program::MAX_PROGRAM_POINTS
                ),
            });
        }
        if o.reward_id
            .as_deref()
            .is_some_and(|r| program.reward(r).is_none())
        {
            errors.push(FieldError {
                field: format!("{name}.reward_id"),
                message: "must name a reward of the catalog".into(),
            });
        }
    }
}

/// Checks a member's date: a label of 1 to 40 characters and a real month and day.
pub fn check_date(label: &str, date: &str) -> Result<MemberDate, Vec<FieldError>> {
    let mut errors = Vec::new();
    let label = label.trim_matches(crate::requests::is_space);
    if label.is_empty() || label.chars().count() > MAX_LABEL_CHARS {
        errors.push(FieldError {
            field: "label".into(),
            message: "must be 1 to 40 characters".into(),
        });
    }
    let parsed = crate::time::parse_month_day(date);
    if parsed.is_none() {
        errors.push(FieldError {
            field: "date".into(),
            message: "must be a real month and day written MM-DD, e.g. 02-29".into(),
        });
    }
    match (errors.is_empty(), parsed) {
        (true, Some((month, day))) => Ok(MemberDate {
            label: label.to_owned(),
            month,
            day,
        }),
        _ => Err(errors),
    }
}

/// `(slot, month, day)` of `account`'s occasions: its join date (slot 0) and its dates (1–3).
pub fn of(account: &crate::ledger::Account) -> Vec<(u8, u8, u8)> {
    let (_, month, day) = crate::time::civil_date(account.joined_at);
    let mut all = vec![(MEMBERSHIP, month as u8, day as u8)];
    all.extend(
        account
            .dates
            .iter()
            .enumerate()
            .map(|(i, d)| (i as u8 + 1, d.month, d.day)),
    );
    all
}

/// What kind of occasion a slot is, as the API names it.
pub fn kind_of(slot: u8) -> &'static str {
    if slot == MEMBERSHIP {
        "membership"
    } else {
        "date"
    }
}

/// An upcoming occasion for the shop's list.
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Upcoming {
    /// `YYYY-MM-DD`, the day it is celebrated.
    pub on: String,
    /// `birthday`, `membership` (the join date) or `date` (one the member set).
    pub kind: String,
    pub customer_id: String,
    pub member_code: String,
    /// The member's words for a `date`; the years of membership for `membership`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub label: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub years: Option<i64>,
}

/// `GET …/occasions`: the occasions of the coming days, soonest first.
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UpcomingList {
    pub occasions: Vec<Upcoming>,
    /// Whether more fell in the window than the list holds (1,000).
    pub truncated: bool,
}

/// The list as CSV (RFC 4180: a header row, fields quoted where they need it).
pub fn csv(list: &UpcomingList) -> String {
    fn field(s: &str) -> String {
        if s.contains([',', '"', '\n', '\r']) || s.starts_with(['=', '+', '-', '@']) {
            // Quoted, and a leading formula character defused for spreadsheets.
            let s = if s.starts_with(['=', '+', '-', '@']) {
                format!("'{s}")
            } else {
                s.to_owned()
            };
            format!("\"{}\"", s.replace('"', "\"\""))
        } else {
            s.to_owned()
        }
    }
    let mut out = String::from("on,kind,customer_id,member_code,label,years\r\n");
    for o in &list.occasions {
        let years = o.years.map(|y| y.to_string()).unwrap_or_default();
        let row = [
            o.on.as_str(),
            o.kind.as_str(),
            o.customer_id.as_str(),
            o.member_code.as_str(),
            o.label.as_deref().unwrap_or_default(),
            years.as_str(),
        ]
        .map(field)
        .join(",");
        out.push_str(&row);
        out.push_str("\r\n");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_members_date_needs_a_label_and_a_real_day() {
        assert_eq!(
            check_date(" Our wedding ", "06-12"),
            Ok(MemberDate {
                label: "Our wedding".into(),
                month: 6,
                day: 12
            })
        );
        assert!(check_date("Leap", "02-29").is_ok());
        let fields = |r: Result<MemberDate, Vec<FieldError>>| -> Vec<String> {
            r.unwrap_err().into_iter().map(|e| e.field).collect()
        };
        assert_eq!(fields(check_date(" ", "02-30")), ["label", "date"]);
        assert_eq!(fields(check_date(&"x".repeat(41), "12-01")), ["label"]);
    }

    #[test]
    fn the_csv_quotes_what_needs_it_and_defuses_formulas() {
        let list = UpcomingList {
            occasions: vec![
                Upcoming {
                    on: "2026-12-14".into(),
                    kind: "date".into(),
                    customer_id: "c1".into(),
                    member_code: "M-ABCD-EFGH".into(),
                    label: Some("Anna, \"our\" day".into()),
                    years: None,
                },
                Upcoming {
                    on: "2026-12-15".into(),
                    kind: "date".into(),
                    customer_id: "c2".into(),
                    member_code: "M-ABCD-EFGJ".into(),
                    label: Some("=HYPERLINK(1)".into()),
                    years: None,
                },
                Upcoming {
                    on: "2026-12-16".into(),
                    kind: "membership".into(),
                    customer_id: "c3".into(),
                    member_code: "M-ABCD-EFGK".into(),
                    label: None,
                    years: Some(3),
                },
            ],
            truncated: false,
        };
        assert_eq!(
            csv(&list),
            "on,kind,customer_id,member_code,label,years\r\n\
             2026-12-14,date,c1,M-ABCD-EFGH,\"Anna, \"\"our\"\" day\",\r\n\
             2026-12-15,date,c2,M-ABCD-EFGJ,\"'=HYPERLINK(1)\",\r\n\
             2026-12-16,membership,c3,M-ABCD-EFGK,,3\r\n"
        );
    }
}
