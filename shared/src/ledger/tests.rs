//! Unit tests of every mechanic, then property tests of the ledger's invariants.

use super::*;
use crate::program::{Business, Program, Rebate, StampPer};
use crate::time::DAY;

const T0: Timestamp = 1_767_225_600; // 2026-01-01

fn program() -> Program {
    Program::demo_bakery()
}

fn ctx(now: Timestamp) -> Context {
    Context {
        now,
        entropy: [7; 32],
    }
}

fn open(p: &Program) -> Book {
    Book::open("c1", p, &ctx(T0))
}

fn ev(id: &str, at: Timestamp, kind: EventKind) -> Event {
    Event {
        id: id.into(),
        at,
        kind,
    }
}

fn paid(id: &str, at: Timestamp, amount: i64) -> Event {
    ev(
        &format!("paid-{id}"),
        at,
        EventKind::OrderPaid {
            order_id: id.into(),
            amount_minor: amount,
            currency: "EUR".into(),
            items: vec![],
        },
    )
}

fn refund(id: &str, n: u32, at: Timestamp, amount: i64) -> Event {
    ev(
        &format!("refund-{id}-{n}"),
        at,
        EventKind::OrderRefunded {
            order_id: id.into(),
            amount_minor: amount,
        },
    )
}

fn apply(a: &mut Book, p: &Program, e: &Event) -> Outcome {
    a.apply(p, e, &ctx(e.at))
        .unwrap_or_else(|err| panic!("{e:?}: {err}"))
}

fn history_sum(a: &Book) -> i64 {
    a.entries.iter().map(|e| e.points).sum()
}

// ---- occasions ----

#[test]
fn anniversaries_give_once_a_year_and_members_set_at_most_three_dates() {
    let mut p = program();
    p.anniversary = Some(crate::occasions::Occasion {
        points: 300,
        reward_id: None,
    });
    p.special_dates = Some(crate::occasions::Occasion {
        points: 0,
        reward_id: Some("5-off".into()),
    });
    let mut a = open(&p);
    let anniversary = |id: &str, at, slot| ev(id, at, EventKind::Anniversary { slot });
    let add = |id: &str, label: &str, month, day| {
        ev(
            id,
            T0,
            EventKind::AddDate {
                label: label.into(),
                month,
                day,
            },
        )
    };
    // The join date in the year of joining is no anniversary; a year later it is, once.
    assert_eq!(apply(&mut a, &p, &anniversary("m0", T0 + DAY, 0)).points, 0);
    let year = 365 * DAY;
    assert_eq!(
        apply(&mut a, &p, &anniversary("m1", T0 + year, 0)).points,
        300
    );
    assert_eq!(a.entries.last().unwrap().note, "One year with us");
    assert_eq!(
        apply(&mut a, &p, &anniversary("m1b", T0 + year + DAY, 0)).points,
        0
    );
    assert_eq!(
        apply(&mut a, &p, &anniversary("m2", T0 + 2 * year, 0)).points,
        300
    );
    assert_eq!(a.entries.last().unwrap().note, "2 years with us");
    // Dates: three at most (the same one again changes nothing), each giving its coupon yearly.
    apply(&mut a, &p, &add("d1", "Our wedding", 6, 12));
    apply(&mut a, &p, &add("d1b", "Our wedding", 6, 12));
    apply(&mut a, &p, &add("d2", "Leap day", 2, 29));
    apply(&mut a, &p, &add("d3", "Shop's birthday", 9, 1));
    assert_eq!(a.account.dates.len(), 3);
    assert_eq!(
        a.apply(&p, &add("d4", "One more", 1, 1), &ctx(T0)),
        Err(LedgerError::TooManyDates)
    );
    assert!(a.apply(&p, &add("d5", " ", 2, 30), &ctx(T0)).is_err());
    let wedding = apply(&mut a, &p, &anniversary("w1", T0 + 162 * DAY, 1));
    assert_eq!(wedding.coupons_issued.len(), 1);
    assert_eq!(wedding.coupons_issued[0].reward_id, "5-off");
    assert_eq!(a.entries.last().unwrap().note, "Our wedding");
    assert!(apply(&mut a, &p, &anniversary("w1b", T0 + 163 * DAY, 1))
        .coupons_issued
        .is_empty());
    assert_eq!(
        apply(&mut a, &p, &anniversary("w2", T0 + 162 * DAY + year, 1))
            .coupons_issued
            .len(),
        1
    );
    // A slot without a date gives nothing.
    assert_eq!(
        apply(&mut a, &p, &anniversary("x", T0, 3))
            .coupons_issued
            .len(),
        1
    );
    assert!(apply(&mut a, &p, &anniversary("y", T0 + DAY, 4))
        .coupons_issued
        .is_empty());
    assert_eq!(
        crate::occasions::of(&a.account),
        [(0, 1, 1), (1, 6, 12), (2, 2, 29), (3, 9, 1)]
    );
}

// ---- feedback ----

#[test]
fn every_second_order_asks_once_and_answering_pays_once() {
    let mut p = program();
    p.feedback = Some(crate::feedback::Feedback {
        every_nth_order: 2,
        points: 50,
    });
    let mut a = open(&p);
    let answer = |id: &str, at, question, score| {
        ev(
            id,
            at,
            EventKind::Feedback {
                question,
                score,
                comment: Some("Lovely croissants".into()),
            },
        )
    };
    apply(&mut a, &p, &paid("o1", T0 + DAY, 1_000));
    assert_eq!(a.account.feedback.question(T0 + DAY), None);
    assert_eq!(
        a.apply(&p, &answer("f0", T0 + DAY, 1, 9), &ctx(T0 + DAY)),
        Err(LedgerError::NoOpenQuestion),
        "nothing asked yet"
    );
    apply(&mut a, &p, &paid("o2", T0 + 2 * DAY, 1_000));
    let (question, _) = a.account.feedback.question(T0 + 2 * DAY).expect("asked");
    assert_eq!(question, 1);
    let before = a.account.spendable(T0 + 3 * DAY);
    assert_eq!(
        a.apply(&p, &answer("f1", T0 + 3 * DAY, 2, 9), &ctx(T0 + 3 * DAY)),
        Err(LedgerError::NoOpenQuestion),
        "another question's number"
    );
    let outcome = apply(&mut a, &p, &answer("f2", T0 + 3 * DAY, 1, 9));
    assert_eq!(outcome.points, 50);
    assert_eq!(a.account.spendable(T0 + 3 * DAY), before + 50);
    assert_eq!(a.entries.last().unwrap().kind, "feedback");
    assert_eq!(a.answers.len(), 1);
    assert_eq!(a.answers[0].score, 9);
    assert_eq!(a.answers[0].comment.as_deref(), Some("Lovely croissants"));
    // The same answer again is a replay; a second answer to the question is refused.
    assert_eq!(
        apply(&mut a, &p, &answer("f2", T0 + 3 * DAY, 1, 9)).points,
        50
    );
    assert_eq!(a.answers.len(), 1);
    assert_eq!(
        a.apply(&p, &answer("f3", T0 + 4 * DAY, 1, 3), &ctx(T0 + 4 * DAY)),
        Err(LedgerError::NoOpenQuestion)
    );
    // Two more orders within 30 days of the question ask nothing; after them the next opens.
    apply(&mut a, &p, &paid("o3", T0 + 5 * DAY, 1_000));
    apply(&mut a, &p, &paid("o4", T0 + 6 * DAY, 1_000));
    assert_eq!(a.account.feedback.question(T0 + 6 * DAY), None);
    apply(&mut a, &p, &paid("o5", T0 + 40 * DAY, 1_000));
    assert_eq!(
        a.account.feedback.question(T0 + 40 * DAY).map(|(q, _)| q),
        Some(2)
    );
    // An unanswered question closes after 30 days.
    assert_eq!(
        a.apply(&p, &answer("f4", T0 + 71 * DAY, 2, 10), &ctx(T0 + 71 * DAY)),
        Err(LedgerError::NoOpenQuestion)
    );
}

// ---- joining ----

#[test]
fn opening_gives_welcome_points_prefilled_stamps_and_a_valid_member_code() {
    let p = program();
    let a = open(&p);
    assert_eq!(a.balance(), 100);
    assert_eq!(a.stamps.filled, 2);
    assert_eq!(a.tier.as_deref(), Some("member"));
    assert_eq!(
        crate::code::normalize("M", &a.member_code).as_deref(),
        Some(a.member_code.as_str())
    );
    assert_eq!(history_sum(&a), 100);
}

// ---- points per spend ----

#[test]
fn points_per_unit_round_down_and_tier_multiplier_applies() {
    let mut p = program();
    p.earn = crate::program::Earn {
        points_per_unit: 2,
        unit_minor: 1000,
    };
    let mut a = open(&p);
    let o = apply(&mut a, &p, &paid("1", T0, 2999)); // 2 units × 2 points
    assert_eq!(o.points, 4);
    a.tier = Some("gold".into()); // ×1.25
    let o = apply(&mut a, &p, &paid("2", T0 + 1, 7000)); // 7 × 2 = 14 → 17.5 → 17
    assert_eq!(o.points, 17);
}

#[test]
fn an_order_in_another_currency_or_twice_is_refused_and_changes_nothing() {
    let p = program();
    let mut a = open(&p);
    apply(&mut a, &p, &paid("1", T0, 1000));
    let before = a.clone();
    let usd = ev(
        "x",
        T0,
        EventKind::OrderPaid {
            order_id: "2".into(),
            amount_minor: 100,
            currency: "USD".into(),
            items: vec![],
        },
    );
    assert!(matches!(
        a.apply(&p, &usd, &ctx(T0)),
        Err(LedgerError::CurrencyMismatch { .. })
    ));
    let again = paid("1", T0, 1000);
    let again = Event {
        id: "other-id".into(),
        ..again
    };
    assert_eq!(
        a.apply(&p, &again, &ctx(T0)),
        Err(LedgerError::DuplicateOrder("1".into()))
    );
    for bad in [0, -5, MAX_AMOUNT + 1] {
        assert!(matches!(
            a.apply(&p, &paid("9", T0, bad), &ctx(T0)),
            Err(LedgerError::Invalid { .. })
        ));
    }
    assert_eq!(a, before);
}

// ---- stamps ----

#[test]
fn a_full_stamp_card_issues_its_coupon_and_starts_empty() {
    let p = program(); // goal 10, 2 prefilled, min order 3.00
    let mut a = open(&p);
    for i in 0..7 {
        apply(&mut a, &p, &paid(&i.to_string(), T0 + i, 500));
    }
    assert_eq!(a.stamps.filled, 9);
    apply(&mut a, &p, &paid("small", T0 + 10, 299)); // below min_order_minor: no stamp
    assert_eq!(a.stamps.filled, 9);
    let o = apply(&mut a, &p, &paid("tenth", T0 + 11, 300));
    assert_eq!(o.coupons_issued.len(), 1);
    assert_eq!(o.coupons_issued[0].reward_id, "free-cake");
    assert_eq!(o.coupons_issued[0].sku.as_deref(), Some("CAKE"));
    assert_eq!((a.stamps.filled, a.stamps.completed), (0, 1));
    // The second card starts empty: pre-filled stamps were for the first card only.
    for i in 0..9 {
        apply(&mut a, &p, &paid(&format!("b{i}"), T0 + 20 + i, 500));
    }
    assert_eq!(a.stamps.filled, 9);
}

#[test]
fn stamps_per_item_count_only_that_sku() {
    let mut p = program();
    let card = p.stamps.as_mut().unwrap();
    card.per = StampPer::Item;
    card.sku = Some("COFFEE".into());
    card.prefilled = 0;
    let mut a = open(&p);
    let order = ev(
        "o",
        T0,
        EventKind::OrderPaid {
            order_id: "1".into(),
            amount_minor: 1200,
            currency: "EUR".into(),
            items: vec![
                Item {
                    sku: "COFFEE".into(),
                    quantity: 12,
                },
                Item {
                    sku: "CAKE".into(),
                    quantity: 5,
                },
            ],
        },
    );
    let o = apply(&mut a, &p, &order);
    assert_eq!(o.stamps, 12);
    assert_eq!(
        (a.stamps.filled, a.stamps.completed, o.coupons_issued.len()),
        (2, 1, 1)
    );
}

#[test]
fn in_store_stamps_need_a_sane_count() {
    let p = program();
    let mut a = open(&p);
    assert!(matches!(
        a.apply(
            &p,
            &ev("s", T0, EventKind::AddStamps { count: 0 }),
            &ctx(T0)
        ),
        Err(LedgerError::Invalid { .. })
    ));
    let o = apply(&mut a, &p, &ev("s", T0, EventKind::AddStamps { count: 8 }));
    assert_eq!(
        (o.stamps, o.coupons_issued.len(), a.stamps.filled),
        (8, 1, 0)
    );
}

// ---- tiers ----

#[test]
fn tiers_upgrade_at_once_and_downgrade_only_at_reevaluation() {
    let p = program(); // gold at 500.00 in 365 days
    let mut a = open(&p);
    let o = apply(&mut a, &p, &paid("big", T0, 60_000));
    assert_eq!(
        o.tier_changed,
        Some(TierChange {
            from: Some("member".into()),
            to: Some("gold".into())
        })
    );
    // 300 days later the spend is still in the window; 200 days after that it is not, but the
    // tier holds until a whole window has passed since the upgrade.
    apply(&mut a, &p, &paid("s1", T0 + 300 * DAY, 500));
    assert_eq!(a.tier.as_deref(), Some("gold"));
    apply(&mut a, &p, &paid("s2", T0 + 364 * DAY, 500));
    assert_eq!(a.tier.as_deref(), Some("gold"));
    apply(&mut a, &p, &paid("s3", T0 + 366 * DAY, 500));
    assert_eq!(a.tier.as_deref(), Some("member"));
}

#[test]
fn the_qualifying_order_earns_at_the_old_rate_and_the_card_shows_what_remains() {
    let p = program();
    let mut a = open(&p);
    let o = apply(&mut a, &p, &paid("1", T0, 50_000));
    assert_eq!(o.points, 500); // earned as Member (×1), then upgraded
    let card = crate::card::card("s", &a, &[], &p, T0);
    let tier = card.tier.unwrap();
    assert_eq!(tier.id, "gold");
    assert_eq!(tier.next.unwrap().remaining_minor, 100_000);
}

// ---- welcome, birthday, referral ----

#[test]
fn birthday_points_once_per_calendar_year() {
    let p = program();
    let mut a = open(&p);
    assert_eq!(
        apply(&mut a, &p, &ev("b1", T0 + DAY, EventKind::Birthday)).points,
        200
    );
    assert_eq!(
        apply(&mut a, &p, &ev("b2", T0 + 2 * DAY, EventKind::Birthday)).points,
        0
    );
    assert_eq!(
        apply(&mut a, &p, &ev("b3", T0 + 366 * DAY, EventKind::Birthday)).points,
        200
    );
}

#[test]
fn referral_pays_both_sides_on_the_first_paid_order_only() {
    let p = program();
    let mut friend = Book::open("friend", &p, &ctx(T0));
    assert_eq!(
        friend.apply(
            &p,
            &ev(
                "r0",
                T0,
                EventKind::Referred {
                    referrer: "friend".into()
                }
            ),
            &ctx(T0)
        ),
        Err(LedgerError::SelfReferral)
    );
    apply(
        &mut friend,
        &p,
        &ev(
            "r",
            T0,
            EventKind::Referred {
                referrer: "anna".into(),
            },
        ),
    );
    let o = apply(&mut friend, &p, &paid("1", T0, 1000));
    assert_eq!(o.points, 10 + 250);
    let [Effect::Apply { customer, event }] = o.effects.as_slice() else {
        panic!("{o:?}")
    };
    assert_eq!(customer, "anna");
    let mut anna = Book::open("anna", &p, &ctx(T0));
    assert_eq!(apply(&mut anna, &p, event).points, 500);
    // Replaying the effect (a retry) credits nothing more.
    assert!(apply(&mut anna, &p, event).replayed);
    assert_eq!(anna.balance(), 600);
    // The second order pays no referral.
    assert!(apply(&mut friend, &p, &paid("2", T0 + 1, 1000))
        .effects
        .is_empty());
    assert_eq!(
        friend.apply(
            &p,
            &ev(
                "r2",
                T0,
                EventKind::Referred {
                    referrer: "bob".into()
                }
            ),
            &ctx(T0)
        ),
        Err(LedgerError::ReferralClosed)
    );
}

#[test]
fn refunding_the_first_order_takes_back_both_referral_bonuses() {
    let p = program();
    let mut friend = Book::open("friend", &p, &ctx(T0));
    let mut anna = Book::open("anna", &p, &ctx(T0));
    apply(
        &mut friend,
        &p,
        &ev(
            "r",
            T0,
            EventKind::Referred {
                referrer: "anna".into(),
            },
        ),
    );
    let o = apply(&mut friend, &p, &paid("1", T0, 1000));
    let Effect::Apply { event, .. } = &o.effects[0];
    apply(&mut anna, &p, event);
    let o = apply(&mut friend, &p, &refund("1", 1, T0 + 1, 1000));
    assert_eq!(o.points, -260);
    let Effect::Apply { event, .. } = &o.effects[0];
    assert_eq!(apply(&mut anna, &p, event).points, -500);
    assert_eq!((friend.balance(), anna.balance()), (100, 100));
}

// ---- certificates ----

#[test]
fn spend_threshold_certificate_once_per_window() {
    let p = program(); // spend 200.00 within 182 days → 25.00
    let mut a = open(&p);
    assert!(apply(&mut a, &p, &paid("1", T0, 15_000))
        .coupons_issued
        .iter()
        .all(|c| c.reward_id != "certificate"));
    let o = apply(&mut a, &p, &paid("2", T0 + 100 * DAY, 5_000));
    let cert: Vec<_> = o
        .coupons_issued
        .iter()
        .filter(|c| c.reward_id == "certificate")
        .collect();
    assert_eq!(cert.len(), 1);
    assert_eq!(cert[0].value_minor, Some(2_500));
    // Within the same window, more spending earns no second certificate.
    let o = apply(&mut a, &p, &paid("3", T0 + 150 * DAY, 30_000));
    assert!(o
        .coupons_issued
        .iter()
        .all(|c| c.reward_id != "certificate"));
    // A window after the first certificate, it can be earned again.
    let o = apply(&mut a, &p, &paid("4", T0 + 283 * DAY, 20_000));
    assert!(o
        .coupons_issued
        .iter()
        .any(|c| c.reward_id == "certificate"));
}

// ---- rewards and coupons ----

#[test]
fn redemption_never_overdraws_and_issues_a_checkable_coupon() {
    let p = program();
    let mut a = open(&p); // 100
    apply(&mut a, &p, &paid("1", T0, 40_000)); // +400 → 500
    let o = apply(
        &mut a,
        &p,
        &ev(
            "r1",
            T0,
            EventKind::Redeem {
                reward_id: "5-off".into(),
            },
        ),
    );
    assert_eq!(o.points, -500);
    let coupon = &o.coupons_issued[0];
    assert_eq!(
        crate::code::normalize("PC", &coupon.code).as_deref(),
        Some(coupon.code.as_str())
    );
    assert_eq!(coupon.expires_at, T0 + 90 * DAY);
    assert_eq!(
        a.apply(
            &p,
            &ev(
                "r2",
                T0,
                EventKind::Redeem {
                    reward_id: "ship".into()
                }
            ),
            &ctx(T0)
        ),
        Err(LedgerError::InsufficientPoints {
            needed: 300,
            available: 0
        })
    );
    assert_eq!(
        a.apply(
            &p,
            &ev(
                "r3",
                T0,
                EventKind::Redeem {
                    reward_id: "free-cake".into()
                }
            ),
            &ctx(T0)
        ),
        Err(LedgerError::NotRedeemable("free-cake".into()))
    );
    assert_eq!(a.balance(), 0);
}

#[test]
fn coupons_are_consumed_once_per_order() {
    let p = program();
    let mut a = open(&p);
    apply(&mut a, &p, &paid("1", T0, 40_000));
    let code = apply(
        &mut a,
        &p,
        &ev(
            "r",
            T0,
            EventKind::Redeem {
                reward_id: "5-off".into(),
            },
        ),
    )
    .coupons_issued[0]
        .code
        .clone();
    let consume = |order: &str, id: &str| {
        ev(
            id,
            T0 + DAY,
            EventKind::ConsumeCoupon {
                code: code.to_lowercase(),
                order_id: order.into(),
            },
        )
    };
    assert_eq!(
        apply(&mut a, &p, &consume("2001", "c1")).coupons_consumed,
        std::slice::from_ref(&code)
    );
    assert!(apply(&mut a, &p, &consume("2001", "c2"))
        .coupons_consumed
        .is_empty()); // same order: fine
    assert_eq!(
        a.apply(&p, &consume("2002", "c3"), &ctx(T0 + DAY)),
        Err(LedgerError::CouponConsumed)
    );
}

#[test]
fn expired_coupons_cannot_be_consumed() {
    let p = program();
    let mut a = open(&p);
    apply(&mut a, &p, &paid("1", T0, 40_000));
    let code = apply(
        &mut a,
        &p,
        &ev(
            "r",
            T0,
            EventKind::Redeem {
                reward_id: "5-off".into(),
            },
        ),
    )
    .coupons_issued[0]
        .code
        .clone();
    let late = ev(
        "c",
        T0 + 91 * DAY,
        EventKind::ConsumeCoupon {
            code,
            order_id: "9".into(),
        },
    );
    assert_eq!(
        a.apply(&p, &late, &ctx(T0 + 91 * DAY)),
        Err(LedgerError::CouponExpired)
    );
}

#[test]
fn manual_debits_cannot_overdraw() {
    let p = program();
    let mut a = open(&p);
    let debit = ev(
        "d",
        T0,
        EventKind::Adjust {
            points: -101,
            reason: "typo".into(),
        },
    );
    assert_eq!(
        a.apply(&p, &debit, &ctx(T0)),
        Err(LedgerError::InsufficientPoints {
            needed: 101,
            available: 100
        })
    );
    let blank = ev(
        "d2",
        T0,
        EventKind::Adjust {
            points: 5,
            reason: "  ".into(),
        },
    );
    assert!(matches!(
        a.apply(&p, &blank, &ctx(T0)),
        Err(LedgerError::Invalid {
            field: "reason",
            ..
        })
    ));
    apply(
        &mut a,
        &p,
        &ev(
            "d3",
            T0,
            EventKind::Adjust {
                points: -100,
                reason: "correction".into(),
            },
        ),
    );
    assert_eq!(a.balance(), 0);
}

// ---- batches: pending and expiry ----

#[test]
fn pending_points_wait_and_old_points_expire_oldest_first() {
    let mut p = program();
    p.welcome_points = None;
    p.pending_days = Some(14);
    p.expiry_days = Some(365);
    let mut a = open(&p);
    apply(&mut a, &p, &paid("1", T0, 30_000)); // 300, spendable from T0+14d
    assert_eq!((a.spendable(T0), a.pending(T0)), (0, 300));
    let redeem = ev(
        "r",
        T0 + 13 * DAY,
        EventKind::Redeem {
            reward_id: "ship".into(),
        },
    );
    assert!(matches!(
        a.apply(&p, &redeem, &ctx(T0 + 13 * DAY)),
        Err(LedgerError::InsufficientPoints { .. })
    ));
    apply(&mut a, &p, &paid("2", T0 + 100 * DAY, 20_000)); // 200 more
                                                           // Spend 300: the oldest batch (order 1) goes first.
    apply(
        &mut a,
        &p,
        &ev(
            "r2",
            T0 + 120 * DAY,
            EventKind::Redeem {
                reward_id: "ship".into(),
            },
        ),
    );
    assert_eq!(a.batches.len(), 1);
    assert_eq!(a.batches[0].earned_at, T0 + 100 * DAY, "order 2's batch");
    // Order 2's batch expires 365 days after it was earned.
    a.settle(&p, T0 + 465 * DAY);
    assert_eq!(a.balance(), 0);
    assert_eq!(a.entries.last().unwrap().kind, "expire");
    assert_eq!(history_sum(&a), 0);
}

#[test]
fn spending_takes_the_batch_expiring_first_even_when_it_was_earned_later() {
    let mut p = program();
    p.welcome_points = None;
    p.expiry_days = Some(365);
    let mut a = open(&p);
    apply(&mut a, &p, &paid("1", T0, 30_000)); // 300, expiring at T0 + 365 d
    p.expiry_days = Some(30); // the shop shortens the expiry
    apply(&mut a, &p, &paid("2", T0 + 10 * DAY, 30_000)); // 300, expiring at T0 + 40 d
    let redeem = |id: &str, at| {
        ev(
            id,
            at,
            EventKind::Redeem {
                reward_id: "ship".into(),
            },
        )
    };
    apply(&mut a, &p, &redeem("r1", T0 + 11 * DAY)); // 300 from order 2's batch
    assert_eq!(a.batches.len(), 1);
    assert_eq!(a.batches[0].earned_at, T0, "order 1's batch is left");
    // A refund of order 2 finds its own batch spent: it takes back order 1's points instead.
    apply(&mut a, &p, &refund("2", 1, T0 + 12 * DAY, 30_000));
    assert_eq!((a.balance(), a.debt), (0, 0));
    assert_eq!(history_sum(&a), 0);
}

// ---- refunds ----

#[test]
fn a_full_refund_with_nothing_spent_restores_the_account() {
    let p = program();
    let mut a = open(&p);
    apply(&mut a, &p, &paid("0", T0, 10_000));
    let before = a.clone();
    apply(&mut a, &p, &paid("1", T0 + 1, 60_000)); // points, stamp, gold, certificate
    assert_eq!(a.tier.as_deref(), Some("gold"));
    let o = apply(&mut a, &p, &refund("1", 1, T0 + 2, 60_000));
    assert_eq!(o.tier_changed.unwrap().to.as_deref(), Some("member"));
    assert_eq!(o.coupons_voided.len(), 1); // the certificate
    assert_eq!(a.balance(), before.balance());
    assert_eq!(a.stamps, before.stamps);
    assert_eq!(a.tier, before.tier);
    assert_eq!(a.certificates_issued, before.certificates_issued);
    assert_eq!(
        a.spend_in_window(None, T0 + 2),
        before.spend_in_window(None, T0 + 2)
    );
}

#[test]
fn partial_refunds_take_back_in_proportion_and_add_up_exactly() {
    let p = program();
    let mut a = open(&p);
    apply(&mut a, &p, &paid("1", T0, 10_000)); // 100 points
    let first = apply(&mut a, &p, &refund("1", 1, T0 + 1, 3_333));
    assert_eq!(first.points, -33); // floor(100 × 3333 / 10000): rounded in the member's favour
    assert_eq!(first.stamps, 0);
    assert_eq!(
        apply(&mut a, &p, &refund("1", 2, T0 + 2, 3_333)).points,
        -33
    );
    let last = apply(&mut a, &p, &refund("1", 3, T0 + 3, 3_334));
    assert_eq!(last.points, -34);
    assert_eq!(
        a.balance(),
        100,
        "the three parts take back exactly the 100 points"
    );
    assert_eq!(
        last.stamps, -1,
        "the stamp goes with the part that completes the refund"
    );
    assert_eq!(
        a.apply(&p, &refund("1", 4, T0 + 4, 1), &ctx(T0 + 4)),
        Err(LedgerError::RefundExceedsOrder)
    );
}

#[test]
fn refunding_spent_points_leaves_a_bounded_debt_that_earnings_pay_first() {
    let mut p = program();
    p.welcome_points = None;
    let mut a = open(&p);
    apply(&mut a, &p, &paid("1", T0, 50_000)); // 500
    apply(
        &mut a,
        &p,
        &ev(
            "r",
            T0,
            EventKind::Redeem {
                reward_id: "5-off".into(),
            },
        ),
    );
    apply(&mut a, &p, &refund("1", 1, T0 + 1, 50_000));
    assert_eq!(
        a.balance(),
        -500,
        "negative down to the reversed amount, no further"
    );
    assert_eq!(a.debt, 500);
    apply(&mut a, &p, &paid("2", T0 + 2, 30_000)); // 300 pays debt first
    assert_eq!(
        (a.balance(), a.debt, a.spendable(T0 + 2)),
        (-200, 200, -200)
    );
    assert_eq!(history_sum(&a), a.balance());
}

#[test]
fn refund_voids_the_unused_stamp_coupon_of_that_order_and_reopens_the_card() {
    let p = program();
    let mut a = open(&p);
    for i in 0..7 {
        apply(&mut a, &p, &paid(&i.to_string(), T0 + i, 500));
    }
    let o = apply(&mut a, &p, &paid("tenth", T0 + 10, 500));
    let code = o.coupons_issued[0].code.clone();
    let o = apply(&mut a, &p, &refund("tenth", 1, T0 + 11, 500));
    assert_eq!(o.coupons_voided, [code]);
    assert_eq!((a.stamps.filled, a.stamps.completed), (9, 0));
}

#[test]
fn refunds_use_what_the_order_earned_not_todays_rules() {
    let mut p = program();
    let mut a = open(&p);
    apply(&mut a, &p, &paid("1", T0, 10_000)); // 100 points at 1 per 1.00
    p.earn.points_per_unit = 5; // the shop changes the rules
    assert_eq!(
        apply(&mut a, &p, &refund("1", 1, T0 + 1, 10_000)).points,
        -100
    );
}

#[test]
fn business_members_earn_volume_rebates() {
    let mut p = program();
    p.business = Some(Business {
        rebates: vec![
            Rebate {
                yearly_volume_minor: 0,
                cashback_bp: 100,
            },
            Rebate {
                yearly_volume_minor: 1_000_000,
                cashback_bp: 300,
            },
        ],
    });
    let mut a = open(&p);
    assert_eq!(
        apply(&mut a, &p, &paid("0", T0, 10_000)).cashback_minor,
        0,
        "not a business member yet"
    );
    apply(
        &mut a,
        &p,
        &ev("b", T0, EventKind::SetBusiness { business: true }),
    );
    assert_eq!(
        apply(&mut a, &p, &paid("1", T0 + 1, 500_000)).cashback_minor,
        5_000
    );
    assert_eq!(
        apply(&mut a, &p, &paid("2", T0 + 2, 600_000)).cashback_minor,
        18_000
    );
    assert_eq!(
        apply(&mut a, &p, &refund("2", 1, T0 + 3, 300_000)).cashback_minor,
        -9_000
    );
    assert_eq!(a.cashback_minor, 14_000);
}

// ---- idempotency ----

#[test]
fn the_same_event_twice_returns_the_first_outcome_and_changes_nothing() {
    let p = program();
    let mut a = open(&p);
    let e = paid("1", T0, 1000);
    let first = apply(&mut a, &p, &e);
    let after = a.clone();
    let again = a.apply(&p, &e, &ctx(T0 + 10 * 365 * DAY)).unwrap();
    assert!(again.replayed);
    assert_eq!(
        Outcome {
            replayed: false,
            ..again
        },
        first
    );
    assert_eq!(
        a, after,
        "even much later: no expiry or re-evaluation on a replay"
    );
    let changed = Event { at: T0 + 5, ..e };
    assert_eq!(
        a.apply(&p, &changed, &ctx(T0 + 5)),
        Err(LedgerError::IdempotencyConflict)
    );
}

mod properties {
    use super::*;
    use proptest::prelude::*;

    fn arb_kind() -> impl Strategy<Value = EventKind> {
        let order = 0u8..6;
        prop_oneof![
            4 => (order.clone(), 1i64..200_000).prop_map(|(o, amount_minor)| EventKind::OrderPaid {
                order_id: format!("o{o}"),
                amount_minor,
                currency: "EUR".into(),
                items: vec![Item { sku: "CAKE".into(), quantity: 1 }],
            }),
            2 => (order, 1i64..200_000).prop_map(|(o, amount_minor)| EventKind::OrderRefunded { order_id: format!("o{o}"), amount_minor }),
            1 => prop_oneof![Just("5-off"), Just("ship"), Just("free-cake"), Just("nope")]
                .prop_map(|r| EventKind::Redeem { reward_id: r.into() }),
            1 => (-800i64..800).prop_map(|points| EventKind::Adjust { points, reason: "p".into() }),
            1 => Just(EventKind::Birthday),
            1 => (0u32..12).prop_map(|count| EventKind::AddStamps { count }),
            1 => any::<i64>().prop_map(|amount_minor| EventKind::OrderPaid {
                order_id: "huge".into(),
                amount_minor,
                currency: "EUR".into(),
                items: vec![],
            }),
        ]
    }

    fn arb_events() -> impl Strategy<Value = Vec<Event>> {
        prop::collection::vec((arb_kind(), 0i64..30 * DAY), 0..40).prop_map(|kinds| {
            let mut at = T0;
            kinds
                .into_iter()
                .enumerate()
                .map(|(i, (kind, gap))| {
                    at += gap;
                    Event {
                        id: format!("e{i}"),
                        at,
                        kind,
                    }
                })
                .collect()
        })
    }

    fn run(p: &Program, events: &[Event]) -> (Book, Vec<Result<Outcome, LedgerError>>) {
        let mut a = Book::open("c1", p, &ctx(T0));
        let results = events.iter().map(|e| a.apply(p, e, &ctx(e.at))).collect();
        (a, results)
    }

    fn with_batches() -> Program {
        let mut p = program();
        p.pending_days = Some(3);
        p.expiry_days = Some(60);
        p
    }

    /// An entry's visible content (the first ledger had no `order_id`).
    fn line(at: Timestamp, kind: &str, points: i64, stamps: i64, note: &str) -> String {
        format!("{at} {kind} {points} {stamps} {note}")
    }

    /// The first ledger's account as the current one: through the migration of its document.
    fn migrated(old: &super::super::reference::Account) -> Book {
        let json = serde_json::to_string(old).unwrap();
        let legacy: legacy::LegacyAccount = serde_json::from_str(&json).unwrap();
        let (account, rows) = legacy.convert();
        let mut book = Book::from_account(account);
        book.absorb(rows);
        book
    }

    proptest! {
        /// The bounded account with its rows gives the same outcomes, entries and cards as the
        /// first one-document ledger, and a migrated first-ledger account the same cards again.
        #[test]
        fn the_split_ledger_matches_the_first_one(events in arb_events()) {
            use super::super::reference;
            let p = with_batches();
            let mut old = reference::Account::open("c1", &p, &ctx(T0));
            let mut new = Book::open("c1", &p, &ctx(T0));
            for e in &events {
                let o1 = old.apply(&p, e, &ctx(e.at));
                let o2 = new.apply(&p, e, &ctx(e.at));
                match (&o1, &o2) {
                    (Ok(a), Ok(b)) => prop_assert_eq!(serde_json::to_value(a).unwrap(), serde_json::to_value(b).unwrap()),
                    (Err(a), Err(b)) => prop_assert_eq!(a.to_string(), b.to_string()),
                    _ => prop_assert!(false, "{:?} vs {:?}", o1, o2),
                }
                let lines_old: Vec<String> = old.history.iter().map(|x| line(x.at, &x.kind, x.points, x.stamps, &x.note)).collect();
                let lines_new: Vec<String> = new.entries.iter().map(|x| line(x.at, &x.kind, x.points, x.stamps, &x.note)).collect();
                prop_assert_eq!(lines_old, lines_new);
                let card = |b: &Book| crate::card::card("s", b, &b.recent(50), &p, e.at);
                let from_old = migrated(&old);
                prop_assert_eq!(card(&new), card(&from_old));
                prop_assert_eq!(new.balance(), from_old.balance());
                prop_assert_eq!(new.spendable(e.at + 400 * DAY), from_old.spendable(e.at + 400 * DAY));
            }
        }

        /// What the store writes compactly reads back as it was: every outcome and order record.
        #[test]
        fn stored_outcomes_and_orders_read_back_unchanged(events in arb_events()) {
            let (book, results) = run(&with_batches(), &events);
            for outcome in results.iter().flatten() {
                let text = crate::compact::to_string(outcome).unwrap();
                prop_assert_eq!(&crate::compact::from_str::<Outcome>(&text).unwrap(), outcome);
            }
            for record in book.orders.values() {
                let text = crate::compact::to_string(record).unwrap();
                prop_assert_eq!(&crate::compact::from_str::<OrderRecord>(&text).unwrap(), record);
            }
        }

        #[test]
        fn balance_is_the_sum_of_the_ledger(events in arb_events()) {
            let p = with_batches();
            let (a, _) = run(&p, &events);
            prop_assert_eq!(a.balance(), history_sum(&a));
        }

        #[test]
        fn spendable_never_negative_except_by_refund_debt(events in arb_events()) {
            let p = with_batches();
            let mut a = Book::open("c1", &p, &ctx(T0));
            for e in &events {
                let _ = a.apply(&p, e, &ctx(e.at));
                prop_assert!(a.batches.iter().all(|b| b.remaining > 0));
                prop_assert!(a.debt >= 0);
                // A negative balance is never more than the debt refunds created.
                prop_assert!(a.balance() >= -a.debt);
            }
        }

        #[test]
        fn replaying_any_sequence_changes_nothing(events in arb_events()) {
            let p = with_batches();
            let (mut a, first) = run(&p, &events);
            let settled = a.clone();
            for (e, r) in events.iter().zip(&first) {
                let again = a.apply(&p, e, &ctx(e.at + 400 * DAY));
                match (r, again) {
                    (Ok(o1), Ok(o2)) => prop_assert_eq!(Outcome { replayed: false, ..o2 }, o1.clone()),
                    (Err(_), _) => {} // failed events were not recorded: a retry is a new attempt
                    (Ok(_), Err(e)) => prop_assert!(false, "replay failed: {e}"),
                }
            }
            let failed = first.iter().any(Result::is_err);
            if !failed {
                prop_assert_eq!(a, settled);
            }
        }

        #[test]
        fn failed_events_change_nothing(events in arb_events()) {
            let p = with_batches();
            let mut a = Book::open("c1", &p, &ctx(T0));
            for e in &events {
                a.settle(&p, e.at);
                let before = a.clone();
                if a.apply(&p, e, &ctx(e.at)).is_err() {
                    prop_assert_eq!(&a, &before);
                }
            }
        }

        #[test]
        fn pay_then_full_refund_restores_the_state(events in arb_events(), amount in 1i64..500_000, cakes in 0u32..30) {
            let p = program();
            let (mut a, _) = run(&p, &events);
            let at = events.last().map_or(T0, |e| e.at) + 1;
            a.settle(&p, at);
            let before = a.clone();
            let pay = Event { id: "pay".into(), at, kind: EventKind::OrderPaid {
                order_id: "target".into(), amount_minor: amount, currency: "EUR".into(),
                items: vec![Item { sku: "CAKE".into(), quantity: cakes }] } };
            a.apply(&p, &pay, &ctx(at)).unwrap();
            a.apply(&p, &refund("target", 1, at, amount), &ctx(at)).unwrap();
            prop_assert_eq!(a.balance(), before.balance());
            prop_assert_eq!(a.spendable(at), before.spendable(at));
            prop_assert_eq!(a.debt, before.debt);
            prop_assert_eq!(a.stamps, before.stamps);
            prop_assert_eq!(&a.tier, &before.tier);
            prop_assert_eq!(&a.certificates_issued, &before.certificates_issued);
            prop_assert_eq!(a.tier_spend(&p, at), before.tier_spend(&p, at));
            prop_assert_eq!(a.cashback_minor, before.cashback_minor);
            let active = |x: &Book| x.coupons.iter().filter(|c| c.status == CouponStatus::Active).count();
            prop_assert_eq!(active(&a), active(&before));
        }

        #[test]
        fn no_input_panics(amount in any::<i64>(), points in any::<i64>(), count in any::<u32>(), qty in any::<u32>()) {
            let p = program();
            let mut a = Book::open("c1", &p, &ctx(T0));
            let kinds = [
                EventKind::OrderPaid { order_id: "1".into(), amount_minor: amount, currency: "EUR".into(),
                    items: vec![Item { sku: "CAKE".into(), quantity: qty }, Item { sku: "CAKE".into(), quantity: qty }] },
                EventKind::OrderRefunded { order_id: "1".into(), amount_minor: amount },
                EventKind::Adjust { points, reason: "r".into() },
                EventKind::AddStamps { count },
                EventKind::ReferralBonus { referee: "x".into(), order_id: "1".into(), amount_minor: amount },
                EventKind::ReferralRefund { referee: "x".into(), order_id: "1".into(), refunded_minor: amount, amount_minor: points },
            ];
            for (i, kind) in kinds.into_iter().enumerate() {
                let _ = a.apply(&p, &Event { id: i.to_string(), at: T0, kind }, &ctx(T0));
            }
            prop_assert_eq!(a.balance(), history_sum(&a));
        }
    }
}

/// Applies `orders` orders `gap` seconds apart (with refunds and redemptions among them) and
/// returns the serialized account's size every 1,000 orders.
fn account_sizes(orders: i64, gap: i64) -> Vec<usize> {
    let p = program();
    let mut a = open(&p);
    let mut sizes = Vec::new();
    for i in 0..orders {
        let at = T0 + i * gap;
        apply(&mut a, &p, &paid(&i.to_string(), at, 1_000 + i % 7));
        if i % 10 == 3 {
            apply(&mut a, &p, &refund(&(i - 1).to_string(), 1, at, 500));
        }
        if i % 50 == 49 {
            let redeem = EventKind::Redeem {
                reward_id: "5-off".into(),
            };
            let _ = a.apply(&p, &ev(&format!("r{i}"), at, redeem), &ctx(at));
        }
        if i % 1_000 == 999 {
            sizes.push(serde_json::to_string(&a.account).unwrap().len());
        }
    }
    assert_eq!(a.entries.len() as u64, a.totals.entries);
    assert!(a.account.coupons.len() <= MAX_LIVE_COUPONS);
    sizes
}

#[test]
fn the_account_holds_days_not_orders() {
    // 200 orders a day for 100 days: 20,000 orders, yet the account holds 100 days at most —
    // one point batch and one spend bucket a day, the newest 100 live coupons.
    let busy = account_sizes(20_000, 432);
    let settled = &busy[5..];
    let (min, max) = (settled.iter().min().unwrap(), settled.iter().max().unwrap());
    assert!(*max < 40_000, "{busy:?}");
    assert!(max - min < max / 3, "grows with orders: {busy:?}");
    // An order an hour for 833 days: bounded by the windows (365 days of batches and spend).
    let regular = account_sizes(20_000, 3_600);
    assert!(regular.iter().all(|s| *s < 100_000), "{regular:?}");
}

/// A member document exactly as the first storage version wrote it (the whole account in one
/// JSON value), built by the frozen first ledger: `tests/fixtures/v1-account.json`, which the
/// worker's migration test stores and reads back. `PUNCHCARD_WRITE_FIXTURES=1` rewrites it.
#[test]
fn the_v1_fixture_is_what_the_first_ledger_writes() {
    use super::reference;
    let p = program();
    let mut old = reference::Account::open("legacy-1", &p, &ctx(T0));
    let events = [
        paid("v1-a", T0 + DAY, 52_000),
        paid("v1-b", T0 + 2 * DAY, 2_350),
        ev(
            "v1-bday",
            T0 + 3 * DAY,
            EventKind::SetBirthday { month: 6, day: 1 },
        ),
        ev(
            "v1-r",
            T0 + 4 * DAY,
            EventKind::Redeem {
                reward_id: "5-off".into(),
            },
        ),
        refund("v1-b", 1, T0 + 5 * DAY, 1_000),
        ev("v1-s", T0 + 6 * DAY, EventKind::AddStamps { count: 3 }),
    ];
    for e in &events {
        old.apply(&p, e, &ctx(e.at)).unwrap();
    }
    let json = serde_json::to_string_pretty(&old).unwrap() + "\n";
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../tests/fixtures/v1-account.json"
    );
    if std::env::var_os("PUNCHCARD_WRITE_FIXTURES").is_some() {
        std::fs::write(path, &json).unwrap();
    }
    let stored = std::fs::read_to_string(path).unwrap();
    assert_eq!(stored, json, "the fixture is what the first ledger writes");
    // And it migrates to the account the current ledger reaches with the same events.
    let legacy: legacy::LegacyAccount = serde_json::from_str(&stored).unwrap();
    let (account, rows) = legacy.convert();
    let mut migrated = Book::from_account(account);
    migrated.absorb(rows);
    let mut current = Book::open("legacy-1", &p, &ctx(T0));
    for e in &events {
        current.apply(&p, e, &ctx(e.at)).unwrap();
    }
    let now = T0 + 7 * DAY;
    let card = |b: &Book| crate::card::card("s", b, &b.recent(50), &p, now);
    assert_eq!(card(&migrated), card(&current));
    assert_eq!(migrated.orders, current.orders);
    assert_eq!(migrated.coupons, current.coupons);
    assert_eq!(migrated.totals, current.totals);
}

mod campaigns {
    use super::*;
    use crate::campaigns::{Audience, Campaign, Effect};
    use proptest::prelude::*;

    fn rfc(t: Timestamp) -> String {
        crate::time::rfc3339(t)
    }

    /// The demo program with one campaign from day `from` to day `to` after T0.
    fn with(audience: Audience, effect: Effect, from: i64, to: i64) -> Program {
        let mut p = program();
        p.campaigns.push(Campaign {
            id: "c1".into(),
            name: "Double points week".into(),
            starts_at: rfc(T0 + from * DAY),
            ends_at: rfc(T0 + to * DAY),
            audience,
            effect,
        });
        assert_eq!(p.validate(), Ok(()));
        p
    }

    fn double() -> Effect {
        Effect::Multiplier { pct: 200 }
    }

    fn paid_items(id: &str, at: Timestamp, amount: i64, sku: &str, quantity: u32) -> Event {
        ev(
            &format!("paid-{id}"),
            at,
            EventKind::OrderPaid {
                order_id: id.into(),
                amount_minor: amount,
                currency: "EUR".into(),
                items: vec![Item {
                    sku: sku.into(),
                    quantity,
                }],
            },
        )
    }

    #[test]
    fn a_campaign_gives_only_to_orders_placed_while_it_runs_even_when_reported_late() {
        let p = with(Audience::Everyone, double(), 10, 20);
        let mut a = open(&p);
        assert_eq!(
            apply(&mut a, &p, &paid("o1", T0 + 5 * DAY, 5_000)).points,
            50
        );
        assert_eq!(
            apply(&mut a, &p, &paid("o2", T0 + 15 * DAY, 5_000)).points,
            100
        );
        assert_eq!(
            apply(&mut a, &p, &paid("o3", T0 + 25 * DAY, 5_000)).points,
            50
        );
        // Placed during the campaign, reported after it ended: the order's time decides.
        let late = paid("o4", T0 + 19 * DAY, 5_000);
        assert_eq!(a.apply(&p, &late, &ctx(T0 + 30 * DAY)).unwrap().points, 100);
        let campaign: Vec<_> = a.entries.iter().filter(|e| e.kind == "campaign").collect();
        assert_eq!(campaign.len(), 2);
        assert_eq!(campaign[0].note, "Double points week");
        assert_eq!(campaign[0].order_id.as_deref(), Some("o2"));
        assert_eq!(a.balance(), history_sum(&a));
    }

    #[test]
    fn a_refund_after_the_campaign_ended_takes_back_exactly_what_it_gave() {
        let p = with(Audience::Everyone, double(), 0, 10);
        let mut a = open(&p);
        let before = a.balance();
        assert_eq!(apply(&mut a, &p, &paid("o1", T0 + DAY, 10_000)).points, 200);
        // Half now, the rest later: both long after the campaign.
        assert_eq!(
            apply(&mut a, &p, &refund("o1", 1, T0 + 40 * DAY, 5_000)).points,
            -100
        );
        assert_eq!(
            apply(&mut a, &p, &refund("o1", 2, T0 + 50 * DAY, 5_000)).points,
            -100
        );
        assert_eq!(a.balance(), before);
        assert_eq!(a.balance(), history_sum(&a));
    }

    #[test]
    fn the_audience_is_the_member_as_they_were_when_the_order_was_placed() {
        let gold = Audience::Tiers {
            tiers: vec!["gold".into()],
        };
        let p = with(gold, Effect::BonusPoints { points: 30 }, 0, 100);
        let mut a = open(&p);
        // The order that lifts the member into gold was placed as a plain member: no bonus.
        let lifting = apply(&mut a, &p, &paid("o1", T0 + DAY, 60_000));
        assert_eq!(lifting.points, 600);
        assert_eq!(a.tier.as_deref(), Some("gold"));
        // The next one is a gold member's (1.25 × 10 points, and the bonus).
        assert_eq!(
            apply(&mut a, &p, &paid("o2", T0 + 2 * DAY, 1_000)).points,
            12 + 30
        );
    }

    #[test]
    fn a_first_order_bonus_is_given_once_per_campaign() {
        let p = with(
            Audience::Everyone,
            Effect::FirstOrderBonus { points: 70 },
            0,
            30,
        );
        let mut a = open(&p);
        assert_eq!(
            apply(&mut a, &p, &paid("o1", T0 + DAY, 1_000)).points,
            10 + 70
        );
        assert_eq!(
            apply(&mut a, &p, &paid("o2", T0 + 2 * DAY, 1_000)).points,
            10
        );
        assert_eq!(a.campaign_orders.get("c1"), Some(&(T0 + DAY)));
    }

    #[test]
    fn points_per_item_count_the_items_of_that_sku() {
        let per_cake = Effect::PointsPerItem {
            sku: "CAKE".into(),
            points: 15,
        };
        let p = with(Audience::Everyone, per_cake, 0, 30);
        let mut a = open(&p);
        let o = apply(&mut a, &p, &paid_items("o1", T0 + DAY, 1_000, "CAKE", 3));
        assert_eq!(o.points, 10 + 45);
        let o = apply(&mut a, &p, &paid_items("o2", T0 + DAY, 1_000, "BREAD", 3));
        assert_eq!(o.points, 10);
    }

    #[test]
    fn buy_one_get_one_issues_the_coupon_and_a_full_refund_voids_it() {
        let bogo = Effect::Coupon {
            sku: "CAKE".into(),
            min_quantity: 1,
            reward_id: "free-cake".into(),
        };
        let p = with(Audience::Everyone, bogo, 0, 30);
        let mut a = open(&p);
        let o = apply(&mut a, &p, &paid_items("o1", T0 + DAY, 400, "BREAD", 1));
        assert!(o.coupons_issued.is_empty());
        let o = apply(&mut a, &p, &paid_items("o2", T0 + DAY, 400, "CAKE", 1));
        assert_eq!(o.coupons_issued.len(), 1);
        let code = o.coupons_issued[0].code.clone();
        assert_eq!(o.coupons_issued[0].reward_id, "free-cake");
        assert_eq!(
            a.orders.get("o2").unwrap().campaign_coupons,
            vec![code.clone()]
        );
        // A partial refund keeps it; the full one voids it.
        let partial = apply(&mut a, &p, &refund("o2", 1, T0 + 2 * DAY, 100));
        assert!(!partial.coupons_voided.contains(&code));
        let full = apply(&mut a, &p, &refund("o2", 2, T0 + 2 * DAY, 300));
        assert!(full.coupons_voided.contains(&code), "{full:?}");
    }

    #[test]
    fn inactive_and_bought_sku_audiences() {
        let sleepers = Audience::Inactive { days: 60 };
        let p = with(sleepers, Effect::BonusPoints { points: 100 }, 0, 300);
        let mut a = open(&p);
        assert_eq!(
            apply(&mut a, &p, &paid("o1", T0 + 61 * DAY, 1_000)).points,
            110,
            "60 days since joining"
        );
        assert_eq!(
            apply(&mut a, &p, &paid("o2", T0 + 62 * DAY, 1_000)).points,
            10,
            "ordered yesterday"
        );
        assert_eq!(
            apply(&mut a, &p, &paid("o3", T0 + 130 * DAY, 1_000)).points,
            110
        );

        let cake_lovers = Audience::BoughtSku { sku: "CAKE".into() };
        let p = with(cake_lovers, Effect::BonusPoints { points: 5 }, 0, 30);
        let mut a = open(&p);
        assert_eq!(
            apply(&mut a, &p, &paid_items("o1", T0 + DAY, 1_000, "CAKE", 1)).points,
            10,
            "bought before, not now"
        );
        assert_eq!(apply(&mut a, &p, &paid("o2", T0 + DAY, 1_000)).points, 15);
    }

    #[test]
    fn the_account_remembers_a_bounded_number_of_skus() {
        let p = with(Audience::Everyone, double(), 0, 1);
        let mut a = open(&p);
        for i in 0..120 {
            let sku = format!("SKU-{i}");
            apply(
                &mut a,
                &p,
                &paid_items(&format!("o{i}"), T0 + 2 * DAY, 500, &sku, 1),
            );
        }
        assert_eq!(a.skus.len(), MAX_SKUS);
        assert_eq!(a.skus.last().map(String::as_str), Some("SKU-119"));
    }

    #[test]
    fn campaigns_are_validated_by_field() {
        let mut p = with(Audience::Everyone, double(), 0, 10);
        p.campaigns[0].ends_at = p.campaigns[0].starts_at.clone();
        p.campaigns.push(Campaign {
            id: "c1".into(),
            name: " ".into(),
            starts_at: "soon".into(),
            ends_at: rfc(T0),
            audience: Audience::Tiers {
                tiers: vec!["diamond".into()],
            },
            effect: Effect::Coupon {
                sku: "CAKE".into(),
                min_quantity: 0,
                reward_id: "nope".into(),
            },
        });
        let fields: Vec<String> = p
            .validate()
            .unwrap_err()
            .into_iter()
            .map(|e| e.field)
            .collect();
        for field in [
            "campaigns[0].ends_at",
            "campaigns[1].id",
            "campaigns[1].name",
            "campaigns[1].starts_at",
            "campaigns[1].audience.tiers",
            "campaigns[1].effect.min_quantity",
            "campaigns[1].effect.reward_id",
        ] {
            assert!(fields.contains(&field.to_owned()), "{field} in {fields:?}");
        }
    }

    proptest! {
        /// With a campaign in the middle of the stream: the balance is the sum of the entries,
        /// and a fully refunded order's entries (earn, campaign, refunds) sum to zero.
        #[test]
        fn campaign_points_balance_and_full_refunds_take_all_back(
            kinds in prop::collection::vec((0u8..6, 1i64..50_000, any::<bool>(), 0i64..20), 1..30)
        ) {
            let p = with(Audience::Everyone, double(), 5, 15);
            let mut a = open(&p);
            let mut refunded = Vec::new();
            for (i, (order, amount, is_refund, day)) in kinds.into_iter().enumerate() {
                let at = T0 + day * DAY;
                let id = format!("o{order}");
                let event = if is_refund {
                    let left = a.orders.get(&id).map(|r| r.amount_minor - r.refunded_minor);
                    match left {
                        Some(left) if left > 0 => {
                            refunded.push(id.clone());
                            refund(&id, i as u32, at + 30 * DAY, left)
                        }
                        _ => continue,
                    }
                } else {
                    // An order id already paid is refused (and changes nothing).
                    paid(&id, at, amount)
                };
                let _ = a.apply(&p, &event, &ctx(event.at));
                prop_assert_eq!(a.balance(), history_sum(&a));
            }
            for id in refunded {
                let sum: i64 = a.entries.iter().filter(|e| e.order_id.as_deref() == Some(id.as_str())).map(|e| e.points).sum();
                prop_assert_eq!(sum, 0, "order {}", id);
            }
        }
    }
}
