# Verify a Punchcard webhook (Python 3.7+): the raw body, the Punchcard-Signature header, your
# endpoint's secret (whsec_…). Reject old timestamps (replays) and compare in constant time.
import hashlib
import hmac
import sys
import time


def punchcard_webhook_valid(secret, header, raw_body, tolerance_seconds=300):
    parts = dict(p.split("=", 1) for p in header.split(",") if "=" in p)
    try:
        t = int(parts.get("t", ""))
    except ValueError:
        return False
    if abs(time.time() - t) > tolerance_seconds:
        return False
    expected = hmac.new(secret.encode(), f"{parts['t']}.{raw_body}".encode(), hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, parts.get("v1", ""))


# python3 webhook.py SECRET SIGNATURE_HEADER < body  →  prints valid or invalid
if __name__ == "__main__":
    body = sys.stdin.read()
    print("valid" if punchcard_webhook_valid(sys.argv[1], sys.argv[2], body) else "invalid")
