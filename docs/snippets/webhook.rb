# Verify a Punchcard webhook (Ruby 2.5+): the raw body (request.raw_post), the Punchcard-Signature
# header, your endpoint's secret (whsec_…). Rejects old timestamps (replays) and compares in
# constant time.
require "openssl"

def punchcard_webhook_valid?(secret, header, raw_body, tolerance_seconds = 300)
  parts = header.split(",").map { |p| p.split("=", 2) }.select { |kv| kv.size == 2 }.to_h
  return false unless parts["t"]&.match?(/\A\d+\z/) && parts["v1"]
  return false if (Time.now.to_i - parts["t"].to_i).abs > tolerance_seconds
  expected = OpenSSL::HMAC.hexdigest("SHA256", secret, "#{parts['t']}.#{raw_body}")
  return false unless expected.bytesize == parts["v1"].bytesize
  OpenSSL.fixed_length_secure_compare(expected, parts["v1"])
end

# ruby webhook.rb SECRET SIGNATURE_HEADER < body  →  prints valid or invalid
if __FILE__ == $PROGRAM_NAME
  body = $stdin.read
  puts punchcard_webhook_valid?(ARGV[0], ARGV[1], body) ? "valid" : "invalid"
end
