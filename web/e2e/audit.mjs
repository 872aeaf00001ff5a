// Browser test of 审计追溯 (the audit-trail search): police1 reads a person through the API with a
// purpose; the supervisor (supervisor1) opens 审计追溯, sees the chain-health card, is asked for
// the 查询事由 before searching, finds police1's read of that person (ID number masked in the
// list) and opens its detail with the chain position.
// Env as run.mjs (HUKOU_URL, HUKOU_E2E_PASSWORD, HUKOU_CHROMIUM, HUKOU_E2E_TIMEOUT).
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';
import { CHROMIUM_ARGS, RESULTS_DIR, e2eOptions, scenario } from './browser.mjs';

const PURPOSE = '浏览器测试核查';

/** Resolves to {passed, failed, skipped}. Never throws. */
export async function runAuditE2E(overrides = {}) {
  const o = e2eOptions(overrides);
  fs.mkdirSync(RESULTS_DIR, { recursive: true });
  const shot = (name) => path.join(RESULTS_DIR, `audit-${name}.png`);
  const pageErrors = [];
  let browser;
  let page;
  let person = null;
  const { step, finish } = scenario('e2e audit', shot, () => page);

  console.log(`e2e audit: ${o.url}, police1 reads → supervisor1 searches`);
  await step('准备：police1 带查询事由查看一名本所人员', null, async () => {
    const login = await fetch(`${o.url}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ login: 'police1', password: o.password }),
    });
    if (!login.ok) throw new Error(`police1 登录失败：HTTP ${login.status}`);
    const headers = { Cookie: (login.headers.get('set-cookie') || '').split(';')[0] };
    const list = await (await fetch(`${o.url}/api/v1/persons?status=active&page_size=5`, { headers })).json();
    const first = (list.items || [])[0];
    if (!first) throw new Error('police1 辖区内没有在册人员');
    const read = await fetch(`${o.url}/api/v1/persons/${first.id}?purpose=${encodeURIComponent(PURPOSE)}`, { headers });
    if (!read.ok) throw new Error(`查看人员：HTTP ${read.status}`);
    person = await read.json();
  });

  await step('启动浏览器', null, async () => {
    browser = await chromium.launch({ executablePath: o.executablePath, headless: false, args: CHROMIUM_ARGS, timeout: 30000 });
  });

  await step('督查登录并打开审计追溯，链状态可见', 'a1-open', async () => {
    const context = await browser.newContext({ viewport: { width: 1440, height: 900 }, locale: 'zh-CN' });
    context.setDefaultTimeout(o.timeout);
    page = await context.newPage();
    page.on('pageerror', (e) => pageErrors.push(e.message));
    await page.goto(`${o.url}/#/login`, { waitUntil: 'domcontentloaded' });
    await page.locator('[data-testid=login-name]').fill('supervisor1');
    await page.locator('[data-testid=login-password]').fill(o.password);
    await page.locator('[data-testid=login-submit]').click();
    await page.locator('[data-testid=current-user]').waitFor();
    await page.getByRole('menuitem', { name: '审计追溯' }).click();
    await page.waitForURL(/#\/audit$/);
    await page.locator('[data-testid=chain-audit-state]').waitFor();
    await page.locator('[data-testid=chain-access-state]').waitFor();
  });

  await step('未填查询事由不能查询；填写后查到 police1 的查看记录', 'a2-found', async () => {
    await page.locator('[data-testid=a-person]').fill(person.id_number);
    await page.locator('[data-testid=audit-search]').click();
    await page.locator('.el-message').filter({ hasText: '请填写查询事由' }).first().waitFor();
    await page.locator('[data-testid=a-purpose]').fill('督查抽查');
    const response = page.waitForResponse((r) => r.url().includes('/api/v1/audit?'));
    await page.locator('[data-testid=audit-search]').click();
    const res = await response;
    if (!res.ok()) throw new Error(`审计查询：HTTP ${res.status()} ${await res.text()}`);
    const row = page.locator('[data-testid=audit-table] .el-table__row').filter({ hasText: '查看人员' }).filter({ hasText: PURPOSE });
    await row.first().waitFor();
    const text = await row.first().innerText();
    if (!text.includes('李明')) throw new Error(`记录中没有民警姓名：${text}`);
    if (text.includes(person.id_number)) throw new Error('列表中的身份证号未脱敏');
    await row.first().click();
    const drawer = page.locator('.el-drawer').filter({ hasText: '审计记录详情' });
    await drawer.waitFor();
    const detail = await drawer.innerText();
    if (!/查询留痕链/.test(detail) || !/序号\s*\d+/.test(detail)) throw new Error(`详情缺少链位置：${detail.slice(0, 200)}`);
  });

  return finish(browser, pageErrors);
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  const r = await runAuditE2E();
  process.exitCode = r.failed > 0 || r.passed === 0 ? 1 : 0;
}
