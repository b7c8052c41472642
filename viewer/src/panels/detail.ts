// The detail panel of a clicked feature: its result row and, for `index`, why it ranks where
// it does (reasons, contribution bars, rank interval); then its attributes.

import type { Row } from '../api';
import type { App, ResultView } from '../app';
import { h } from '../dom';
import { analysisOf, columnHeading, columnLabel, formatKey } from '../descriptor';
import { formatAttribute, formatNumber, formatPercent } from '../format';
import { attributeLabel, lang, t } from '../i18n';

interface Contribution {
  raw: number | null;
  normalized: number | null;
  weight: number;
  contribution: number;
}

interface Reason {
  indicator: string;
  contribution: number;
  id: string;
  en: string;
}

interface Shown {
  layer: string;
  feature: GeoJSON.Feature;
}

interface Indicator {
  field: string;
  per?: string;
  /** The input analysis the field is a column of (none: a zone attribute). */
  analysis?: string;
}

/** Indicators of the params as sent: name → its field, `per` and input analysis (for labels
 *  and raw formatting). */
function indicatorInfo(rv: ResultView): Map<string, Indicator> {
  const out = new Map<string, Indicator>();
  const params = { ...rv.params, ...rv.result.params };
  const list = params.indicators as Array<Record<string, unknown>> | undefined;
  const inputs = (params.inputs ?? {}) as Record<string, { analysis?: unknown }>;
  for (const ind of list ?? []) {
    const field = String(ind.field);
    const name = typeof ind.name === 'string' ? ind.name : field;
    const from = typeof ind.from === 'string' ? ind.from : undefined;
    const analysis = from ? (typeof inputs[from]?.analysis === 'string' ? (inputs[from].analysis as string) : from) : undefined;
    out.set(name, { field, per: typeof ind.per === 'string' ? ind.per : undefined, analysis });
  }
  return out;
}

export function mountDetailPanel(root: HTMLElement, app: App): { show(s: Shown | null): void } {
  let shown: Shown | null = null;

  /** An indicator's label: the input analysis' column label, else the zone attribute's. */
  function indicatorLabel(name: string, info?: Indicator): string {
    if (!info) return attributeLabel(name);
    const base = info.analysis ? columnLabel(analysisOf(app.analyses, info.analysis), info.field, lang()) : attributeLabel(info.field);
    return info.per ? `${base} per ${attributeLabel(info.per).toLowerCase()}` : base;
  }

  /** An indicator's raw value: a ratio as a percentage, a column as its descriptor says,
   *  an attribute by its name. */
  function rawText(name: string, raw: number | null, info?: Indicator): string {
    const l = lang();
    if (raw === null) return '–';
    if (info?.per) return formatPercent(raw, l);
    if (info?.analysis) return formatKey(analysisOf(app.analyses, info.analysis), info.field, raw, l);
    return formatAttribute(info?.field ?? name, raw, l);
  }

  function indexSection(row: Row, rv: ResultView): HTMLElement {
    const l = lang();
    const n = rv.result.rows.length;
    const rank = row.rank as number;
    const contributions = (row.contributions ?? {}) as Record<string, Contribution>;
    const reasons = (row.reasons ?? []) as Reason[];
    const infos = indicatorInfo(rv);
    const sens = (rv.result.params.sensitivity ?? null) as { runs?: number; spread?: number } | null;
    const lo = row.rank_low as number | undefined;
    const hi = row.rank_high as number | undefined;
    const score = row.score as number;
    const interval =
      typeof lo === 'number' && typeof hi === 'number'
        ? h(
            'div',
            { class: 'rank-interval' },
            h('p', {}, t('detail.interval', { low: lo, high: hi, spread: formatPercent(sens?.spread ?? 0.2, l, 0), runs: sens?.runs ?? '' })),
            h(
              'div',
              { class: 'rank-track', role: 'img', 'aria-label': `${t('detail.intervalShort')} ${lo}–${hi} / ${n}` },
              h('span', { class: 'rank-range', style: `left:${((lo - 1) / Math.max(1, n - 1)) * 100}%;width:${Math.max(1.5, ((hi - lo) / Math.max(1, n - 1)) * 100)}%` }),
              h('span', { class: 'rank-dot', style: `left:${((rank - 1) / Math.max(1, n - 1)) * 100}%` }),
            ),
            h('div', { class: 'rank-scale' }, h('span', {}, '1'), h('span', {}, String(n))),
          )
        : null;
    const bars = Object.entries(contributions)
      .sort((a, b) => b[1].contribution - a[1].contribution)
      .map(([name, c]) => {
        const info = infos.get(name);
        const share = score > 0 ? c.contribution / score : 0;
                return h(
          'li',
          { class: 'contrib' },
          h('div', { class: 'contrib-head' }, h('span', { class: 'contrib-name' }, indicatorLabel(name, info)), h('span', { class: 'contrib-raw' }, rawText(name, c.raw, info))),
          h(
            'div',
            {
              class: 'bar-track',
              role: 'img',
              'aria-label': `${indicatorLabel(name, info)}: ${formatNumber(c.contribution, l, 3)} / ${formatNumber(c.weight, l, 2)}`,
              title: `${formatNumber(c.contribution, l, 3)} / ${formatNumber(c.weight, l, 2)}`,
            },
            h('span', { class: 'bar-weight', style: `width:${Math.min(100, c.weight * 100)}%` }),
            h('span', { class: 'bar-value', style: `width:${Math.min(100, Math.max(0, c.contribution) * 100)}%` }),
          ),
          h('div', { class: 'contrib-foot' }, `${formatNumber(c.contribution, l, 3)} (${formatPercent(share, l, 0)})`),
        );
      });
    return h(
      'section',
      { class: 'index-detail' },
      h('p', { class: 'rank-big' }, t('detail.rank', { rank, n })),
      h('p', { class: 'score' }, `${t('detail.score')}: `, h('strong', {}, formatNumber(score, l, 3))),
      interval,
      h('h3', {}, t('detail.why', { rank })),
      reasons.length
        ? h('ul', { class: 'reasons' }, ...reasons.map((r) => h('li', {}, l === 'id' ? r.id : r.en)))
        : h('p', { class: 'hint' }, t('detail.noReasons')),
      h('h4', {}, t('detail.contributions')),
      h('ul', { class: 'contribs' }, ...bars),
    );
  }

  function rowSection(row: Row, rv: ResultView): HTMLElement {
    const l = lang();
    const entries = Object.entries(row).filter(([k, v]) => k !== 'id' && (typeof v !== 'object' || v === null));
    const first = entries.sort(([a], [b]) => (a === rv.field ? -1 : b === rv.field ? 1 : 0));
    return h('dl', { class: 'attrs' }, ...first.flatMap(([k, v]) => [h('dt', {}, k === 'name' ? attributeLabel(k) : columnHeading(rv.info, k, l)), h('dd', {}, k === 'name' ? String(v) : formatKey(rv.info, k, v, l))]));
  }

  function render(): void {
    if (!shown) {
      root.hidden = true;
      root.replaceChildren();
      return;
    }
    const l = lang();
    const { feature } = shown;
    const id = String(feature.properties?.__id ?? feature.id ?? '');
    const rv = app.result;
    const row = rv?.rowsById.get(id);
    const props = Object.entries(feature.properties ?? {}).filter(([k]) => !k.startsWith('__'));
    const isResultLayer = shown.layer === 'result';
    const attrs = isResultLayer ? [] : props;
    const name = (row?.name as string | undefined) ?? rv?.names.get(id) ?? (feature.properties?.nama as string | undefined) ?? (feature.properties?.name as string | undefined) ?? id;
    const layerName = isResultLayer ? (rv?.result.meta.row_layer ?? '') : shown.layer;
    root.hidden = false;
    const parts: (HTMLElement | null)[] = [
      h(
        'header',
        {},
        h('div', {}, h('h2', { id: 'detail-title' }, name), h('p', { class: 'hint' }, `${layerName} · ${id}`)),
        h('button', { type: 'button', class: 'icon-btn close', 'aria-label': t('detail.close'), title: t('detail.close'), onclick: () => app.selectFeature('', '', false) }, '×'),
      ),
      row && rv ? (rv.result.analysis === 'index' && typeof row.rank === 'number' ? indexSection(row, rv) : h('section', {}, h('h3', {}, t('detail.result')), rowSection(row, rv))) : null,
      attrs.length
        ? h(
            'details',
            { class: 'attributes', open: !row },
            h('summary', {}, t('detail.attributes')),
            h('dl', { class: 'attrs' }, ...attrs.flatMap(([k, v]) => [h('dt', {}, attributeLabel(k)), h('dd', {}, formatAttribute(k, v, l))])),
          )
        : null,
      ...app.featureActions.map((f) => f(shown!.layer, feature)),
    ];
    root.replaceChildren(...parts.filter((p): p is HTMLElement => p !== null));
  }

  app.on('lang', render);
  return {
    show(s: Shown | null) {
      shown = s;
      render();
    },
  };
}
