// Browser test of the archive browser (档案管理), the material viewer of the case page and the public
// verification page (文书核验), on the demo city's cases (scripts/e2e.sh runs `hukou demo --cases`):
// the police officer of 华容派出所 (police2) opens 档案管理, chooses the station and the year of its
// 全域通办 volume, sees the station's volumes by type, opens the 全域通办 volume's booklets, one
// booklet's 卷内目录 and its PDF (一件一册), and on that case's page opens the scan from its
// thumbnail (the image loads); police1 opens a PDF material (the case's receipt, captured through
// the API) of an open case of 凤凰派出所 (the PDF viewer shows it). Then, without a session,
// /verify/<文书编号> of the receipt says who signed it for which unit, the receipt uploaded
// unchanged is authentic, and a copy with one byte changed is altered.
// Env as run.mjs (HUKOU_URL, HUKOU_E2E_PASSWORD, HUKOU_CHROMIUM, HUKOU_E2E_TIMEOUT).
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';
import { CHROMIUM_ARGS, RESULTS_DIR, e2eOptions, pageMaker, scenario } from './browser.mjs';

/** Of 华容派出所, which holds a 全域通办 volume in the demo city. */
const LOGIN = 'police2';
/** Of 凤凰派出所, whose open cases the PDF material goes into. */
const PDF_LOGIN = 'police1';
const OPEN_STATUSES = ['received', 'accepted', 'returned'];

/** A logged-in client of the API: `get(path)` → JSON, `raw(path, init)` → Response. */
async function apiClient(url, login, password) {
  const res = await fetch(`${url}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ login, password }),
  });
  if (!res.ok) throw new Error(`${login} 登录失败：HTTP ${res.status}`);
  const user = (await res.json()).user;
  const cookie = (res.headers.get('set-cookie') || '').split(';')[0];
  const raw = (p, init = {}) => fetch(`${url}/api/v1${p}`, { ...init, headers: { ...(init.headers || {}), Cookie: cookie } });
  const get = async (p) => {
    const r = await raw(p);
    if (!r.ok) throw new Error(`GET ${p}：HTTP ${r.status} ${await r.text()}`);
    return r.json();
  };
  return { user, get, raw };
}

const isPdf = (bytes) => Buffer.from(bytes.subarray(0, 5)).toString('latin1') === '%PDF-';

/** Resolves to {passed, failed, skipped}. Never throws. */
export async function runArchiveE2E(overrides = {}) {
  const o = e2eOptions(overrides);
  fs.mkdirSync(RESULTS_DIR, { recursive: true });
  const shot = (name) => path.join(RESULTS_DIR, `archive-${name}.png`);
  const pageErrors = [];
  let browser;
  let page;
  const d = { station: '', stationName: '', year: 0, volumes: [], cityWide: null, booklet: null, catalogue: [] };
  const { step, finish } = scenario('e2e archive', shot, () => page);

  const pages = pageMaker(() => browser, o, pageErrors);
  /** A fresh browser context (no session) with its page. */
  async function freshPage() {
    page = await pages.fresh();
  }
  async function loginAs(login) {
    page = await pages.loginAs(login);
  }

  console.log(`e2e archive: ${o.url}, ${LOGIN} browses the archive; /verify without a session`);
  await step('准备：全域通办卷、案卷及其收件单，在办办件中采集一份 PDF 材料', null, async () => {
    const api = await apiClient(o.url, LOGIN, o.password);
    d.station = api.user.unit_code;
    d.stationName = api.user.unit_name;
    const all = (await api.get(`/archive/volumes?station_code=${d.station}`)).items || [];
    d.cityWide = all.find((v) => v.volume_type === 'city_wide');
    if (!d.cityWide) throw new Error(`${d.stationName}没有全域通办卷（演示城市应以 hukou demo --cases 生成办件）`);
    d.year = d.cityWide.year;
    d.volumes = all.filter((v) => v.year === d.year);
    // A booklet of the 全域通办 volume whose 卷内目录 holds a captured image.
    const booklets = (await api.get(`/archive/volumes/${encodeURIComponent(d.cityWide.code)}/booklets?page_size=20`)).items || [];
    for (const b of booklets) {
      const full = await api.get(`/archive/cases/${b.case_no}/booklet`);
      if ((full.catalogue || []).some((e) => /^image\/(jpeg|png)$/.test(e.mime))) {
        d.booklet = full;
        break;
      }
    }
    if (!d.booklet) throw new Error(`全域通办卷 ${d.cityWide.code} 中没有含图片材料的案卷`);
    d.catalogue = d.booklet.catalogue;
    // The case's receipt (收件单), signed by the officer who received it, with the receiving station's seal.
    const kase = await api.get(`/cases/${d.booklet.case_no}`);
    const units = (await api.get('/units')).items || [];
    d.signer = kase.receiving.user.name;
    d.signerUnit = (units.find((u) => u.code === kase.receiving.station_code) || {}).name;
    if (!d.signer || !d.signerUnit) throw new Error(`办件 ${d.booklet.case_no} 的收件人或收件派出所不明`);
    const receipt = await api.raw(`/cases/${d.booklet.case_no}/receipt.pdf`);
    if (!receipt.ok) throw new Error(`收件单：HTTP ${receipt.status} ${await receipt.text()}`);
    d.receipt = Buffer.from(await receipt.arrayBuffer());
    d.docNo = receipt.headers.get('x-document-number') || '';
    if (!/^HK\d{18}$/.test(d.docNo) || !isPdf(d.receipt)) throw new Error(`收件单不是带文书编号的 PDF：${d.docNo}`);
    // An open case of police1's station (its materials are read in the handling station's scope):
    // the receipt goes in as a PDF material, in a slot not captured yet where there is one.
    const police1 = await apiClient(o.url, PDF_LOGIN, o.password);
    for (const status of OPEN_STATUSES) {
      for (const s of (await police1.get(`/cases?scope=all&status=${status}&page_size=20`)).items || []) {
        if (s.station_code !== police1.user.unit_code) continue;
        const c = await police1.get(`/cases/${s.case_no}`);
        if (c.may && c.may.capture) {
          const slots = (c.materials || []).filter((m) => m.state !== 'system_verified');
          const slot = slots.find((m) => m.state === 'missing') || slots[0];
          if (slot) {
            d.pdfCase = c;
            d.pdfSlot = slot;
            break;
          }
        }
      }
      if (d.pdfCase) break;
    }
    if (!d.pdfCase) throw new Error(`${police1.user.unit_name}没有 ${PDF_LOGIN} 可采集材料的在办办件`);
    const q = new URLSearchParams({
      station_code: d.pdfCase.station_code,
      material_code: d.pdfSlot.code,
      material_name: d.pdfSlot.name,
      source: 'upload',
      file_name: '收件单.pdf',
    });
    const cap = await police1.raw(`/archive/cases/${d.pdfCase.case_no}/materials?${q}`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/pdf' },
      body: d.receipt,
    });
    if (cap.status !== 201) throw new Error(`采集 PDF 材料：HTTP ${cap.status} ${await cap.text()}`);
    d.pdfMaterial = await cap.json();
    if (d.pdfMaterial.mime !== 'application/pdf') throw new Error(`采集的材料类型为 ${d.pdfMaterial.mime}`);
    console.log(`    ${d.stationName} ${d.year} 年 ${d.volumes.length} 卷，全域通办卷 ${d.cityWide.code}（${d.cityWide.booklet_count} 件），案卷 ${d.booklet.archive_code}`);
    console.log(`    收件单 ${d.docNo}（${d.signerUnit} ${d.signer}）；PDF 材料采集到 ${d.pdfCase.case_no} 的“${d.pdfSlot.name}”`);
  });

  await step('启动浏览器', null, async () => {
    browser = await chromium.launch({ executablePath: o.executablePath, headless: false, args: CHROMIUM_ARGS, timeout: 30000 });
  });

  await step(`${LOGIN} 登录并打开档案管理`, 'r1-open', async () => {
    await loginAs(LOGIN);
    await page.getByRole('menuitem', { name: '档案管理' }).click();
    await page.waitForURL(/#\/archive$/);
    await page.locator('[data-testid=volume-table]').waitFor();
  });

  await step('选择派出所和年度：按卷类列出案卷卷，含全域通办卷', 'r2-volumes', async () => {
    const station = page.locator('[data-testid=archive-station]');
    await station.fill(d.station);
    await page.locator('[data-testid=archive-year]').click();
    await page.locator('.el-select-dropdown:visible .el-select-dropdown__item').filter({ hasText: new RegExp(`^\\s*${d.year}年\\s*$`) }).click();
    const response = page.waitForResponse((r) => {
      const u = new URL(r.url());
      return u.pathname === '/api/v1/archive/volumes' && u.searchParams.get('year') === String(d.year) && u.searchParams.get('station_code') === d.station;
    });
    await page.locator('[data-testid=archive-search]').click();
    const res = await response;
    if (!res.ok()) throw new Error(`案卷卷接口返回 HTTP ${res.status()}：${await res.text()}`);
    const rows = page.locator('[data-testid=volume-table] .el-table__body tr.el-table__row');
    await rows.nth(d.volumes.length - 1).waitFor();
    const texts = (await rows.allInnerTexts()).map((t) => t.replace(/\s+/g, ' ').trim());
    if (texts.length !== d.volumes.length) throw new Error(`列出 ${texts.length} 卷，应为 ${d.volumes.length} 卷：${texts.join(' | ')}`);
    for (const v of d.volumes) {
      const row = texts.find((t) => t.startsWith(v.code));
      if (!row) throw new Error(`没有列出卷 ${v.code}`);
      if (!row.includes(v.station_name) || !row.includes(v.volume_title) || !row.endsWith(String(v.booklet_count))) {
        throw new Error(`卷 ${v.code} 应为“${v.station_name} ${v.year} ${v.volume_title} ${v.booklet_count}”：${row}`);
      }
    }
    const tag = rows.filter({ hasText: d.cityWide.code }).locator('[data-testid=volume-type]');
    if ((await tag.innerText()).trim() !== '全域通办') throw new Error(`卷 ${d.cityWide.code} 的卷类显示为“${await tag.innerText()}”`);
    if (!(await tag.getAttribute('class')).includes('el-tag--warning')) throw new Error('全域通办卷的卷类标签没有醒目显示');
    console.log(`    ${texts.map((t) => t.split(' ').slice(0, 1).concat(t.split(' ').slice(-2)).join(' ')).join('；')}`);
  });

  await step('打开全域通办卷：一件一册列出案卷', 'r3-booklets', async () => {
    const response = page.waitForResponse((r) => new URL(r.url()).pathname === `/api/v1/archive/volumes/${d.cityWide.code}/booklets`);
    await page.locator('[data-testid=volume-table] .el-table__body tr.el-table__row').filter({ hasText: d.cityWide.code }).click();
    const res = await response;
    if (!res.ok()) throw new Error(`案卷接口返回 HTTP ${res.status()}：${await res.text()}`);
    const rows = page.locator('[data-testid=booklet-table] .el-table__body tr.el-table__row');
    const want = Math.min(d.cityWide.booklet_count, 20);
    await rows.nth(want - 1).waitFor();
    const texts = (await rows.allInnerTexts()).map((t) => t.replace(/\s+/g, ' ').trim());
    if (texts.length !== want) throw new Error(`列出 ${texts.length} 件案卷，应为 ${want} 件`);
    texts.forEach((t, k) => {
      const code = `${d.cityWide.code}-${String(k + 1).padStart(4, '0')}`;
      if (!t.startsWith(`${k + 1} ${code} `)) throw new Error(`第 ${k + 1} 件案卷的顺序号和档号应为 ${code}：${t}`);
    });
    const mine = texts.find((t) => t.includes(d.booklet.archive_code));
    if (!mine.includes(d.booklet.case_no) || !mine.includes(d.booklet.applicant_name)) throw new Error(`案卷 ${d.booklet.archive_code} 缺业务编号或申请人：${mine}`);
  });

  await step('打开案卷：卷内目录', 'r4-catalogue', async () => {
    const response = page.waitForResponse((r) => new URL(r.url()).pathname === `/api/v1/archive/cases/${d.booklet.case_no}/booklet`);
    await page.locator('[data-testid=booklet-table] .el-table__body tr.el-table__row').filter({ hasText: d.booklet.archive_code }).click();
    await response;
    const drawer = page.locator('.el-drawer').filter({ has: page.locator('[data-testid=booklet-drawer]') });
    await drawer.waitFor();
    const title = (await drawer.locator('.el-drawer__header').innerText()).trim();
    if (title !== `案卷 ${d.booklet.archive_code}`) throw new Error(`抽屉标题为“${title}”`);
    const info = (await drawer.locator('.el-descriptions').innerText()).replace(/\s+/g, ' ');
    if (!info.includes(d.booklet.case_no) || !info.includes(d.booklet.applicant_id_number_masked)) throw new Error(`案卷信息缺业务编号或脱敏身份号码：${info}`);
    const rows = drawer.locator('[data-testid=catalogue-table] .el-table__body tr.el-table__row');
    await rows.nth(d.catalogue.length - 1).waitFor();
    const texts = (await rows.allInnerTexts()).map((t) => t.replace(/\s+/g, ' ').trim());
    if (texts.length !== d.catalogue.length) throw new Error(`卷内目录 ${texts.length} 条，应为 ${d.catalogue.length} 条`);
    d.catalogue.forEach((e, k) => {
      if (!texts[k].startsWith(`${e.sequence} ${e.title} 第${e.version}版 ${e.captured_by_name}`)) {
        throw new Error(`卷内目录第 ${k + 1} 条应为“${e.sequence} ${e.title} 第${e.version}版 ${e.captured_by_name}”：${texts[k]}`);
      }
    });
    console.log(`    ${texts.join('；')}`);
  });

  await step('下载案卷 PDF（一件一册）', 'r5-booklet-pdf', async () => {
    const link = page.locator('[data-testid=booklet-pdf]');
    const href = `/api/v1/archive/cases/${d.booklet.case_no}/booklet.pdf`;
    if ((await link.getAttribute('href')) !== href) throw new Error(`下载链接为 ${await link.getAttribute('href')}`);
    // The new tab shows the PDF in chromium's viewer, whose page is all a response event would
    // give; the route passes the server's response on and keeps its bytes.
    let got = null;
    const context = page.context();
    await context.route(`**${href}`, async (route) => {
      const r = await route.fetch();
      got = { status: r.status(), headers: r.headers(), body: await r.body() };
      await route.fulfill({ response: r });
    });
    try {
      const popup = page.waitForEvent('popup');
      await link.click();
      const tab = await popup;
      await tab.waitForLoadState('load');
      if (new URL(tab.url()).pathname !== href) throw new Error(`新窗口打开的是 ${tab.url()}`);
      await tab.close();
    } finally {
      await context.unroute(`**${href}`);
    }
    if (!got) throw new Error('点击下载后没有请求案卷 PDF');
    if (got.status !== 200) throw new Error(`案卷 PDF：HTTP ${got.status} ${got.body.toString('utf8').slice(0, 200)}`);
    const type = got.headers['content-type'] || '';
    if (!type.startsWith('application/pdf')) throw new Error(`案卷 PDF 的类型为 ${type}`);
    if (!isPdf(got.body)) throw new Error(`案卷 PDF 不以 %PDF- 开头：${got.body.subarray(0, 16).toString('latin1')}`);
    if (!/^HK\d{18}$/.test(got.headers['x-document-number'] || '')) throw new Error('案卷 PDF 没有文书编号');
    console.log(`    ${got.body.length} 字节，文书编号 ${got.headers['x-document-number']}`);
  });

  await step('办件页材料面板：点缩略图查看扫描件', 'r6-image-viewer', async () => {
    const scan = d.catalogue.find((e) => /^image\/(jpeg|png)$/.test(e.mime));
    await page.goto(`${o.url}/#/cases/${d.booklet.case_no}`);
    const panel = page.locator('[data-testid=material-panel]');
    const row = panel.locator('.el-table__row').filter({ hasText: scan.title }).first();
    const thumb = row.locator('[data-testid=material-thumb]');
    await thumb.waitFor();
    await page.waitForFunction((el) => el.complete && el.naturalWidth > 0, await thumb.elementHandle());
    await thumb.click();
    const viewer = page.locator('.el-dialog').filter({ has: page.locator('[data-testid=material-viewer]') });
    await viewer.waitFor();
    const title = (await viewer.locator('.el-dialog__header').innerText()).trim();
    if (title !== `${scan.title}（第${scan.version}版）`) throw new Error(`查看器标题为“${title}”`);
    const img = viewer.locator('[data-testid=material-image]');
    await img.waitFor();
    if (!(await img.getAttribute('src')).endsWith(`/materials/${scan.material_id}/file`)) throw new Error(`查看器图片地址为 ${await img.getAttribute('src')}`);
    await page.waitForFunction((el) => el.complete && el.naturalWidth > 0, await img.elementHandle(), { timeout: 5000 }).catch(() => {
      throw new Error('扫描件图片没有显示（naturalWidth 为 0）');
    });
    const size = await img.evaluate((el) => `${el.naturalWidth}×${el.naturalHeight}`);
    if ((await viewer.locator('[data-testid=material-pdf]').count()) !== 0) throw new Error('图片材料显示成了 PDF 查看器');
    console.log(`    ${scan.title} ${size}`);
  });

  await step(`${PDF_LOGIN}：办件页材料面板中 PDF 材料在 PDF 查看器中打开`, 'r7-pdf-viewer', async () => {
    await loginAs(PDF_LOGIN);
    await page.goto(`${o.url}/#/cases/${d.pdfCase.case_no}`);
    const panel = page.locator('[data-testid=material-panel]');
    const row = panel.locator('.el-table__row').filter({ hasText: d.pdfSlot.name }).first();
    await row.getByText(`已采集 第${d.pdfMaterial.version}版`).waitFor();
    const response = page.context().waitForEvent('response', (r) => new URL(r.url()).pathname === d.pdfMaterial.file_url);
    await row.locator('[data-testid=material-view]').click();
    const viewer = page.locator('.el-dialog').filter({ has: page.locator('[data-testid=material-viewer]') });
    const frame = viewer.locator('iframe[data-testid=material-pdf]');
    await frame.waitFor({ state: 'visible' });
    const box = await frame.boundingBox();
    if (!box || box.width < 400 || box.height < 300) throw new Error(`PDF 查看器太小：${JSON.stringify(box)}`);
    if ((await viewer.locator('[data-testid=material-image]').count()) !== 0) throw new Error('PDF 材料显示成了图片');
    const res = await response;
    const type = res.headers()['content-type'] || '';
    if (res.status() !== 200 || !type.startsWith('application/pdf')) throw new Error(`PDF 查看器加载 ${d.pdfMaterial.file_url}：HTTP ${res.status()} ${type}`);
    await page.waitForTimeout(500); // let the viewer paint before the screenshot
  });

  await step('核验页（未登录）：打开收件单的 /verify/文书编号，显示登记有效及签发单位、民警', 'r8-verify', async () => {
    await freshPage();
    const res = await page.goto(`${o.url}/verify/${d.docNo}`, { waitUntil: 'domcontentloaded' });
    if (!res || !res.ok()) throw new Error(`打开 /verify/${d.docNo}：HTTP ${res ? res.status() : '无响应'}`);
    const result = page.locator('[data-testid=verify-registered]');
    await result.waitFor();
    const title = (await result.locator('.el-result__title').innerText()).trim();
    if (title !== '登记有效：该文书由公安机关签发') throw new Error(`核验结果为“${title}”`);
    if ((await page.locator('[data-testid=verify-docno]').inputValue()) !== d.docNo) throw new Error('文书编号输入框未带出编号');
    const shown = {
      docNo: (await page.locator('[data-testid=verify-doc-no]').innerText()).trim(),
      officer: (await page.locator('[data-testid=verify-officer]').innerText()).trim(),
      unit: (await page.locator('[data-testid=verify-unit]').innerText()).trim(),
    };
    if (shown.docNo !== d.docNo) throw new Error(`文书编号显示为 ${shown.docNo}`);
    if (shown.officer !== d.signer) throw new Error(`签发民警显示为“${shown.officer}”，应为收件人“${d.signer}”`);
    if (shown.unit !== d.signerUnit) throw new Error(`签发单位显示为“${shown.unit}”，应为收件派出所“${d.signerUnit}”`);
    const text = await page.locator('.verify-card').innerText();
    if (!text.includes('收件单') || !text.includes(d.booklet.case_no)) throw new Error('核验页缺文书类型或业务编号');
    if ((await page.locator('[data-testid=login-name]').count()) > 0) throw new Error('核验页要求登录');
    console.log(`    ${d.docNo}：${shown.unit} ${shown.officer}`);
  });

  /** Uploads `bytes` through the page's file input and returns the check result's title. */
  async function compare(name, bytes) {
    const response = page.waitForResponse((r) => r.request().method() === 'POST' && new URL(r.url()).pathname === `/api/v1/public/documents/${d.docNo}/check`);
    await page.locator('[data-testid=verify-upload] input[type=file]').setInputFiles({ name, mimeType: 'application/pdf', buffer: bytes });
    const res = await response;
    if (!res.ok()) throw new Error(`比对接口返回 HTTP ${res.status()}：${await res.text()}`);
    const sent = res.request().postDataBuffer();
    if (!sent || !sent.equals(bytes)) throw new Error('页面上传的字节与所选文件不同');
    const alert = page.locator('[data-testid=verify-result]');
    await alert.waitFor();
    return { alert, json: await res.json() };
  }

  await step('核验页：上传原件，显示文件真实、未被改动', 'r9-verify-same', async () => {
    const { alert, json } = await compare('收件单.pdf', d.receipt);
    if (json.authentic !== true) throw new Error(`原件比对结果为 ${JSON.stringify(json)}`);
    await alert.filter({ hasText: /^\s*文件真实、未被改动\s*$/ }).waitFor();
    if (!(await alert.getAttribute('class')).includes('el-alert--success')) throw new Error('原件比对结果没有以“成功”样式显示');
  });

  await step('核验页：上传改动一个字节的副本，显示文件与登记不符', 'r10-verify-altered', async () => {
    const altered = Buffer.from(d.receipt);
    altered[altered.length >> 1] ^= 0x01;
    const { alert, json } = await compare('收件单-改.pdf', altered);
    if (json.authentic !== false || json.reason !== 'altered') throw new Error(`改动副本的比对结果为 ${JSON.stringify(json)}`);
    await alert.filter({ hasText: /^\s*文件与登记不符：文件内容已被改动\s*$/ }).waitFor();
    if (!(await alert.getAttribute('class')).includes('el-alert--error')) throw new Error('改动副本的比对结果没有以“错误”样式显示');
    const registered = (await page.locator('[data-testid=verify-registered] .el-result__title').innerText()).trim();
    if (registered !== '登记有效：该文书由公安机关签发') throw new Error(`比对后登记结果变为“${registered}”`);
  });

  return finish(browser, pageErrors);
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  const r = await runArchiveE2E();
  process.exitCode = r.failed > 0 || r.passed === 0 ? 1 : 0;
}
