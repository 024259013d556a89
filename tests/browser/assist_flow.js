// assist_flow.js: drives real headless Chromium through the whole
// `caseprobe assist` flow with the keyboard only, on a 360 px wide window:
// see the phone, the verified request, toggle scopes, collect, preview a
// member (no device identifier in it), send, get the receipt. axe-core runs
// on every step and must report 0 violations; a screenshot of each step is
// kept. Usage:
//   node assist_flow.js URL SHOT_DIR LANG FORBIDDEN_CSV RESULT_JSON
// Exits 0 on success, 1 with "FAIL: ..." on stderr. Chromium is
// $CHROMIUM or /usr/bin/chromium (the shell test exits 77 when it is missing).
'use strict';
const path = require('path');
const fs = require('fs');
const npm = path.join(__dirname, '..', '..', 'packaging', 'npm', 'node_modules');
const puppeteer = require(path.join(npm, 'puppeteer-core'));
const axeSource = fs.readFileSync(path.join(npm, 'axe-core', 'axe.min.js'), 'utf8');

const [url, shotDir, lang, forbiddenCsv, resultPath] = process.argv.slice(2);
const forbidden = (forbiddenCsv || '').split(',').filter(Boolean);
const result = { lang, steps: [], violations: {} };

function fail(msg) {
  throw new Error(msg);
}

async function main() {
  fs.mkdirSync(shotDir, { recursive: true });
  const browser = await puppeteer.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--no-first-run', `--lang=${lang}`],
  });
  try {
    const page = await browser.newPage();
    await page.setViewport({ width: 360, height: 740 });
    await page.setExtraHTTPHeaders({ 'Accept-Language': lang === 'zh-Hans' ? 'zh-CN,zh;q=0.9' : 'en-US,en;q=0.9' });
    const errors = [];
    page.on('pageerror', (e) => errors.push(String(e)));

    async function visible(sel, timeout = 60000) {
      await page.waitForSelector(sel, { visible: true, timeout });
    }
    // axe on the page as it stands; 0 violations wanted.
    async function check(step) {
      // Runtime.evaluate is not subject to the page's CSP (script-src 'self').
      if (!(await page.evaluate(() => !!window.axe))) await page.evaluate(axeSource);
      const r = await page.evaluate(async () => {
        const res = await window.axe.run(document, { resultTypes: ['violations'] });
        return res.violations.map((v) => ({ id: v.id, impact: v.impact, nodes: v.nodes.map((n) => n.target.join(' ')) }));
      });
      result.violations[step] = r;
      const wide = await page.evaluate(() => document.documentElement.scrollWidth);
      await page.screenshot({ path: path.join(shotDir, `${result.steps.length + 1}-${step}.png`), fullPage: true });
      result.steps.push(step);
      if (r.length) fail(`axe: ${r.length} violation(s) on step ${step}: ${JSON.stringify(r)}`);
      if (wide > 360) fail(`step ${step} is ${wide} px wide on a 360 px window`);
    }
    // Keyboard only: Tab until the element has focus, then press a key.
    async function press(sel, key = 'Enter') {
      for (let i = 0; i < 60; i++) {
        if (await page.evaluate((s) => document.activeElement === document.querySelector(s), sel)) {
          await page.keyboard.press(key);
          return;
        }
        await page.keyboard.press('Tab');
      }
      fail(`could not reach ${sel} with Tab`);
    }

    await page.goto(url, { waitUntil: 'domcontentloaded' });
    const htmlLang = await page.evaluate(() => document.documentElement.lang);
    if (htmlLang !== lang) fail(`page language ${htmlLang}, expected ${lang}`);

    // 1. the phone
    await visible('#step-phone');
    await page.waitForFunction(() => !document.querySelector('#phone-next').disabled, { timeout: 30000 });
    result.phone = await page.$eval('#phone-line', (e) => e.textContent);
    if (!/iPhone/.test(result.phone)) fail(`phone line names no iPhone: ${result.phone}`);
    await check('phone');
    await press('#phone-next');

    // 2. who is asking
    await visible('#step-who');
    await page.waitForSelector('#requested-by');
    result.requested_by = await page.$eval('#requested-by', (e) => e.textContent);
    await check('request');
    await press('#who-next');

    // 3. scopes: asked ones preselected, others not; toggle two
    await visible('#step-scopes');
    const checked = await page.$$eval('#scope-list input', (l) => l.filter((i) => i.checked).map((i) => i.value));
    result.preselected = checked;
    await press('#scope-system', 'Space'); // not asked: switched on
    await press('#scope-crashes', 'Space'); // asked: switched off
    const now = await page.$$eval('#scope-list input', (l) => l.filter((i) => i.checked).map((i) => i.value));
    result.chosen = now;
    await check('scopes');
    await press('#collect');

    // 4. collecting (may be quick), then 5. review
    await page.waitForSelector('#step-collect:not([hidden]), #step-review:not([hidden])', { timeout: 30000 });
    if (await page.$('#step-collect:not([hidden])')) await check('collecting');
    await visible('#step-review', 120000);
    await page.waitForSelector('#member-list button');
    await check('review');
    const names = await page.$$eval('#member-list button', (l) => l.map((b) => b.dataset.name));
    result.members = names;
    const target = names.find((n) => n.startsWith('device/')) || names.find((n) => n === 'report.html') || names[0];
    await press(`#member-list button[data-name="${target}"]`);
    await page.waitForFunction(() => document.querySelector('#preview').textContent.length > 0);
    const text = await page.$eval('#preview', (e) => e.textContent);
    result.previewed = target;
    result.preview_bytes = text.length;
    for (const f of forbidden) if (text.includes(f)) fail(`the preview of ${target} holds the device identifier ${f}`);
    await check('preview');

    // 6. send, with its receipt
    await press('#send');
    await visible('#step-done', 120000);
    result.done = await page.$eval('#done-line', (e) => e.textContent);
    const m = result.done.match(/([0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4})/);
    if (!m) fail(`no receipt number in "${result.done}"`);
    result.receipt = m[1];
    await check('sent');

    // The summary reads without JavaScript.
    const rp = await browser.newPage();
    await rp.setJavaScriptEnabled(false);
    await rp.setViewport({ width: 360, height: 740 });
    const resp = await rp.goto(new URL('report', url).href);
    if (resp.status() !== 200) fail(`report: HTTP ${resp.status()}`);
    const rtext = await rp.evaluate(() => document.body.innerText);
    for (const f of forbidden) if (rtext.includes(f)) fail(`the summary holds the device identifier ${f}`);
    await rp.screenshot({ path: path.join(shotDir, `${result.steps.length + 1}-summary-nojs.png`), fullPage: true });
    await rp.close();

    await press('#finish');
    await visible('#step-closed');
    if (errors.length) fail(`script errors: ${errors.join('; ')}`);
  } finally {
    await browser.close();
  }
}

main().then(
  () => {
    fs.writeFileSync(resultPath, JSON.stringify(result, null, 2));
    process.exit(0);
  },
  (e) => {
    fs.writeFileSync(resultPath, JSON.stringify(result, null, 2));
    process.stderr.write(`FAIL: ${e.message}\n`);
    process.exit(1);
  },
);
