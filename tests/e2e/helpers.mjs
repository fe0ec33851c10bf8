// Shared set-up for the browser end-to-end tests: real headless Chromium (Debian's), driven by
// playwright-core, against the real worker under `wrangler dev` (PUNCHCARD_URL).
import { chromium } from "playwright-core";
import http from "node:http";
import crypto from "node:crypto";
import path from "node:path";

export const BASE = process.env.PUNCHCARD_URL;
/** Where screenshots go: target/screenshots, or docs/screenshots under `cargo xtask screenshots`
 * (PUNCHCARD_SCREENSHOTS), so the tests leave the tree as they found it. */
export const SHOTS = path.resolve(process.env.PUNCHCARD_SCREENSHOTS || "target/screenshots");
if (!BASE) throw new Error("PUNCHCARD_URL is not set: run through `cargo xtask test`");

export async function launch() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH || "/usr/bin/chromium",
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
}

/** A customer token exactly as a shop's backend computes it (API.md), independent of our Rust code. */
export function customerToken(shopId, customerId, secretKey, ttlSeconds = 3600) {
  const expires = Math.floor(Date.now() / 1000) + ttlSeconds;
  const sig = crypto.createHmac("sha256", secretKey).update(`v1.${shopId}.${customerId}.${expires}`).digest("hex");
  return `v1.${customerId}.${expires}.${sig}`;
}

/** Serves `html` from another origin (a storefront that is not the worker), on a free port, with
 * extra response `headers` (e.g. a Content-Security-Policy). */
export async function storefront(html, headers = {}) {
  const server = http.createServer((req, res) => {
    res.writeHead(200, { "Content-Type": "text/html; charset=utf-8", ...headers });
    res.end(html);
  });
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  const url = `http://127.0.0.1:${server.address().port}/`;
  return { url, close: () => new Promise((resolve) => server.close(resolve)) };
}

/** A storefront page with the script tag pasted in (launcher mode unless `attrs` say otherwise),
 * optionally with hostile CSS in a <style> (leave `css` empty under a strict CSP). */
export function storefrontPage({ token, css = "", lang = "en", attrs = "", body = "", shop = "demo-bakery" }) {
  const tokenAttr = token ? ` data-customer-token="${token}"` : "";
  const style = css ? `<style>${css}</style>` : "";
  return `<!doctype html><html lang="${lang}"><head><meta charset="utf-8"><title>Shop</title>
<meta name="viewport" content="width=device-width, initial-scale=1">${style}</head>
<body><main><h1>Our shop</h1><p>Fresh bread every morning.</p>${body}
<script async src="${BASE}/widget.js" data-shop="${shop}"${tokenAttr}${attrs}></script>
</main></body></html>`;
}

/** Opens the launcher (if the widget has one) and waits for the card or the teaser. */
export async function openWidget(page, ready = "[data-testid=card], [data-testid=teaser], [role=alert]") {
  const launcher = page.locator("punchcard-widget [data-testid=launcher]");
  await launcher.waitFor({ timeout: 20000 });
  await launcher.click();
  await page.locator(`punchcard-widget :is(${ready})`).first().waitFor({ timeout: 20000 });
}

/** A fresh member of the demo shop with `amountMinor` spent (points at 1 per euro, plus welcome). */
export async function newMember(amountMinor) {
  const id = `e2e-${crypto.randomBytes(6).toString("hex")}`;
  const r = await fetch(`${BASE}/v1/shops/demo-bakery/events`, {
    method: "POST",
    headers: { Authorization: "Bearer sk_test_demo_bakery", "Content-Type": "application/json" },
    body: JSON.stringify({ id: `${id}-paid`, type: "order.paid", customer_id: id, order_id: `${id}-o1`,
      amount_minor: amountMinor, currency: "EUR" }),
  });
  if (r.status !== 201 && r.status !== 200) throw new Error(`event: ${r.status} ${await r.text()}`);
  return { id, token: customerToken("demo-bakery", id, "sk_test_demo_bakery"), card: await r.json() };
}
