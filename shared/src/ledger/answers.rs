//! The member's answer to the card's feedback question: closes it, stores the answer as a row
//! and credits the program's points for answering, once per question.

use super::{Account, Entry, LedgerError, Outcome};
use crate::feedback::Answer;
use crate::program::Program;
use crate::time::Timestamp;

impl Account {
    pub(super) fn answer_feedback(
        &mut self,
        program: &Program,
        at: Timestamp,
        question: u32,
        score: u8,
        comment: &Option<String>,
    ) -> Result<Outcome, LedgerError> {
        let (score, comment) = crate::feedback::check_answer(i64::from(score), comment.as_deref())
            .map_err(|_| LedgerError::Invalid {
                field: "score",
                rule: "a score of 0 to 10 and a comment of at most 500 characters",
            })?;
        match self.feedback.question(at) {
            Some((open, _)) if open == question => {}
            _ => return Err(LedgerError::NoOpenQuestion),
        }
        let points = program.feedback.as_ref().map_or(0, |f| f.points.max(0));
        self.ensure_room(points)?;
        self.feedback.open = false;
        self.changes.feedback = Some(Answer {
            question,
            at,
            score,
            comment,
        });
        if points > 0 {
            self.credit_unchecked(at, points, program);
            self.record(Entry {
                at,
                kind: "feedback".into(),
                points,
                stamps: 0,
                order_id: None,
                note: "Thank you for your feedback".into(),
            });
        }
        Ok(Outcome {
            points,
            ..Outcome::default()
        })
    }
}
