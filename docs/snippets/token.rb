# Punchcard customer token (Ruby). Print it into the widget's data-customer-token.
require "openssl"

def punchcard_token(shop_id, customer_id, secret_key, ttl_seconds = 3600)
  expires = Time.now.to_i + ttl_seconds
  signature = OpenSSL::HMAC.hexdigest("SHA256", secret_key, "v1.#{shop_id}.#{customer_id}.#{expires}")
  "v1.#{customer_id}.#{expires}.#{signature}"
end

# ruby token.rb SHOP_ID CUSTOMER_ID SECRET_KEY
puts punchcard_token(*ARGV.first(3)) if __FILE__ == $PROGRAM_NAME
