// Entry point: loads the project (health, layers, analyses), builds the map and mounts the
// panels. State shared between panels lives in the `App` object (app.ts). `#/brief/{id}`
// shows a recommendation's printable brief instead of the map.

import './style.css';
import { api, ApiError, onBusy, setToken, token, type AnalysisResult, type AnalysisInfo, type LayerInfo, type Me, type StoredScenario, type TileJson } from './api';
import type { App, AppEvent, ResultView, Tab } from './app';
import { classify, computeBreaks, palette } from './breaks';
import { analysisOf, paletteOf } from './descriptor';
import { showError } from './errors';
import { applyStatic, initialLang, lang, onLangChange, setLang, t, type Key } from './i18n';
import { renderLegends, type LegendSpec } from './legend';
import { MapView } from './map';
import { mountAnalysisPanel } from './panels/analysis';
import { renderBrief } from './panels/brief';
import { mountComparePanel } from './panels/compare';
import { mountDetailPanel } from './panels/detail';
import { mountLayersPanel, storedBasemap } from './panels/layers';
import { mountResultsPanel, resultLegend } from './panels/results';
import { defaultField, numericColumns } from './resultColumns';
import { mountScenariosPanel } from './panels/scenarios';
import { wantsTiles } from './tiles';

const $ = <T extends HTMLElement = HTMLElement>(id: string) => document.getElementById(id) as T;

function setupBusy(): void {
  const el = $('busy');
  let timer: number | undefined;
  onBusy((busy) => {
    clearTimeout(timer);
    // Only for what takes more than half a second.
    if (busy) timer = window.setTimeout(() => (el.hidden = false), 500);
    else el.hidden = true;
  });
}

function setupTabs(onSelect: (tab: Tab) => void): (tab: Tab) => void {
  const tabs = [...document.querySelectorAll<HTMLButtonElement>('[role="tab"]')];
  const select = (tab: Tab, focus = false) => {
    onSelect(tab);
    for (const b of tabs) {
      const on = b.dataset.tab === tab;
      b.setAttribute('aria-selected', on ? 'true' : 'false');
      b.tabIndex = on ? 0 : -1;
      $(`panel-${b.dataset.tab}`).hidden = !on;
      if (on && focus) b.focus();
    }
    document.body.classList.add('sidebar-open');
    $('panel-toggle').setAttribute('aria-expanded', 'true');
  };
  tabs.forEach((b, i) => {
    b.addEventListener('click', () => select(b.dataset.tab as Tab));
    b.addEventListener('keydown', (e) => {
      const d = e.key === 'ArrowRight' ? 1 : e.key === 'ArrowLeft' ? -1 : 0;
      if (d) {
        e.preventDefault();
        select(tabs[(i + d + tabs.length) % tabs.length].dataset.tab as Tab, true);
      }
    });
  });
  $('panel-toggle').addEventListener('click', () => {
    const open = !document.body.classList.contains('sidebar-open');
    document.body.classList.toggle('sidebar-open', open);
    $('panel-toggle').setAttribute('aria-expanded', open ? 'true' : 'false');
  });
  return select;
}

function setupLang(): void {
  const buttons = document.querySelectorAll<HTMLButtonElement>('[data-lang]');
  const mark = () => buttons.forEach((b) => b.setAttribute('aria-pressed', b.dataset.lang === lang() ? 'true' : 'false'));
  buttons.forEach((b) => b.addEventListener('click', () => setLang(b.dataset.lang === 'en' ? 'en' : 'id')));
  onLangChange(mark);
  mark();
}

/** Who the stored token belongs to; a token the server does not know is forgotten (a
 *  server without `GET /me` leaves the role unknown). */
async function whoAmI(): Promise<Me> {
  if (!token()) return { role: null };
  const forget = (e: unknown) => {
    if (e instanceof ApiError && e.status === 401) {
      setToken(null);
      throw e;
    }
  };
  try {
    return await api.me();
  } catch (e) {
    forget(e);
  }
  // No `/me`: the server still refuses a token it does not know, on any route.
  try {
    await api.health();
  } catch (e) {
    forget(e);
  }
  return { role: undefined };
}

function showWho(me: Me): void {
  const el = $('whoami');
  el.hidden = me.role === null;
  el.textContent = me.role ? t(`who.${me.role}` as Key) : me.role === undefined ? t('auth.unknownRole') : '';
}

/** `#/brief/{id}` → the id; anything else → null. */
export function briefRoute(hash: string): string | null {
  const m = /^#\/brief\/([^/?#]+)$/.exec(hash);
  return m ? decodeURIComponent(m[1]) : null;
}

/** Layers large enough for vector tiles, with their TileJSON when the server has one. */
async function tileJsons(layers: LayerInfo[]): Promise<Map<string, TileJson>> {
  const out = new Map<string, TileJson>();
  await Promise.all(
    layers.filter((l) => wantsTiles(l)).map(async (l) => {
      const tj = await api.tileJson(l.name).catch((e) => (console.warn('tiles', l.name, e), null));
      if (tj) out.set(l.name, tj);
    }),
  );
  return out;
}

async function loadProject(): Promise<[{ project: string }, LayerInfo[], AnalysisInfo[]]> {
  try {
    return await Promise.all([api.health(), api.layers(), api.analyses()]);
  } catch (e) {
    // A remembered token this server does not know: forget it and read without one.
    if (e instanceof ApiError && e.status === 401 && token()) {
      setToken(null);
      return await Promise.all([api.health(), api.layers(), api.analyses()]);
    }
    throw e;
  }
}

async function main(): Promise<void> {
  setLang(initialLang());
  applyStatic();
  setupBusy();
  setupLang();
  const errors = $('errors');

  let project: [{ project: string }, LayerInfo[], AnalysisInfo[]];
  try {
    project = await loadProject();
  } catch (e) {
    showError(errors, e);
    return;
  }
  const [health, layers, analyses] = project;
  $('project-name').textContent = health.project;
  document.title = `${health.project} — tepat`;
  let me: Me = await whoAmI().catch((e) => (showError(errors, e), { role: null }));
  showWho(me);

  let appReady: Promise<void> | null = null;
  const route = async () => {
    const id = briefRoute(location.hash);
    document.body.classList.toggle('brief-mode', !!id);
    $('brief').hidden = !id;
    if (id) {
      delete document.body.dataset.briefReady;
      me = await whoAmI().catch(() => ({ role: null }));
      showWho(me);
      const briefErrors = $('brief-errors');
      const render = () => renderBrief($('brief'), id, { project: health.project, layers, analyses, me, showError: (e) => showError(briefErrors, e) }).then(() => void (document.body.dataset.briefReady = 'true'));
      await render();
      document.title = `${document.getElementById('brief-title')?.textContent ?? id} — tepat`;
      return;
    }
    document.title = `${health.project} — tepat`;
    appReady ??= startApp(health, layers, analyses, me);
    await appReady;
  };
  window.addEventListener('hashchange', () => void route());
  onLangChange(() => {
    if (briefRoute(location.hash)) void route();
    showWho(me);
  });
  await route();
}

async function startApp(health: { project: string }, layers: LayerInfo[], analyses: AnalysisInfo[], initialMe: Me): Promise<void> {
  const errors = $('errors');
  const listeners = new Map<AppEvent, Array<() => void>>();
  const emit = (ev: AppEvent) => (listeners.get(ev) ?? []).forEach((f) => f());
  let currentTab: Tab = 'layers';
  const selectTab = setupTabs((tab) => {
    currentTab = tab;
    emit('tab');
  });
  const wide = () => matchMedia('(min-width: 901px)').matches;
  if (wide()) document.body.classList.add('sidebar-open');

  const basemap = new URLSearchParams(location.search).get('basemap') ?? storedBasemap();
  const tiles = await tileJsons(layers);
  const map = new MapView($('map'), layers, basemap || null, tiles);
  map.map.on('error', (e) => {
    // Tiles or a basemap that cannot be fetched must not take the page down.
    console.warn('map error', e.error);
    if (basemap && /style|source/i.test(String(e.error?.message))) showError(errors, e.error);
  });

  const app: App = {
    projectName: health.project,
    layers,
    analyses,
    map,
    result: null,
    layerLegends: [],
    deltaLegend: null,
    me: initialMe,
    scenarios: [],
    scenarioId: null,
    comparison: null,
    featureActions: [],
    tab: () => currentTab,
    showError: (e) => showError(errors, e),
    selectTab,
    on: (ev, f) => listeners.set(ev, [...(listeners.get(ev) ?? []), f]),
    emit,
    refreshMe: async () => {
      try {
        app.me = await whoAmI();
      } catch (e) {
        app.me = { role: null };
        showError(errors, e);
      }
      showWho(app.me);
      app.emit('auth');
    },
    showComparison: (cmp, scenarios: StoredScenario[]) => {
      app.comparison = { cmp, scenarios };
      selectTab('compare');
      app.emit('comparison');
    },
    refreshLegends: () => {
      const specs: LegendSpec[] = [];
      const rv = app.result;
      if (app.deltaLegend) specs.push(app.deltaLegend);
      else if (rv) specs.push(resultLegend(rv));
      renderLegends($('legend'), [...specs, ...app.layerLegends]);
    },
    showResult: async (result: AnalysisResult, params: Record<string, unknown>, scenario?: StoredScenario) => {
      const rowLayer = result.meta.row_layer ?? undefined;
      const zones = rowLayer ? await map.ensureData(rowLayer).catch(() => undefined) : undefined;
      const names = new Map<string, string>();
      const geometry = new Map<string, GeoJSON.Geometry | null>();
      for (const f of zones?.features ?? []) {
        const id = String(f.id);
        const n = f.properties?.nama ?? f.properties?.name;
        if (typeof n === 'string') names.set(id, n);
        geometry.set(id, f.geometry);
      }
      const features: GeoJSON.FeatureCollection | null = zones
        ? {
            type: 'FeatureCollection',
            features: result.rows.map((row) => {
              const props: Record<string, unknown> = { __id: row.id, nama: names.get(row.id) ?? row.name ?? row.id };
              for (const [k, v] of Object.entries(row)) if (typeof v !== 'object' || v === null) props[k] = v;
              return { type: 'Feature', id: row.id, geometry: geometry.get(row.id) ?? (null as unknown as GeoJSON.Geometry), properties: props };
            }),
          }
        : null;
      const cols = numericColumns(result.rows);
      const info = analysisOf(analyses, result.analysis);
      const rv: ResultView = {
        result,
        info,
        params,
        scenario,
        rowsById: new Map(result.rows.map((r) => [String(r.id), r])),
        names,
        features,
        field: defaultField(info, cols),
        method: 'quantile',
        classes: 5,
        breaks: [],
        colors: [],
      };
      app.result = rv;
      map.setResultData(features);
      app.emit('result');
      app.restyleResult();
      app.selectFeature('', '', false);
      selectTab('results');
    },
    restyleResult: () => {
      const rv = app.result;
      if (!rv) return;
      const values = rv.result.rows.map((r) => r[rv.field]);
      rv.breaks = computeBreaks(values, rv.classes, rv.method);
      rv.colors = palette(Math.max(1, rv.breaks.length - 1), paletteOf(rv.info, rv.field));
      if (rv.features) {
        for (const f of rv.features.features) if (f.properties) f.properties.__cls = classify(f.properties[rv.field], rv.breaks);
        map.setResult(rv.features, rv.colors);
      }
      app.refreshLegends();
    },
    selectFeature: (layer: string, id: string, fly: boolean, hitFeature?: GeoJSON.Feature) => {
      if (!id) {
        map.select(null);
        detail.show(null);
        delete document.body.dataset.selected;
        app.emit('selection');
        return;
      }
      const rv = app.result;
      const rowLayer = rv?.result.meta.row_layer;
      const inResult = !!rv?.rowsById.has(id) && (layer === 'result' || layer === rowLayer);
      const feature = inResult
        ? rv?.features?.features.find((f) => String(f.properties?.__id) === id)
        : (map.features(layer)?.features.find((f) => String(f.properties?.__id) === id) ?? hitFeature);
      if (!feature) return;
      map.select(feature.geometry ? feature : null);
      if (fly && !wide()) {
        // On a tablet the panel covers the map: step aside to show the zone.
        document.body.classList.remove('sidebar-open');
        $('panel-toggle').setAttribute('aria-expanded', 'false');
      }
      // A zone of the result clicked on its own layer: show its result row too.
      const zoneFeature = inResult && rowLayer ? map.features(rowLayer)?.features.find((f) => String(f.properties?.__id) === id) : undefined;
      detail.show({ layer: inResult && zoneFeature ? rowLayer! : layer, feature: inResult && zoneFeature ? zoneFeature : feature });
      if (fly && feature.geometry) {
        const d = $('detail');
        map.flyTo(feature, wide() ? { right: d.offsetWidth } : { bottom: d.offsetHeight });
      }
      if (inResult) document.body.dataset.selected = id;
      else delete document.body.dataset.selected;
      app.emit('selection');
    },
  };
  const detail = mountDetailPanel($('detail'), app);
  onLangChange(() => {
    app.emit('lang');
    app.refreshLegends();
  });
  map.onClick((hit) => {
    if (!hit) return app.selectFeature('', '', false);
    app.selectFeature(hit.layer, String(hit.feature.properties?.__id ?? hit.feature.id ?? ''), false, hit.feature);
  });
  mountLayersPanel($('panel-layers'), app);
  mountAnalysisPanel($('panel-analysis'), app);
  mountResultsPanel($('panel-results'), app);
  await map.ready;
  mountScenariosPanel($('panel-scenarios'), app);
  mountComparePanel($('panel-compare'), app, document.querySelector<HTMLElement>('.map-wrap')!);
  applyStatic();
  await Promise.all(layers.filter((l) => map.isVisible(l.name) && !map.isTiled(l.name)).map((l) => map.ensureData(l.name).catch((e) => app.showError(e))));
  await new Promise<void>((resolve) => (map.map.loaded() ? resolve() : map.map.once('idle', () => resolve())));
  document.body.dataset.ready = 'true';
  // For the browser tests and the curious: the map and the app state.
  (window as unknown as { __tepat: unknown }).__tepat = { app, map: map.map, api };
}

void main();
