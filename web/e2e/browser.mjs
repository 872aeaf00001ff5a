// What the browser tests share: chromium's switches and where screenshots go.
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
export const RESULTS_DIR = path.resolve(here, '..', 'test-results');

export const CHROMIUM_ARGS = [
  '--headless=new',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-dev-shm-usage',
];

/**
 * The steps of a browser scenario named `label`: `step(title, file, fn)` runs fn once every step
 * before it has passed (otherwise counts it skipped), screenshots `currentPage()` to `shot(file)`
 * after it and to `shot('failed-…')` when it fails; `finish(browser, pageErrors)` closes the
 * browser, counts script errors of the pages as a failure and resolves to {passed, failed, skipped}.
 */
export function scenario(label, shot, currentPage) {
  const result = { passed: 0, failed: 0, skipped: 0 };
  let broken = false;

  async function step(title, file, fn) {
    if (broken) {
      result.skipped++;
      console.log(`  - ${title}（跳过）`);
      return;
    }
    const started = Date.now();
    try {
      await fn();
      const page = currentPage();
      if (page && file) await page.screenshot({ path: shot(file), fullPage: true, animations: 'disabled' });
      result.passed++;
      console.log(`  ✓ ${title} (${Date.now() - started} ms)`);
    } catch (e) {
      result.failed++;
      broken = true;
      const text = String(e && e.message ? e.message : e).replace(/\x1b\[[0-9;]*m/g, '').trim();
      console.log(`  ✗ ${title}\n    ${text.split('\n').join('\n    ')}`);
      const page = currentPage();
      if (page) await page.screenshot({ path: shot(`failed-${file || 'step'}`), fullPage: true }).catch(() => {});
    }
  }

  async function finish(browser, pageErrors) {
    if (browser) await browser.close().catch(() => {});
    if (pageErrors.length) console.log(`  页面脚本错误：\n    ${pageErrors.join('\n    ')}`);
    if (pageErrors.length && !broken) {
      result.failed++;
      console.log('  ✗ 页面无脚本错误');
    }
    console.log(`${label}: ${result.passed} passed, ${result.failed} failed${result.skipped ? `, ${result.skipped} skipped` : ''}`);
    return result;
  }

  return { step, finish };
}

/** The options of a browser scenario from `overrides` and the environment (see run.mjs). */
export function e2eOptions(overrides = {}) {
  const env = process.env;
  return {
    url: (overrides.url || env.HUKOU_URL || 'http://127.0.0.1:8080').replace(/\/+$/, ''),
    password: overrides.password || env.HUKOU_E2E_PASSWORD || 'demo1234',
    executablePath: overrides.executablePath || env.HUKOU_CHROMIUM || '/usr/bin/chromium',
    timeout: Number(overrides.timeout || env.HUKOU_E2E_TIMEOUT || 15000),
  };
}

/**
 * Fresh pages for a browser test: `fresh()` closes the current context and opens a new one
 * (no session, zh-CN, the test's timeout, page errors collected into `pageErrors`); `loginAs()`
 * does that and logs in through the login page. Both resolve to the new page.
 */
export function pageMaker(getBrowser, o, pageErrors) {
  let page = null;
  async function fresh() {
    if (page) await page.context().close().catch(() => {});
    const context = await getBrowser().newContext({ viewport: { width: 1440, height: 900 }, locale: 'zh-CN' });
    context.setDefaultTimeout(o.timeout);
    page = await context.newPage();
    page.on('pageerror', (e) => pageErrors.push(e.message));
    return page;
  }
  async function loginAs(login) {
    await fresh();
    await page.goto(`${o.url}/#/login`, { waitUntil: 'domcontentloaded' });
    await page.locator('[data-testid=login-name]').fill(login);
    await page.locator('[data-testid=login-password]').fill(o.password);
    await page.locator('[data-testid=login-submit]').click();
    await page.locator('[data-testid=current-user]').waitFor();
    return page;
  }
  return { fresh, loginAs };
}
