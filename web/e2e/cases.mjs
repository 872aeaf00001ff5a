// Browser test of a case (办件) from reception to issue with three users of the demo city: the
// window clerk (clerk1) receives a birth registration (出生登记, HK0101) through the wizard — first
// without the application form, so that the server's one-time notice of what is missing (一次告知)
// shows — prints the receipt and, after a return and resubmission, uploads the form's scan in the
// case page's material panel (acceptance needs it captured); the police officer (police1) accepts it; the station chief
// (chief1) approves it, which registers the child with a new ID number; the clerk issues it. Then
// the timeline shows every step, the child is found by the new ID number, and the public portal
// shows the progress from the receipt's QR link without logging in. The item's chain is read from
// the catalogue, and every step of it is taken by the user of its role.
// Env as run.mjs (HUKOU_URL, HUKOU_E2E_PASSWORD, HUKOU_CHROMIUM, HUKOU_E2E_TIMEOUT).
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';
import { CHROMIUM_ARGS, RESULTS_DIR, pageMaker, scenario } from './browser.mjs';

const ITEM = 'HK0101';
/** What police1 returns the case for (退回补正), before the chain is taken through. */
const RETURN_MISSING = '申请人签字的户口登记申请表';
/** A 2×2 PNG: the application form's scan, uploaded through the case page's material panel. */
const PNG_HEX =
  '89504e470d0a1a0a0000000d4948445200000002000000020802000000fdd49a730000001149444154789c63f8cfc0004460e23f03001df003fda03309890000000049454e44ae426082';
/** The demo user who takes a chain step of each role (src/demo/demo.cc). */
const USER_OF_ROLE = { police: 'police1', station_chief: 'chief1', branch_approver: 'branch1', city_approver: 'city1' };

/** A logged-in JSON client of the API, used to find test data (a parent in police1's station). */
async function apiClient(url, login, password) {
  const res = await fetch(`${url}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ login, password }),
  });
  if (!res.ok) throw new Error(`${login} 登录失败：HTTP ${res.status}`);
  const cookie = (res.headers.get('set-cookie') || '').split(';')[0];
  return async (p) => {
    const r = await fetch(`${url}/api/v1${p}`, { headers: { Cookie: cookie } });
    if (!r.ok) throw new Error(`GET ${p}：HTTP ${r.status} ${await r.text()}`);
    return r.json();
  };
}

/** Runs the case scenario; resolves to {passed, failed, skipped}. Never throws. */
export async function runCasesE2E(overrides = {}) {
  const env = process.env;
  const o = {
    url: (overrides.url || env.HUKOU_URL || 'http://127.0.0.1:8080').replace(/\/+$/, ''),
    password: overrides.password || env.HUKOU_E2E_PASSWORD || 'demo1234',
    executablePath: overrides.executablePath || env.HUKOU_CHROMIUM || '/usr/bin/chromium',
    timeout: Number(overrides.timeout || env.HUKOU_E2E_TIMEOUT || 15000),
  };
  fs.mkdirSync(RESULTS_DIR, { recursive: true });
  const shot = (name) => path.join(RESULTS_DIR, `cases-${name}.png`);
  const pageErrors = [];
  let browser;
  let page;
  const c = { item: null, parent: null, caseNo: '', child: '', newId: '' };

  const { step, finish } = scenario('e2e cases', shot, () => page);

  const pages = pageMaker(() => browser, o, pageErrors);
  /** A fresh browser context (no session) with its page. */
  async function freshPage() {
    page = await pages.fresh();
  }
  async function loginAs(login) {
    page = await pages.loginAs(login);
  }

  /** Picks an option of the el-select behind `testid` by its exact text. */
  async function choose(scope, testid, text) {
    await scope.locator(`[data-testid=${testid}]`).click();
    const option = page.locator('.el-select-dropdown:visible .el-select-dropdown__item').filter({ hasText: new RegExp(`^\\s*${text}\\s*$`) });
    await option.first().click();
  }

  async function statusIs(text) {
    await page.locator('[data-testid=case-header] [data-testid=case-status]').filter({ hasText: text }).waitFor();
  }

  /** Opens the case from the user's 我的待办. */
  async function openFromTodo(login) {
    await loginAs(login);
    await page.getByRole('menuitem', { name: '我的待办' }).click();
    const row = page.locator('[data-testid=case-table] .el-table__row').filter({ hasText: c.caseNo });
    await row.first().waitFor({ state: 'visible' }).catch(() => {
      throw new Error(`${login} 的待办中没有办件 ${c.caseNo}`);
    });
    await row.first().click();
    await page.waitForURL(new RegExp(`#/cases/${c.caseNo}$`));
  }

  /** Submits the dialog `name` and waits for the POST to `…/cases/{no}/{path}` to succeed. */
  async function submitDialog(dialog, button, path) {
    const response = page.waitForResponse((r) => r.request().method() === 'POST' && r.url().endsWith(`/cases/${c.caseNo}/${path}`));
    await dialog.locator(`[data-testid=${button}]`).click();
    const res = await response;
    if (!res.ok()) throw new Error(`${path} 接口返回 HTTP ${res.status()}：${await res.text()}`);
    await dialog.waitFor({ state: 'hidden' });
  }

  /** Takes the awaited step from the user's 我的待办 with the approve decision (button `label`). */
  async function approveFromTodo(login, label) {
    await openFromTodo(login);
    const button = page.locator('[data-testid=decide-approve]');
    await button.waitFor();
    const text = (await button.innerText()).trim();
    if (text !== label) throw new Error(`办理按钮为“${text}”，应为“${label}”`);
    await button.click();
    const dialog = page.getByRole('dialog', { name: label });
    await dialog.waitFor();
    await dialog.locator('[data-testid=decision-opinion]').fill(`${label}：材料齐全，符合出生登记条件`);
    await submitDialog(dialog, 'decision-submit', 'decisions');
  }

  console.log(`e2e cases: ${o.url}, ${ITEM} by clerk1 → chain → clerk1`);
  await step('准备：读取事项审批链并选定本所在册的父/母', null, async () => {
    const items = await (await fetch(`${o.url}/api/v1/catalog/items`)).json();
    c.item = (items.items || []).find((i) => i.code === ITEM);
    if (!c.item) throw new Error(`事项清单中没有 ${ITEM}`);
    for (const s of c.item.chain) {
      if (!USER_OF_ROLE[s.role]) throw new Error(`审批环节角色 ${s.role} 没有演示用户`);
    }
    const get = await apiClient(o.url, 'police1', o.password);
    const list = await get('/persons?status=active&page_size=50');
    const adult = (list.items || []).find((p) => /^19[89]\d|^200[0-5]/.test(p.birth_date) && p.household_number);
    if (!adult) throw new Error('police1 辖区内没有 1980—2005 年出生的在册人员');
    c.parent = await get(`/persons/${adult.id}?purpose=${encodeURIComponent('浏览器测试')}`);
    c.child = `${c.parent.name.slice(0, 1)}测${String(Date.now()).slice(-2).replace(/\d/g, (d) => '一二三四五六七八九十'[d])}`;
    console.log(`    事项 ${c.item.name}：${c.item.chain.map((s) => `${s.level}/${s.action}/${s.role}`).join(' → ')}`);
    console.log(`    申请人 ${c.parent.name}，户号 ${c.parent.household.number}，新生儿 ${c.child}`);
  });

  await step('启动浏览器', null, async () => {
    browser = await chromium.launch({ executablePath: o.executablePath, headless: false, args: CHROMIUM_ARGS, timeout: 30000 });
  });

  await step('窗口受理：选择事项、填写申请人和新生儿', 'c01-wizard-persons', async () => {
    await loginAs('clerk1');
    await page.getByRole('menuitem', { name: '受理' }).click();
    await page.locator('[data-testid=w-item-search]').fill('出生一个月内');
    await page.locator('[data-testid=w-items] .el-table__row').filter({ hasText: c.item.name }).first().click();
    await page.locator('[data-testid=w-next]').click();
    await page.locator('[data-testid=w-applicant-name]').fill(c.parent.name);
    await page.locator('[data-testid=w-applicant-id]').fill(c.parent.id_number);
    await page.locator('[data-testid=w-applicant-phone]').fill('13800000000');
    const subject = page.locator('[data-testid=w-subject]').first();
    await subject.locator('[data-testid=w-np-name]').fill(c.child);
    await choose(subject, 'w-np-sex', '男');
    const born = new Date(Date.now() - 10 * 86400000).toISOString().slice(0, 10);
    const birth = subject.locator('[data-testid=w-np-birth] input');
    await birth.fill(born);
    await birth.press('Enter');
    await subject.locator('[data-testid=w-np-birthplace]').fill('湖北省鄂州市');
    await subject.locator(c.parent.sex === '2' ? '[data-testid=w-np-mother-name]' : '[data-testid=w-np-father-name]').fill(c.parent.name);
    await subject.locator(c.parent.sex === '2' ? '[data-testid=w-np-mother-id]' : '[data-testid=w-np-father-id]').fill(c.parent.id_number);
    await page.locator('[data-testid=w-next]').click();
    await page.locator('[data-testid=wizard-step-form]').waitFor();
  });

  await step('窗口受理：落户户号，缺申请表时一次告知', 'c02-one-time-notice', async () => {
    await page.locator('[data-testid=w-form-household_number]').fill(c.parent.household.number);
    await page.locator('[data-testid=w-household-check]').click();
    await page.locator('[data-testid=w-household]').waitFor();
    await page.locator('[data-testid=w-next]').click();
    await page.locator('[data-testid=w-materials]').waitFor();
    const verified = await page.locator('[data-testid=w-materials]').getByText('系统核验').count();
    if (verified < 1) throw new Error('材料清单中没有“系统核验”的材料');
    await page.locator('[data-testid=w-next]').click();
    const response = page.waitForResponse((r) => r.request().method() === 'POST' && new URL(r.url()).pathname === '/api/v1/cases');
    await page.locator('[data-testid=w-submit]').click();
    const res = await response;
    if (res.status() !== 422) throw new Error(`缺申请表时收件接口应返回 422，实为 HTTP ${res.status()}：${await res.text()}`);
    const notice = page.locator('[data-testid=w-server-missing]');
    await notice.waitFor();
    const text = (await notice.innerText()).replace(/\s+/g, ' ');
    if (!text.includes('户口登记申请表')) throw new Error(`一次告知未列出户口登记申请表：${text}`);
    console.log(`    ${text}`);
  });

  await step('窗口受理：补齐材料后提交，打印收件单', 'c03-receipt', async () => {
    await page.locator('[data-testid=w-material-application_form]').click();
    await page.locator('[data-testid=w-next]').click();
    const response = page.waitForResponse((r) => r.request().method() === 'POST' && new URL(r.url()).pathname === '/api/v1/cases');
    await page.locator('[data-testid=w-submit]').click();
    const res = await response;
    if (res.status() !== 201) throw new Error(`收件接口返回 HTTP ${res.status()}：${await res.text()}`);
    await page.waitForURL(/#\/cases\/\d+\/receipt$/);
    c.caseNo = (await page.locator('[data-testid=receipt-case-no]').innerText()).trim();
    if (!/^\d{14}$/.test(c.caseNo)) throw new Error(`办件编号异常：${c.caseNo}`);
    await page.locator('[data-testid=receipt-qr] svg').waitFor();
    // The QR code's link carries the case's 查询码 once the case has loaded.
    const link = page.locator('[data-testid=receipt-progress-url]').filter({ hasText: '&code=' });
    await link.waitFor();
    c.progressUrl = (await link.innerText()).trim();
    if (!new RegExp(`[?&]case_no=${c.caseNo}&code=[2-9A-HJ-NP-Z]{10}$`).test(c.progressUrl)) {
      throw new Error(`收件单二维码链接异常：${c.progressUrl}`);
    }
    const text = await page.locator('[data-testid=receipt]').innerText();
    if (!text.includes(c.item.name) || !text.includes(c.child)) throw new Error('收件单缺少事项名称或办理对象');
    console.log(`    办件编号 ${c.caseNo}`);
  });

  await step('police1：退回补正，一次告知需补正内容', 'c10-returned', async () => {
    await openFromTodo('police1');
    await page.locator('[data-testid=decide-return]').click();
    const dialog = page.getByRole('dialog', { name: '退回补正' });
    await dialog.waitFor();
    const missing = dialog.locator('[data-testid=decision-missing] input');
    await missing.fill(RETURN_MISSING);
    await missing.press('Enter');
    await dialog.locator('[data-testid=decision-opinion]').fill('申请表缺申请人签字，请补正后重新提交');
    await submitDialog(dialog, 'decision-submit', 'decisions');
    await statusIs('退回补正');
    const notice = (await page.locator('[data-testid=case-returned]').innerText()).replace(/\s+/g, ' ');
    if (!notice.includes(RETURN_MISSING)) throw new Error(`退回提示未列出需补正内容：${notice}`);
  });

  await step('clerk1：待办中补正后重新提交', 'c11-resubmitted', async () => {
    await openFromTodo('clerk1');
    await page.locator('[data-testid=case-returned]').waitFor();
    await page.locator('[data-testid=case-resubmit]').click();
    const dialog = page.getByRole('dialog', { name: '补正后重新提交' });
    await dialog.waitFor();
    await dialog.locator('[data-testid=resubmit-opinion]').fill('申请人已在申请表上补签');
    await submitDialog(dialog, 'resubmit-submit', 'resubmit');
    await statusIs('已收件');
  });

  await step('clerk1：在办件页的材料面板上传申请表扫描件（受理前须采集齐全）', 'c12-material-captured', async () => {
    const panel = page.locator('[data-testid=material-panel]');
    await panel.waitFor();
    const row = panel.locator('.el-table__row').filter({ hasText: '户口登记申请表' }).first();
    const response = page.waitForResponse((r) => r.request().method() === 'POST' && r.url().includes(`/archive/cases/${c.caseNo}/materials`));
    await row.locator('input[type=file]').setInputFiles({ name: 'application_form.png', mimeType: 'image/png', buffer: Buffer.from(PNG_HEX, 'hex') });
    const res = await response;
    if (res.status() !== 201) throw new Error(`材料采集接口返回 HTTP ${res.status()}：${await res.text()}`);
    await panel.locator('[data-testid=completeness]').filter({ hasText: '材料齐全' }).waitFor();
  });

  for (const [i, s] of c.item ? c.item.chain.entries() : []) {
    const login = USER_OF_ROLE[s.role];
    const label = s.action === 'accept' ? '受理' : s.action === 'review' ? '审核通过' : '审批通过';
    await step(`${login}：待办中${label}`, `c2${i}-${s.action}`, async () => {
      await approveFromTodo(login, label);
      await statusIs(i === c.item.chain.length - 1 ? '已审批' : '已受理');
    });
  }

  await step('审批后新生儿已分配公民身份号码', 'c30-approved', async () => {
    const id = page.locator('[data-testid=case-persons] [data-testid=person-id-number]').first();
    await id.waitFor();
    c.newId = (await id.innerText()).trim();
    if (!/^\d{17}[\dX]$/.test(c.newId)) throw new Error(`新生儿身份号码异常：${c.newId}`);
    console.log(`    ${c.child} ${c.newId}`);
  });

  await step('窗口发证办结，审批记录完整', 'c31-issued', async () => {
    await loginAs('clerk1');
    await page.goto(`${o.url}/#/cases/${c.caseNo}`);
    await page.locator('[data-testid=case-issue]').click();
    await page.locator('.el-message-box').getByRole('button', { name: '办结' }).click();
    await statusIs('已办结');
    const steps = page.locator('[data-testid=timeline-step]');
    const want = ['收件', '退回补正', '补正', ...c.item.chain.map((s) => (s.action === 'accept' ? '受理' : s.action === 'review' ? '审核' : '审批')), '发证办结'];
    await steps.nth(want.length - 1).waitFor();
    const texts = (await steps.allInnerTexts()).map((t) => t.replace(/\s+/g, ' '));
    if (texts.length !== want.length) throw new Error(`审批记录 ${texts.length} 条，应为 ${want.length} 条：${texts.join(' | ')}`);
    want.forEach((w, k) => {
      if (!texts[k].includes(w)) throw new Error(`第 ${k + 1} 条审批记录应为“${w}”：${texts[k]}`);
    });
    for (const who of ['王芳', '李明', '孙立新']) {
      if (!texts.some((t) => t.includes(who))) throw new Error(`审批记录中没有 ${who}`);
    }
    console.log(`    ${texts.map((t) => t.slice(0, 24)).join(' → ')}`);
  });

  await step('审批表预览：各环节意见和办理人', 'c32-approval-form', async () => {
    await page.locator('[data-testid=case-approval-form-link]').click();
    await page.locator('[data-testid=approval-form]').waitFor();
    const rows = (await page.locator('[data-testid=approval-form-step]').allInnerTexts()).map((t) => t.replace(/\s+/g, ' '));
    if (rows.length !== c.item.chain.length + 1) throw new Error(`审批表有 ${rows.length} 条意见，应为 ${c.item.chain.length + 1} 条：${rows.join(' | ')}`);
    if (!rows[0].includes('退回补正') || !rows[rows.length - 1].includes('孙立新')) throw new Error(`审批表意见不对：${rows.join(' | ')}`);
  });

  await step('按新身份号码查到新生儿', 'c33-person', async () => {
    await loginAs('police1');
    await page.getByRole('menuitem', { name: '人口查询' }).click();
    await page.locator('[data-testid=f-id-number]').fill(c.newId);
    await page.locator('[data-testid=search-button]').click();
    await page.locator('[data-testid=person-table] [data-testid=person-name]').filter({ hasText: c.child }).first().waitFor();
  });

  await step('门户：扫收件单二维码直接看到进度（未登录，不填身份号码）', 'c34-portal-qr', async () => {
    // The printed receipt's QR code carries the short link /p/<办件编号>-<查询码>.
    const code = c.progressUrl.split('code=')[1];
    await freshPage();
    await page.goto(`${o.url}/p/${c.caseNo}-${code}`, { waitUntil: 'domcontentloaded' });
    await page.locator('[data-testid=progress-by-code]').waitFor();
    await page.locator('[data-testid=progress-status]').filter({ hasText: '已办结' }).waitFor();
    if ((await page.locator('[data-testid=progress-id-number]').inputValue()) !== '') throw new Error('不应要求填写身份号码');
  });

  await step('门户：按办件编号和身份号码查询进度（未登录）', 'c35-portal-progress', async () => {
    await freshPage();
    await page.goto(`${o.url}/#/portal/progress?case_no=${c.caseNo}`, { waitUntil: 'domcontentloaded' });
    const caseNo = page.locator('[data-testid=progress-case-no]');
    await caseNo.waitFor();
    if ((await caseNo.inputValue()) !== c.caseNo) throw new Error('进度查询页未带出办件编号');
    await page.locator('[data-testid=progress-id-number]').fill(c.parent.id_number);
    await page.locator('[data-testid=progress-search]').click();
    await page.locator('[data-testid=progress-status]').filter({ hasText: '已办结' }).waitFor();
    const n = await page.locator('[data-testid=progress-step]').count();
    if (n < c.item.chain.length + 2) throw new Error(`进度只有 ${n} 个环节`);
    await page.screenshot({ path: shot('c35-portal-progress-found'), fullPage: true, animations: 'disabled' });
    await page.locator('[data-testid=progress-id-number]').fill('110101199003074514');
    await page.locator('[data-testid=progress-search]').click();
    await page.locator('[data-testid=progress-error]').waitFor();
  });

  return finish(browser, pageErrors);
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  const r = await runCasesE2E();
  process.exitCode = r.failed > 0 || r.passed === 0 ? 1 : 0;
}
