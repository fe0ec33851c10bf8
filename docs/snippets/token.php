<?php
// Punchcard customer token (PHP 7+). Print it into the widget's data-customer-token.
function punchcard_token(string $shopId, string $customerId, string $secretKey, int $ttlSeconds = 3600): string {
    $expires = time() + $ttlSeconds;
    $signature = hash_hmac('sha256', "v1.$shopId.$customerId.$expires", $secretKey);
    return "v1.$customerId.$expires.$signature";
}

// php token.php SHOP_ID CUSTOMER_ID SECRET_KEY
if (PHP_SAPI === 'cli' && isset($argv) && realpath($argv[0]) === __FILE__) {
    echo punchcard_token($argv[1], $argv[2], $argv[3]), PHP_EOL;
}
