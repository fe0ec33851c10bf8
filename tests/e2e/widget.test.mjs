// End-to-end: the widget's features in real Chromium against the real worker — redeem, SPA
// identify/logout, keyboard use, languages, a strict CSP, axe-core, main-thread cost, screenshots.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { BASE, launch, customerToken, storefront, storefrontPage, openWidget, newMember, SHOTS } from "./helpers.mjs";

const AXE = fs.readFileSync(path.resolve("node_modules/axe-core/axe.min.js"), "utf8");

let browser;
before(async () => {
  browser = await launch();
  fs.mkdirSync(SHOTS, { recursive: true });
});
after(async () => {
  await browser?.close();
});

/** A storefront on another origin; `fn(page, errors)` runs with it open. */
async function withShop(options, fn, { headers = {}, viewport = { width: 1000, height: 900 }, init } = {}) {
  const shop = await storefront(storefrontPage(options), headers);
  const page = await browser.newPage({ viewport });
  const errors = [];
  page.on("pageerror", (e) => errors.push(e.message));
  if (init) await page.addInitScript(init);
  try {
    await page.goto(shop.url);
    await fn(page, errors);
  } finally {
    await page.close();
    await shop.close();
  }
}

const $ = (page, sel) => page.locator(`punchcard-widget ${sel}`);

test("redeem: confirm, the coupon is shown, and the page receives punchcard:redeemed", async () => {
  const member = await newMember(45000); // 100 welcome + 450 earned
  await withShop({ token: member.token }, async (page, errors) => {
    await page.evaluate(() => {
      window.redeemed = [];
      window.addEventListener("punchcard:redeemed", (e) => window.redeemed.push(e.detail));
    });
    await openWidget(page);
    assert.equal(await $(page, "[data-testid=points]").textContent(), "550");
    const row = $(page, "[data-testid=reward-5-off]");
    await row.locator("[data-testid=redeem]").click();
    assert.match(await row.textContent(), /Spend 500 points on €5 off\?/);
    await row.locator("[data-testid=confirm]").click();
    const code = $(page, "[data-testid=coupon-code]");
    await code.waitFor({ timeout: 10000 });
    const shown = await code.textContent();
    assert.match(shown, /^PC-[0-9A-Z]{4}-[0-9A-Z]{4}$/);
    assert.equal(await $(page, "[data-testid=points]").textContent(), "50");
    const events = await page.evaluate(() => window.redeemed);
    assert.equal(events.length, 1);
    assert.equal(events[0].code, shown);
    assert.equal(events[0].kind, "amount_off");
    assert.equal(events[0].value_minor, 500);
    // The coupon is real: the shop's backend finds it active.
    const r = await fetch(`${BASE}/v1/shops/demo-bakery/coupons/${shown}`, {
      headers: { Authorization: "Bearer sk_test_demo_bakery" },
    });
    assert.equal((await r.json()).status, "active");
    assert.deepEqual(errors, []);
  });
});

test("identify and logout switch the shopper without a reload", async () => {
  const member = await newMember(1000);
  await withShop({}, async (page, errors) => {
    await openWidget(page);
    await $(page, "[data-testid=teaser]").waitFor();
    await page.evaluate(() => (window.marker = "same page"));
    await page.evaluate((t) => window.Punchcard.identify(t), member.token);
    await $(page, "[data-testid=points]").waitFor({ timeout: 10000 });
    assert.equal(await $(page, "[data-testid=points]").textContent(), "110");
    await page.evaluate(() => window.Punchcard.logout());
    await $(page, "[data-testid=teaser]").waitFor({ timeout: 10000 });
    assert.equal(await $(page, "[data-testid=points]").count(), 0);
    assert.equal(await page.evaluate(() => window.marker), "same page", "no reload happened");
    assert.deepEqual(errors, []);
  });
});

test("keyboard only: the launcher opens the panel, focus moves in, Escape closes and returns focus", async () => {
  const token = customerToken("demo-bakery", "c42", "sk_test_demo_bakery");
  await withShop({ token, body: '<a href="#top">Home</a>' }, async (page) => {
    await $(page, "[data-testid=launcher]").waitFor({ timeout: 20000 });
    await page.keyboard.press("Tab"); // the page's link
    await page.keyboard.press("Tab"); // the launcher
    const active = () => page.evaluate(() => {
      const host = document.querySelector("punchcard-widget");
      const el = host.shadowRoot.activeElement;
      return el ? el.getAttribute("data-testid") || el.className : null;
    });
    assert.equal(await active(), "launcher");
    await page.keyboard.press("Enter");
    assert.equal(await active(), "pc-panel", "focus moved into the panel");
    assert.equal(await $(page, "[data-testid=launcher]").getAttribute("aria-expanded"), "true");
    await $(page, "[data-testid=points]").waitFor({ timeout: 20000 });
    await page.keyboard.press("Tab");
    assert.equal(await active(), "close");
    await page.keyboard.press("Escape");
    assert.equal(await $(page, ".pc-panel").isVisible(), false);
    assert.equal(await active(), "launcher", "focus returned to the launcher");
    await page.keyboard.press("Enter");
    await page.keyboard.press("Tab");
    await page.keyboard.press("Enter"); // the close button
    assert.equal(await $(page, ".pc-panel").isVisible(), false);
    assert.equal(await active(), "launcher");
  });
});

for (const [locale, points, label] of [["de", "1.148", "Punkte"], ["ja", "1,148", "ポイント"]]) {
  test(`${locale}: the card and the teaser speak ${locale}, screenshots saved`, async () => {
    const token = customerToken("demo-bakery", "c42", "sk_test_demo_bakery");
    const viewport = { width: 480, height: 1000 };
    await withShop({ token, lang: locale }, async (page, errors) => {
      await openWidget(page);
      assert.equal(await $(page, "[data-testid=points]").textContent(), points);
      assert.equal(await $(page, ".pc-points__label").textContent(), label);
      assert.equal(await $(page, "[data-testid=launcher]").textContent(), locale === "de" ? "★ Prämien" : "★ ポイント特典");
      await $(page, ".pc-panel").screenshot({ path: `${SHOTS}/widget-${locale}-member.png` });
      assert.deepEqual(errors, []);
    }, { viewport });
    // data-locale wins over <html lang>.
    await withShop({ lang: "en", attrs: ` data-locale="${locale}"` }, async (page) => {
      await openWidget(page);
      const intro = await $(page, "[data-testid=teaser] p").first().textContent();
      assert.equal(intro, locale === "de" ? "Werden Sie Mitglied in unserem Treueclub – kostenlos." : "ポイントクラブに入会しませんか（無料）。");
      await $(page, ".pc-panel").screenshot({ path: `${SHOTS}/widget-${locale}-guest.png` });
    }, { viewport });
  });
}

test("en screenshots, and axe-core finds no violations in the open panel (member and guest)", async () => {
  const token = customerToken("demo-bakery", "c42", "sk_test_demo_bakery");
  const viewport = { width: 480, height: 1000 };
  for (const [who, options] of [["member", { token }], ["guest", {}]]) {
    await withShop(options, async (page) => {
      await openWidget(page);
      await page.waitForTimeout(300);
      await $(page, ".pc-panel").screenshot({ path: `${SHOTS}/widget-en-${who}.png` });
      if (who === "member") {
        await page.locator("punchcard-widget [data-testid=history] summary").click();
        await $(page, "[data-testid=reward-ship] [data-testid=redeem]").click();
      }
      await page.evaluate(AXE);
      const result = await page.evaluate(async () => {
        const r = await window.axe.run(document.querySelector("punchcard-widget"), {
          runOnly: { type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"] },
          rules: { region: { enabled: false } },
        });
        return { violations: r.violations.map((v) => ({ id: v.id, nodes: v.nodes.map((n) => n.target.join(" ")) })), passes: r.passes.length };
      });
      console.log(`axe (${who}): ${result.passes} rules pass, ${result.violations.length} violations`);
      assert.deepEqual(result.violations, [], JSON.stringify(result.violations, null, 1));
      assert.ok(result.passes > 10, "axe really ran over the widget");
    }, { viewport });
  }
});

test("a strict Content-Security-Policy (worker origin + 'wasm-unsafe-eval', no 'unsafe-inline') is enough", async () => {
  const csp = [
    "default-src 'self'",
    `script-src 'self' ${BASE} 'wasm-unsafe-eval'`,
    `style-src 'self' ${BASE}`,
    `connect-src 'self' ${BASE}`,
  ].join("; ");
  const token = customerToken("demo-bakery", "c42", "sk_test_demo_bakery");
  const init = () => {
    window.violations = [];
    document.addEventListener("securitypolicyviolation", (e) => window.violations.push(`${e.violatedDirective} ${e.blockedURI}`));
  };
  await withShop({ token }, async (page, errors) => {
    await openWidget(page);
    assert.equal(await $(page, "[data-testid=points]").textContent(), "1,148");
    // Styled from the worker's stylesheet (not inline styles): the brand colour is applied.
    const color = await $(page, "[data-testid=points]").evaluate((el) => getComputedStyle(el).color);
    assert.equal(color, "rgb(122, 62, 0)");
    await $(page, "[data-testid=reward-ship] [data-testid=redeem]").click();
    assert.deepEqual(await page.evaluate(() => window.violations), []);
    assert.deepEqual(errors, []);
  }, { headers: { "Content-Security-Policy": csp }, init });
});

test("main-thread cost: no long task, no layout shift, and the time from click to an interactive card", async () => {
  const token = customerToken("demo-bakery", "c42", "sk_test_demo_bakery");
  const init = () => {
    window.perf = { longTasks: [], shifts: 0 };
    new PerformanceObserver((l) => l.getEntries().forEach((e) => window.perf.longTasks.push([Math.round(e.startTime), Math.round(e.duration)])))
      .observe({ type: "longtask", buffered: true });
    new PerformanceObserver((l) => l.getEntries().forEach((e) => { if (!e.hadRecentInput) window.perf.shifts += e.value; }))
      .observe({ type: "layout-shift", buffered: true });
  };
  for (const [mode, options] of [
    ["launcher", { token }],
    ["inline", { token, attrs: ' data-mode="inline" data-target="#card"', body: '<div id="card" style="min-height:36rem"></div><p>Below the card.</p>' }],
  ]) {
    await withShop(options, async (page) => {
      await page.waitForLoadState("load");
      const loadEnd = await page.evaluate(() => performance.getEntriesByType("navigation")[0].loadEventEnd);
      let clickToCard = null;
      if (mode === "launcher") {
        await page.waitForTimeout(1500); // idle prefetch of the code after load
        const t0 = await page.evaluate(() => performance.now());
        await $(page, "[data-testid=launcher]").click();
        await $(page, "[data-testid=redeem]").first().waitFor({ timeout: 20000 });
        clickToCard = Math.round((await page.evaluate(() => performance.now())) - t0);
      } else {
        await $(page, "[data-testid=points]").waitFor({ timeout: 20000 });
      }
      const perf = await page.evaluate(() => window.perf);
      console.log(`${mode}: load event at ${Math.round(loadEnd)} ms; long tasks ${JSON.stringify(perf.longTasks)}; CLS ${perf.shifts}` +
        (clickToCard === null ? "" : `; click → interactive card ${clickToCard} ms`));
      const beforeLoad = perf.longTasks.filter(([start]) => start < loadEnd);
      assert.deepEqual(beforeLoad, [], "no long task before the page's load event");
      assert.equal(perf.shifts, 0, "no layout shift");
    }, { init });
  }
});

test("news, a running campaign and the feedback question show on the member's card (en and ja), screenshots saved", async () => {
  const id = `campaign-${Date.now().toString(36)}`;
  const call = async (method, url, key, body) => {
    const r = await fetch(`${BASE}${url}`, { method, headers: { Authorization: `Bearer ${key}`, "Content-Type": "application/json" },
      body: JSON.stringify(body) });
    return { status: r.status, body: await r.json() };
  };
  const created = await call("POST", "/v1/shops", "dev-admin-key", { shop_id: id, name: "Campaign bakery" });
  assert.equal(created.status, 201);
  const key = created.body.secret_key;
  const program = await (await fetch(`${BASE}/v1/shops/demo-bakery/program`)).json();
  const iso = (ms) => new Date(ms).toISOString().replace(/\.\d+Z$/, "Z");
  const week = { starts_at: iso(Date.now() - 3600e3), ends_at: iso(Date.now() + 7 * 86400e3) };
  program.campaigns = [{ id: "double", name: "Double points week", ...week, audience: { kind: "everyone" }, effect: { kind: "multiplier", pct: 200 } }];
  program.news = [{ id: "winter-sale", ...week, link: "/sale", audience: { kind: "everyone" }, public: true, texts: [
    { locale: "en", title: "Winter sale", text: "Members shop first: Saturday from 8 am, before everyone else." },
    { locale: "ja", title: "冬のセール", text: "会員の皆さまは土曜の朝8時から一足先にお買い物いただけます。" }] }];
  program.feedback = { every_nth_order: 1, points: 50 };
  assert.equal((await call("PUT", `/v1/shops/${id}/program`, key, program)).status, 200);
  const paid = await call("POST", `/v1/shops/${id}/events`, key, {
    id: "cw-1", type: "order.paid", customer_id: "mia", order_id: "o1", amount_minor: 2500, currency: "EUR" });
  assert.equal(paid.body.outcome.points, 50, "25 points, doubled");
  assert.equal(paid.body.feedback.question, 1, "asked after the order");
  const token = customerToken(id, "mia", key);
  for (const locale of ["en", "ja"]) {
    await withShop({ token, lang: locale, shop: id }, async (page, errors) => {
      await openWidget(page);
      const notice = $(page, "[data-testid=campaign]");
      await notice.waitFor({ timeout: 20000 });
      assert.match(await notice.textContent(), /Double points week/);
      assert.match(await notice.textContent(), locale === "ja" ? /まで/ : /until/);
      const news = $(page, "[data-testid=news]");
      assert.match(await news.locator("h3").textContent(), locale === "ja" ? /冬のセール/ : /Winter sale/);
      const question = $(page, "form[data-testid=feedback] h3");
      assert.match(await question.textContent(), locale === "ja" ? /Crumb Clubを友人に勧める/ : /recommend Crumb Club to a friend/);
      await $(page, ".pc-panel").screenshot({ path: `${SHOTS}/widget-${locale}-card-news-campaign-feedback.png` });
      if (locale === "ja") {
        // The member answers: thanks, 50 points more, and the shop's NPS counts it.
        await $(page, "[data-testid=feedback-score]").nth(9).click();
        await $(page, "[data-testid=feedback-comment]").fill("クロワッサンが最高です");
        await $(page, "[data-testid=feedback-send]").click();
        await $(page, "[data-testid=feedback-thanks]").waitFor({ timeout: 10000 });
        assert.equal(await $(page, "[data-testid=points]").textContent(), "200");
        const report = await (await fetch(`${BASE}/v1/shops/${id}/feedback`, { headers: { Authorization: `Bearer ${key}` } })).json();
        assert.equal(report.nps, 100);
        assert.equal(report.answers[0].comment, "クロワッサンが最高です");
      }
      assert.deepEqual(errors, []);
    }, { viewport: { width: 480, height: 1400 } });
  }
  // The news were read: the card marks them so, and visitors see the public news in the teaser.
  const me = await (await fetch(`${BASE}/v1/shops/${id}/customers/mia`, { headers: { Authorization: `Bearer ${key}` } })).json();
  assert.equal(me.news[0].read, true);
  await withShop({ lang: "en", shop: id }, async (page) => {
    await openWidget(page);
    await $(page, "[data-testid=teaser] [data-testid=news]").waitFor({ timeout: 20000 });
  });
});
