// The compare panel: baseline against up to five scenarios. What changed in words (the
// API's sentences), a bar chart per indicator, and on the map the change per zone as a
// diverging choropleth — or baseline and scenario side by side, or one over the other with
// a swipe handle.

import type { AnalysisInfo, Comparison, StoredScenario } from '../api';
import type { App } from '../app';
import { classify, computeBreaks, palette } from '../breaks';
import { barChart, barChartSvg, SCENARIO_COLORS } from '../chart';
import { CompareMaps, type CompareMode, type PaneData } from '../compareMaps';
import { chartKeys, defaultDeltaField, deltaClass, deltaFields, divergingBreaks, divergingPalette, firstChanged, signed } from '../delta';
import { analysisOf, analysisTitle, betterOf, columnHeading, columnLabel, formatKey, paletteOf } from '../descriptor';
import { h } from '../dom';
import { facilityChanges } from '../edits';
import { formatRupiah } from '../format';
import { lang, t, withName } from '../i18n';
import type { LegendItem, LegendSpec } from '../legend';

type View = 'delta' | CompareMode;

export function mountComparePanel(root: HTMLElement, app: App, mapHost: HTMLElement): void {
  let analysisIdx = 0;
  let scenarioIdx = 0;
  let field = '';
  let view: View = 'delta';
  let maps: CompareMaps | null = null;

  const cmp = () => app.comparison?.cmp ?? null;
  const infoOf = (name: string) => analysisOf(app.analyses, name);

  function closeMaps(): void {
    maps?.close();
    maps = null;
  }

  function clearMap(): void {
    closeMaps();
    app.map.setDelta(null, []);
    app.deltaLegend = null;
    app.refreshLegends();
  }

  /** A figure of `f` of analysis `info` as its column's descriptor formats it (a summary
   *  figure by exact name only). */
  function fmt(info: AnalysisInfo | undefined, f: string, templates = true) {
    return (x: number) => formatKey(info, f, x, lang(), templates);
  }

  /** The delta choropleth (or the two maps) for the chosen analysis, scenario and field. */
  async function drawMap(): Promise<void> {
    const c = cmp();
    if (!c) return clearMap();
    const a = c.analyses[analysisIdx];
    const o = a?.scenarios[scenarioIdx];
    const rowLayer = a?.baseline.meta.row_layer;
    if (!a || !o || !rowLayer || !field) return clearMap();
    const zones = await app.map.ensureData(rowLayer).catch((e) => (app.showError(e), undefined));
    if (!zones) return;
    const geom = new Map(zones.features.map((f) => [String(f.properties?.__id ?? f.id), f]));
    const info = infoOf(a.analysis);
    const better = betterOf(info, field);
    closeMaps();
    if (view === 'delta') {
      const deltas = o.rows.map((r) => r[`${field}_delta`]);
      const breaks = divergingBreaks(deltas, 3);
      const colors = breaks.length ? divergingPalette(breaks.length - 1, better) : [];
      const features: GeoJSON.Feature[] = o.rows.flatMap((r) => {
        const z = geom.get(String(r.id));
        if (!z) return [];
        const d = r[`${field}_delta`];
        const props: Record<string, unknown> = { __id: r.id, nama: z.properties?.nama ?? r.name ?? r.id, [field]: r[field], [`${field}_delta`]: d };
        props.__cls = breaks.length ? deltaClass(d, breaks) : typeof d === 'number' ? 0 : -1;
        return [{ type: 'Feature', id: r.id, geometry: z.geometry, properties: props }];
      });
      app.map.setDelta({ type: 'FeatureCollection', features }, breaks.length ? colors : ['#f7f7f7']);
      const f = fmt(info, field);
      const items: LegendItem[] = [];
      if (breaks.length) {
        const mid = (breaks.length - 2) / 2;
        for (let i = 0; i < breaks.length - 1; i++) {
          // The classes beside "no change" start at 0 (their inner edge is a sliver).
          const lo = i === mid + 1 ? f(0) : signed(breaks[i], f);
          const hi = i === mid - 1 ? f(0) : signed(breaks[i + 1], f);
          items.push({ color: colors[i], label: i === mid ? t('cmp.noChange') : `${lo} – ${hi}` });
        }
        items.reverse(); // gains on top
      } else items.push({ color: '#f7f7f7', label: t('cmp.noChange') });
      const spec: LegendSpec = {
        title: t('cmp.legendTitle', { field: columnHeading(info, field, lang()) }),
        subtitle: `${t('cmp.legendSub', { scenario: o.scenario })} · ${t(better === 'neutral' ? 'cmp.noVerdict' : 'cmp.blueBetter')}`,
        field,
        breaks,
        colors,
        nodata: false,
        items,
      };
      app.deltaLegend = spec;
      app.refreshLegends();
      return;
    }
    // Side by side / swipe: the values, classed together.
    app.map.setDelta(null, []);
    const baseRows = new Map(a.baseline.rows.map((r) => [String(r.id), r]));
    const values = [...a.baseline.rows.map((r) => r[field]), ...o.rows.map((r) => r[field])];
    const breaks = computeBreaks(values, 5, 'quantile');
    const colors = palette(Math.max(1, breaks.length - 1), paletteOf(info, field));
    const zonesOf = (get: (id: string) => unknown): GeoJSON.FeatureCollection => ({
      type: 'FeatureCollection',
      features: [...geom.entries()].map(([id, z]) => ({ type: 'Feature', geometry: z.geometry, properties: { __cls: classify(get(id), breaks) } })),
    });
    const stored: StoredScenario | undefined = app.comparison?.scenarios[scenarioIdx];
    const changes = stored ? facilityChanges(stored.edits) : [];
    const facLayer = changes[0]?.layer ?? (typeof a.baseline.params.facilities === 'string' ? a.baseline.params.facilities : '');
    const baseFac = facLayer ? await app.map.ensureData(facLayer).catch(() => undefined) : undefined;
    const points = (fc: GeoJSON.FeatureCollection | undefined) => fc ?? { type: 'FeatureCollection' as const, features: [] };
    const removed = new Set(changes.filter((x) => x.layer === facLayer && x.change === 'removed').map((x) => x.id));
    const moved = new Map(changes.filter((x) => x.layer === facLayer && x.change === 'moved').map((x) => [x.id, x]));
    const scenFac: GeoJSON.FeatureCollection = {
      type: 'FeatureCollection',
      features: (baseFac?.features ?? [])
        .filter((f) => !removed.has(String(f.properties?.__id)))
        .map((f) => {
          const m = moved.get(String(f.properties?.__id));
          return m && m.lon !== undefined && m.lat !== undefined ? { ...f, geometry: { type: 'Point', coordinates: [m.lon, m.lat] } as GeoJSON.Point } : f;
        }),
    };
    const added: GeoJSON.FeatureCollection = {
      type: 'FeatureCollection',
      features: changes
        .filter((x) => x.layer === facLayer && x.change === 'added' && x.lon !== undefined && x.lat !== undefined)
        .map((x) => ({ type: 'Feature', geometry: { type: 'Point', coordinates: [x.lon!, x.lat!] }, properties: { id: x.id } })),
    };
    const scenRows = new Map(o.rows.map((r) => [String(r.id), r]));
    const left: PaneData = { caption: t('cmp.baseline'), zones: zonesOf((id) => baseRows.get(id)?.[field]), facilities: points(baseFac), added: { type: 'FeatureCollection', features: [] } };
    const right: PaneData = { caption: o.scenario, zones: zonesOf((id) => scenRows.get(id)?.[field]), facilities: scenFac, added };
    const extent = app.layers.find((x) => x.name === rowLayer)?.bbox;
    const b = app.map.map.getBounds();
    maps = new CompareMaps(
      mapHost,
      {
        land: app.map.features(app.layers.find((x) => x.role === 'context' && x.geometry === 'polygon')?.name ?? '') ?? null,
        roads: app.map.features(app.layers.find((x) => x.role === 'network')?.name ?? '') ?? null,
        colors,
        left,
        right,
        bounds: extent ?? [b.getWest(), b.getSouth(), b.getEast(), b.getNorth()],
      },
      view,
      t('cmp.swipe'),
    );
    app.deltaLegend = { title: columnHeading(info, field, lang()), subtitle: `${t('cmp.baseline')} | ${o.scenario}`, field, breaks, colors, nodata: false, format: (x, l) => formatKey(info, field, x, l) };
    app.refreshLegends();
  }

  function charts(c: Comparison): HTMLElement {
    const names = [t('cmp.baseline'), ...c.scenarios.map((s) => s.name)];
    const blocks: HTMLElement[] = [];
    for (const a of c.analyses) {
      const info = infoOf(a.analysis);
      for (const key of chartKeys(a, info)) {
        const values = [a.baseline.summary[key], ...a.scenarios.map((s) => s.summary[key])].map((v) => (typeof v === 'number' ? v : null));
        const m = barChart(names, values, 320, 150);
        const f = fmt(info, key, false);
        const title = `${columnHeading(info, key, lang(), false)} — ${analysisTitle(info, a.analysis, lang())}`;
        const better = betterOf(info, key, false);
        blocks.push(
          h(
            'figure',
            { class: 'chart', 'data-chart': `${a.analysis}.${key}` },
            h('figcaption', {}, title),
            barChartSvg(m, title, f, SCENARIO_COLORS),
            h(
              'ul',
              { class: 'chart-deltas' },
              ...a.scenarios.map((s, i) => {
                const d = s.summary_delta[key];
                const dn = typeof d === 'number' ? d : 0;
                const tone = dn === 0 || better === 'neutral' ? 'same' : dn > 0 === (better === 'higher') ? 'better' : 'worse';
                return h(
                  'li',
                  { class: tone },
                  h('span', { class: 'swatch', style: `background:${SCENARIO_COLORS[i % SCENARIO_COLORS.length]}` }),
                  `${s.scenario}: `,
                  h('strong', { 'data-delta': `${a.analysis}.${key}` }, signed(dn, f)),
                  tone === 'same' ? '' : ` (${t(tone === 'better' ? 'cmp.better' : 'cmp.worse')})`,
                );
              }),
            ),
          ),
        );
      }
    }
    return h('section', { class: 'charts' }, h('h3', {}, t('cmp.charts')), ...blocks);
  }

  function render(): void {
    const c = cmp();
    if (!c) {
      root.replaceChildren(h('h2', {}, t('cmp.heading')), h('p', { class: 'empty' }, t('cmp.none')));
      return;
    }
    const l = lang();
    // The API writes each sentence in both languages.
    const said = (s: { sentences: string[]; sentences_id?: string[] }): string[] => (l === 'id' && s.sentences_id ? s.sentences_id : s.sentences);
    const a = c.analyses[analysisIdx];
    const o = a?.scenarios[scenarioIdx];
    const fields = o ? deltaFields(o.rows) : [];
    const changedZones = o && field ? o.rows.filter((r) => typeof r[`${field}_delta`] === 'number' && r[`${field}_delta`] !== 0).length : 0;
    const scenarioCards = c.scenarios.map((s) =>
      h(
        'li',
        {},
        h('strong', {}, s.name),
        ` · ${t('scen.version', { v: s.version, n: s.edits })}`,
        s.spend ? h('div', { class: 'hint' }, t('cmp.spend', { spend: formatRupiah(s.spend, l) }), s.budget ? ` / ${formatRupiah(s.budget.amount, l)}` : '') : null,
      ),
    );
    const changed = h(
      'section',
      { class: 'what-changed' },
      h('h3', {}, t('cmp.whatChanged')),
      ...c.analyses.map((x) =>
        h(
          'div',
          { class: 'sentences', 'data-analysis': x.analysis },
          h('h4', {}, analysisTitle(infoOf(x.analysis), x.analysis, l)),
          h('ul', {}, ...x.scenarios.flatMap((s) => said(s).map((txt) => h('li', {}, c.scenarios.length > 1 ? `${s.scenario}: ${txt}` : txt)))),
        ),
      ),
      ...c.scenarios.flatMap((s) => (said(s).length ? [h('p', { class: 'hint' }, `${s.name}: ${said(s).join('; ')}`)] : [])),
    );
    const select = (id: string, lbl: string, options: Array<[string, string]>, value: string, on: (v: string) => void) =>
      h(
        'div',
        { class: 'grid2' },
        h('label', { for: id }, lbl),
        h('select', { id, onchange: (e: Event) => on((e.target as HTMLSelectElement).value) }, ...options.map(([v, txt]) => h('option', { value: v, selected: v === value }, txt))),
      );
    const views: Array<[View, string]> = [
      ['delta', t('cmp.viewDelta')],
      ['side', t('cmp.viewSide')],
      ['swipe', t('cmp.viewSwipe')],
    ];
    const controls = h(
      'section',
      { class: 'map-controls' },
      select('cmp-analysis', t('cmp.analysis'), c.analyses.map((x, i) => [String(i), analysisTitle(infoOf(x.analysis), x.analysis, l)]), String(analysisIdx), (v) => {
        analysisIdx = Number(v);
        const next = c.analyses[analysisIdx];
        field = defaultDeltaField(infoOf(next.analysis), next.scenarios[scenarioIdx]?.rows ?? []);
        render();
        void drawMap();
      }),
      c.scenarios.length > 1
        ? select('cmp-scenario', t('cmp.scenario'), c.scenarios.map((s, i) => [String(i), s.name]), String(scenarioIdx), (v) => {
            scenarioIdx = Number(v);
            render();
            void drawMap();
          })
        : null,
      select('cmp-field', t('cmp.field'), fields.map((f) => [f, withName(columnLabel(a && infoOf(a.analysis), f, l), f)]), field, (v) => {
        field = v;
        render();
        void drawMap();
      }),
      h('p', { class: 'hint', id: 'changed-zones' }, t('cmp.changedZones', { n: changedZones })),
      h(
        'div',
        { class: 'segmented', role: 'group', 'aria-label': t('cmp.view') },
        ...views.map(([v, txt]) =>
          h(
            'button',
            {
              type: 'button',
              'data-view': v,
              'aria-pressed': view === v ? 'true' : 'false',
              onclick: () => {
                view = v;
                render();
                void drawMap();
              },
            },
            txt,
          ),
        ),
      ),
    );
    root.replaceChildren(h('h2', {}, t('cmp.heading')), h('ul', { class: 'scenario-cards' }, ...scenarioCards), changed, controls, charts(c));
  }

  app.on('comparison', () => {
    const c = cmp();
    analysisIdx = c ? firstChanged(c) : 0;
    scenarioIdx = 0;
    const a = c?.analyses[analysisIdx];
    field = a ? defaultDeltaField(infoOf(a.analysis), a.scenarios[0]?.rows ?? []) : '';
    view = 'delta';
    render();
    void drawMap();
  });
  app.on('result', () => {
    // A new analysis result takes the map.
    clearMap();
  });
  app.on('lang', () => {
    render();
    if (cmp()) void drawMap();
  });
  app.on('tab', () => {
    // The two maps cover the main one: only while the comparison is in view.
    if (app.tab() !== 'compare' && maps) {
      closeMaps();
      view = 'delta';
      render();
      void drawMap();
    }
  });

  render();
}
