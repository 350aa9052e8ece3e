// Drives Mimir's web page (proxy/http/web/) in Debian's chromium with playwright-core, for
// tests/integration/test_web_page.py, which judges what this script saw.
//
// Usage: node web_check.mjs SPEC_JSON, where SPEC is
//   {"url", "user", "password", "screenshot": "PATH",
//    "details": [{"search": "text", "kind": "metric", "name": "...", "chart": false}],
//    "cases": [{"metrics": [...], "dimensions": [...], "grain": "", "start_date": "",
//               "end_date": "", "filter": "", "csv": true, "copy": true, "screenshot": true}]}
// Prints {"catalog": {...}, "details": [...], "cases": [...]} as JSON: what a person would
// read on the page (catalog hits, details, error box, table cells, the chart's marks, the
// CSV downloaded, the SQL copied). It runs next to node_modules (an ES module resolves
// packages from its own directory).
import { readFileSync } from 'node:fs';
import { chromium } from 'playwright-core';

const spec = JSON.parse(process.argv[2]);
const TIMEOUT = 30000;

// Root has no user namespace sandbox for chromium: --no-sandbox then, and only then.
const args = ['--disable-dev-shm-usage'];
if (process.getuid && process.getuid() === 0) args.push('--no-sandbox');

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  headless: true,
  args,
});

async function main() {
  const context = await browser.newContext({
    httpCredentials: { username: spec.user, password: spec.password },
    viewport: { width: 1280, height: 800 },
    acceptDownloads: true,
  });
  const origin = new URL(spec.url).origin;
  await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin });
  const page = await context.newPage();
  page.setDefaultTimeout(TIMEOUT);
  const consoleErrors = [];
  const badResponses = [];
  // A status >= 400 is logged by chromium as a console error too: those are in badResponses.
  page.on('console', (m) => m.type() === 'error' && !m.text().startsWith('Failed to load resource')
    && consoleErrors.push(m.text()));
  page.on('response', (r) => r.status() >= 400
    && badResponses.push({ url: new URL(r.url()).pathname, status: r.status() }));
  page.on('pageerror', (e) => consoleErrors.push(String(e)));

  const resp = await page.goto(spec.url);
  const out = {
    status: resp.status(),
    csp: resp.headers()['content-security-policy'] || null,
    details: [],
    cases: [],
  };
  await page.waitForSelector('body[data-ready="true"]');
  out.title = await page.title();
  out.catalogItems = await page.$$eval('#catalog-list .catalog-item', (items) =>
    items.map((b) => ({ kind: b.dataset.kind, name: b.dataset.name })));
  // The keyboard way to the search box.
  await page.keyboard.press('/');
  out.slashFocuses = await page.evaluate(() => document.activeElement.id);

  for (const d of spec.details || []) {
    await page.fill('#search', d.search);
    const hits = await page.$$eval('#catalog-list .catalog-item', (items) =>
      items.map((b) => ({ kind: b.dataset.kind, name: b.dataset.name })));
    await page.click(`#catalog-list .catalog-item[data-kind="${d.kind}"][data-name="${d.name}"]`);
    await page.waitForSelector(`#detail-name:text-is("${d.name}")`);
    const details = await page.evaluate(() => {
      const text = (id) => {
        const e = document.getElementById(id);
        return e ? e.textContent : null;
      };
      const tree = (li) => ({
        name: li.dataset.metric,
        children: [...li.querySelectorAll(':scope > ul > li')].map(tree),
      });
      const lineage = document.querySelector('#detail-lineage > li');
      return {
        name: text('detail-name'),
        description: text('detail-description'),
        type: text('detail-type'),
        team: text('detail-team'),
        sql: text('detail-sql'),
        dimensions: [...document.querySelectorAll('#detail-dimensions .chip')]
          .map((c) => c.textContent),
        lineage: lineage ? tree(lineage) : null,
      };
    });
    if (d.chart) {
      // "Chart it": the metric alone, run at once.
      const runs = Number((await page.getAttribute('body', 'data-runs')) || 0);
      await page.click('#detail-chart');
      await page.waitForSelector(`body[data-runs="${runs + 1}"]`);
      details.charted = await readResult(page);
    }
    out.details.push({ search: d.search, hits, ...details });
  }

  for (const c of spec.cases) out.cases.push(await runCase(page, c));
  out.consoleErrors = consoleErrors;
  out.badResponses = badResponses;
  await context.close();
  return out;
}

async function setChecks(page, group, wanted) {
  for (const input of await page.$$(`input[name="${group}"]:checked`)) await input.uncheck();
  for (const name of wanted || []) await page.check(`input[name="${group}"][value="${name}"]`);
}

// What the page shows of the last run: the error box, or the table, the chart's marks,
// the legend and the SQL.
async function readResult(page) {
  return page.evaluate(() => {
    const error = document.getElementById('error');
    const table = document.getElementById('result-table');
    const shown = !document.getElementById('result').hidden;
    const svg = shown ? document.querySelector('#chart svg') : null;
    return {
      error: error.hidden ? null : error.textContent,
      columns: [...table.querySelectorAll('thead th')].map((th) => th.textContent),
      rows: !shown ? null : [...table.querySelectorAll('tbody tr')].map((tr) =>
        [...tr.querySelectorAll('td')].map((td) => (td.dataset.null ? null : td.textContent))),
      chart: svg ? {
        kind: svg.getAttribute('class'),
        bars: svg.querySelectorAll('rect.bar').length,
        points: svg.querySelectorAll('circle.point').length,
        lines: svg.querySelectorAll('polyline.series-line').length,
        values: [...svg.querySelectorAll('[data-value]')].map((e) => e.dataset.value),
      } : null,
      legend: [...document.querySelectorAll('#legend li')].map((li) => li.textContent),
      sql: document.getElementById('sql-text').textContent,
    };
  });
}

async function runCase(page, c) {
  await setChecks(page, 'dimension', []);
  await setChecks(page, 'metric', c.metrics);
  await setChecks(page, 'dimension', c.dimensions);
  await page.selectOption('#grain', c.grain || '');
  await page.fill('#start-date', c.start_date || '');
  await page.fill('#end-date', c.end_date || '');
  await page.fill('#filter', c.filter || '');
  const runs = Number((await page.getAttribute('body', 'data-runs')) || 0);
  // A person presses Enter in the form or clicks Run: the keyboard path here.
  await page.focus('#filter');
  await page.keyboard.press('Enter');
  await page.waitForSelector(`body[data-runs="${runs + 1}"]`);
  const seen = await readResult(page);
  if (c.csv && !seen.error) {
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.click('#download-csv'),
    ]);
    seen.csv = readFileSync(await download.path(), 'utf8');
    seen.csvName = download.suggestedFilename();
  }
  if (c.copy && !seen.error) {
    await page.click('#copy-sql');
    await page.waitForSelector('#copy-status:not(:empty)');
    seen.copyStatus = await page.textContent('#copy-status');
    seen.clipboard = await page.evaluate(() => navigator.clipboard.readText());
  }
  if (c.screenshot) {
    await page.locator('#chart').scrollIntoViewIfNeeded();
    await page.screenshot({ path: spec.screenshot, fullPage: false });
  }
  return seen;
}

try {
  process.stdout.write(JSON.stringify(await main()) + '\n');
} finally {
  await browser.close();
}
