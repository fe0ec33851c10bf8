// GET /v1/shops/{shop}/me in plain JS: verify the v1 customer token (HMAC-SHA256, Web Crypto),
// read the card snapshot from KV, return it. Mirrors worker/src/routes/me.rs for benchmarking.
const enc = new TextEncoder();
const keys = new Map();

function hexToBytes(hex) {
  if (!/^[0-9a-f]{64}$/.test(hex)) return null;
  const out = new Uint8Array(32);
  for (let i = 0; i < 32; i++) out[i] = parseInt(hex.slice(i * 2, i * 2 + 2), 16);
  return out;
}

function problem(status, code, detail) {
  return new Response(JSON.stringify({ type: `https://punchcard.dev/problems/${code}`, title: code, status, detail, code }), {
    status,
    headers: { "Content-Type": "application/problem+json" },
  });
}

export default {
  async fetch(request, env) {
    const m = new URL(request.url).pathname.match(/^\/v1\/shops\/([A-Za-z0-9_-]{1,64})\/me$/);
    if (!m) return problem(404, "not_found", "no such route");
    const shop = m[1];
    const auth = request.headers.get("Authorization") || "";
    const parts = auth.replace(/^Bearer /, "").split(".");
    if (parts.length !== 4 || parts[0] !== "v1") return problem(401, "unauthorized", "the customer token is invalid or expired");
    const [, customer, expires, sig] = parts;
    const record = await env.SNAPSHOTS.get(`shop:${shop}`, "json");
    if (!record) return problem(401, "unauthorized", "the customer token is invalid or expired");
    // (The previous key of a rotation is not tried here: the bench's token uses the current one.)
    let key = keys.get(record.secret_key);
    if (!key) {
      key = await crypto.subtle.importKey("raw", enc.encode(record.secret_key), { name: "HMAC", hash: "SHA-256" }, false, ["verify"]);
      keys.set(record.secret_key, key);
    }
    const bytes = hexToBytes(sig);
    const ok = bytes && (await crypto.subtle.verify("HMAC", key, bytes, enc.encode(`v1.${shop}.${customer}.${expires}`)));
    const now = Date.now() / 1000;
    if (!ok || !/^[1-9][0-9]{0,19}$/.test(expires) || Number(expires) <= now) return problem(401, "unauthorized", "the customer token is invalid or expired");
    if (Number(expires) - now > (record.token_max_lifetime ?? 86400)) return problem(401, "token_lifetime", "the token expires too far ahead");
    const card = await env.SNAPSHOTS.get(`card:${shop}:${record.program_version ?? 0}:${customer}`);
    if (!card) return problem(404, "not_found", "no card");
    return new Response(card, { headers: { "Content-Type": "application/json", "Cache-Control": "no-store" } });
  },
};
