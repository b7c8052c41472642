// Browser test of the viewer: Debian's Chromium (headless, driven by playwright-core) against a
// running `tepat serve` with the demo city. api/tests/viewer.rs starts the server on a free
// loopback port and runs this script with
//   TEPAT_URL=http://127.0.0.1:PORT/  OUT_DIR=<folder for the screenshots>
// Each step saves a screenshot in OUT_DIR. Exit code 0 when every step passed.

import { chromium } from 'playwright-core';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const BASE = process.env.TEPAT_URL;
const OUT = process.env.OUT_DIR ?? 'test-output';
const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium';
if (!BASE) {
  console.error('TEPAT_URL is not set (run through `cargo test -p tepat --test viewer` or `make viewer-test`)');
  process.exit(2);
}
mkdirSync(OUT, { recursive: true });

const started = Date.now();
let passed = 0;
let failed = 0;
const problems = [];

function check(cond, what) {
  if (!cond) throw new Error(`check failed: ${what}`);
}

async function step(name, f) {
  const t0 = Date.now();
  try {
    await f();
    passed++;
    console.log(`ok - ${name} (${Date.now() - t0} ms)`);
  } catch (e) {
    failed++;
    console.log(`not ok - ${name}: ${e?.stack ?? e}`);
    await page.screenshot({ path: join(OUT, `failed-${name.replace(/\W+/g, '-')}.png`) }).catch(() => {});
  }
}

const browser = await chromium.launch({
  executablePath: CHROMIUM,
  headless: true,
  args: [
    '--headless',
    '--no-sandbox',
    '--disable-gpu',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
    '--no-first-run',
    // WebGL without a GPU: SwiftShader, as Chromium no longer falls back to it by itself.
    '--enable-unsafe-swiftshader',
    '--use-angle=swiftshader',
  ],
});
const context = await browser.newContext({ viewport: { width: 1366, height: 768 }, acceptDownloads: true, locale: 'id-ID' });
const page = await context.newPage();
const external = [];
const consoleErrors = [];
// Offline: anything not on loopback would be a CDN, remote font or glyph; refuse and record it.
await context.route('**/*', (route) => {
  const url = new URL(route.request().url());
  if (['http:', 'https:'].includes(url.protocol) && !['127.0.0.1', 'localhost', '[::1]'].includes(url.hostname)) {
    external.push(url.href);
    return route.abort();
  }
  return route.continue();
});
page.on('console', (m) => {
  if (m.type() === 'error') consoleErrors.push(m.text());
});
page.on('pageerror', (e) => consoleErrors.push(String(e)));

const shot = (name) => page.screenshot({ path: join(OUT, name) });
const idle = () =>
  page.evaluate(
    () =>
      new Promise((resolve) => {
        const m = window.__tepat.map;
        if (m.loaded() && !m.isMoving()) requestAnimationFrame(() => resolve(true));
        else m.once('idle', () => resolve(true));
      }),
  );

await step('the map renders the zones', async () => {
  await page.goto(BASE);
  await page.waitForSelector('body[data-ready="true"]', { timeout: 60_000 });
  await idle();
  const info = await page.evaluate(() => {
    const { app, map } = window.__tepat;
    const ids = map.getStyle().layers.map((l) => l.id);
    // Pixels of the map: share that is not the sea background, and how many colours.
    const src = map.getCanvas();
    const c = document.createElement('canvas');
    c.width = 200;
    c.height = 120;
    const ctx = c.getContext('2d');
    ctx.drawImage(src, 0, 0, c.width, c.height);
    const px = ctx.getImageData(0, 0, c.width, c.height).data;
    let notSea = 0;
    const colours = new Set();
    for (let i = 0; i < px.length; i += 4) {
      const [r, g, b] = [px[i], px[i + 1], px[i + 2]];
      colours.add(`${r >> 3},${g >> 3},${b >> 3}`);
      if (Math.abs(r - 0xcf) + Math.abs(g - 0xe1) + Math.abs(b - 0xea) > 24) notSea++;
    }
    return {
      ids,
      kelurahan: app.map.features('kelurahan')?.features.length ?? 0,
      notSea: notSea / (px.length / 4),
      colours: colours.size,
      project: document.getElementById('project-name').textContent,
    };
  });
  for (const id of ['daratan:fill', 'kelurahan:fill', 'kelurahan:line', 'kecamatan:line', 'jalan:line', 'sungai:line', 'puskesmas:circle', 'banjir_q25:fill', 'result:fill']) {
    check(info.ids.includes(id), `style has layer ${id} (has ${info.ids.join(', ')})`);
  }
  check(info.kelurahan === 83, `83 kelurahan loaded, got ${info.kelurahan}`);
  check(info.notSea > 0.25, `canvas shows the city (non-background share ${info.notSea.toFixed(2)})`);
  check(info.colours > 8, `canvas is not blank (${info.colours} colours)`);
  check(info.project.length > 0, 'project name shown');
  check((await page.locator('.map-label.coarse').count()) >= 5, 'kecamatan labels');
  await shot('01-map.png');
});

await step('a layer toggles', async () => {
  const vis = (id) => page.evaluate((i) => window.__tepat.map.getLayoutProperty(i, 'visibility') ?? 'visible', id);
  check((await vis('banjir_q25:fill')) === 'none', 'flood layer hidden at first');
  await page.locator('input[type="checkbox"][data-layer="banjir_q25"]').check();
  await page.waitForFunction(() => window.__tepat.app.map.features('banjir_q25')?.features.length > 0);
  check((await vis('banjir_q25:fill')) === 'visible', 'flood layer shown after the toggle');
  await page.locator('input[type="checkbox"][data-layer="jalan"]').uncheck();
  check((await vis('jalan:line')) === 'none', 'roads hidden after the toggle');
  await idle();
  await shot('02-layer-toggled.png');
  await page.locator('input[type="checkbox"][data-layer="jalan"]').check();
  await page.locator('input[type="checkbox"][data-layer="banjir_q25"]').uncheck();
});

await step('zones coloured by a field with a legend', async () => {
  await page.locator('select[data-choro="kelurahan"]').selectOption('poor_households');
  await page.waitForSelector('#legend .legend-box');
  const items = await page.locator('#legend .legend-box li').count();
  check(items >= 3, `legend has classes (${items})`);
  await idle();
  await shot('03-choropleth.png');
  await page.locator('select[data-choro="kelurahan"]').selectOption('');
});

await step('the index analysis runs and the table shows 83 ranked rows', async () => {
  await page.locator('#tab-analysis').click();
  check((await page.locator('#analysis-pick').inputValue()) === 'index', 'index is the first choice');
  check((await page.locator('fieldset.indicator').count()) === 3, 'the preset has three indicators');
  await shot('04-analysis-form.png');
  await page.locator('#run-analysis').click();
  await page.waitForFunction(() => document.querySelectorAll('.results-table tbody tr').length > 0, null, { timeout: 90_000 });
  const rows = await page.locator('.results-table tbody tr').count();
  check(rows === 83, `83 rows, got ${rows}`);
  const ranks = await page.locator('.results-table tbody tr td:first-child').allTextContents();
  check(ranks[0] === '1' && ranks[1] === '2' && ranks[82] === '83', `sorted by rank: ${ranks.slice(0, 3)} … ${ranks[82]}`);
  check(await page.locator('#legend .legend-box').first().isVisible(), 'legend shown');
  await page.waitForFunction(() => window.__tepat.map.getLayoutProperty('result:fill', 'visibility') === 'visible');
  await idle();
  await shot('05-index-results.png');
});

await step('clicking the first row shows its reasons', async () => {
  await page.locator('.results-table tbody tr').first().click();
  await page.waitForSelector('#detail .reasons li, #detail .index-detail');
  const text = await page.locator('#detail').innerText();
  check(/Peringkat 1 dari 83/.test(text), `rank shown: ${text.slice(0, 120)}`);
  check((await page.locator('#detail .reasons li').count()) >= 1, 'at least one reason');
  check((await page.locator('#detail .contrib').count()) === 3, 'three contribution bars');
  check(/Rentang peringkat \d+–\d+/.test(text), 'rank interval shown');
  check((await page.locator('.results-table tbody tr.selected').count()) === 1, 'row highlighted');
  await page.waitForTimeout(900); // the camera flies to the zone
  await idle();
  await shot('06-reasons.png');
});

await step('keyboard: Enter on a row selects it', async () => {
  const second = page.locator('.results-table tbody tr').nth(1);
  await second.focus();
  await page.keyboard.press('Enter');
  await page.waitForFunction(() => /Peringkat 2 dari 83/.test(document.getElementById('detail').innerText));
});

await step('the language switch changes the labels', async () => {
  await page.locator('.results-table tbody tr').first().click();
  await page.locator('button[data-lang="en"]').click();
  check((await page.locator('#tab-layers').innerText()) === 'Layers', 'tab label in English');
  const text = await page.locator('#detail').innerText();
  check(/Rank 1 of 83/.test(text), `detail in English: ${text.slice(0, 80)}`);
  const reason = await page.locator('#detail .reasons li').first().innerText();
  check(/[a-z]/.test(reason) && !/penduduk|rumah tangga/.test(reason), `reason in English: ${reason}`);
  check((await page.evaluate(() => document.documentElement.lang)) === 'en', 'html lang');
  await idle();
  await shot('07-english.png');
  await page.locator('button[data-lang="id"]').click();
  check((await page.locator('#tab-layers').innerText()) === 'Lapisan', 'back to Indonesian');
});

await step('clicking a zone on the map shows its row and reasons', async () => {
  await page.locator('#fit-all').click();
  await page.waitForTimeout(300);
  await idle();
  // A point of the map inside a zone of the result, away from facility points.
  const target = await page.evaluate(() => {
    const m = window.__tepat.map;
    const box = m.getCanvas().getBoundingClientRect();
    for (let y = box.height * 0.3; y < box.height * 0.8; y += 23) {
      for (let x = box.width * 0.4; x < box.width * 0.8; x += 29) {
        const hits = m.queryRenderedFeatures([x, y]);
        if (hits.some((h) => h.layer.type === 'circle' || h.layer.type === 'line')) continue;
        const zone = hits.find((h) => h.layer.id === 'result:fill');
        if (zone) return { x: box.left + x, y: box.top + y, id: zone.properties.__id, name: zone.properties.nama };
      }
    }
    return null;
  });
  check(target, 'found a zone to click');
  await page.mouse.click(target.x, target.y);
  await page.waitForFunction((name) => document.getElementById('detail-title')?.textContent === name, target.name);
  const text = await page.locator('#detail').innerText();
  check(/Peringkat \d+ dari 83/.test(text), `rank of the clicked zone: ${text.slice(0, 80)}`);
  const selected = await page.locator('.results-table tbody tr.selected').getAttribute('data-id');
  check(selected === target.id, `its table row is selected (${selected} vs ${target.id})`);
  await shot('08-zone-clicked.png');
});

await step('exports: CSV, GeoJSON and the map as PNG', async () => {
  const save = async (id) => {
    const [download] = await Promise.all([page.waitForEvent('download'), page.locator(id).click()]);
    const path = join(OUT, download.suggestedFilename());
    await download.saveAs(path);
    return path;
  };
  const csv = readFileSync(await save('#export-csv'), 'utf8');
  check(csv.startsWith('id,') && csv.trim().split('\n').length === 84, 'CSV: a header and 83 rows');
  const gj = JSON.parse(readFileSync(await save('#export-geojson'), 'utf8'));
  check(gj.type === 'FeatureCollection' && gj.features.length === 83 && gj.features[0].geometry, 'GeoJSON: 83 features with geometry');
  await page.locator('#fit-all').click();
  await page.waitForTimeout(300);
  await idle();
  const png = readFileSync(await save('#export-png'));
  check(png.subarray(1, 4).toString() === 'PNG' && png.length > 20_000, `PNG export (${png.length} bytes)`);
  writeFileSync(join(OUT, '09-export.png'), png);
});

await step('an API error is shown from its problem+json', async () => {
  await page.locator('#tab-analysis').click();
  await page.locator('.json-box summary').click();
  await page.locator('#params-json').fill('{"zones":"kelurahan_x","indicators":[{"field":"under5"}]}');
  await page.locator('#run-analysis').click();
  const card = page.locator('.error-card').first();
  await card.waitFor();
  const text = await card.innerText();
  check(/404/.test(text) && /kelurahan_x/.test(text), `error names the layer: ${text}`);
  await shot('10-error.png');
  await card.locator('button').click();
  await page.locator('#params-json').fill('');
});

await step('usable on a tablet', async () => {
  await page.setViewportSize({ width: 820, height: 1180 });
  await page.locator('#tab-results').click();
  await page.waitForTimeout(300);
  check(await page.locator('.results-table').isVisible(), 'table visible on a tablet');
  await idle();
  await shot('11-tablet-table.png');
  // Choosing a row there steps the panel aside to show the zone and its reasons.
  await page.locator('.results-table tbody tr').nth(2).click();
  await page.waitForFunction(() => !document.body.classList.contains('sidebar-open'));
  await page.waitForFunction(() => /Peringkat 3 dari 83/.test(document.getElementById('detail').innerText));
  check(await page.locator('#detail').isVisible(), 'detail visible on a tablet');
  await page.waitForTimeout(900);
  await idle();
  await shot('12-tablet-reasons.png');
  await page.locator('#panel-toggle').click();
  check(await page.locator('.results-table').isVisible(), 'the panel comes back');
});

await step('a form generated from the schema (aggregate) runs', async () => {
  await page.setViewportSize({ width: 1366, height: 768 });
  await page.locator('#tab-analysis').click();
  await page.locator('#analysis-pick').selectOption('aggregate');
  check((await page.locator('#param-zones option').allTextContents()).includes('kelurahan'), 'zones offered as choices');
  await page.locator('#param-layer').selectOption('sekolah');
  await page.locator('#param-sum input[value="students"]').check();
  await page.locator('#run-analysis').click();
  await page.waitForFunction(() => /Agregasi/.test(document.querySelector('#panel-results h2')?.textContent ?? ''));
  check((await page.locator('.results-table tbody tr').count()) === 83, '83 rows');
  check((await page.locator('#result-field option').allTextContents()).some((t) => /students/.test(t)), 'sum_students can colour the map');
  await idle();
  await shot('13-aggregate.png');
});

await step('works offline: nothing fetched from outside, no page errors', async () => {
  check(external.length === 0, `external requests: ${external.join(', ')}`);
  const serious = consoleErrors.filter((e) => !/404|422|Failed to load resource/.test(e));
  check(serious.length === 0, `console errors: ${serious.join(' | ')}`);
});

await browser.close();
console.log(`screenshots in ${OUT}`);
console.log(`browser test took ${((Date.now() - started) / 1000).toFixed(1)} s`);
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);
