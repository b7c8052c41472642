// The results panel: the summary, which column colours the map (field, class method, number
// of classes), a sortable table (click a row to fly to its zone) and the exports.

import { api, token, type NewRecommendation, type Row } from '../api';
import { parseAmount } from '../edits';
import type { App, ResultView } from '../app';
import { BREAK_METHODS, type BreakMethod } from '../breaks';
import { analysisTitle, columnHeading, columnLabel, describe, formatKey } from '../descriptor';
import { isRank, numericColumns, rankColumn, tableColumns } from '../resultColumns';
import { h } from '../dom';
import { download, filename, resultCsv, resultGeojson } from '../export';
import { formatNumber } from '../format';
import { attributeLabel, lang, t, withName, type Key } from '../i18n';
import type { LegendSpec } from '../legend';

/** The legend of a result on the map. */
export function resultLegend(rv: ResultView): LegendSpec {
  return {
    title: columnHeading(rv.info, rv.field, lang()),
    subtitle: `${analysisTitle(rv.info, rv.result.analysis, lang())} · ${t(`method.${rv.method}` as Key)}${rv.scenario ? ` · ${rv.scenario.name}` : ''}`,
    field: rv.field,
    breaks: rv.breaks,
    colors: rv.colors,
    nodata: rv.result.rows.some((r) => typeof r[rv.field] !== 'number'),
    format: (x, l) => formatKey(rv.info, rv.field, x, l),
  };
}

export function mountResultsPanel(root: HTMLElement, app: App): void {
  let sortKey = '';
  let sortAsc = true;
  let selectedId: string | null = null;

  function columns(): string[] {
    const rv = app.result;
    if (!rv) return [];
    return tableColumns(rv.info, rv.result.rows, rv.field);
  }

  function value(row: Row, col: string): unknown {
    if (col === 'name') return (row.name as string | undefined) ?? app.result?.names.get(row.id) ?? row.id;
    return row[col];
  }

  /** The default order: by rank (first first) when the result has one, else by the mapped
   *  column, largest first. */
  function defaultSort(rv: ResultView): { key: string; asc: boolean } {
    const rank = rankColumn(rv.info, numericColumns(rv.result.rows));
    return rank ? { key: rank, asc: true } : { key: rv.field, asc: false };
  }

  function sortedRows(): Row[] {
    const rv = app.result;
    if (!rv) return [];
    const rows = [...rv.result.rows];
    const d = defaultSort(rv);
    const key = sortKey || d.key;
    const asc = sortKey ? sortAsc : d.asc;
    rows.sort((a, b) => {
      const x = value(a, key);
      const y = value(b, key);
      if (typeof x === 'number' && typeof y === 'number') return asc ? x - y : y - x;
      if (x === undefined || x === null) return 1;
      if (y === undefined || y === null) return -1;
      return asc ? String(x).localeCompare(String(y)) : String(y).localeCompare(String(x));
    });
    return rows;
  }

  function cell(row: Row, col: string): string {
    const v = value(row, col);
    if (col === 'name') return v === undefined || v === null ? '–' : String(v);
    return formatKey(app.result?.info, col, v, lang());
  }

  /** Whether a column is shown as a number (right-aligned): not the name, not a category. */
  function isNumber(col: string): boolean {
    if (col === 'name') return false;
    const kind = describe(app.result?.info, col)?.column.kind;
    return kind !== 'category' && kind !== 'text';
  }

  function header(col: string): string {
    if (col === 'name') return attributeLabel('name');
    return columnHeading(app.result?.info, col, lang());
  }

  function table(): HTMLElement {
    const rv = app.result!;
    const cols = columns();
    const d = defaultSort(rv);
    const key = sortKey || d.key;
    const asc = sortKey ? sortAsc : d.asc;
    const rows = sortedRows();
    const thead = h(
      'thead',
      {},
      h(
        'tr',
        {},
        ...cols.map((c) =>
          h(
            'th',
            { scope: 'col', 'aria-sort': c === key ? (asc ? 'ascending' : 'descending') : 'none', class: isNumber(c) ? 'num' : '' },
            h(
              'button',
              {
                type: 'button',
                class: 'sort',
                'data-col': c,
                onclick: () => {
                  if (sortKey === c || (!sortKey && c === key)) sortAsc = !asc;
                  else sortAsc = c === 'name' || isRank(rv.info, c);
                  sortKey = c;
                  render();
                  (root.querySelector(`button.sort[data-col="${c}"]`) as HTMLElement | null)?.focus();
                },
              },
              header(c),
              h('span', { class: 'sort-mark', 'aria-hidden': 'true' }, c === key ? (asc ? ' ▲' : ' ▼') : ''),
            ),
          ),
        ),
      ),
    );
    const tbody = h('tbody', {});
    for (const row of rows) {
      const tr = h(
        'tr',
        {
          tabindex: 0,
          'data-id': row.id,
          class: row.id === selectedId ? 'selected' : '',
          'aria-selected': row.id === selectedId ? 'true' : 'false',
          onclick: () => app.selectFeature('result', row.id, true),
          onkeydown: (e: Event) => {
            const k = (e as KeyboardEvent).key;
            if (k === 'Enter' || k === ' ') {
              e.preventDefault();
              app.selectFeature('result', row.id, true);
            } else if (k === 'ArrowDown' || k === 'ArrowUp') {
              e.preventDefault();
              const next = (k === 'ArrowDown' ? tr.nextElementSibling : tr.previousElementSibling) as HTMLElement | null;
              next?.focus();
            }
          },
        },
        ...cols.map((c) => h('td', { class: c === 'name' ? 'name' : isNumber(c) ? 'num' : 'text' }, cell(row, c))),
      );
      tbody.append(tr);
    }
    return h('div', { class: 'table-wrap' }, h('table', { class: 'results-table', 'aria-label': `${analysisTitle(rv.info, rv.result.analysis, lang())}: ${t('results.sortHint')}` }, thead, tbody));
  }

  function summary(): HTMLElement | null {
    const rv = app.result!;
    const entries = Object.entries(rv.result.summary).filter(([, v]) => typeof v === 'number').slice(0, 8);
    if (entries.length === 0) return null;
    return h(
      'details',
      { class: 'summary' },
      h('summary', {}, t('results.summary')),
      h('dl', {}, ...entries.flatMap(([k, v]) => [h('dt', {}, columnHeading(rv.info, k, lang(), false)), h('dd', {}, formatKey(rv.info, k, v, lang(), false))])),
    );
  }

  function styleControls(): HTMLElement {
    const rv = app.result!;
    const cols = numericColumns(rv.result.rows);
    return h(
      'div',
      { class: 'choro-controls' },
      h('label', { for: 'result-field' }, t('results.styleBy')),
      h(
        'select',
        {
          id: 'result-field',
          onchange: (e: Event) => {
            rv.field = (e.target as HTMLSelectElement).value;
            app.restyleResult();
            render();
          },
        },
        ...cols.map((c) => h('option', { value: c, selected: c === rv.field }, withName(columnLabel(rv.info, c, lang()), c))),
      ),
      h(
        'div',
        { class: 'choro-row' },
        h('label', { for: 'result-method' }, t('layers.method')),
        h(
          'select',
          {
            id: 'result-method',
            onchange: (e: Event) => {
              rv.method = (e.target as HTMLSelectElement).value as BreakMethod;
              app.restyleResult();
            },
          },
          ...BREAK_METHODS.map((m) => h('option', { value: m, selected: rv.method === m }, t(`method.${m}` as Key))),
        ),
        h('label', { for: 'result-classes' }, t('layers.classes')),
        h(
          'select',
          {
            id: 'result-classes',
            onchange: (e: Event) => {
              rv.classes = Number((e.target as HTMLSelectElement).value);
              app.restyleResult();
            },
          },
          ...[3, 4, 5, 6, 7].map((k) => h('option', { value: k, selected: rv.classes === k }, k)),
        ),
      ),
    );
  }

  async function exportAs(format: 'csv' | 'geojson'): Promise<void> {
    const rv = app.result;
    if (!rv) return;
    try {
      // The API's own rendering when it serves ?format=, else the same layout made here.
      let blob = await api.runAs(rv.result.analysis, rv.params, format, rv.scenario?.id);
      if (!blob) {
        blob =
          format === 'csv'
            ? new Blob([resultCsv(rv.result)], { type: 'text/csv' })
            : new Blob([resultGeojson(rv.result, rv.features ?? undefined)], { type: 'application/geo+json' });
      }
      download(blob, filename(rv.result.analysis, format));
    } catch (e) {
      app.showError(e);
    }
  }

  async function exportPng(): Promise<void> {
    const rv = app.result;
    try {
      const what = rv ? `${analysisTitle(rv.info, rv.result.analysis, lang())} — ${columnHeading(rv.info, rv.field, lang())}` : t('map.label');
      const legends = [...(rv ? [resultLegend(rv)] : []), ...app.layerLegends];
      const blob = await app.map.toPng(`${app.projectName} — ${what}`, new Date().toLocaleDateString(lang() === 'id' ? 'id-ID' : 'en-GB', { dateStyle: 'long' }), legends);
      download(blob, filename(rv?.result.analysis ?? 'peta', 'png'));
    } catch (e) {
      app.showError(e);
    }
  }

  let recOpen = false;

  /** "Save as recommendation" (planner, admin): title, question, top N, budget, notes; the
   *  server reruns the analysis (cached), stores the snapshot and the brief opens. */
  function recommendationForm(): HTMLElement | null {
    const rv = app.result;
    if (!rv) return null;
    const role = app.me.role;
    const writer = role === 'planner' || role === 'admin' || (role === undefined && !!token());
    if (!writer) return h('p', { class: 'hint', id: 'rec-need-planner' }, t('rec.needPlanner'));
    const toggle = h('button', { type: 'button', class: 'secondary', id: 'save-recommendation', 'aria-expanded': recOpen ? 'true' : 'false', onclick: () => ((recOpen = !recOpen), render()) }, t('rec.save'));
    if (!recOpen) return h('div', { class: 'rec-box' }, toggle);
    const topDefault = typeof rv.result.params.top_n === 'number' ? String(rv.result.params.top_n) : '10';
    const title = h('input', { id: 'rec-title', type: 'text', required: true, value: t('rec.defaultTitle', { what: analysisTitle(rv.info, rv.result.analysis, lang()) }) });
    const question = h('textarea', { id: 'rec-question', rows: 2 });
    const topN = h('input', { id: 'rec-top-n', type: 'text', inputmode: 'numeric', value: topDefault });
    const budget = h('input', { id: 'rec-budget', type: 'text', inputmode: 'decimal', placeholder: '20.000.000.000' });
    const notes = h('textarea', { id: 'rec-notes', rows: 2 });
    const row = (id: string, key: Key, el: HTMLElement) => h('div', { class: 'form-row' }, h('label', { for: id }, t(key)), el);
    return h(
      'form',
      {
        class: 'rec-box',
        onsubmit: async (e: Event) => {
          e.preventDefault();
          const n = Number(topN.value);
          const b = parseAmount(budget.value);
          if (!Number.isInteger(n) || n < 1) return app.showError({ title: t('error.form'), detail: `top_n: '${topN.value}' is not a positive whole number` });
          if (b !== null && (!Number.isFinite(b) || b < 0)) return app.showError({ title: t('error.form'), detail: `budget: '${budget.value}' is not a non-negative amount` });
          const body: NewRecommendation = { title: title.value.trim(), analysis: rv.result.analysis, params: rv.params, top_n: n };
          if (question.value.trim()) body.question = question.value.trim();
          if (notes.value.trim()) body.notes = notes.value.trim();
          if (b !== null) body.budget = b;
          if (rv.scenario) body.scenario = rv.scenario.id;
          try {
            const rec = await api.createRecommendation(body);
            recOpen = false;
            location.hash = `#/brief/${encodeURIComponent(rec.id)}`;
          } catch (err) {
            app.showError(err);
          }
        },
      },
      toggle,
      row('rec-title', 'rec.title', title),
      row('rec-question', 'rec.question', question),
      h('div', { class: 'grid2' }, h('label', { for: 'rec-top-n' }, t('rec.topN')), topN, h('label', { for: 'rec-budget' }, t('rec.budget')), budget),
      row('rec-notes', 'rec.notes', notes),
      h('button', { type: 'submit', class: 'primary', id: 'rec-create' }, t('rec.create')),
    );
  }

  function render(): void {
    const rv = app.result;
    const exports = h(
      'div',
      { class: 'exports' },
      rv ? h('button', { type: 'button', id: 'export-csv', onclick: () => void exportAs('csv') }, t('results.exportCsv')) : null,
      rv ? h('button', { type: 'button', id: 'export-geojson', onclick: () => void exportAs('geojson') }, t('results.exportGeojson')) : null,
      h('button', { type: 'button', id: 'export-png', onclick: () => void exportPng() }, t('results.exportPng')),
    );
    if (!rv) {
      root.replaceChildren(h('h2', {}, t('results.heading')), h('p', { class: 'empty' }, t('results.none')), exports);
      return;
    }
    const parts: (HTMLElement | null)[] = [
      h('h2', {}, analysisTitle(rv.info, rv.result.analysis, lang())),
      rv.scenario ? h('p', { class: 'scenario-note' }, `${t('scen.pick')}: ${rv.scenario.name} (v${rv.scenario.version})`) : null,
      h('p', { class: 'hint', id: 'results-count' }, `${formatNumber(rv.result.rows.length, lang())} ${t('results.rows')} · ${rv.result.meta.row_layer ?? ''} · ${formatNumber(rv.result.meta.elapsed_ms ?? 0, lang())} ms`),
      styleControls(),
      summary(),
      h('p', { class: 'hint' }, t('results.sortHint')),
      table(),
      exports,
      recommendationForm(),
    ];
    root.replaceChildren(...parts.filter((p): p is HTMLElement => p !== null));
  }

  app.on('result', () => {
    sortKey = '';
    selectedId = null;
    render();
  });
  app.on('selection', () => {
    const sel = document.body.dataset.selected ?? null;
    selectedId = sel;
    root.querySelectorAll('tbody tr').forEach((tr) => {
      const on = (tr as HTMLElement).dataset.id === sel;
      tr.classList.toggle('selected', on);
      tr.setAttribute('aria-selected', on ? 'true' : 'false');
      if (on) (tr as HTMLElement).scrollIntoView({ block: 'nearest' });
    });
  });
  app.on('lang', render);
  app.on('auth', render);
  render();
}
