<?php
// Verify a Punchcard webhook (PHP 7+): the raw body (file_get_contents('php://input')), the
// Punchcard-Signature header, your endpoint's secret (whsec_…). Rejects old timestamps (replays)
// and compares in constant time.
function punchcard_webhook_valid(string $secret, string $header, string $rawBody, int $toleranceSeconds = 300): bool {
    $parts = [];
    foreach (explode(',', $header) as $part) {
        $kv = explode('=', $part, 2);
        if (count($kv) === 2) {
            $parts[$kv[0]] = $kv[1];
        }
    }
    if (!isset($parts['t'], $parts['v1']) || !ctype_digit($parts['t'])) {
        return false;
    }
    if (abs(time() - (int) $parts['t']) > $toleranceSeconds) {
        return false;
    }
    $expected = hash_hmac('sha256', $parts['t'] . '.' . $rawBody, $secret);
    return hash_equals($expected, $parts['v1']);
}

// php webhook.php SECRET SIGNATURE_HEADER < body  →  prints valid or invalid
if (PHP_SAPI === 'cli' && isset($argv) && realpath($argv[0]) === __FILE__) {
    $body = stream_get_contents(STDIN);
    echo punchcard_webhook_valid($argv[1], $argv[2], $body) ? 'valid' : 'invalid', PHP_EOL;
}
