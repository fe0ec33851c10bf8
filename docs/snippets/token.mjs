// Punchcard customer token (Node.js 18+). Print it into the widget's data-customer-token.
import crypto from "node:crypto";

export function punchcardToken(shopId, customerId, secretKey, ttlSeconds = 3600) {
  const expires = Math.floor(Date.now() / 1000) + ttlSeconds;
  const signature = crypto.createHmac("sha256", secretKey)
    .update(`v1.${shopId}.${customerId}.${expires}`).digest("hex");
  return `v1.${customerId}.${expires}.${signature}`;
}

// node token.mjs SHOP_ID CUSTOMER_ID SECRET_KEY
if (process.argv[1] && import.meta.url.endsWith(process.argv[1].split("/").pop())) {
  const [shopId, customerId, secretKey] = process.argv.slice(2);
  console.log(punchcardToken(shopId, customerId, secretKey));
}
