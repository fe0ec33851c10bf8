# Punchcard customer token (Python 3). Print it into the widget's data-customer-token.
import hashlib
import hmac
import sys
import time


def punchcard_token(shop_id, customer_id, secret_key, ttl_seconds=3600):
    expires = int(time.time()) + ttl_seconds
    message = f"v1.{shop_id}.{customer_id}.{expires}".encode()
    signature = hmac.new(secret_key.encode(), message, hashlib.sha256).hexdigest()
    return f"v1.{customer_id}.{expires}.{signature}"


# python3 token.py SHOP_ID CUSTOMER_ID SECRET_KEY
if __name__ == "__main__":
    print(punchcard_token(*sys.argv[1:4]))
