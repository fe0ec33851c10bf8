// Shared set-up for the browser end-to-end tests: real headless Chromium (Debian's), driven by
// playwright-core, against the real worker under `wrangler dev` (PUNCHCARD_URL).
import { chromium } from "playwright-core";
import http from "node:http";
import crypto from "node:crypto";

export const BASE = process.env.PUNCHCARD_URL;
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

/** Serves `html` from another origin (a storefront that is not the worker), on a free port. */
export async function storefront(html) {
  const server = http.createServer((req, res) => {
    res.writeHead(200, { "Content-Type": "text/html; charset=utf-8" });
    res.end(html);
  });
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  const url = `http://127.0.0.1:${server.address().port}/`;
  return { url, close: () => new Promise((resolve) => server.close(resolve)) };
}

/** A storefront page with the script tag pasted in, optionally with hostile CSS. */
export function storefrontPage({ token, css = "" }) {
  const tokenAttr = token ? ` data-customer-token="${token}"` : "";
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Shop</title>
<style>${css}</style></head><body><main><p>Our shop</p>
<script async src="${BASE}/widget.js" data-shop="demo-bakery"${tokenAttr}></script>
</main></body></html>`;
}
