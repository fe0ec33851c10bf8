// Seeds a fresh shop with MEMBERS members and EVENTS events through the public API (the batch
// events route), then times GET /analytics. Run by `cargo xtask bench-analytics`, which starts a
// `wrangler dev` with fresh state and sets PUNCHCARD_URL. Prints the figures for docs/PERFORMANCE.md.
const BASE = process.env.PUNCHCARD_URL;
const MEMBERS = Number(process.env.MEMBERS || 100_000);
const EVENTS = Number(process.env.EVENTS || 1_000_000);
const BATCH = 250; // ~40 KiB of JSON, under the 64 KiB body limit
const PARALLEL = Number(process.env.PARALLEL || 4);
const DAY = 86_400_000;

let retries = 0;
async function call(method, path, key, body) {
  for (let attempt = 0; ; attempt++) {
    const r = await fetch(`${BASE}${path}`, {
      method,
      headers: { Authorization: `Bearer ${key}`, "Content-Type": "application/json" },
      body: body && JSON.stringify(body),
    });
    const text = await r.text();
    // Every event carries its id, so resending a batch after a 5xx is safe: what was applied replays.
    if (r.status >= 500 && attempt < 8) {
      retries++;
      await new Promise((resolve) => setTimeout(resolve, 250 * 2 ** attempt));
      continue;
    }
    if (r.status >= 300) throw new Error(`${method} ${path}: ${r.status} ${text.slice(0, 300)}`);
    return text ? JSON.parse(text) : null;
  }
}

// A deterministic pseudo-random stream (mulberry32, 32-bit integer math), so runs are comparable.
let seed = 42;
function rand() {
  seed = (seed + 0x6d2b79f5) | 0;
  let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
}

const shop = `seed-${Date.now().toString(36)}`;
const { secret_key: key } = await call("POST", "/v1/shops", "dev-admin-key", { shop_id: shop, name: "Seeded shop" });
const program = await (await fetch(`${BASE}/v1/shops/demo-bakery/program`)).json();
await call("PUT", `/v1/shops/${shop}/program`, key, program);

// Spend follows a Pareto-like law: a few members buy much more often and much more. Capped at
// MAX_ORDERS orders a member (a daily regular for a year), as in the first measurements, so runs
// stay comparable (`cargo xtask bench-history` is the benchmark of one member's many orders).
const MAX_ORDERS = 400;
const weight = (i) => 1 / Math.pow(i + 1, 0.5);
const weights = Array.from({ length: MEMBERS }, (_, i) => weight(i));
const total = weights.reduce((a, b) => a + b, 0);
const cumulative = [];
weights.reduce((acc, w, i) => (cumulative[i] = acc + w / total), 0);
const ordersOf = new Uint16Array(MEMBERS);
function pickMember() {
  for (;;) {
    const x = rand();
    let lo = 0, hi = MEMBERS - 1;
    while (lo < hi) { const mid = (lo + hi) >> 1; if (cumulative[mid] < x) lo = mid + 1; else hi = mid; }
    if (ordersOf[lo] < MAX_ORDERS) return lo;
  }
}

const now = Date.now();
const orders = [];
let made = 0;
function nextEvent(n) {
  // Every member appears at least once (the first MEMBERS events), then Pareto-distributed.
  const member = n < MEMBERS ? n : pickMember();
  ordersOf[member]++;
  const customer = `m${member}`;
  if (n >= MEMBERS && rand() < 0.04 && orders.length) {
    const o = orders[Math.floor(rand() * orders.length)];
    return { id: `e${n}`, type: "order.refunded", customer_id: o.customer, order_id: o.order, amount_minor: Math.floor(o.amount / 2), currency: "EUR" };
  }
  const amount = 300 + Math.floor(rand() * 4000 * (member < MEMBERS / 5 ? 3 : 1));
  const order = `o${n}`;
  if (orders.length < 50_000) orders.push({ customer, order, amount });
  const at = new Date(now - Math.floor(rand() * 300) * DAY - 3_600_000).toISOString().replace(/\.\d+Z$/, "Z");
  return { id: `e${n}`, type: "order.paid", customer_id: customer, order_id: order, amount_minor: amount, currency: "EUR", occurred_at: at };
}

// What each member really spent, from the ledger's answers, to check the report against.
const revenue = new Float64Array(MEMBERS);
const started = Date.now();
let sent = 0, refused = 0;
async function worker() {
  while (made < EVENTS) {
    const events = [];
    while (events.length < BATCH && made < EVENTS) events.push(nextEvent(made++));
    const { results } = await call("POST", `/v1/shops/${shop}/events/batch`, key, { events });
    results.forEach((r, i) => {
      if (r.status !== 200) return refused++;
      const e = events[i];
      const m = Number(e.customer_id.slice(1));
      revenue[m] += e.type === "order.paid" ? e.amount_minor : -e.amount_minor;
    });
    sent += events.length;
    if (sent % 50_000 < BATCH) {
      const s = (Date.now() - started) / 1000;
      console.log(`${sent} events in ${s.toFixed(0)} s (${Math.round(sent / s)} events/s)`);
    }
  }
}
await Promise.all(Array.from({ length: PARALLEL }, worker));
const seconds = (Date.now() - started) / 1000;
console.log(`seeded ${shop}: ${MEMBERS} members, ${sent} events (${refused} refused by the ledger, e.g. refunds of refunded orders; ${retries} batches resent after a 5xx) in ${seconds.toFixed(0)} s, ${Math.round(sent / seconds)} events/s`);

const times = [];
let report;
for (let i = 0; i < 20; i++) {
  const t0 = performance.now();
  report = await call("GET", `/v1/shops/${shop}/analytics`, key);
  times.push(performance.now() - t0);
}
times.sort((a, b) => a - b);
console.log(`GET /analytics over ${report.members} members: median ${times[10].toFixed(1)} ms, min ${times[0].toFixed(1)} ms, max ${times[19].toFixed(1)} ms (20 requests, through wrangler dev)`);
const sorted = Array.from(revenue).sort((a, b) => b - a);
const spent = sorted.reduce((a, b) => a + b, 0);
const top = sorted.slice(0, Math.ceil(MEMBERS / 5)).reduce((a, b) => a + b, 0);
console.log(`check: revenue sent ${spent}, reported ${report.revenue_minor}; top 20 % really bring ${(100 * top / spent).toFixed(1)} %`);
console.log(`report: revenue ${report.revenue_minor} minor, orders ${report.orders}, top 20 % bring ${(report.pareto_top20_bp / 100).toFixed(1)} %, segments ${report.segments.map((s) => `${s.id} ${s.members}`).join(", ")}`);
