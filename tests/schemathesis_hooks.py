"""schemathesis hooks for Punchcard (loaded by tests/tests/schemathesis.rs).

The OpenAPI document states every rule a JSON Schema can: types, lengths, patterns, ranges, enums,
required fields, the requirements each event type adds. Some rules no schema can state: they
relate two fields (tiers ascending, ids unique, the stamp card's reward in the catalog), depend on
the clock (an event's time within the last ten years and not ahead) or on what the shop already
holds (the order being refunded, the reward being redeemed, the program's currency). The server
answers those 422 with the field named and a message saying which rule.

`positive_data_acceptance` cannot know them, so it would report a schema-valid request refused for
such a rule as a failure. This hook drops exactly those failures: a 422 whose every field error is
one of the rules listed here, and a 413 for a body over the documented 64 KiB. Any other refusal
of a schema-valid request still fails the run.
"""

import json
import re
from datetime import datetime, timedelta, timezone

import schemathesis
from schemathesis.openapi.checks import RejectedPositiveData

# (field, message) of the rules no schema states; `field` is matched after stripping list
# indexes and the batch's `events[i].` prefix.
RULES_BEYOND_THE_SCHEMA = [
    # Between fields of a program.
    ("tiers.id", r"duplicate tier id"),
    ("tiers.threshold_minor", r"tiers must be in strictly ascending order of threshold"),
    ("rewards.id", r"duplicate reward id"),
    ("stamps.reward_id", r"must name a reward of the catalog"),
    ("stamps.prefilled", r"must be less than the goal"),
    ("pending_days", r"must be shorter than expiry_days"),
    ("theme.brand_color", r"must contrast at least 4\.5:1 with white .*"),
    ("business.rebates.yearly_volume_minor", r"bands must be in strictly ascending order"),
    ("campaigns.id", r"duplicate campaign id"),
    ("campaigns.ends_at", r"must be after starts_at"),
    ("campaigns.ends_at", r"must be at most 366 days after starts_at"),
    ("news.id", r"duplicate news id"),
    ("news.ends_at", r"must be after starts_at"),
    ("news.ends_at", r"must be at most 366 days after starts_at"),
    ("news.audience.tiers", r"must name tiers of the program"),
    ("news.texts.locale", r"duplicate locale"),
    ("news.public", r"only news for everyone can be public"),
    ("news", r"at most 16000 characters of text in all"),
    ("anniversary.reward_id", r"must name a reward of the catalog"),
    ("special_dates.reward_id", r"must name a reward of the catalog"),
    ("campaigns.audience.tiers", r"must name tiers of the program"),
    ("campaigns.effect.reward_id", r"must name a reward of the catalog"),
    # Relative to the clock.
    ("occurred_at", r"must not be in the future"),
    ("occurred_at", r"must be within the last ten years"),
    # What the shop and the member already hold.
    ("currency", r"the order's currency \w+ is not the program's \w+"),
    ("order_id", r"no paid order '.*' for this member"),
    ("amount_minor", r"refunds would exceed the order amount"),
    ("amount_minor", r"arithmetic overflow"),
    ("referrer_id", r"a member cannot refer themselves"),
    ("referrer_id", r"no member has this member code"),
    ("reward_id", r"no reward '.*' in the catalog"),
    ("reward_id", r"reward '.*' is not redeemable for points"),
    ("count", r"must be used with a program that has a stamp card"),
    ("items", r"must be at most 10000 stamped items per order"),
]


def _rule_beyond_the_schema(error: dict) -> bool:
    field = re.sub(r"\[\d+\]", "", str(error.get("field", "")))
    field = re.sub(r"^events\.", "", field)
    message = str(error.get("message", ""))
    return any(field == f and re.fullmatch(m, message) for f, m in RULES_BEYOND_THE_SCHEMA)


@schemathesis.hook
def filter_failure(context, failure, case, response):
    if not isinstance(failure, RejectedPositiveData):
        return True
    if response.status_code == 413:
        # The 64 KiB body limit (documented as each operation's 413) binds whatever the schema
        # allows: 500 schema-valid events can weigh more.
        return False
    if response.status_code != 422:
        return True
    try:
        problem = json.loads(response.content)
    except ValueError:
        return True
    errors = problem.get("errors") or []
    keep = not errors or not all(_rule_beyond_the_schema(e) for e in errors)
    return keep


# Programs: schemathesis draws programs field by field, so most break a rule between fields and
# the server refuses them (forgiven above), leaving little of PUT /program tested. For positive
# cases only, the hook below mends exactly those rules — nothing a schema states — so most drawn
# programs are ones the server must accept. Negative cases are left as drawn.
PROGRAM = "PUT /v1/shops/{shop}/program"


def _luminance(hex_colour):
    def channel(c):
        c = c / 255
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (int(hex_colour[i : i + 2], 16) for i in (1, 3, 5))
    return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b)


def _ascending(items, key, step):
    """Items sorted by `key`, with `key` made strictly ascending from 0."""
    def number(v):
        return isinstance(v, (int, float)) and not isinstance(v, bool)

    if not isinstance(items, list) or not all(isinstance(i, dict) and number(i.get(key)) for i in items):
        return
    items.sort(key=lambda i: i[key])
    for n, item in enumerate(items):
        item[key] = n * step


def _unique_ids(items, prefix):
    if not isinstance(items, list):
        return
    seen = set()
    for n, item in enumerate(items):
        if isinstance(item, dict) and item.get("id") in seen:
            item["id"] = f"{prefix}{n}"
        if isinstance(item, dict):
            seen.add(item.get("id"))


def _mend_campaigns(p):
    """Campaigns that run a month, reach tiers the program has, give rewards it has."""
    campaigns = p.get("campaigns")
    if not isinstance(campaigns, list):
        return
    _unique_ids(campaigns, "campaign-")
    tiers = [t["id"] for t in p.get("tiers") or [] if isinstance(t, dict) and "id" in t]
    rewards = [r["id"] for r in p.get("rewards") or [] if isinstance(r, dict) and "id" in r]
    for c in campaigns:
        if not isinstance(c, dict):
            continue
        c["starts_at"], c["ends_at"] = "2026-01-01T00:00:00Z", "2026-02-01T00:00:00Z"
        audience = c.get("audience")
        if isinstance(audience, dict) and audience.get("kind") == "tiers":
            c["audience"] = {"kind": "tiers", "tiers": tiers[:1]} if tiers else {"kind": "everyone"}
        effect = c.get("effect")
        if isinstance(effect, dict) and effect.get("kind") == "coupon":
            if rewards:
                effect["reward_id"] = rewards[0]
            else:
                c["effect"] = {"kind": "multiplier", "pct": 200}


def _mend_program(p):
    _unique_ids(p.get("tiers"), "tier-")
    _ascending(p.get("tiers"), "threshold_minor", 1000)
    _unique_ids(p.get("rewards"), "reward-")
    business = p.get("business")
    if isinstance(business, dict):
        _ascending(business.get("rebates"), "yearly_volume_minor", 1000)
    stamps = p.get("stamps")
    if isinstance(stamps, dict):
        rewards = [r["id"] for r in p.get("rewards") or [] if isinstance(r, dict) and "id" in r]
        if rewards:
            stamps["reward_id"] = rewards[0]
        else:
            p["stamps"] = None
        goal, prefilled = stamps.get("goal"), stamps.get("prefilled")
        if isinstance(goal, (int, float)) and isinstance(prefilled, (int, float)) and prefilled >= goal:
            stamps["prefilled"] = int(goal) - 1
    pending, expiry = p.get("pending_days"), p.get("expiry_days")
    if isinstance(pending, (int, float)) and isinstance(expiry, (int, float)) and pending >= expiry:
        p["pending_days"] = int(expiry) - 1
    _mend_campaigns(p)
    theme = p.get("theme")
    if isinstance(theme, dict) and re.fullmatch(r"#[0-9A-Fa-f]{6}", str(theme.get("brand_color"))):
        # WCAG contrast against white of at least 4.5:1, as the server computes it.
        if 1.05 / (_luminance(theme["brand_color"]) + 0.05) < 4.6:
            theme["brand_color"] = "#7a3e00"


# Events: the test shop's program is in EUR, and an event's time must lie within the last ten
# years; positive events are moved into that frame (other state rules stay forgiven above).
EVENTS = ("POST /v1/shops/{shop}/events", "POST /v1/shops/{shop}/events/batch")


def _mend_event(event):
    if not isinstance(event, dict):
        return
    if isinstance(event.get("currency"), str):
        event["currency"] = "EUR"
    at = event.get("occurred_at")
    if isinstance(at, str):
        now = datetime.now(timezone.utc)
        try:
            inside = now - timedelta(days=3000) < datetime.fromisoformat(at) < now
        except ValueError:
            inside = False
        if not inside:
            event["occurred_at"] = (now - timedelta(days=1)).strftime("%Y-%m-%dT%H:%M:%SZ")


@schemathesis.hook
def map_case(context, case):
    meta = getattr(case, "meta", None)
    positive = meta is not None and meta.generation.mode.is_positive
    if not positive or not isinstance(case.body, dict):
        return case
    label = context.operation.label
    if label == PROGRAM:
        _mend_program(case.body)
    elif label == EVENTS[0]:
        _mend_event(case.body)
    elif label == EVENTS[1] and isinstance(case.body.get("events"), list):
        for event in case.body["events"]:
            _mend_event(event)
    return case
