// Browser test of the viewer: Debian's Chromium (headless, driven by playwright-core) against a
// running `tepat serve` with the demo city. api/tests/viewer.rs starts the server on a free
// loopback port and runs this script with
//   TEPAT_URL=http://127.0.0.1:PORT/  OUT_DIR=<folder for the screenshots>
//   PLANNER_TOKEN=… LEADER_TOKEN=…  (made with `tepat token create --role … --data-dir D`)
// Each step saves a screenshot in OUT_DIR. Exit code 0 when every step passed.

import { chromium } from 'playwright-core';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const BASE = process.env.TEPAT_URL;
const OUT = process.env.OUT_DIR ?? 'test-output';
const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium';
const PLANNER = process.env.PLANNER_TOKEN ?? '';
const LEADER = process.env.LEADER_TOKEN ?? '';
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

let indexParams = null;
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

await step('a large layer is drawn from vector tiles when the server has them', async () => {
  const tj = await fetch(new URL('api/v1/tiles/pengaduan.json', BASE));
  await page.locator('input[type="checkbox"][data-layer="pengaduan"]').check();
  await idle();
  const info = await page.evaluate(() => {
    const m = window.__tepat.map;
    return { type: m.getSource('src:pengaduan').type, drawn: m.queryRenderedFeatures({ layers: ['pengaduan:circle'] }).length };
  });
  if (tj.status === 200) check(info.type === 'vector', `pengaduan from tiles (source ${info.type})`);
  else check(tj.status === 404 && info.type === 'geojson', `no tiles (${tj.status}): GeoJSON instead (source ${info.type})`);
  check(info.drawn > 100, `complaints drawn (${info.drawn})`);
  await shot('02b-large-layer.png');
  await page.locator('input[type="checkbox"][data-layer="pengaduan"]').uncheck();
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
  indexParams = await page.evaluate(() => window.__tepat.app.result.params);
  const rows = await page.locator('.results-table tbody tr').count();
  check(rows === 83, `83 rows, got ${rows}`);
  const ranks = await page.locator('.results-table tbody tr td:first-child').allTextContents();
  check(ranks[0] === '1' && ranks[1] === '2' && ranks[82] === '83', `sorted by rank: ${ranks.slice(0, 3)} … ${ranks[82]}`);
  check(await page.locator('#legend .legend-box').first().isVisible(), 'legend shown');
  await page.waitForFunction(() => window.__tepat.map.getLayoutProperty('result:fill', 'visibility') === 'visible');
  await idle();
  await shot('05-index-results.png');
});

await step('a run answered with 202 is followed to its end', async () => {
  const r = await page.evaluate(async (params) => {
    const seen = [];
    const res = await window.__tepat.api.run('index', params, (p) => seen.push(p), undefined, true);
    return { rows: res.rows.length, seen };
  }, indexParams);
  check(r.rows === 83, `the job's result has 83 rows (${r.rows})`);
  check(r.seen.length >= 1 && r.seen.at(-1) === 1, `progress reported up to 1: ${r.seen.join(', ')}`);
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

await step('sign in as a planner', async () => {
  check(PLANNER && LEADER, 'PLANNER_TOKEN and LEADER_TOKEN are set');
  await page.locator('#tab-scenarios').click();
  check(/Belum masuk/.test(await page.locator('#panel-scenarios').innerText()), 'read-only hint without a token');
  // A wrong token is refused with the problem's words.
  await page.locator('#token-input').fill('tepat_not_a_token');
  await page.locator('#sign-in').click();
  const card = page.locator('.error-card').first();
  await card.waitFor();
  const err = await card.innerText();
  check(/401/.test(err), `401 shown: ${err}`);
  await card.locator('button').click();
  await page.locator('#token-input').fill(PLANNER);
  await page.locator('#sign-in').click();
  await page.waitForSelector('#create-scenario');
  const who = await page.locator('#signed-in-as').innerText();
  check(/perencana/.test(who), `signed in as a planner: ${who}`);
  check((await page.locator('#whoami').innerText()) === 'perencana', 'role badge in the top bar');
});

/** Screen point of the kelurahan farthest from any puskesmas, inside the visible map. */
const remoteSpot = () =>
  page.evaluate(() => {
    const { app, map } = window.__tepat;
    const pus = app.map.features('puskesmas').features.map((f) => f.geometry.coordinates);
    const box = map.getCanvas().getBoundingClientRect();
    const spots = app.map.features('kelurahan').features.map((f) => {
      const ring = f.geometry.type === 'Polygon' ? f.geometry.coordinates[0] : f.geometry.coordinates[0][0];
      const c = ring.reduce((a, p) => [a[0] + p[0] / ring.length, a[1] + p[1] / ring.length], [0, 0]);
      const d = Math.min(...pus.map((p) => Math.hypot((p[0] - c[0]) * Math.cos((c[1] * Math.PI) / 180), p[1] - c[1])));
      return { c, d, name: f.properties.nama };
    });
    spots.sort((a, b) => b.d - a.d);
    for (const s of spots) {
      const p = map.project(s.c);
      if (p.x > box.width * 0.15 && p.x < box.width * 0.7 && p.y > box.height * 0.15 && p.y < box.height * 0.8) {
        return { x: box.left + p.x, y: box.top + p.y, lngLat: s.c, name: s.name };
      }
    }
    return null;
  });

let scenarioId = '';
await step('a scenario with one new puskesmas, placed by clicking the map', async () => {
  await page.evaluate(() => window.__tepat.app.selectFeature('', '', false));
  await page.locator('#fit-all').click();
  await page.waitForTimeout(300);
  await page.locator('#scenario-name').fill('Puskesmas baru di pinggiran');
  await page.locator('#create-scenario').click();
  await page.waitForSelector('#add-facility');
  check(/versi 1 · 0 perubahan/.test(await page.locator('#scenario-version').innerText()), 'version 1, no edits');
  await page.locator('#add-facility').click();
  await page.waitForSelector('.placing-hint');
  await idle();
  const spot = await remoteSpot();
  check(spot, 'a remote kelurahan on screen');
  await page.mouse.click(spot.x, spot.y);
  await page.waitForSelector('#new-facility-save');
  check((await page.locator('#new-facility-layer').inputValue()) === 'puskesmas', 'puskesmas offered first');
  check((await page.locator('#new-facility-kind').inputValue()).length > 0, 'kind filled from the layer');
  await page.locator('#new-facility-capacity').fill('20.000');
  await page.locator('#new-facility-cost').fill('5.000.000.000');
  await shot('14-new-facility-form.png');
  await page.locator('#new-facility-save').click();
  await page.waitForSelector('.scenario-marker.added');
  check(/versi 2 · 1 perubahan/.test(await page.locator('#scenario-version').innerText()), 'version 2 with one edit');
  scenarioId = await page.evaluate(() => window.__tepat.app.scenarioId);
  const stored = await (await fetch(new URL(`api/v1/scenarios/${scenarioId}`, BASE))).json();
  const add = stored.edits[0];
  check(add.op === 'add_facility' && add.layer === 'puskesmas' && add.capacity === 20000 && add.cost === 5e9, `edit stored: ${JSON.stringify(add)}`);
  check(Math.abs(add.lon - spot.lngLat[0]) < 0.01 && Math.abs(add.lat - spot.lngLat[1]) < 0.01, 'at the clicked place');
  await idle();
  await shot('15-scenario-facility.png');
});

await step('drag the new facility to move it', async () => {
  const marker = page.locator('.scenario-marker.added').first();
  const b = await marker.boundingBox();
  const before = (await (await fetch(new URL(`api/v1/scenarios/${scenarioId}`, BASE))).json()).edits[0];
  await page.mouse.move(b.x + b.width / 2, b.y + b.height / 2);
  await page.mouse.down();
  await page.mouse.move(b.x + b.width / 2 + 20, b.y + b.height / 2 + 12, { steps: 6 });
  await page.mouse.up();
  await page.waitForFunction(() => /versi 3/.test(document.getElementById('scenario-version')?.textContent ?? ''));
  const after = await (await fetch(new URL(`api/v1/scenarios/${scenarioId}`, BASE))).json();
  check(after.edits.length === 1 && after.edits[0].op === 'add_facility', 'still one add_facility');
  check(after.edits[0].lon > before.lon && after.edits[0].lat < before.lat, `moved east and south: ${before.lon},${before.lat} → ${after.edits[0].lon},${after.edits[0].lat}`);
});

await step('a second scenario: Q100 flood and 5 % growth', async () => {
  await page.locator('#scenario-name').fill('Banjir Q100, penduduk +5%');
  await page.locator('#create-scenario').click();
  await page.waitForFunction(() => /versi 1/.test(document.getElementById('scenario-version')?.textContent ?? ''));
  await page.locator('#hazard-from').selectOption('banjir_q10');
  await page.locator('#hazard-to').selectOption('banjir_q100');
  await page.locator('#growth').fill('5');
  await page.locator('#apply-changes').click();
  await page.waitForFunction(() => /versi 2 · 2 perubahan/.test(document.getElementById('scenario-version')?.textContent ?? ''));
  const id = await page.evaluate(() => window.__tepat.app.scenarioId);
  const s = await (await fetch(new URL(`api/v1/scenarios/${id}`, BASE))).json();
  const ops = s.edits.map((e) => e.op).sort().join(',');
  check(ops === 'scale_demand,swap_hazard', `edits: ${ops}`);
  check(s.edits.find((e) => e.op === 'scale_demand').factor === 1.05, 'growth factor 1.05');
  // Back to the first scenario, compared together with this one.
  await page.locator('#scenario-pick').selectOption(scenarioId);
  await page.locator(`#cmp-${id}`).check();
});

await step('the compare view shows a non-zero coverage delta', async () => {
  await page.locator('#compare-scenario').click();
  await page.waitForSelector('[data-delta="access.covered_population"]');
  const deltas = await page.locator('[data-delta="access.covered_population"]').allInnerTexts();
  check(deltas.length === 2, `two scenarios charted (${deltas.length})`);
  check(/^\+\d/.test(deltas[0]), `coverage grows with the new puskesmas: ${deltas[0]}`);
  const bars = await page.locator('[data-chart="access.covered_population"] rect.bar').count();
  check(bars === 3, `baseline and two scenario bars (${bars})`);
  const words = await page.locator('.what-changed').innerText();
  check(/jiwa dalam jarak 2 km dari puskesmas/.test(words), `the API's sentences, in Indonesian: ${words.slice(0, 200)}`);
  await page.waitForFunction(() => window.__tepat.map.getLayoutProperty('delta:fill', 'visibility') === 'visible');
  const changed = await page.locator('#changed-zones').innerText();
  check(!/^0 /.test(changed), `zones changed: ${changed}`);
  const legend = await page.locator('#legend .legend-box').first().innerText();
  check(/Perubahan/.test(legend) && /tidak berubah/.test(legend), `delta legend: ${legend}`);
  await idle();
  await shot('16-compare-delta.png');
  await page.locator('.charts').scrollIntoViewIfNeeded();
  await shot('17-compare-charts.png');
});

await step('baseline and scenario side by side, then swiped', async () => {
  await page.locator('button[data-view="side"]').click();
  await page.waitForSelector('#compare-maps.side[data-ready="true"]');
  await shot('18-compare-side.png');
  await page.locator('button[data-view="swipe"]').click();
  await page.waitForSelector('#compare-maps.swipe[data-ready="true"]');
  await page.locator('#swipe').fill('35');
  await shot('19-compare-swipe.png');
  await page.locator('button[data-view="delta"]').click();
  check((await page.locator('#compare-maps').count()) === 0, 'two maps closed again');
});

await step('the compare view switches language', async () => {
  await page.locator('button[data-lang="en"]').click();
  check((await page.locator('#tab-compare').innerText()) === 'Compare', 'tab in English');
  await page.waitForFunction(() => /no change/.test(document.querySelector('#legend .legend-box')?.textContent ?? ''));
  const legend = await page.locator('#legend .legend-box').first().innerText();
  check(/Change/.test(legend), `legend in English: ${legend}`);
  check(/better|worse/.test(await page.locator('.chart-deltas').first().innerText()), 'deltas judged in English');
  const words = await page.locator('.what-changed').innerText();
  check(/people within 2 km of a puskesmas/.test(words), `the API's sentences, in English: ${words.slice(0, 200)}`);
  await shot('20-compare-english.png');
  await page.locator('button[data-lang="id"]').click();
});

await step('a planner saves the ranking as a recommendation from the results view', async () => {
  await page.locator('#tab-analysis').click();
  await page.locator('#analysis-pick').selectOption('index');
  await page.locator('#run-analysis').click();
  await page.waitForFunction(() => /Indeks/.test(document.querySelector('#panel-results h2')?.textContent ?? ''));
  await page.locator('#save-recommendation').click();
  await page.locator('#rec-title').fill('Daftar pendek dari peta');
  await page.locator('#rec-budget').fill('15.000.000.000');
  await page.locator('#rec-create').click();
  await page.waitForSelector('body[data-brief-ready="true"]', { timeout: 60_000 });
  check(/^#\/brief\//.test(await page.evaluate(() => location.hash)), 'the brief opens');
  const text = await page.locator('#brief-page').innerText();
  check(/Daftar pendek dari peta/.test(text) && /Rp 15 miliar/.test(text), 'its title and budget');
  check((await page.locator('#brief-approve').count()) === 0, 'a planner cannot approve');
  await page.locator('#brief-back').click();
  await page.waitForFunction(() => !document.body.classList.contains('brief-mode'));
});

let recId = '';
await step('the brief page renders for a leader, with approve', async () => {
  // The recommendation is made through the API, as a planner would from the results view.
  const params = await page.evaluate(() => window.__tepat.app.result?.params ?? null);
  const r = await fetch(new URL('api/v1/recommendations', BASE), {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${PLANNER}` },
    body: JSON.stringify({
      title: 'Prioritas program gizi balita 2027',
      question: 'Kelurahan mana yang didahulukan untuk program gizi balita tahun depan?',
      analysis: 'index',
      params: indexParams,
      top_n: 10,
      budget: 20e9,
      notes: 'Usulan tim perencana; perlu verifikasi lapangan.',
    }),
  });
  const body = await r.json();
  check(r.status === 201, `recommendation created: ${r.status} ${JSON.stringify(body).slice(0, 200)}`);
  recId = body.id;
  void params;
  await page.evaluate((tok) => localStorage.setItem('tepat.token', tok), LEADER);
  await page.goto(new URL(`#/brief/${recId}`, BASE).href);
  await page.waitForSelector('body[data-brief-ready="true"]', { timeout: 60_000 });
  const text = await page.locator('#brief-page').innerText();
  check(/Prioritas program gizi balita 2027/.test(text), 'title');
  check(/Kelurahan mana/.test(text), 'the question');
  check((await page.locator('.brief-top tbody tr').count()) === 10, 'top 10 rows');
  check((await page.locator('.brief-top tbody tr').first().locator('.reasons li').count()) >= 1, 'reasons of the first');
  check(/Rp 20 miliar/.test(text), 'budget in words');
  check((await page.locator('.brief-sources tbody tr').count()) >= 1, 'data sources listed');
  check(await page.locator('#brief-map-img').isVisible(), 'the map');
  check(await page.locator('#brief-approve').isVisible(), 'approve shown to a leader');
  await shot('21-brief.png');
  await page.pdf({ path: join(OUT, '22-brief.pdf'), format: 'A4', printBackground: true });
  await page.emulateMedia({ media: 'print' });
  await page.setViewportSize({ width: 794, height: 1123 });
  await page.screenshot({ path: join(OUT, '22-brief-print.png'), fullPage: true });
  await page.emulateMedia({ media: 'screen' });
  await page.setViewportSize({ width: 1366, height: 768 });
  await page.locator('#brief-comment').fill('Setuju, mulai dari lima teratas.');
  await page.locator('#brief-approve').click();
  await page.waitForFunction(() => document.getElementById('brief-status')?.textContent === 'Disetujui');
  const history = await page.locator('#brief-history').innerText();
  check(/pimpinan/.test(history) && /Setuju, mulai dari lima teratas/.test(history), `decision with its comment listed: ${history}`);
  check((await page.locator('#brief-approve').count()) === 0, 'decided: no second approval');
  await shot('23-brief-approved.png');
});

await step('a planner sees the brief without the leader buttons', async () => {
  await page.evaluate((tok) => localStorage.setItem('tepat.token', tok), PLANNER);
  await page.reload();
  await page.waitForSelector('body[data-brief-ready="true"]', { timeout: 60_000 });
  check((await page.locator('#brief-approve').count()) === 0, 'no approve button for a planner');
  check(/pimpinan/.test(await page.locator('#brief-page').innerText()), 'says who decides');
});

await step('works offline: nothing fetched from outside, no page errors', async () => {
  check(external.length === 0, `external requests: ${external.join(', ')}`);
  // 401: the step that signs in with a wrong token on purpose.
  const serious = consoleErrors.filter((e) => !/401|404|422|Failed to load resource/.test(e));
  check(serious.length === 0, `console errors: ${serious.join(' | ')}`);
});

await browser.close();
console.log(`screenshots in ${OUT}`);
console.log(`browser test took ${((Date.now() - started) / 1000).toFixed(1)} s`);
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);
