//! Occasions in the ledger: a member adds the dates they want celebrated, and on the day of an
//! occasion (the daily run says so) the program's points or coupon are given once that year.

use super::{Account, Context, Entry, LedgerError, Outcome};
use crate::occasions::{check_date, MemberDate, MAX_DATES, MEMBERSHIP};
use crate::program::Program;
use crate::time::{year_of, Timestamp};

impl Account {
    pub(super) fn add_date(
        &mut self,
        label: &str,
        month: u8,
        day: u8,
    ) -> Result<Outcome, LedgerError> {
        let date: MemberDate =
            check_date(label, &format!("{month:02}-{day:02}")).map_err(|_| {
                LedgerError::Invalid {
                    field: "date",
                    rule: "a label of 1 to 40 characters and a real month and day, MM-DD",
                }
            })?;
        if self.dates.contains(&date) {
            return Ok(Outcome::default());
        }
        if self.dates.len() >= MAX_DATES {
            return Err(LedgerError::TooManyDates);
        }
        self.dates.push(date);
        Ok(Outcome::default())
    }

    /// Celebrates occasion `slot` at `at`: once per calendar year, the membership anniversary
    /// from the year after joining.
    pub(super) fn anniversary(
        &mut self,
        program: &Program,
        ctx: &Context,
        at: Timestamp,
        slot: u8,
    ) -> Result<Outcome, LedgerError> {
        let year = year_of(at);
        let (occasion, note) = if slot == MEMBERSHIP {
            let years = year - year_of(self.joined_at);
            if years < 1 {
                return Ok(Outcome::default());
            }
            let note = if years == 1 {
                "One year with us".to_owned()
            } else {
                format!("{years} years with us")
            };
            (program.anniversary.as_ref(), note)
        } else {
            let Some(date) = self.dates.get(usize::from(slot) - 1) else {
                return Ok(Outcome::default());
            };
            (program.special_dates.as_ref(), date.label.clone())
        };
        let Some(occasion) = occasion else {
            return Ok(Outcome::default());
        };
        if self.celebrated.get(&slot) == Some(&year) {
            return Ok(Outcome::default());
        }
        let points = occasion.points.max(0);
        self.ensure_room(points)?;
        let mut outcome = Outcome::default();
        if points > 0 {
            self.credit_unchecked(at, points, program);
            outcome.points = points;
        }
        if let Some(reward) = occasion
            .reward_id
            .as_deref()
            .and_then(|r| program.reward(r))
        {
            let coupon = self.reward_coupon(program, ctx, at, reward, None);
            outcome.coupons_issued.push(coupon);
        }
        if points > 0 || !outcome.coupons_issued.is_empty() {
            self.record(Entry {
                at,
                kind: "anniversary".into(),
                points,
                stamps: 0,
                order_id: None,
                note,
            });
        }
        self.celebrated.insert(slot, year);
        Ok(outcome)
    }
}
