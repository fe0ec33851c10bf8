// The widget's main-thread cost over many page loads: LOADS (default 10) loads of the demo
// storefront page per mode (inline: the card mounts after `load`; launcher: opened by a click once
// its code was fetched on idle), each in a fresh tab of headless Chromium. Prints each load's long
// tasks (PerformanceObserver `longtask`, ≥ 50 ms) and when the card's points were visible, then per
// mode how many loads had a long task, the longest, and the median time to the card. One load is
// what the e2e test prints; this is the same measurement repeated, since one load on a 2-core
// machine says little. Run by `cargo xtask bench-widget` (its own `wrangler dev`, PUNCHCARD_URL).
import { launch, storefront, storefrontPage, customerToken } from "../tests/e2e/helpers.mjs";

const LOADS = Number(process.env.LOADS || 10);
const token = customerToken("demo-bakery", "c42", "sk_test_demo_bakery");
const modes = {
  inline: { attrs: ' data-mode="inline" data-target="#card"', body: '<div id="card" style="min-height:36rem"></div>' },
  launcher: {},
};
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

const browser = await launch();
// One load first, not counted: the worker's isolate and the browser's caches warm up.
for (const [mode, options] of Object.entries(modes)) {
  const shop = await storefront(storefrontPage({ token, ...options }));
  const loads = [];
  for (let i = 0; i <= LOADS; i++) {
    const page = await browser.newPage();
    await page.addInitScript(() => {
      window.longTasks = [];
      new PerformanceObserver((l) => l.getEntries().forEach((e) => window.longTasks.push([Math.round(e.startTime), Math.round(e.duration)])))
        .observe({ type: "longtask", buffered: true });
    });
    await page.goto(shop.url);
    await page.waitForLoadState("load");
    let from = 0;
    if (mode === "launcher") {
      await page.waitForTimeout(1500); // the idle prefetch of the code after load
      from = await page.evaluate(() => performance.now());
      await page.locator("punchcard-widget [data-testid=launcher]").click();
    }
    await page.locator("punchcard-widget [data-testid=points]").waitFor({ timeout: 20000 });
    const card = Math.round((await page.evaluate(() => performance.now())) - from);
    await page.waitForTimeout(300); // a render or layout still running would show as a long task
    const longTasks = await page.evaluate(() => window.longTasks);
    await page.close();
    if (i === 0) continue;
    loads.push({ card, longTasks });
    console.log(`${mode} load ${i}: card at ${card} ms${mode === "launcher" ? " after the click" : ""}; long tasks ${JSON.stringify(longTasks)}`);
  }
  await shop.close();
  const withLong = loads.filter((l) => l.longTasks.length > 0).length;
  const longest = Math.max(0, ...loads.flatMap((l) => l.longTasks.map(([, d]) => d)));
  console.log(`${mode}: ${withLong} of ${loads.length} loads had a long task (longest ${longest} ms); median card ${median(loads.map((l) => l.card))} ms`);
}
await browser.close();
