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
