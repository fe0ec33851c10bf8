// Verify a Punchcard webhook (Node.js 18+): the raw body, the Punchcard-Signature header, your
// endpoint's secret (whsec_…). Reject old timestamps (replays) and compare in constant time.
import crypto from "node:crypto";

export function punchcardWebhookValid(secret, header, rawBody, toleranceSeconds = 300) {
  const parts = Object.fromEntries(header.split(",").map((p) => p.split("=", 2)));
  const t = Number(parts.t);
  if (!Number.isInteger(t) || Math.abs(Date.now() / 1000 - t) > toleranceSeconds) return false;
  const expected = crypto.createHmac("sha256", secret).update(`${parts.t}.${rawBody}`).digest("hex");
  const given = Buffer.from(parts.v1 || "", "utf8");
  return given.length === expected.length && crypto.timingSafeEqual(given, Buffer.from(expected, "utf8"));
}

// node webhook.mjs SECRET SIGNATURE_HEADER < body  →  prints valid or invalid
if (process.argv[1] && import.meta.url.endsWith(process.argv[1].split("/").pop())) {
  const [secret, header] = process.argv.slice(2);
  const body = await new Promise((resolve) => {
    let data = "";
    process.stdin.on("data", (c) => (data += c)).on("end", () => resolve(data));
  });
  console.log(punchcardWebhookValid(secret, header, body) ? "valid" : "invalid");
}
