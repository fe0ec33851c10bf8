// End-to-end: the demo storefront and a hostile storefront on another origin, in real Chromium.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { BASE, launch, customerToken, storefront, storefrontPage, openWidget } from "./helpers.mjs";

/** The demo member's card straight from the API, to compare the widget against. */
async function apiCard(customer = "c42") {
  const token = customerToken("demo-bakery", customer, "sk_test_demo_bakery");
  const r = await fetch(`${BASE}/v1/shops/demo-bakery/me`, { headers: { Authorization: `Bearer ${token}` } });
  assert.equal(r.status, 200);
  return r.json();
}

let browser;
before(async () => {
  browser = await launch();
});
after(async () => {
  await browser?.close();
});

async function openPage(url) {
  const page = await browser.newPage();
  const errors = [];
  page.on("pageerror", (e) => errors.push(e.message));
  await page.goto(url);
  return { page, errors };
}

test("the demo storefront shows the demo member's points inside the shadow root (inline mode)", async () => {
  const { page, errors } = await openPage(`${BASE}/`);
  // Playwright's CSS locators pierce open shadow roots; check the node really is in one.
  const points = page.locator("punchcard-widget [data-testid=points]");
  await points.waitFor({ timeout: 20000 });
  const card = await apiCard();
  assert.equal(await points.textContent(), card.points.toLocaleString("en"));
  const inShadow = await page.evaluate(() => {
    const host = document.querySelector("punchcard-widget");
    return !!host.shadowRoot?.querySelector("[data-testid=points]") && !document.querySelector("[data-testid=points]");
  });
  assert.ok(inShadow, "the card renders inside the shadow root, not the page");
  assert.equal(await page.locator("punchcard-widget .pc-slot--filled").count(), card.stamps.filled);
  assert.equal(await page.locator("punchcard-widget .pc-slot").count(), card.stamps.goal);
  assert.deepEqual(errors, []);
  await page.close();
});

test("hostile storefront CSS on another origin neither hides nor restyles the widget", async () => {
  const hostile = `
    div { display: none !important; }
    punchcard-widget { display: none !important; }
    section, p, span { color: rgb(255, 0, 0) !important; font-size: 3px !important; visibility: hidden !important; }
    * { font-family: "Comic Sans MS", cursive !important; }`;
  const token = customerToken("demo-bakery", "c42", "sk_test_demo_bakery");
  const shop = await storefront(storefrontPage({ token, css: hostile }));
  try {
    const { page, errors } = await openPage(shop.url);
    await openWidget(page);
    const points = page.locator("punchcard-widget [data-testid=points]");
    assert.equal(await points.textContent(), (await apiCard()).points.toLocaleString("en"));
    assert.ok(await points.isVisible(), "points are visible despite the hostile rules");
    const style = await points.evaluate((el) => {
      const s = getComputedStyle(el);
      return { color: s.color, fontSize: parseFloat(s.fontSize), visibility: s.visibility, font: s.fontFamily };
    });
    assert.notEqual(style.color, "rgb(255, 0, 0)");
    // The card's typography is its own: the host's `font` is `!important` inside the shadow tree,
    // which beats an outer `!important` (important rules of the inner context win).
    assert.match(style.font, /^-apple-system, BlinkMacSystemFont/, `font-family ${style.font}`);
    const launcherFont = await page.locator("punchcard-widget [data-testid=launcher]").evaluate((el) => getComputedStyle(el).fontFamily);
    assert.match(launcherFont, /^-apple-system, BlinkMacSystemFont/, `launcher font-family ${launcherFont}`);
    assert.ok(style.fontSize >= 16, `font size ${style.fontSize}px`);
    assert.equal(style.visibility, "visible");
    const box = await page.locator("punchcard-widget .pc-panel").boundingBox();
    assert.ok(box && box.height > 50 && box.width > 100, `panel box ${JSON.stringify(box)}`);
    // The page keeps its own styles: nothing of ours leaked out of the shadow root.
    assert.equal(await page.evaluate(() => getComputedStyle(document.body).fontFamily.includes("Comic")), true);
    assert.deepEqual(errors, []);
    await page.close();
  } finally {
    await shop.close();
  }
});

test("a visitor without a token sees the program's teaser", async () => {
  const shop = await storefront(storefrontPage({}));
  try {
    const { page, errors } = await openPage(shop.url);
    await openWidget(page);
    const teaser = page.locator("punchcard-widget [data-testid=teaser]");
    assert.match(await teaser.textContent(), /Crumb Club/);
    assert.match(await page.locator("punchcard-widget [data-testid=welcome]").textContent(), /100/);
    assert.deepEqual(errors, []);
    await page.close();
  } finally {
    await shop.close();
  }
});

test("an expired token shows an actionable error, not a blank box", async () => {
  const token = customerToken("demo-bakery", "c42", "sk_test_demo_bakery", -10);
  const shop = await storefront(storefrontPage({ token }));
  try {
    const { page } = await openPage(shop.url);
    await openWidget(page);
    const alert = page.locator("punchcard-widget [role=alert]");
    assert.match(await alert.textContent(), /sign in again/);
    assert.equal(await page.locator("punchcard-widget [role=alert] button").count(), 1);
    await page.close();
  } finally {
    await shop.close();
  }
});

test("a program without rewards shows no rewards section, to members or to visitors", async () => {
  const shopId = `e2e-plain-${Date.now()}`;
  const call = async (method, url, key, body) => {
    const r = await fetch(`${BASE}${url}`, {
      method,
      headers: { Authorization: `Bearer ${key}`, "Content-Type": "application/json" },
      body: JSON.stringify(body),
    });
    const text = await r.text();
    assert.ok(r.status < 300, `${method} ${url}: ${r.status} ${text}`);
    return JSON.parse(text);
  };
  const { secret_key: key } = await call("POST", "/v1/shops", "dev-admin-key", { shop_id: shopId, name: "Plain" });
  await call("PUT", `/v1/shops/${shopId}/program`, key, {
    name: "Plain points", currency: "EUR", earn: { points_per_unit: 1, unit_minor: 100 },
  });
  await call("POST", `/v1/shops/${shopId}/events`, key, {
    id: "p1", type: "order.paid", customer_id: "m1", order_id: "o1", amount_minor: 1200, currency: "EUR",
  });
  // The demo shop (a catalog) is the control: the same check sees its heading.
  const cases = [
    [shopId, customerToken(shopId, "m1", key), false],
    [shopId, null, false],
    ["demo-bakery", customerToken("demo-bakery", "c42", "sk_test_demo_bakery"), true],
  ];
  for (const [shopName, token, hasRewards] of cases) {
    const shop = await storefront(storefrontPage({ token, shop: shopName }));
    try {
      const { page, errors } = await openPage(shop.url);
      await openWidget(page);
      const headings = await page.locator("punchcard-widget .pc-h").evaluateAll((els) =>
        els.filter((el) => el.checkVisibility()).map((el) => el.textContent));
      assert.equal(headings.includes("Rewards"), hasRewards, `${shopName} ${token ? "member" : "visitor"}: ${headings}`);
      if (token && !hasRewards) assert.equal(await page.locator("punchcard-widget [data-testid=points]").textContent(), "12");
      assert.deepEqual(errors, []);
      await page.close();
    } finally {
      await shop.close();
    }
  }
});

test("points that expire within 30 days are announced on the card", async () => {
  const id = `e2e-exp-${Date.now().toString(36)}`;
  // An order 340 days ago: its points (the demo program keeps them 365 days) expire in 25 days.
  const at = new Date(Date.now() - 340 * 86_400_000).toISOString().replace(/\.\d+Z$/, "Z");
  const r = await fetch(`${BASE}/v1/shops/demo-bakery/events`, {
    method: "POST",
    headers: { Authorization: "Bearer sk_test_demo_bakery", "Content-Type": "application/json" },
    body: JSON.stringify({ id: `${id}-paid`, type: "order.paid", customer_id: id, order_id: `${id}-o1`,
      amount_minor: 4200, currency: "EUR", occurred_at: at }),
  });
  const card = await r.json();
  assert.equal(r.status, 200, JSON.stringify(card));
  assert.equal(card.points_expiring?.points, 42, JSON.stringify(card.points_expiring));
  const shop = await storefront(storefrontPage({ token: customerToken("demo-bakery", id, "sk_test_demo_bakery") }));
  try {
    const { page, errors } = await openPage(shop.url);
    await openWidget(page);
    const notice = page.locator("punchcard-widget [data-testid=expiring]");
    await notice.waitFor({ timeout: 20000 });
    assert.match(await notice.textContent(), /^Expiring on .+: 42 points$/);
    assert.deepEqual(errors, []);
    await page.close();
  } finally {
    await shop.close();
  }
});
