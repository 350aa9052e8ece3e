/*
 * Mimir's web page: the catalog (GET /v1/catalog) to browse and search, and
 * the inquiry (POST /v1/query) to run, chart, download as CSV and copy as the
 * SQL a BI tool would send to the MySQL port. It uses nothing but the HTTP
 * API of the server it came from; the browser sends the page's Basic
 * credentials with these same-origin requests. No inline script or style:
 * the server's Content-Security-Policy forbids them.
 */
'use strict';

const SVG_NS = 'http://www.w3.org/2000/svg';
const SERIES_COLORS = 8; /* style.css: .series-0 ... .series-7 */
const MAX_POINTS = 5000; /* more marks than this make a chart no one can read */

const state = {
  catalog: null,
  byName: { metric: new Map(), dimension: new Map(), source: new Map() },
  selected: null, /* {kind, name} shown in the details */
  lastInquiry: null, /* the inquiry of the table on screen */
};

/* ---- small helpers ------------------------------------------------------------------- */

function $(id) {
  return document.getElementById(id);
}

function el(tag, attrs, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === null || v === undefined || v === false) continue;
    if (k === 'text') node.textContent = v;
    else if (k === 'className') node.className = v;
    else node.setAttribute(k, v === true ? '' : v);
  }
  for (const c of children) {
    if (c === null || c === undefined) continue;
    node.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return node;
}

function svg(tag, attrs) {
  const node = document.createElementNS(SVG_NS, tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (k === 'text') node.textContent = v;
    else node.setAttribute(k, v);
  }
  return node;
}

function setStatus(text) {
  $('status').textContent = text;
}

const numberFormat = new Intl.NumberFormat(undefined, { maximumFractionDigits: 2 });
const compactFormat = new Intl.NumberFormat(undefined, {
  notation: 'compact',
  maximumFractionDigits: 1,
});

function formatNumber(v) {
  return Math.abs(v) >= 100000 ? compactFormat.format(v) : numberFormat.format(v);
}

/* An API error, {"error": {code, sqlstate, message}}, as an Error with those fields. */
async function apiError(resp) {
  let body = null;
  try {
    body = await resp.json();
  } catch (e) {
    /* not JSON: the status says what there is to say */
  }
  const e = body && body.error ? body.error : {};
  const err = new Error(e.message || `${resp.status} ${resp.statusText}`);
  err.code = e.code;
  err.sqlstate = e.sqlstate;
  err.status = resp.status;
  return err;
}

async function api(path, body, accept) {
  const init = { headers: { Accept: accept || 'application/json' }, cache: 'no-store' };
  if (body !== undefined) {
    init.method = 'POST';
    init.headers['Content-Type'] = 'application/json';
    init.body = JSON.stringify(body);
  }
  const resp = await fetch(path, init);
  if (!resp.ok) throw await apiError(resp);
  return accept === 'text/csv' ? resp.text() : resp.json();
}

/* ---- the catalog --------------------------------------------------------------------- */

function teamOf(m) {
  return (m.extra && m.extra.team) || '';
}

/* Everything a search matches against, lower case. */
function haystack(kind, item) {
  const parts = [kind, item.name, item.description, item.sql, item.source];
  if (kind === 'metric') parts.push(teamOf(item), item.kind, item.type, ...(item.depends_on || []));
  if (kind === 'metric' && item.extra) parts.push(...Object.values(item.extra));
  if (kind === 'dimension') parts.push(item.type, ...(item.sources || []));
  if (kind === 'source') parts.push(item.connection, ...(item.dimensions || []));
  return parts.filter(Boolean).join(' ').toLowerCase();
}

function matches(kind, item, words) {
  const text = haystack(kind, item);
  return words.every((w) => text.includes(w));
}

function renderCatalogList() {
  const list = $('catalog-list');
  const words = $('search').value.toLowerCase().split(/\s+/).filter(Boolean);
  const sections = [
    ['metric', 'Metrics', state.catalog.metrics],
    ['dimension', 'Dimensions', state.catalog.dimensions],
    ['source', 'Sources', state.catalog.sources],
  ];
  list.replaceChildren();
  let shown = 0;
  for (const [kind, title, items] of sections) {
    const hits = items.filter((it) => matches(kind, it, words));
    shown += hits.length;
    const ul = el('ul', { className: 'catalog-items' });
    for (const it of hits) {
      const sub = kind === 'metric' ? [it.kind === 'derived' ? 'derived' : it.source, teamOf(it)]
        : kind === 'dimension' ? [it.type] : [it.connection];
      const button = el('button', {
        type: 'button',
        className: 'catalog-item',
        'data-kind': kind,
        'data-name': it.name,
        'aria-current': state.selected && state.selected.kind === kind
          && state.selected.name === it.name ? 'true' : null,
      }, el('span', { className: 'item-name', text: it.name }),
      el('span', { className: 'item-sub', text: sub.filter(Boolean).join(' · ') }));
      button.addEventListener('click', () => showDetails(kind, it.name));
      ul.append(el('li', null, button));
    }
    list.append(el('section', { className: 'catalog-section', 'data-kind': kind },
      el('h3', { text: `${title} (${hits.length})` }), ul));
  }
  if (!shown) list.append(el('p', { className: 'hint', text: 'Nothing matches this search.' }));
}

function nameList(names, kind) {
  if (!names || !names.length) return el('span', { className: 'muted', text: 'none' });
  const ul = el('ul', { className: 'chips' });
  for (const n of names) {
    const target = kind && state.byName[kind].has(n) ? kind
      : state.byName.dimension.has(n) ? 'dimension' : null;
    if (target) {
      const b = el('button', { type: 'button', className: 'chip link', text: n });
      b.addEventListener('click', () => showDetails(target, n));
      ul.append(el('li', null, b));
    } else {
      ul.append(el('li', null, el('span', { className: 'chip', text: n })));
    }
  }
  return ul;
}

/* A derived metric's depends_on, recursively, as nested lists. */
function lineageTree(name, seen) {
  const m = state.byName.metric.get(name);
  const label = el('span', { className: 'lineage-name', text: name });
  const note = m ? (m.kind === 'derived' ? ` = ${m.sql}` : ` · ${m.source}: ${m.sql}`)
    : ' (not visible to you)';
  const li = el('li', { 'data-metric': name }, label,
    el('span', { className: 'muted', text: note }));
  if (m && m.kind === 'derived' && !seen.has(name)) {
    const next = new Set(seen).add(name);
    const ul = el('ul');
    for (const dep of m.depends_on || []) ul.append(lineageTree(dep, next));
    li.append(ul);
  }
  return li;
}

function field(label, value, id) {
  const dd = el('dd', { id });
  if (value instanceof Node) dd.append(value);
  else if (value === null || value === undefined || value === '') {
    dd.append(el('span', { className: 'muted', text: '—' }));
  } else dd.textContent = value;
  return [el('dt', { text: label }), dd];
}

function showDetails(kind, name) {
  const item = state.byName[kind].get(name);
  if (!item) return;
  state.selected = { kind, name };
  const box = $('details');
  const dl = el('dl', { className: 'fields' });
  const actions = el('div', { className: 'actions' });
  box.replaceChildren(
    el('p', { className: 'kind', text: kind === 'metric' ? `${item.kind} metric` : kind }),
    el('h3', { id: 'detail-name', text: item.name }),
    el('p', { id: 'detail-description', className: 'description',
      text: item.description || 'No description.' }),
    dl, actions);
  const add = (label, value, id) => dl.append(...field(label, value, id));
  if (kind === 'metric') {
    add('Type', item.type, 'detail-type');
    add('Team', teamOf(item), 'detail-team');
    add('Source', item.source, 'detail-source');
    add('Aggregation', item.aggregation);
    for (const [k, v] of Object.entries(item.extra || {})) {
      if (k !== 'team') add(k, v);
    }
    add('SQL', el('pre', { className: 'code', text: item.sql || '' }), 'detail-sql');
    if (item.kind === 'derived') {
      add('Lineage', el('ul', { className: 'lineage', id: 'detail-lineage' },
        lineageTree(item.name, new Set())));
    }
    add('Requires', nameList(item.required_dimensions, 'dimension'));
    add('Group by', nameList(item.dimensions, 'dimension'), 'detail-dimensions');
    const pick = el('button', { type: 'button', id: 'detail-add', text: 'Add to query' });
    pick.addEventListener('click', () => pickMetric(item.name, false));
    const chart = el('button', { type: 'button', id: 'detail-chart', className: 'primary',
      text: 'Chart it' });
    chart.addEventListener('click', () => pickMetric(item.name, true));
    actions.append(chart, pick);
  } else if (kind === 'dimension') {
    add('Type', item.type, 'detail-type');
    add('Source', item.source);
    add('SQL', el('pre', { className: 'code', text: item.sql || '' }), 'detail-sql');
    add('Sources', nameList(item.sources, 'source'));
    const users = state.catalog.metrics.filter((m) => (m.dimensions || []).includes(item.name));
    add('Metrics', nameList(users.map((m) => m.name), 'metric'));
    const pick = el('button', { type: 'button', id: 'detail-add', text: 'Add to query' });
    pick.addEventListener('click', () => {
      const sel = `#dimension-picker input[value="${CSS.escape(item.name)}"]`;
      const input = document.querySelector(sel);
      if (!input) return;
      if (!input.disabled) {
        input.checked = true;
        updatePickers();
      }
      input.focus();
    });
    actions.append(pick);
  } else {
    add('Connection', item.connection);
    add('Time column', item.time_column);
    add('SQL', el('pre', { className: 'code', text: item.sql || '' }), 'detail-sql');
    add('Dimensions', nameList(item.dimensions, 'dimension'));
    const metrics = state.catalog.metrics.filter((m) => m.source === item.name);
    add('Metrics', nameList(metrics.map((m) => m.name), 'metric'));
  }
  for (const b of document.querySelectorAll('.catalog-item')) {
    const on = b.dataset.kind === kind && b.dataset.name === name;
    if (on) b.setAttribute('aria-current', 'true');
    else b.removeAttribute('aria-current');
  }
}

/* ---- the query form ------------------------------------------------------------------ */

function checkbox(group, value, title) {
  const input = el('input', { type: 'checkbox', name: group, value });
  input.addEventListener('change', updatePickers);
  return el('label', { className: 'check', title }, input, el('span', { text: value }));
}

function renderPickers() {
  const metrics = $('metric-picker');
  metrics.replaceChildren();
  for (const m of state.catalog.metrics) {
    metrics.append(checkbox('metric', m.name, m.description || ''));
  }
  const dims = $('dimension-picker');
  dims.replaceChildren();
  for (const d of state.catalog.dimensions) {
    dims.append(checkbox('dimension', d.name, d.description || ''));
  }
  const grain = $('grain');
  for (const g of state.catalog.grains) grain.append(el('option', { value: g.name, text: g.name }));
  updatePickers();
}

function checkedValues(group) {
  return [...document.querySelectorAll(`input[name="${group}"]:checked`)].map((i) => i.value);
}

/* Dimensions and grains that every picked metric can be grouped by stay enabled. */
function updatePickers() {
  const picked = checkedValues('metric').map((n) => state.byName.metric.get(n)).filter(Boolean);
  const allowed = (name) => picked.every((m) => (m.dimensions || []).includes(name));
  for (const input of document.querySelectorAll('input[name="dimension"]')) {
    const ok = allowed(input.value);
    input.disabled = !ok && !input.checked;
    input.parentElement.classList.toggle('unavailable', !ok);
  }
  for (const opt of $('grain').options) {
    if (opt.value) opt.disabled = !allowed(opt.value);
  }
}

/* Adds a metric to the form, with the dimensions it requires. With run ("Chart it"), the
 * form asks for that metric alone (by its required dimensions, over the grain and dates
 * already chosen when it has them) and runs. */
function pickMetric(name, run) {
  const m = state.byName.metric.get(name);
  const input = document.querySelector(`#metric-picker input[value="${CSS.escape(name)}"]`);
  if (!m || !input) return;
  if (run) {
    for (const i of document.querySelectorAll('input[name="metric"], input[name="dimension"]')) {
      i.checked = false;
    }
    if ($('grain').value && !(m.dimensions || []).includes($('grain').value)) $('grain').value = '';
  }
  input.checked = true;
  for (const d of m.required_dimensions || []) {
    const box = document.querySelector(`#dimension-picker input[value="${CSS.escape(d)}"]`);
    if (box) box.checked = true;
  }
  updatePickers();
  if (run) {
    runInquiry();
  } else {
    input.focus();
  }
}

function inquiryFromForm() {
  const q = { metrics: checkedValues('metric') };
  const dims = checkedValues('dimension');
  if (dims.length) q.dimensions = dims;
  const grain = $('grain').value;
  if (grain) q.granularity = grain;
  if ($('start-date').value) q.start_date = $('start-date').value;
  if ($('end-date').value) q.end_date = $('end-date').value;
  const filter = $('filter').value.trim();
  if (filter) q.filters = [filter];
  const limit = $('limit').value.trim();
  if (limit !== '') q.limit = Number(limit);
  return q;
}

/* `name`, with backquotes doubled. */
function ident(name) {
  return '`' + name.replace(/`/g, '``') + '`';
}

/* The SELECT on mimir.metrics an inquiry stands for: the shape planner/query_text.c gives
 * it on the server, so that a BI tool sending it gets the same rows. */
function inquirySql(q) {
  const groups = [...(q.dimensions || []), ...(q.granularity ? [q.granularity] : [])].map(ident);
  const item = (text) => (text.includes('--') || text.includes('#') ? text + '\n' : text);
  const select = [...groups, ...q.metrics.map((m) => `AGG(${ident(m)}) AS ${ident(m)}`)];
  let sql = `SELECT ${select.join(', ')}\nFROM mimir.metrics`;
  const where = [];
  if (q.start_date) where.push(`\`ds\` >= '${q.start_date}'`);
  if (q.end_date) where.push(`\`ds\` <= '${q.end_date}'`);
  for (const f of q.filters || []) where.push(`(${item(f)})`);
  if (where.length) sql += `\nWHERE ${where.join(' AND ')}`;
  if (groups.length) sql += `\nGROUP BY ${groups.join(', ')}\nORDER BY ${groups.join(', ')}`;
  if (q.limit !== undefined) sql += `\nLIMIT ${q.limit}`;
  return sql;
}

function showError(err) {
  const box = $('error');
  const code = err.code !== undefined ? `ERROR ${err.code} (${err.sqlstate || 'HY000'})` : 'Error';
  box.replaceChildren(el('strong', { className: 'error-code', text: code }),
    el('span', { className: 'error-message', text: ` ${err.message}` }));
  box.hidden = false;
}

function clearError() {
  $('error').hidden = true;
  $('error').replaceChildren();
}

async function runInquiry(event) {
  if (event) event.preventDefault();
  const q = inquiryFromForm();
  clearError();
  $('copy-status').textContent = '';
  if (!q.metrics.length) {
    showError({ message: 'Pick at least one metric.' });
    return;
  }
  const run = $('run');
  run.disabled = true;
  setStatus('Running…');
  const started = performance.now();
  try {
    const result = await api('/v1/query', q);
    state.lastInquiry = q;
    $('sql-text').textContent = inquirySql(q);
    $('download-csv').disabled = false;
    $('copy-sql').disabled = false;
    renderResult(q, result, performance.now() - started);
    setStatus('Ready.');
  } catch (err) {
    showError(err);
    $('result').hidden = true; /* the rows on screen would answer another question */
    setStatus('The inquiry failed.');
  } finally {
    run.disabled = false;
    /* Counts finished runs, for whoever waits for one (tests/clients/node/web_check.mjs). */
    document.body.dataset.runs = String(Number(document.body.dataset.runs || 0) + 1);
  }
}

/* ---- the result: table and chart ---------------------------------------------------- */

function isNumericType(type) {
  return /^(TINYINT|SMALLINT|MEDIUMINT|INT|BIGINT|DECIMAL|FLOAT|DOUBLE)/i.test(type || '');
}

function renderTable(result) {
  const table = $('result-table');
  const head = el('tr');
  for (const c of result.columns) {
    head.append(el('th', { scope: 'col', title: c.type, text: c.name }));
  }
  const body = el('tbody');
  for (const row of result.rows) {
    const tr = el('tr');
    row.forEach((v, i) => {
      const numeric = isNumericType(result.columns[i].type);
      if (v === null) {
        tr.append(el('td', { className: 'null', title: 'NULL', 'data-null': 'true' }));
      } else {
        tr.append(el('td', { className: numeric ? 'num' : null, text: String(v) }));
      }
    });
    body.append(tr);
  }
  table.replaceChildren(el('thead', null, head), body);
}

/* Series of the chart: one per metric and combination of dimension values. */
function chartData(q, result) {
  const idx = new Map(result.columns.map((c, i) => [c.name, i]));
  const dims = q.dimensions || [];
  const grain = q.granularity ? result.columns[dims.length] : null;
  const dimKey = (row) => dims.map((d) => String(row[idx.get(d)])).join(' · ');
  /* The x axis: the grain's values, or else the dimensions' combinations. */
  const xKey = (row) => (grain ? String(row[dims.length]) : dimKey(row) || 'all');
  const xs = [];
  const seenX = new Set();
  for (const row of result.rows) {
    const x = xKey(row);
    if (!seenX.has(x)) {
      seenX.add(x);
      xs.push(x);
    }
  }
  if (grain) xs.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const series = new Map();
  for (const row of result.rows) {
    const group = grain ? dimKey(row) : '';
    for (const m of q.metrics) {
      const v = row[idx.get(m)];
      const key = group ? `${m} · ${group}` : m;
      if (!series.has(key)) series.set(key, { name: key, points: [] });
      if (v === null || v === undefined) continue;
      const n = Number(v);
      if (Number.isFinite(n)) series.get(key).points.push({ x: xKey(row), y: n, raw: String(v) });
    }
  }
  return { xs, series: [...series.values()], line: Boolean(grain) };
}

function niceTicks(lo, hi, count) {
  if (lo === hi) {
    hi = lo + 1;
  }
  const step0 = (hi - lo) / count;
  const mag = 10 ** Math.floor(Math.log10(step0));
  const step = [1, 2, 5, 10].map((k) => k * mag).find((s) => s >= step0);
  const ticks = [];
  /* From a multiple of step at or below lo to the first at or above hi. */
  for (let i = Math.floor(lo / step); ; i++) {
    ticks.push(i * step);
    if (i * step >= hi) break;
  }
  return ticks;
}

function renderChart(q, result) {
  const figure = $('chart');
  const legend = $('legend');
  figure.replaceChildren();
  legend.replaceChildren();
  const { xs, series, line } = chartData(q, result);
  const values = series.flatMap((s) => s.points.map((p) => p.y));
  if (!values.length) {
    figure.append(el('p', { className: 'hint', text: 'Nothing to chart.' }));
    return;
  }
  if (values.length > MAX_POINTS) {
    figure.append(el('p', { className: 'hint', text: `Too many values to chart (${values.length}):`
      + ' choose a coarser grain, fewer dimensions or a shorter date range.' }));
    return;
  }
  const W = 720;
  const H = 260;
  const M = { left: 64, right: 16, top: 12, bottom: 28 };
  const iw = W - M.left - M.right;
  const ih = H - M.top - M.bottom;
  const ticks = niceTicks(Math.min(0, ...values), Math.max(0, ...values), 5);
  const y0 = ticks[0];
  const y1 = ticks[ticks.length - 1];
  const yPos = (v) => M.top + ih - ((v - y0) / (y1 - y0 || 1)) * ih;
  const band = iw / xs.length;
  const xIndex = new Map(xs.map((x, i) => [x, i]));
  const root = svg('svg', {
    viewBox: `0 0 ${W} ${H}`,
    role: 'img',
    class: line ? 'line-chart' : 'bar-chart',
    'aria-label': `${line ? 'Line' : 'Bar'} chart of ${q.metrics.join(', ')}`,
  });
  for (const t of ticks) {
    const y = yPos(t);
    root.append(svg('line', { class: 'grid', x1: M.left, x2: W - M.right, y1: y, y2: y }));
    root.append(svg('text', { class: 'tick y', x: M.left - 6, y: y + 4, text: formatNumber(t) }));
  }
  const every = Math.max(1, Math.ceil(xs.length / 12));
  xs.forEach((x, i) => {
    if (i % every) return;
    const cx = M.left + band * (i + 0.5);
    const label = x.length > 14 ? x.slice(0, 13) + '…' : x;
    root.append(svg('text', { class: 'tick x', x: cx, y: H - M.bottom + 18, text: label }));
  });
  const zero = yPos(0);
  root.append(svg('line', { class: 'axis', x1: M.left, x2: W - M.right, y1: zero, y2: zero }));
  series.forEach((s, si) => {
    const color = `series-${si % SERIES_COLORS}`;
    if (line) {
      const pts = s.points.map((p) => [M.left + band * (xIndex.get(p.x) + 0.5), yPos(p.y), p]);
      if (pts.length > 1) {
        root.append(svg('polyline', {
          class: `series-line ${color}`,
          points: pts.map(([x, y]) => `${x},${y}`).join(' '),
        }));
      }
      for (const [x, y, p] of pts) {
        const c = svg('circle', { class: `point ${color}`, cx: x, cy: y, r: 3.5,
          'data-series': s.name, 'data-x': p.x, 'data-value': p.raw });
        c.append(svg('title', { text: `${s.name}, ${p.x}: ${p.raw}` }));
        root.append(c);
      }
    } else {
      const w = (band * 0.8) / series.length;
      for (const p of s.points) {
        const x = M.left + band * xIndex.get(p.x) + band * 0.1 + w * si;
        const top = Math.min(yPos(p.y), yPos(0));
        const r = svg('rect', { class: `bar ${color}`, x, y: top, width: Math.max(1, w - 1),
          height: Math.max(1, Math.abs(yPos(p.y) - yPos(0))),
          'data-series': s.name, 'data-x': p.x, 'data-value': p.raw });
        r.append(svg('title', { text: `${s.name}, ${p.x}: ${p.raw}` }));
        root.append(r);
      }
    }
    legend.append(el('li', null, el('span', { className: `swatch ${color}` }), s.name));
  });
  figure.append(root);
}

function renderResult(q, result, ms) {
  $('result').hidden = false;
  const n = result.rows.length;
  $('result-summary').textContent = `${n} row${n === 1 ? '' : 's'} in ${Math.round(ms)} ms`
    + ` · ${q.granularity ? 'line chart by ' + q.granularity : 'bar chart'}`;
  renderChart(q, result);
  renderTable(result);
}

/* ---- CSV and SQL --------------------------------------------------------------------- */

async function downloadCsv() {
  const q = state.lastInquiry;
  if (!q) return;
  clearError();
  try {
    const text = await api('/v1/query', q, 'text/csv');
    const url = URL.createObjectURL(new Blob([text], { type: 'text/csv' }));
    const a = el('a', { href: url, download: `mimir-${q.metrics.join('-')}.csv` });
    document.body.append(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(url), 10000);
  } catch (err) {
    showError(err);
  }
}

async function copySql() {
  const text = $('sql-text').textContent;
  $('copy-status').textContent = '';
  $('sql-box').open = true;
  try {
    await navigator.clipboard.writeText(text);
    $('copy-status').textContent = 'SQL copied.';
  } catch (e) {
    /* No clipboard API (a page not in a secure context): select the text to copy by hand. */
    const range = document.createRange();
    range.selectNodeContents($('sql-text'));
    const sel = window.getSelection();
    sel.removeAllRanges();
    sel.addRange(range);
    $('copy-status').textContent = 'SQL selected: press Ctrl+C to copy.';
  }
}

/* ---- start --------------------------------------------------------------------------- */

async function start() {
  $('search').addEventListener('input', renderCatalogList);
  $('query-form').addEventListener('submit', runInquiry);
  $('download-csv').addEventListener('click', downloadCsv);
  $('copy-sql').addEventListener('click', copySql);
  document.addEventListener('keydown', (e) => {
    const typing = /^(INPUT|TEXTAREA|SELECT)$/.test(document.activeElement.tagName);
    if (e.key === '/' && !typing) {
      e.preventDefault();
      $('search').focus();
    }
  });
  try {
    const cat = await api('/v1/catalog');
    state.catalog = cat;
    for (const m of cat.metrics) state.byName.metric.set(m.name, m);
    for (const d of cat.dimensions) state.byName.dimension.set(d.name, d);
    for (const s of cat.sources) state.byName.source.set(s.name, s);
    renderCatalogList();
    renderPickers();
    setStatus(`${cat.metrics.length} metrics, ${cat.dimensions.length} dimensions, `
      + `${cat.sources.length} sources.`);
    document.body.dataset.ready = 'true';
  } catch (err) {
    showError(err);
    setStatus('The catalog could not be loaded.');
  }
}

document.addEventListener('DOMContentLoaded', start);
