// One member, ORDERS orders (default 10,000) through the batch API, 250 a request, one request
// at a time: prints events/s for every 1,000 orders, the member row's size as it goes, and the
// last/first speed ratio. Run by `cargo xtask bench-history`, which starts a `wrangler dev` with
// fresh state and sets PUNCHCARD_URL and PUNCHCARD_STATE (read with python3's sqlite3 for the row
// size). SPREAD_MINUTES=n dates the orders n minutes apart, ending now (default 0: all now).
import { execFileSync } from "node:child_process";

const BASE = process.env.PUNCHCARD_URL;
const STATE = process.env.PUNCHCARD_STATE;
const ORDERS = Number(process.env.ORDERS || 10_000);
const SPREAD = Number(process.env.SPREAD_MINUTES || 0);
const BATCH = 250;
const BLOCK = 1_000;

let failures = 0;
async function call(method, path, key, body) {
  const r = await fetch(`${BASE}${path}`, {
    method,
    headers: { Authorization: `Bearer ${key}`, "Content-Type": "application/json" },
    body: body && JSON.stringify(body),
  });
  const text = await r.text();
  if (r.status >= 500) failures++;
  if (r.status >= 300) throw new Error(`${method} ${path}: ${r.status} ${text.slice(0, 300)}`);
  return text ? JSON.parse(text) : null;
}

/// The member row's size in bytes, read from the object's SQLite files under the state dir.
function rowBytes(customer) {
  const script = `
import glob, sqlite3, sys
size = 0
for path in glob.glob(sys.argv[1] + "/**/*.sqlite", recursive=True):
    db = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        for (n,) in db.execute("SELECT length(state) + length(member_code) + length(customer_id) FROM members WHERE customer_id = ?", (sys.argv[2],)):
            size = max(size, n)
    except sqlite3.Error:
        pass
print(size)`;
  return Number(execFileSync("python3", ["-c", script, STATE, customer]).toString().trim());
}

const shop = `history-${Date.now().toString(36)}`;
const { secret_key: key } = await call("POST", "/v1/shops", "dev-admin-key", { shop_id: shop, name: "History bench" });
const program = await (await fetch(`${BASE}/v1/shops/demo-bakery/program`)).json();
await call("PUT", `/v1/shops/${shop}/program`, key, program);

const customer = "regular";
const now = Date.now();
const rates = [];
let blockStart = performance.now();
console.log(`| orders | events/s (this 1,000) | member row (bytes) |\n|---:|---:|---:|`);
for (let n = 0; n < ORDERS; n += BATCH) {
  const events = [];
  for (let i = n; i < Math.min(n + BATCH, ORDERS); i++) {
    const e = { id: `h${i}`, type: "order.paid", customer_id: customer, order_id: `o${i}`, amount_minor: 300 + (i % 17) * 100, currency: "EUR" };
    if (SPREAD > 0) e.occurred_at = new Date(now - (ORDERS - i) * SPREAD * 60_000).toISOString().replace(/\.\d+Z$/, "Z");
    events.push(e);
  }
  const { results } = await call("POST", `/v1/shops/${shop}/events/batch`, key, { events });
  const bad = results.filter((r) => r.status !== 200);
  if (bad.length) throw new Error(`refused: ${JSON.stringify(bad.slice(0, 3))}`);
  const done = n + events.length;
  if (done % BLOCK === 0) {
    const rate = BLOCK / ((performance.now() - blockStart) / 1000);
    rates.push(rate);
    console.log(`| ${done} | ${Math.round(rate)} | ${STATE ? rowBytes(customer) : "?"} |`);
    blockStart = performance.now();
  }
}
const view = await call("GET", `/v1/shops/${shop}/customers/${customer}`, key);
const single0 = performance.now();
await call("POST", `/v1/shops/${shop}/events`, key, { id: "single", type: "order.paid", customer_id: customer, order_id: "single", amount_minor: 1234, currency: "EUR" });
const single = performance.now() - single0;
const ratio = rates[rates.length - 1] / rates[0];
console.log(`\nlast/first 1,000 speed: ${ratio.toFixed(2)} (goal ≥ 0.70); 5xx answers: ${failures}; one more single event: ${single.toFixed(1)} ms; GET /customers/{id}: ${JSON.stringify(view).length} bytes with ${view.history.length} entries`);
if (failures > 0 || ratio < 0.7) process.exitCode = 1;
