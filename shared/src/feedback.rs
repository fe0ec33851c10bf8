//! Feedback: "How likely are you to recommend us to a friend?" (0–10, the Net Promoter Score)
//! asked in the card after a member's every Nth paid order, at most once per 30 days, with an
//! optional comment and optional points for answering (once per question).
//!
//! Pure: the question opens as an order is applied and closes with the answer or after 30
//! days; the member row keeps only the open question and two counters, the answers are rows.

use crate::api::FieldError;
use crate::time::{Timestamp, DAY};
use serde::{Deserialize, Serialize};

/// How long a question stays open, and the least time between two questions.
pub const QUESTION_OPEN_SECONDS: Timestamp = 30 * DAY;
/// The longest comment.
pub const MAX_COMMENT_CHARS: usize = 500;

/// When the program asks for feedback, and what answering earns.
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Feedback {
    /// Ask after every Nth paid order of a member (1: after each), at most once per 30 days.
    #[cfg_attr(feature = "openapi", schemars(range(min = 1, max = 100)))]
    pub every_nth_order: u32,
    /// Points for answering, once per question (0: none).
    #[serde(default)]
    #[cfg_attr(
        feature = "openapi",
        schemars(range(min = 0, max = crate::program::MAX_PROGRAM_POINTS))
    )]
    pub points: i64,
}

/// A member's side of it: the open question (if any) and the counters that decide the next.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct FeedbackState {
    /// Paid orders since the last question.
    #[serde(default)]
    pub orders_since: u32,
    /// Questions asked so far; the open one's number.
    #[serde(default)]
    pub asked: u32,
    /// When the last question was asked.
    #[serde(default)]
    pub asked_at: Option<Timestamp>,
    /// Whether the last question is still waiting for its answer.
    #[serde(default)]
    pub open: bool,
}

impl FeedbackState {
    /// Counts a paid order at `at`; opens the next question when `rule` says it is time.
    pub fn after_order(&mut self, rule: Option<&Feedback>, at: Timestamp) {
        let Some(rule) = rule else {
            return;
        };
        self.orders_since = self.orders_since.saturating_add(1);
        let rested = self
            .asked_at
            .is_none_or(|asked| at - asked >= QUESTION_OPEN_SECONDS);
        if self.orders_since >= rule.every_nth_order && rested {
            self.asked = self.asked.saturating_add(1);
            self.asked_at = Some(at);
            self.open = true;
            self.orders_since = 0;
        }
    }

    /// The open question at `now`: its number and when it closes.
    pub fn question(&self, now: Timestamp) -> Option<(u32, Timestamp)> {
        let until = self.asked_at? + QUESTION_OPEN_SECONDS;
        (self.open && now < until).then_some((self.asked, until))
    }
}

/// One answer, as stored (a row of its own).
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Answer {
    /// The question's number for this member.
    pub question: u32,
    pub at: Timestamp,
    /// 0–10.
    pub score: u8,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
}

/// Where a score puts the member: promoter (9–10), passive (7–8) or detractor (0–6).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Group {
    Promoter,
    Passive,
    Detractor,
}

impl Group {
    pub fn of(score: u8) -> Group {
        match score {
            9.. => Group::Promoter,
            7 | 8 => Group::Passive,
            _ => Group::Detractor,
        }
    }
}

/// The Net Promoter Score of these counts: % promoters − % detractors, rounded half away from
/// zero (−100 to 100); none without answers.
pub fn nps(promoters: i64, passives: i64, detractors: i64) -> Option<i64> {
    let answers = promoters + passives + detractors;
    if answers <= 0 {
        return None;
    }
    let diff = (promoters - detractors) * 100;
    let half = answers / 2;
    Some(if diff >= 0 {
        (diff + half) / answers
    } else {
        -((-diff + half) / answers)
    })
}

/// The month (`YYYY-MM`) of `at`, the NPS trend's key.
pub fn month_of(at: Timestamp) -> String {
    let (year, month, _) = crate::time::civil_date(at);
    format!("{year:04}-{month:02}")
}

/// Field errors of `feedback` (`feedback.…`).
pub fn validate(feedback: &Feedback, errors: &mut Vec<FieldError>) {
    if !(1..=100).contains(&feedback.every_nth_order) {
        errors.push(FieldError {
            field: "feedback.every_nth_order".into(),
            message: "must be between 1 and 100".into(),
        });
    }
}

/// Checks an answer: a score of 0 to 10 and a comment of at most 500 characters (blank: none).
pub fn check_answer(
    score: i64,
    comment: Option<&str>,
) -> Result<(u8, Option<String>), Vec<FieldError>> {
    let mut errors = Vec::new();
    if !(0..=10).contains(&score) {
        errors.push(FieldError {
            field: "score".into(),
            message: "must be between 0 and 10".into(),
        });
    }
    let comment = comment.map(str::trim).filter(|c| !c.is_empty());
    if comment.is_some_and(|c| c.chars().count() > MAX_COMMENT_CHARS) {
        errors.push(FieldError {
            field: "comment".into(),
            message: "must be at most 500 characters".into(),
        });
    }
    if errors.is_empty() {
        Ok((score as u8, comment.map(str::to_owned)))
    } else {
        Err(errors)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const T0: Timestamp = 1_790_000_000;

    #[test]
    fn every_third_order_asks_but_never_twice_within_thirty_days() {
        let rule = Feedback {
            every_nth_order: 3,
            points: 50,
        };
        let mut s = FeedbackState::default();
        s.after_order(Some(&rule), T0);
        s.after_order(Some(&rule), T0 + DAY);
        assert_eq!(s.question(T0 + DAY), None);
        s.after_order(Some(&rule), T0 + 2 * DAY);
        assert_eq!(s.question(T0 + 2 * DAY), Some((1, T0 + 32 * DAY)));
        // Three more orders within 30 days ask nothing new.
        for d in 3..6 {
            s.after_order(Some(&rule), T0 + d * DAY);
        }
        assert_eq!(s.asked, 1);
        assert_eq!(s.question(T0 + 32 * DAY), None, "closed after 30 days");
        s.after_order(Some(&rule), T0 + 33 * DAY);
        assert_eq!(s.question(T0 + 33 * DAY), Some((2, T0 + 63 * DAY)));
        // Without the rule nothing is counted.
        let before = s;
        s.after_order(None, T0 + 90 * DAY);
        assert_eq!(s, before);
    }

    #[test]
    fn nps_is_promoters_minus_detractors_in_whole_percent() {
        assert_eq!(nps(0, 0, 0), None);
        assert_eq!(nps(10, 0, 0), Some(100));
        assert_eq!(nps(0, 0, 3), Some(-100));
        assert_eq!(nps(5, 3, 2), Some(30));
        assert_eq!(nps(1, 1, 1), Some(0));
        assert_eq!(nps(2, 0, 1), Some(33));
        assert_eq!(nps(1, 0, 2), Some(-33));
        assert_eq!(nps(1, 6, 0), Some(14));
        assert_eq!(
            [0, 6, 7, 8, 9, 10].map(Group::of),
            [
                Group::Detractor,
                Group::Detractor,
                Group::Passive,
                Group::Passive,
                Group::Promoter,
                Group::Promoter
            ]
        );
        assert_eq!(month_of(T0), "2026-09");
    }

    #[test]
    fn answers_are_checked_by_field() {
        assert_eq!(check_answer(10, Some("  ")), Ok((10, None)));
        assert_eq!(
            check_answer(0, Some(" Great bread ")),
            Ok((0, Some("Great bread".into())))
        );
        let fields = |r: Result<_, Vec<FieldError>>| -> Vec<String> {
            r.err().unwrap().into_iter().map(|e| e.field).collect()
        };
        assert_eq!(fields(check_answer(11, None)), ["score"]);
        assert_eq!(
            fields(check_answer(-1, Some(&"x".repeat(501)))),
            ["score", "comment"]
        );
    }
}
