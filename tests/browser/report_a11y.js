// report_a11y.js: opens report.html files in real headless Chromium
// (puppeteer-core), runs axe-core on each (WCAG 2.x A/AA and best-practice
// rules) and fails on any violation; also checks the page fits a 360 px wide
// phone screen without sideways scrolling, reflows at 200 % zoom, and renders
// for print. Screenshots (360 px, desktop, print) go to OUTDIR.
//
// usage: node report_a11y.js CHROMIUM OUTDIR NAME=FILE.html [NAME=FILE.html ...]
// Exit: 0 all clean, 1 a violation or a failed check (printed), 2 usage/setup.
'use strict';
const path = require('path');
const fs = require('fs');

function need(mod) {
  // node_modules lives in packaging/npm (installed by packaging/install-deps)
  const base = path.resolve(__dirname, '../../packaging/npm/node_modules');
  return require(path.join(base, mod));
}

async function main() {
  const [chromium, outdir, ...pages] = process.argv.slice(2);
  if (!chromium || !outdir || pages.length === 0) {
    console.error('usage: node report_a11y.js CHROMIUM OUTDIR NAME=FILE.html ...');
    process.exit(2);
  }
  const puppeteer = need('puppeteer-core');
  const axeSource = fs.readFileSync(
    path.resolve(__dirname, '../../packaging/npm/node_modules/axe-core/axe.min.js'), 'utf8');
  fs.mkdirSync(outdir, { recursive: true });
  const browser = await puppeteer.launch({
    executablePath: chromium,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--font-render-hinting=none'],
  });
  let failures = 0;
  const fail = (msg) => { failures++; console.error('FAIL: ' + msg); };
  try {
    for (const spec of pages) {
      const eq = spec.indexOf('=');
      const name = spec.slice(0, eq), file = path.resolve(spec.slice(eq + 1));
      const page = await browser.newPage();
      // The report must need nothing from the network: any request but the
      // file itself is a failure.
      await page.setRequestInterception(true);
      page.on('request', (r) => {
        if (r.url() === 'file://' + file) return r.continue();
        fail(`${name}: the report requested ${r.url()}`);
        r.abort();
      });
      await page.setViewport({ width: 360, height: 740, deviceScaleFactor: 1 });
      await page.goto('file://' + file, { waitUntil: 'load' });
      await page.addScriptTag({ content: axeSource });
      const lang = await page.evaluate(() => document.documentElement.lang);
      // all rule tags that axe treats as WCAG 2.0/2.1/2.2 A and AA, plus best practices
      const result = await page.evaluate(async () => {
        const r = await window.axe.run(document, {
          runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa', 'best-practice'] },
          resultTypes: ['violations'],
        });
        return r.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help,
          nodes: v.nodes.slice(0, 3).map((n) => n.target.join(' ')) }));
      });
      for (const v of result)
        fail(`${name}: axe ${v.id} (${v.impact}): ${v.help} at ${v.nodes.join(', ')}`);
      console.log(`${name}: lang=${lang} axe violations=${result.length}`);
      // details opened too, so the identifiers table is checked as well
      await page.evaluate(() => document.querySelectorAll('details').forEach((d) => { d.open = true; }));
      const open = await page.evaluate(async () => (await window.axe.run(document, {
        runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'] },
        resultTypes: ['violations'] })).violations.map((v) => v.id));
      for (const id of open) fail(`${name}: axe ${id} with every <details> open`);
      // 360 px: nothing wider than the screen (no sideways scrolling)
      const wide = await page.evaluate(() => document.documentElement.scrollWidth);
      if (wide > 360) fail(`${name}: ${wide} px wide at a 360 px viewport`);
      await page.evaluate(() => document.querySelectorAll('details').forEach((d) => { d.open = false; }));
      await page.screenshot({ path: path.join(outdir, `${name}-360.png`), fullPage: true });
      // 200 % zoom of a 1280 px window: 640 CSS px at device scale 2; the
      // page must still reflow (no sideways scrolling)
      await page.setViewport({ width: 640, height: 450, deviceScaleFactor: 2 });
      const wide2 = await page.evaluate(() => document.documentElement.scrollWidth);
      if (wide2 > 640) fail(`${name}: ${wide2} px wide at 200 % zoom of a 1280 px window`);
      await page.setViewport({ width: 1280, height: 900, deviceScaleFactor: 1 });
      await page.screenshot({ path: path.join(outdir, `${name}-desktop.png`), fullPage: true });
      await page.emulateMediaType('print');
      // printed, the folded sections (identifiers, files) are on paper too
      const folded = await page.evaluate(() =>
        [...document.querySelectorAll('details table')].filter((t) => !t.checkVisibility()).length);
      if (folded) fail(`${name}: ${folded} folded table(s) missing from the print rendering`);
      const pdf = await page.pdf({ format: 'A4', printBackground: false });
      if (!pdf || pdf.length < 1000) fail(`${name}: print rendering produced no PDF`);
      fs.writeFileSync(path.join(outdir, `${name}.pdf`), pdf);
      await page.close();
    }
  } finally {
    await browser.close();
  }
  if (failures) {
    console.error(`${failures} failure(s)`);
    process.exit(1);
  }
  console.log('ok');
}

main().catch((e) => { console.error('FAIL: ' + (e && e.stack || e)); process.exit(2); });
