//! Feedback answers in the ledger object: one row per answer (`feedback`, unique per member and
//! question) and the NPS counts per month (`nps_months`), both written in the answering command's
//! transaction, so the report reads at most 12 small rows and one page of answers whatever the
//! shop's size. Erasure takes a member's answers out of both.

use super::storage::Result;
use super::store::int;
use serde::Deserialize;
use shared::api::{FeedbackAnswer, FeedbackMonth, FeedbackReport};
use shared::feedback::{month_of, nps, Answer, Group};
use shared::time::Timestamp;
use worker::{SqlStorage, SqlStorageValue};

pub const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS feedback (
    customer_id TEXT NOT NULL, question INTEGER NOT NULL, at INTEGER NOT NULL,
    month TEXT NOT NULL, score INTEGER NOT NULL, comment TEXT,
    UNIQUE (customer_id, question));
CREATE TABLE IF NOT EXISTS nps_months (
    month TEXT PRIMARY KEY, promoters INTEGER NOT NULL, passives INTEGER NOT NULL,
    detractors INTEGER NOT NULL) WITHOUT ROWID;
";

/// Stores `customer`'s answer and counts it in its month.
pub fn save(sql: &SqlStorage, customer: &str, answer: &Answer) -> Result<()> {
    let month = month_of(answer.at);
    sql.exec(
        "INSERT INTO feedback (customer_id, question, at, month, score, comment)
         VALUES (?, ?, ?, ?, ?, ?)",
        vec![
            customer.into(),
            int(answer.question),
            int(answer.at),
            month.as_str().into(),
            int(answer.score),
            answer
                .comment
                .clone()
                .map_or(SqlStorageValue::Null, SqlStorageValue::String),
        ],
    )?;
    let group = Group::of(answer.score);
    let one = |g: Group| int(i64::from(group == g));
    sql.exec(
        "INSERT INTO nps_months (month, promoters, passives, detractors) VALUES (?, ?, ?, ?)
         ON CONFLICT(month) DO UPDATE SET promoters = promoters + excluded.promoters,
           passives = passives + excluded.passives, detractors = detractors + excluded.detractors",
        vec![
            month.into(),
            one(Group::Promoter),
            one(Group::Passive),
            one(Group::Detractor),
        ],
    )?;
    Ok(())
}

/// Removes `customer`'s answers and their counts.
pub fn erase(sql: &SqlStorage, customer: &str) -> Result<()> {
    sql.exec(
        "UPDATE nps_months SET promoters = promoters - s.p, passives = passives - s.a,
           detractors = detractors - s.d
         FROM (SELECT month, SUM(score >= 9) AS p, SUM(score BETWEEN 7 AND 8) AS a,
                 SUM(score <= 6) AS d
               FROM feedback WHERE customer_id = ? GROUP BY month) AS s
         WHERE nps_months.month = s.month",
        vec![customer.into()],
    )?;
    sql.exec(
        "DELETE FROM nps_months WHERE promoters + passives + detractors <= 0",
        None,
    )?;
    sql.exec(
        "DELETE FROM feedback WHERE customer_id = ?",
        vec![customer.into()],
    )?;
    Ok(())
}

/// `customer`'s answers, oldest first (for the export).
pub fn answers_of(sql: &SqlStorage, customer: &str) -> Result<Vec<FeedbackAnswer>> {
    let rows: Vec<AnswerRow> = sql
        .exec(
            "SELECT rowid AS id, customer_id, score, comment, at FROM feedback
             WHERE customer_id = ? ORDER BY at",
            vec![customer.into()],
        )?
        .to_array()?;
    Ok(rows.into_iter().map(AnswerRow::view).collect())
}

#[derive(Deserialize)]
struct MonthRow {
    month: String,
    promoters: i64,
    passives: i64,
    detractors: i64,
}

#[derive(Deserialize)]
struct AnswerRow {
    id: i64,
    customer_id: String,
    score: i64,
    comment: Option<String>,
    at: i64,
}

impl AnswerRow {
    fn view(self) -> FeedbackAnswer {
        FeedbackAnswer {
            customer_id: self.customer_id,
            score: self.score.clamp(0, 10) as u8,
            comment: self.comment,
            at: shared::time::rfc3339(self.at),
        }
    }
}

/// The first month (`YYYY-MM`) of the 12 that end with `now`'s.
fn first_month(now: Timestamp) -> String {
    let (year, month, _) = shared::time::civil_date(now);
    let index = year * 12 + i64::from(month) - 1 - 11;
    format!(
        "{:04}-{:02}",
        index.div_euclid(12),
        index.rem_euclid(12) + 1
    )
}

/// The report at `now`: the last 12 months' NPS and counts, and the answers older than
/// `before` (a rowid cursor), newest first, at most `limit`.
pub fn report(
    sql: &SqlStorage,
    now: Timestamp,
    before: Option<u64>,
    limit: usize,
) -> Result<FeedbackReport> {
    let months: Vec<MonthRow> = sql
        .exec(
            "SELECT month, promoters, passives, detractors FROM nps_months
             WHERE month >= ? ORDER BY month",
            vec![first_month(now).into()],
        )?
        .to_array()?;
    let (promoters, passives, detractors) = months.iter().fold((0, 0, 0), |(p, a, d), m| {
        (p + m.promoters, a + m.passives, d + m.detractors)
    });
    let mut answers: Vec<AnswerRow> = sql
        .exec(
            "SELECT rowid AS id, customer_id, score, comment, at FROM feedback
             WHERE rowid < ? ORDER BY rowid DESC LIMIT ?",
            vec![
                int(before.map_or(i64::MAX, |b| b.min(i64::MAX as u64) as i64)),
                int(limit + 1),
            ],
        )?
        .to_array()?;
    let next_before = (answers.len() > limit).then(|| {
        answers.truncate(limit);
        answers.last().map_or(0, |a| a.id.max(0) as u64)
    });
    Ok(FeedbackReport {
        nps: nps(promoters, passives, detractors),
        promoters,
        passives,
        detractors,
        months: months
            .into_iter()
            .filter_map(|m| {
                Some(FeedbackMonth {
                    nps: nps(m.promoters, m.passives, m.detractors)?,
                    answers: m.promoters + m.passives + m.detractors,
                    month: m.month,
                })
            })
            .collect(),
        answers: answers.into_iter().map(AnswerRow::view).collect(),
        next_before,
    })
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_trend_starts_eleven_months_back() {
        let at = |s: &str| shared::time::parse_rfc3339(s).unwrap();
        assert_eq!(super::first_month(at("2026-12-02T00:00:00Z")), "2026-01");
        assert_eq!(super::first_month(at("2027-01-31T00:00:00Z")), "2026-02");
        assert_eq!(super::first_month(at("2026-11-15T00:00:00Z")), "2025-12");
    }
}
