// Browser test of the web console: log in, search a person by name, open the first result, check
// its change history (变动记录), correct its phone number (修改辅项) and take a photo (采集照片); then,
// without a session, open the public portal's 办事指南 and find an item. Run directly, it goes on with
// the scenarios of e2e/cases.mjs, e2e/audit.mjs and e2e/archive.mjs. Drives Debian's chromium through playwright-core (no browser
// download). Env: HUKOU_URL (default http://127.0.0.1:8080), HUKOU_E2E_LOGIN, HUKOU_E2E_PASSWORD,
// HUKOU_E2E_NAME, HUKOU_CHROMIUM (default /usr/bin/chromium), HUKOU_E2E_TIMEOUT (ms, default 15000).
// Screenshots go to web/test-results/. Exits non-zero when any step fails.
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';

import { CHROMIUM_ARGS, RESULTS_DIR, scenario } from './browser.mjs';

export { CHROMIUM_ARGS, RESULTS_DIR };

function options(overrides = {}) {
  const env = process.env;
  return {
    url: (overrides.url || env.HUKOU_URL || 'http://127.0.0.1:8080').replace(/\/+$/, ''),
    login: overrides.login || env.HUKOU_E2E_LOGIN || 'police1',
    password: overrides.password || env.HUKOU_E2E_PASSWORD || 'demo1234',
    name: overrides.name || env.HUKOU_E2E_NAME || '张三',
    executablePath: overrides.executablePath || env.HUKOU_CHROMIUM || '/usr/bin/chromium',
    timeout: Number(overrides.timeout || env.HUKOU_E2E_TIMEOUT || 15000),
    prefix: overrides.prefix || '',
  };
}

/** Runs the console scenario; resolves to {passed, failed, skipped}. Never throws. */
export async function runE2E(overrides = {}) {
  const o = options(overrides);
  fs.mkdirSync(RESULTS_DIR, { recursive: true });
  const shot = (name) => path.join(RESULTS_DIR, `${o.prefix}${name}.png`);
  let browser;
  let page;
  const pageErrors = [];

  const { step, finish } = scenario('e2e', shot, () => page);

  console.log(`e2e: ${o.url} as ${o.login}, searching ${o.name}`);
  await step('启动浏览器', null, async () => {
    browser = await chromium.launch({ executablePath: o.executablePath, headless: false, args: CHROMIUM_ARGS, timeout: 30000 });
    const context = await browser.newContext({ viewport: { width: 1440, height: 900 }, locale: 'zh-CN' });
    context.setDefaultTimeout(o.timeout);
    page = await context.newPage();
    page.on('pageerror', (e) => pageErrors.push(e.message));
  });

  await step('打开控制台并登录', '01-logged-in', async () => {
    const res = await page.goto(`${o.url}/`, { waitUntil: 'domcontentloaded' });
    if (!res || !res.ok()) throw new Error(`打开 ${o.url}/ 失败：HTTP ${res ? res.status() : '无响应'}`);
    await page.locator('[data-testid=login-name]').waitFor();
    await page.screenshot({ path: shot('00-login'), fullPage: true, animations: 'disabled' });
    await page.locator('[data-testid=login-name]').fill(o.login);
    await page.locator('[data-testid=login-password]').fill(o.password);
    await page.locator('[data-testid=login-submit]').click();
    const who = page.locator('[data-testid=current-user]');
    const error = page.locator('[data-testid=login-error]');
    await Promise.race([who.waitFor(), error.waitFor()]);
    if (await error.isVisible()) throw new Error(`登录失败：${(await error.innerText()).trim()}`);
    const role = (await who.innerText()).replace(/\s+/g, ' ').trim();
    console.log(`    当前用户：${role}`);
    if ((await page.getByRole('menuitem', { name: '人口查询' }).count()) === 0) {
      throw new Error('登录用户没有“人口查询”菜单，请使用民警等业务角色的账号');
    }
  });

  await step(`按姓名查询“${o.name}”`, '02-search', async () => {
    await page.getByRole('menuitem', { name: '人口查询' }).click();
    const nameInput = page.locator('[data-testid=f-name]');
    await nameInput.fill(o.name);
    const response = page.waitForResponse((r) => new URL(r.url()).pathname === '/api/v1/persons');
    await page.locator('[data-testid=search-button]').click();
    const res = await response;
    if (!res.ok()) throw new Error(`查询接口返回 HTTP ${res.status()}：${await res.text()}`);
    const rows = page.locator('[data-testid=person-table] .el-table__body tr.el-table__row');
    await rows.first().waitFor({ timeout: 5000 }).catch(() => {
      throw new Error(`未查询到姓名为“${o.name}”的人员`);
    });
    const names = (await page.locator('[data-testid=person-table] [data-testid=person-name]').allInnerTexts()).map((n) => n.trim());
    console.log(`    结果：${names.slice(0, 5).join('、')}${names.length > 5 ? ' …' : ''}`);
    if (names.length === 0 || names.some((n) => n === '')) throw new Error('查询结果中姓名为空');
  });

  await step('打开第一条结果', '03-person', async () => {
    const first = page.locator('[data-testid=person-table] .el-table__body tr.el-table__row').first();
    const expected = (await first.locator('[data-testid=person-name]').innerText()).trim();
    await first.click();
    await page.waitForURL(/#\/persons\/[^/?]+/);
    const title = page.locator('[data-testid=person-title]');
    await title.filter({ hasText: expected }).waitFor();
    const id = (await page.locator('[data-testid=person-id-number]').innerText()).trim();
    if (!/^\d{6}[\d*]{8}\d{3}[\dX]$/.test(id)) throw new Error(`公民身份号码显示异常：${id}`);
  });

  await step('查看变动记录', '04-history', async () => {
    await page.getByRole('tab', { name: '变动记录' }).click();
    const items = page.locator('[data-testid=history-item]');
    await items.first().waitFor({ state: 'visible' });
    const n = await items.count();
    if (n < 1) throw new Error('变动记录为空');
    console.log(`    变动记录 ${n} 条`);
  });

  await step('修改辅项：更正联系电话', '05-edit-aux', async () => {
    const phone = `139${String(Math.floor(Math.random() * 1e8)).padStart(8, '0')}`;
    const reason = '群众申请更正电话';
    await page.locator('[data-testid=edit-aux]').click();
    const dialog = page.getByRole('dialog', { name: '修改辅项' });
    await dialog.waitFor();
    await dialog.locator('[data-testid=aux-phone]').fill(phone);
    await dialog.locator('[data-testid=aux-reason]').fill(reason);
    await page.screenshot({ path: shot('05-edit-aux-dialog'), fullPage: true, animations: 'disabled' });
    const response = page.waitForResponse(
      (r) => r.request().method() === 'PATCH' && /^\/api\/v1\/persons\/[^/]+$/.test(new URL(r.url()).pathname),
    );
    await dialog.locator('[data-testid=aux-save]').click();
    const res = await response;
    if (!res.ok()) throw new Error(`修改接口返回 HTTP ${res.status()}：${await res.text()}`);
    await dialog.waitFor({ state: 'hidden' });
    const entry = page.locator('[data-testid=history-item]').filter({ hasText: phone }).first();
    await entry.waitFor({ state: 'visible' });
    const text = (await entry.innerText()).replace(/\s+/g, ' ');
    if (!text.includes(`事由：${reason}`)) throw new Error(`变动记录未显示变更事由：${text}`);
    console.log(`    联系电话改为 ${phone}`);
  });

  await step('采集照片', '06-photo', async () => {
    // Any non-image file is refused by the server with its Chinese message.
    const picker = page.locator('[data-testid=photo-file]');
    await picker.setInputFiles({ name: '说明.txt', mimeType: 'text/plain', buffer: Buffer.from('不是照片') });
    const refusal = page.locator('.el-message--error').filter({ hasText: 'JPEG 或 PNG' });
    await refusal.first().waitFor({ state: 'visible' }).catch(() => {
      throw new Error('上传非图片文件时未显示“照片须为 JPEG 或 PNG”提示');
    });
    // A real PNG: a clip of the page itself.
    const png = await page.screenshot({ clip: { x: 0, y: 0, width: 120, height: 160 } });
    const response = page.waitForResponse(
      (r) => r.request().method() === 'PUT' && /\/photo$/.test(new URL(r.url()).pathname),
    );
    await picker.setInputFiles({ name: 'photo.png', mimeType: 'image/png', buffer: png });
    const res = await response;
    if (!res.ok()) throw new Error(`照片上传接口返回 HTTP ${res.status()}：${await res.text()}`);
    const img = page.locator('[data-testid=person-photo] img');
    await img.waitFor({ state: 'visible' });
    await page.waitForFunction(
      (el) => el && el.complete && el.naturalWidth > 0,
      await img.elementHandle(),
    );
    await page.locator('[data-testid=history-item]').filter({ hasText: '照片' }).first().waitFor({ state: 'visible' });
  });

  await step('门户：未登录查看办事指南', '07-portal', async () => {
    // A fresh context: no session cookie, the public portal must open without logging in.
    const context = await browser.newContext({ viewport: { width: 1440, height: 900 }, locale: 'zh-CN' });
    context.setDefaultTimeout(o.timeout);
    page = await context.newPage();
    page.on('pageerror', (e) => pageErrors.push(e.message));
    const res = await page.goto(`${o.url}/portal/catalog`, { waitUntil: 'domcontentloaded' });
    if (!res || !res.ok()) throw new Error(`打开 ${o.url}/portal/catalog 失败：HTTP ${res ? res.status() : '无响应'}`);
    const item = page.locator('[data-testid=portal-item]').filter({ hasText: '出生登记（出生一个月内申报）' });
    await item.first().waitFor({ state: 'visible' });
    if ((await page.locator('[data-testid=login-name]').count()) > 0) throw new Error('门户页面要求登录');
    await page.locator('[data-testid=portal-search]').fill('补领');
    await page.locator('[data-testid=portal-search]').press('Enter');
    await page.locator('[data-testid=portal-item]').filter({ hasText: '户口簿补领' }).first().click();
    const detail = page.locator('[data-testid=item-detail]');
    await detail.waitFor({ state: 'visible' });
    const text = (await detail.innerText()).replace(/\s+/g, ' ');
    if (!text.includes('申请材料') || !text.includes('个工作日')) throw new Error(`事项详情缺少材料或时限：${text.slice(0, 200)}`);
    console.log(`    门户事项 ${await page.locator('[data-testid=portal-item]').count()} 项（搜索“补领”）`);
  });

  return finish(browser, pageErrors);
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  const r = await runE2E();
  // A case from reception to issue with three users (e2e/cases.mjs); the real server only.
  const { runCasesE2E } = await import('./cases.mjs');
  const c = await runCasesE2E();
  // The supervisor's audit-trail search (e2e/audit.mjs).
  const { runAuditE2E } = await import('./audit.mjs');
  const a = await runAuditE2E();
  // The archive browser, the case page's material viewer and the public verification page (e2e/archive.mjs).
  const { runArchiveE2E } = await import('./archive.mjs');
  const v = await runArchiveE2E();
  process.exitCode = [r, c, a, v].some((x) => x.failed > 0 || x.passed === 0) ? 1 : 0;
}
