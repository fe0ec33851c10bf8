// End-to-end: the merchant console at /console in real Chromium against the real worker, on a
// fresh shop of its own (created with the admin key). Screenshots of each page go to target/screenshots (docs/ under `cargo xtask screenshots`).
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import http from "node:http";
import crypto from "node:crypto";
import path from "node:path";
import { BASE, launch, SHOTS, customerToken } from "./helpers.mjs";

const ADMIN = "dev-admin-key";
let browser;
let shop;

async function api(method, url, key, body, headers = {}) {
  const r = await fetch(`${BASE}${url}`, {
    method,
    headers: { Authorization: `Bearer ${key}`, "Content-Type": "application/json", ...headers },
    body: body && JSON.stringify(body),
  });
  const text = await r.text();
  return { status: r.status, body: text ? JSON.parse(text) : null };
}

before(async () => {
  browser = await launch();
  fs.mkdirSync(SHOTS, { recursive: true });
  const id = `console-${Date.now().toString(36)}`;
  const created = await api("POST", "/v1/shops", ADMIN, { shop_id: id, name: "Console Café" });
  assert.equal(created.status, 201);
  const program = await (await fetch(`${BASE}/v1/shops/demo-bakery/program`)).json();
  assert.equal((await api("PUT", `/v1/shops/${id}/program`, created.body.secret_key, program)).status, 200);
  shop = { id, key: created.body.secret_key };
  for (const [n, customer, amount] of [[1, "anna", 8000], [2, "ben", 1200], [3, "anna", 4000]]) {
    const r = await api("POST", `/v1/shops/${id}/events`, shop.key, {
      id: `seed-${n}`, type: "order.paid", customer_id: customer, order_id: `o${n}`, amount_minor: amount, currency: "EUR" });
    assert.equal(r.status, 200);
  }
});
after(async () => {
  await browser?.close();
});

/** The console's catalog of `locale` (console/locales). */
function catalog(locale) {
  return JSON.parse(fs.readFileSync(path.resolve("console/locales", `${locale}.json`), "utf8"));
}
const LOCALES = fs.readdirSync(path.resolve("console/locales")).map((f) => f.replace(/\.json$/, ""));

async function signedIn(viewport = { width: 1280, height: 900 }, locale = "en-US") {
  const page = await browser.newPage({ viewport, locale });
  const errors = [];
  page.on("pageerror", (e) => errors.push(e.message));
  await page.goto(`${BASE}/console/`);
  await page.fill("#shop", shop.id);
  await page.fill("#key", shop.key);
  await page.click("[data-testid=sign-in]");
  await page.locator("[data-testid=tab-analytics]").waitFor({ timeout: 20000 });
  return { page, errors };
}

test("a wrong key gets a clear message, not a blank page", async () => {
  const page = await browser.newPage({ viewport: { width: 1000, height: 700 } });
  await page.goto(`${BASE}/console/`);
  await page.fill("#shop", "demo-bakery");
  await page.fill("#key", "sk_not_the_key");
  await page.click("[data-testid=sign-in]");
  const error = page.locator("[data-testid=signin-error]");
  await error.waitFor({ timeout: 20000 });
  assert.match(await error.textContent(), /Wrong shop id or secret key/);
  assert.equal(await page.evaluate(() => sessionStorage.getItem("punchcard.key")), null, "a refused key is not kept");
  await page.screenshot({ path: `${SHOTS}/console-sign-in.png` });
  await page.close();
});

test("program: a field error lands next to its field; a new stamp goal shows in the live preview", async () => {
  const { page, errors } = await signedIn();
  await page.click("[data-testid=tab-program]");
  const goal = page.locator("#f-stamps-goal");
  await goal.waitFor({ timeout: 20000 });
  assert.equal(await goal.inputValue(), "10");
  const member = page.frameLocator("[data-testid=preview-member]");
  await member.locator("punchcard-widget [data-testid=stamps]").waitFor({ timeout: 20000 });
  assert.equal(await member.locator("punchcard-widget .pc-slot").count(), 10);
  // Pre-filled must stay below the goal: the API's 422 names the field, shown beside it.
  await page.fill("#f-stamps-prefilled", "12");
  await page.click("[data-testid=save]");
  const fieldError = page.locator('[data-field="stamps.prefilled"]');
  await fieldError.filter({ hasText: "less than the goal" }).waitFor({ timeout: 10000 });
  assert.equal(await page.locator("#f-stamps-prefilled").getAttribute("aria-invalid"), "true");
  await page.fill("#f-stamps-prefilled", "2");
  await page.fill("#f-stamps-goal", "8");
  await page.click("[data-testid=save]");
  await page.locator("[data-testid=save-status]").filter({ hasText: "Saved" }).waitFor({ timeout: 10000 });
  // The preview reloads after the save: wait for the new card (the old one has 10 slots).
  const fresh = page.frameLocator("[data-testid=preview-member]");
  const slots = fresh.locator("punchcard-widget .pc-slot");
  const deadline = Date.now() + 20000;
  while ((await slots.count()) !== 8 && Date.now() < deadline) await page.waitForTimeout(100);
  assert.equal(await slots.count(), 8);
  const guest = page.frameLocator("[data-testid=preview-guest]");
  await guest.locator("punchcard-widget [data-testid=teaser]").waitFor({ timeout: 20000 });
  assert.match(await guest.locator("punchcard-widget [data-testid=teaser]").textContent(), /Collect 8 stamps/);
  assert.equal((await (await fetch(`${BASE}/v1/shops/${shop.id}/program`)).json()).stamps.goal, 8);
  await page.screenshot({ path: `${SHOTS}/console-program.png` });
  assert.deepEqual(errors, []);
  await page.close();
});

test("members: find by member code, adjust points with a reason, see the history", async () => {
  const anna = (await api("GET", `/v1/shops/${shop.id}/customers/anna`, shop.key)).body;
  const { page, errors } = await signedIn();
  await page.click("[data-testid=tab-members]");
  await page.fill("[data-testid=member-query]", anna.member_code.toLowerCase());
  await page.click("[data-testid=find]");
  const points = page.locator("[data-testid=member-points]");
  await points.waitFor({ timeout: 10000 });
  assert.equal(await points.textContent(), String(anna.points));
  await page.fill("[data-testid=adjust-points]", "50");
  await page.fill("[data-testid=adjust-reason]", "Sorry for the wait");
  await page.click("[data-testid=adjust]");
  await page.locator("[data-testid=member-message]").filter({ hasText: "Adjusted by 50" }).waitFor({ timeout: 10000 });
  assert.equal(await points.textContent(), String(anna.points + 50));
  assert.match(await page.locator("[data-testid=history]").textContent(), /Sorry for the wait/);
  await page.screenshot({ path: `${SHOTS}/console-members.png`, fullPage: true });
  assert.deepEqual(errors, []);
  await page.close();
});

test("members: a long history shows the newest 50 entries and pages through the older ones", async () => {
  const events = Array.from({ length: 120 }, (_, i) => ({
    id: `long-${i}`, type: "order.paid", customer_id: "regular", order_id: `l${i}`, amount_minor: 500, currency: "EUR" }));
  assert.equal((await api("POST", `/v1/shops/${shop.id}/events/batch`, shop.key, { events })).status, 200);
  const { page, errors } = await signedIn();
  await page.click("[data-testid=tab-members]");
  await page.fill("[data-testid=member-query]", "regular");
  await page.click("[data-testid=find]");
  const rows = page.locator("[data-testid=history] tbody tr");
  await rows.first().waitFor({ timeout: 10000 });
  assert.equal(await rows.count(), 50);
  // One click loads up to 100 older entries: here the 71 that are left.
  const older = page.locator("[data-testid=history-older]");
  await older.click();
  await rows.nth(120).waitFor({ timeout: 10000 });
  assert.equal(await rows.count(), 121, "120 orders and the welcome, each once");
  assert.equal(await older.count(), 0, "no more pages");
  assert.match(await rows.last().textContent(), /Welcome/);
  assert.deepEqual(errors, []);
  await page.close();
});

test("in store, phone-sized: the member code, +1 stamp and a purchase; the card after each", async () => {
  const ben = (await api("GET", `/v1/shops/${shop.id}/customers/ben`, shop.key)).body;
  const { page, errors } = await signedIn({ width: 390, height: 844 });
  await page.click("[data-testid=tab-store]");
  await page.fill("[data-testid=store-code]", ben.member_code.replaceAll("-", " "));
  await page.click("[data-testid=add-stamp]");
  const message = page.locator("[data-testid=store-message]");
  await message.filter({ hasText: "+1 stamp" }).waitFor({ timeout: 10000 });
  const stamps = page.locator("[data-testid=member-stamps]");
  assert.match(await stamps.textContent(), new RegExp(`${ben.stamps.filled + 1} / `));
  await page.fill("[data-testid=store-amount]", "4.50");
  await page.click("[data-testid=record-purchase]");
  await message.filter({ hasText: "Purchase of €4.50 recorded" }).waitFor({ timeout: 10000 });
  assert.equal(await page.locator("[data-testid=member-points]").textContent(), String(ben.points + 4));
  const width = await page.evaluate(() => document.documentElement.scrollWidth);
  assert.ok(width <= 390, `no sideways scrolling on a phone (${width}px)`);
  await page.fill("[data-testid=store-code]", "M-2222-2222");
  await page.click("[data-testid=add-stamp]");
  await message.filter({ hasText: "No member with the code" }).waitFor({ timeout: 10000 });
  await page.fill("[data-testid=store-code]", ben.member_code);
  await page.click("[data-testid=add-stamp]");
  await message.filter({ hasText: "+1 stamp" }).waitFor({ timeout: 10000 });
  await page.screenshot({ path: `${SHOTS}/console-in-store.png`, fullPage: true });
  assert.deepEqual(errors, []);
  await page.close();
});

test("analytics move after an order event; install page shows the tag and the snippets", async () => {
  const { page, errors } = await signedIn();
  const revenue = page.locator("[data-testid=revenue]");
  await revenue.waitFor({ timeout: 20000 });
  const before = await revenue.textContent();
  const members = Number(await page.locator("[data-testid=members]").textContent());
  const r = await api("POST", `/v1/shops/${shop.id}/events`, shop.key, {
    id: "analytics-move", type: "order.paid", customer_id: "cara", order_id: "o-cara", amount_minor: 10000, currency: "EUR" });
  assert.equal(r.status, 200);
  await page.click("[data-testid=refresh]");
  await page.waitForFunction((b) => document.querySelector("[data-testid=revenue]")?.textContent !== b, before, { timeout: 10000 });
  const toMinor = (s) => Number(s.replace(/[^0-9]/g, ""));
  assert.equal(toMinor(await revenue.textContent()) - toMinor(before), 10000);
  assert.equal(Number(await page.locator("[data-testid=members]").textContent()), members + 1);
  await page.locator("[data-testid=pareto-chart]").waitFor();
  await page.screenshot({ path: `${SHOTS}/console-analytics.png`, fullPage: true });
  await page.click("[data-testid=tab-install]");
  const tag = page.locator("[data-testid=script-tag]");
  await tag.waitFor();
  assert.match(await tag.textContent(), new RegExp(`data-shop="${shop.id}"`));
  for (const file of ["token.mjs", "token.py", "token.php", "token.rb"]) {
    const source = fs.readFileSync(path.resolve(`docs/snippets/${file}`), "utf8");
    assert.equal((await page.locator(`[data-testid="snippet-${file}"]`).textContent()).trim(), source.trim());
  }
  await page.screenshot({ path: `${SHOTS}/console-install.png`, fullPage: true });
  await page.click("[data-testid=sign-out]");
  await page.locator("[data-testid=sign-in]").waitFor();
  assert.equal(await page.evaluate(() => sessionStorage.getItem("punchcard.key")), null, "signing out forgets the key");
  assert.deepEqual(errors, []);
  await page.close();
});

/** Chart labels outside their drawing, and charts wider than the page. */
async function chartsOverflow(page) {
  return page.evaluate(() => {
    const out = [];
    for (const svg of document.querySelectorAll("svg.chart")) {
      const vb = svg.viewBox.baseVal;
      for (const t of svg.querySelectorAll("text")) {
        const b = t.getBBox();
        if (b.x < vb.x || b.y < vb.y || b.x + b.width > vb.x + vb.width || b.y + b.height > vb.y + vb.height) {
          out.push(`${t.textContent} ${JSON.stringify([b.x, b.y, b.width, b.height])}`);
        }
      }
      const r = svg.getBoundingClientRect();
      if (r.left < 0 || r.right > window.innerWidth + 0.5) out.push(`chart ${r.left}..${r.right} of ${window.innerWidth}`);
    }
    return out;
  });
}

test("charts keep every label inside their drawing from 360 px to 1440 px wide", async () => {
  for (const width of [360, 390, 768, 1280, 1440]) {
    const { page, errors } = await signedIn({ width, height: 900 });
    try {
      await page.locator("[data-testid=pareto-chart]").waitFor({ timeout: 20000 });
      const outside = await chartsOverflow(page);
      assert.deepEqual(outside, [], `at ${width} px`);
      if (width === 390 || width === 1280) {
        await page.screenshot({ path: `${SHOTS}/console-analytics-${width}.png`, fullPage: true });
      }
      assert.deepEqual(errors, []);
    } finally {
      await page.close();
    }
  }
});

test("webhooks: add an endpoint (secret shown once), see its delivery, send it again", async () => {
  const received = [];
  const receiver = http.createServer((req, res) => {
    let body = "";
    req.on("data", (c) => (body += c)).on("end", () => {
      received.push({ id: req.headers["punchcard-event-id"], signature: req.headers["punchcard-signature"], body });
      res.writeHead(200).end();
    });
  });
  await new Promise((resolve) => receiver.listen(0, "127.0.0.1", resolve));
  const { page, errors } = await signedIn();
  try {
    await page.click("[data-testid=tab-webhooks]");
    await page.locator("[data-testid=no-webhooks]").waitFor({ timeout: 20000 });
    await page.fill("[data-testid=webhook-url]", `http://127.0.0.1:${receiver.address().port}/hook`);
    await page.uncheck("[data-testid='webhook-event-tier.changed']");
    await page.click("[data-testid=webhook-add]");
    const secret = await page.locator("[data-testid=webhook-secret-value]").textContent({ timeout: 20000 });
    assert.match(secret, /^whsec_[0-9a-f]{48}$/);
    await page.locator("[data-testid=webhook]").waitFor();
    // An order through the API: the endpoint hears of it, signed with that secret.
    const r = await api("POST", `/v1/shops/${shop.id}/events`, shop.key, {
      id: "wh-e2e-1", type: "order.paid", customer_id: "cora", order_id: "wh-o1", amount_minor: 2500, currency: "EUR" });
    assert.equal(r.status, 200);
    for (let i = 0; i < 100 && received.length < 1; i++) await new Promise((ok) => setTimeout(ok, 100));
    assert.equal(received.length, 1, "one delivery");
    const [, t, v1] = received[0].signature.match(/^t=(\d+),v1=([0-9a-f]{64})$/);
    const expected = crypto.createHmac("sha256", secret).update(`${t}.${received[0].body}`).digest("hex");
    assert.equal(v1, expected);
    assert.equal(JSON.parse(received[0].body).type, "points.earned");
    await page.click("[data-testid=deliveries-refresh]");
    await page.locator("[data-testid=delivery-status]").first().waitFor({ timeout: 20000 });
    assert.equal(await page.locator("[data-testid=delivery-status]").first().textContent(), "delivered");
    await page.click("[data-testid=redeliver]");
    for (let i = 0; i < 100 && received.length < 2; i++) await new Promise((ok) => setTimeout(ok, 100));
    assert.equal(received.length, 2, "sent again");
    assert.equal(received[1].id, received[0].id, "the same event id, for dedupe");
    await page.screenshot({ path: `${SHOTS}/console-webhooks.png`, fullPage: true });
    await page.click("[data-testid=webhook-remove]");
    await page.locator("[data-testid=no-webhooks]").waitFor({ timeout: 20000 });
    assert.deepEqual(errors, []);
  } finally {
    await page.close();
    await new Promise((resolve) => receiver.close(resolve));
  }
});

test("rotate the key from the install page: both keys work in the grace period, then only the new one", async () => {
  const id = `rotate-${Date.now().toString(36)}`;
  const created = await api("POST", "/v1/shops", ADMIN, { shop_id: id, name: "Rotating Shop" });
  assert.equal(created.status, 201);
  const program = await (await fetch(`${BASE}/v1/shops/demo-bakery/program`)).json();
  const old = created.body.secret_key;
  assert.equal((await api("PUT", `/v1/shops/${id}/program`, old, program)).status, 200);
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  const errors = [];
  page.on("pageerror", (e) => errors.push(e.message));
  // The console runs under its strict CSP: a violation would be logged as a console error.
  page.on("console", (m) => m.type() === "error" && /Content Security Policy/i.test(m.text()) && errors.push(m.text()));
  await page.goto(`${BASE}/console/#install`);
  await page.fill("#shop", id);
  await page.fill("#key", old);
  await page.click("[data-testid=sign-in]");
  await page.click("[data-testid=tab-install]", { timeout: 20000 });
  await page.click("[data-testid=rotate-key]");
  const value = page.locator("[data-testid=new-key-value]");
  await value.waitFor({ timeout: 10000 });
  const fresh = (await value.textContent()).trim();
  assert.match(fresh, /^sk_live_[0-9a-f]{48}$/);
  assert.match(await page.locator("[data-testid=new-key]").textContent(), /The old key works until/);
  assert.equal((await api("GET", `/v1/shops/${id}/settings`, old)).status, 200, "the old key works in its grace period");
  assert.equal((await api("GET", `/v1/shops/${id}/settings`, fresh)).status, 200);
  await page.click("[data-testid=new-key-kept]");
  assert.equal(await page.evaluate(() => sessionStorage.getItem("punchcard.key")), fresh, "the console goes on with the new key");
  // Now revoke at once: the key just replaced stops working.
  await page.click("[data-testid=tab-install]", { timeout: 20000 });
  await page.selectOption("[data-testid=rotate-grace]", "0");
  await page.click("[data-testid=rotate-key]");
  await value.waitFor({ timeout: 10000 });
  const newest = (await value.textContent()).trim();
  assert.match(await page.locator("[data-testid=new-key]").textContent(), /The old key no longer works/);
  assert.equal((await api("GET", `/v1/shops/${id}/settings`, fresh)).status, 401);
  assert.equal((await api("GET", `/v1/shops/${id}/settings`, newest)).status, 200);
  await page.click("[data-testid=new-key-kept]");
  await page.click("[data-testid=tab-analytics]");
  await page.locator("[data-testid=members]").waitFor({ timeout: 20000 });
  assert.deepEqual(errors, []);
  await page.close();
});

test("German: the console follows the browser's language; the program is edited in euros, with its summary and preview", async () => {
  const de = catalog("de");
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 }, locale: "de-DE" });
  const errors = [];
  page.on("pageerror", (e) => errors.push(e.message));
  await page.goto(`${BASE}/console/`);
  await page.locator("[data-testid=sign-in]").filter({ hasText: de.sign_in }).waitFor({ timeout: 20000 });
  assert.equal(await page.getAttribute("html", "lang"), "de");
  assert.equal(await page.locator("[data-testid=language]").inputValue(), "de");
  await page.fill("#shop", shop.id);
  await page.fill("#key", shop.key);
  await page.click("[data-testid=sign-in]");
  const tab = page.locator("[data-testid=tab-program]");
  await tab.filter({ hasText: de.tab_program }).waitFor({ timeout: 20000 });
  await tab.click();
  // Money in the program's currency, written the German way; the summary says it in a sentence.
  const unit = page.locator("#f-earn-unit_minor");
  await unit.waitFor({ timeout: 20000 });
  await page.waitForFunction(() => document.querySelector("#f-earn-unit_minor")?.value !== "", null, { timeout: 20000 });
  assert.equal(await unit.inputValue(), "1,00");
  const summary = page.locator("[data-testid=program-summary]");
  assert.match(await summary.textContent(), /1,00\s€/);
  await unit.fill("2,50");
  await summary.filter({ hasText: /2,50\s€/ }).waitFor({ timeout: 10000 });
  await page.click("[data-testid=save]");
  await page.locator("[data-testid=save-status]").filter({ hasText: de.program_saved }).waitFor({ timeout: 10000 });
  const stored = await (await fetch(`${BASE}/v1/shops/${shop.id}/program`)).json();
  assert.equal(stored.earn.unit_minor, 250, "2,50 € is stored as 250 cents");
  assert.equal(await unit.inputValue(), "2,50");
  // The preview reloads with the saved program: the visitor's teaser earns per 2.50 now.
  const guest = page.frameLocator("[data-testid=preview-guest]");
  await guest.locator("punchcard-widget [data-testid=teaser]").filter({ hasText: /2[.,]50/ }).waitFor({ timeout: 20000 });
  // An amount that cannot be read is said beside its field.
  await unit.fill("2,5,0");
  await page.locator('[data-field="earn.unit_minor"]').filter({ hasText: de.field_amount_unreadable }).waitFor({ timeout: 10000 });
  await unit.fill("1,00");
  await page.click("[data-testid=save]");
  await page.locator("[data-testid=save-status]").filter({ hasText: de.program_saved }).waitFor({ timeout: 10000 });
  await page.screenshot({ path: `${SHOTS}/console-program-de.png` });
  // In store, in German: a purchase typed as "12,50" is €12.50, said as "12,50 €".
  const ben = (await api("GET", `/v1/shops/${shop.id}/customers/ben`, shop.key)).body;
  await page.click("[data-testid=tab-store]");
  await page.fill("[data-testid=store-code]", ben.member_code);
  await page.fill("[data-testid=store-amount]", "12,50");
  await page.click("[data-testid=record-purchase]");
  const recorded = de.store_purchase_recorded.split("{amount}");
  const message = page.locator("[data-testid=store-message]");
  await message.filter({ hasText: recorded[0].trim() }).waitFor({ timeout: 10000 });
  assert.match(await message.textContent(), /12,50\s€/);
  assert.equal(await page.locator("[data-testid=member-points]").textContent(), String(ben.points + 12));
  // Members, in German: an adjustment with its reason, said in German.
  await page.click("[data-testid=tab-members]");
  await page.fill("[data-testid=member-query]", ben.member_code);
  await page.click("[data-testid=find]");
  await page.locator("[data-testid=member-points]").waitFor({ timeout: 10000 });
  await page.fill("[data-testid=adjust-points]", "5");
  await page.fill("[data-testid=adjust-reason]", "Danke!");
  await page.click("[data-testid=adjust]");
  await page.locator("[data-testid=member-message]").filter({ hasText: de.members_adjusted.other.replace("{n}", "5") }).waitFor({ timeout: 10000 });
  // The picker switches the language at once, and the choice is remembered.
  await page.selectOption("[data-testid=language]", "en");
  await page.locator("[data-testid=tab-program]").filter({ hasText: catalog("en").tab_program }).waitFor({ timeout: 20000 });
  assert.equal(await page.evaluate(() => localStorage.getItem("punchcard.locale")), "en");
  assert.deepEqual(errors, []);
  await page.close();
});

test("every language: the console's tabs in its words, the charts' labels inside their drawing at 360 px; Japanese analytics screenshot", async () => {
  for (const locale of LOCALES) {
    const words = catalog(locale);
    const { page, errors } = await signedIn({ width: 360, height: 900 }, locale);
    try {
      await page.locator("[data-testid=tab-analytics]").filter({ hasText: words.tab_analytics }).waitFor({ timeout: 20000 });
      await page.locator("[data-testid=pareto-chart]").waitFor({ timeout: 20000 });
      assert.deepEqual(await chartsOverflow(page), [], locale);
      if (locale === "ja") {
        await page.setViewportSize({ width: 1280, height: 900 });
        await page.waitForTimeout(300);
        assert.deepEqual(await chartsOverflow(page), [], "ja at 1280 px");
        await page.screenshot({ path: `${SHOTS}/console-analytics-ja.png`, fullPage: true });
      }
      assert.deepEqual(errors, [], locale);
    } finally {
      await page.close();
    }
  }
});

test("a campaign made in the console doubles the next order's points and shows on the member's card", async () => {
  const { page, errors } = await signedIn();
  await page.click("[data-testid=tab-program]");
  await page.locator("#f-earn-unit_minor").waitFor({ timeout: 20000 });
  await page.waitForFunction(() => document.querySelector("#f-earn-unit_minor")?.value !== "", null, { timeout: 20000 });
  await page.click("[data-testid=add-campaign]");
  // A new campaign runs from now for a week, doubling points for every member.
  await page.fill("#f-campaigns-0--name", "Double points week");
  assert.equal(await page.locator('[data-field="campaigns[0].effect.kind"]').inputValue(), "multiplier");
  assert.equal(await page.locator("#f-campaigns-0--effect-pct").inputValue(), "200");
  await page.locator("[data-testid=program-summary]").filter({ hasText: "Double points week" }).waitFor({ timeout: 10000 });
  await page.click("[data-testid=save]");
  await page.locator("[data-testid=save-status]").filter({ hasText: "Saved" }).waitFor({ timeout: 10000 });
  const stored = await (await fetch(`${BASE}/v1/shops/${shop.id}/program`)).json();
  assert.equal(stored.campaigns[0].effect.pct, 200);
  const r = await api("POST", `/v1/shops/${shop.id}/events`, shop.key, {
    id: "campaign-order", type: "order.paid", customer_id: "dora", order_id: "o-dora", amount_minor: 3000, currency: "EUR" });
  assert.equal(r.status, 200);
  assert.equal(r.body.outcome.points, 60, "30 points, doubled");
  // The preview member's card (the real widget) shows the running campaign.
  const member = page.frameLocator("[data-testid=preview-member]");
  await member.locator("punchcard-widget [data-testid=campaign]").filter({ hasText: "Double points week" }).waitFor({ timeout: 20000 });
  await page.screenshot({ path: `${SHOTS}/console-campaign.png` });
  // Removing it again.
  await page.locator("[data-testid=campaign-row] button").click();
  await page.click("[data-testid=save]");
  await page.waitForFunction(async (url) => !(await (await fetch(url)).json()).campaigns, `${BASE}/v1/shops/${shop.id}/program`, { timeout: 10000 });
  assert.deepEqual(errors, []);
  await page.close();
});

test("news and the feedback question made in the console reach the member's card; the answer shows in the NPS", async () => {
  const { page, errors } = await signedIn();
  await page.click("[data-testid=tab-program]");
  await page.locator("#f-earn-unit_minor").waitFor({ timeout: 20000 });
  await page.waitForFunction(() => document.querySelector("#f-earn-unit_minor")?.value !== "", null, { timeout: 20000 });
  await page.click("[data-testid=add-news]");
  await page.fill("#f-news-0--texts-0--title", "Spring menu");
  await page.fill("#f-news-0--texts-0--text", "Rhubarb tarts are back from Monday.");
  await page.click("[data-testid=toggle-feedback]");
  await page.fill("#f-feedback-every_nth_order", "1");
  await page.fill("#f-feedback-points", "20");
  await page.locator("[data-testid=program-summary]").filter({ hasText: "Spring menu" }).waitFor({ timeout: 10000 });
  await page.click("[data-testid=save]");
  await page.locator("[data-testid=save-status]").filter({ hasText: "Saved" }).waitFor({ timeout: 10000 });
  // Members-only news: not in the public program, in the shop's.
  assert.equal((await (await fetch(`${BASE}/v1/shops/${shop.id}/program`)).json()).news, undefined);
  const whole = await api("GET", `/v1/shops/${shop.id}/program`, shop.key);
  assert.equal(whole.body.news[0].texts[0].locale, "en");
  assert.deepEqual(whole.body.feedback, { every_nth_order: 1, points: 20 });
  const r = await api("POST", `/v1/shops/${shop.id}/events`, shop.key, {
    id: "feedback-order", type: "order.paid", customer_id: "eve", order_id: "o-eve", amount_minor: 2000, currency: "EUR" });
  assert.equal(r.status, 200);
  assert.equal(r.body.news[0].texts[0].title, "Spring menu");
  assert.equal(r.body.feedback.question, 1);
  const token = customerToken(shop.id, "eve", shop.key);
  const answered = await api("POST", `/v1/shops/${shop.id}/me/feedback`, token, { question: 1, score: 10, comment: "The rye is perfect" });
  assert.equal(answered.status, 200);
  assert.equal(answered.body.outcome.points, 20);
  await page.click("[data-testid=tab-analytics]");
  const score = page.locator("[data-testid=nps-score]");
  await score.filter({ hasText: "+100" }).waitFor({ timeout: 20000 });
  await page.locator("[data-testid=nps-answer]").filter({ hasText: "The rye is perfect" }).waitFor();
  await page.locator("[data-testid=nps]").screenshot({ path: `${SHOTS}/console-nps.png` });
  assert.deepEqual(errors, []);
  await page.close();
});

test("anniversaries: a member's own date shows in the coming occasions with their code, and downloads as CSV", async () => {
  const program = (await api("GET", `/v1/shops/${shop.id}/program`, shop.key)).body;
  program.special_dates = { points: 100 };
  assert.equal((await api("PUT", `/v1/shops/${shop.id}/program`, shop.key, program)).status, 200);
  const soon = new Date(Date.now() + 3 * 86400e3).toISOString().slice(5, 10);
  const token = customerToken(shop.id, "fay", shop.key);
  const added = await api("POST", `/v1/shops/${shop.id}/me/dates`, token, { label: "Our wedding", date: soon });
  assert.equal(added.status, 200);
  const { page, errors } = await signedIn();
  const row = page.locator("[data-testid=occasion]").filter({ hasText: "Our wedding" });
  await row.waitFor({ timeout: 20000 });
  assert.match(await row.textContent(), new RegExp(added.body.member_code));
  const download = page.waitForEvent("download");
  await page.click("[data-testid=occasions-csv]");
  const file = await download;
  const csv = fs.readFileSync(await file.path(), "utf8");
  assert.match(csv, /^on,kind,customer_id,member_code,label,years\r\n/);
  assert.match(csv, new RegExp(`,date,fay,${added.body.member_code},Our wedding,`));
  await page.locator("[data-testid=occasions]").screenshot({ path: `${SHOTS}/console-occasions.png` });
  assert.deepEqual(errors, []);
  await page.close();
});
