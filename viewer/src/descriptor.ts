// What each analysis says about itself (`GET /analyses`: title, description, output columns
// with label, unit, kind and direction), read in one place: labels in the UI language, number
// formats, palettes, which way is good news. Nothing here knows an analysis or column by
// name, so a new analysis shows up right with no viewer change. Pure: no DOM, unit-tested.

import type { AnalysisInfo, ColumnInfo, Text } from './api';
import type { Palette } from './breaks';
import { formatNumber, formatPercent, formatPlain, formatRupiah, type Lang } from './format';
import { attributeLabel } from './i18n';

/** A text in language `l`; the other language when that one is empty; a bare string as is. */
export function say(text: Partial<Text> | string | null | undefined, l: Lang): string {
  if (typeof text === 'string') return text;
  if (!text) return '';
  return text[l] || text[l === 'id' ? 'en' : 'id'] || '';
}

/** The analysis named `name` among `analyses`. */
export function analysisOf(analyses: readonly AnalysisInfo[] | undefined, name: string): AnalysisInfo | undefined {
  return analyses?.find((a) => a.name === name);
}

/** An analysis' title in `l`, its name when it has none. */
export function analysisTitle(info: AnalysisInfo | undefined, name: string, l: Lang): string {
  return say(info?.title, l) || name;
}

/** The values a key gives a template's placeholders (`sum_{field}`, `sum_students` →
 *  `{field: 'students'}`), or null when it does not fit. Each placeholder takes one or more
 *  characters, the leftmost shortest first (as the engine's `template_matches`). */
export function templateMatch(template: string, key: string): Record<string, string> | null {
  const names: string[] = [];
  const parts = template.split(/\{([^{}]+)\}/);
  if (parts.length === 1) return template === key ? {} : null;
  let re = '^';
  parts.forEach((p, i) => {
    if (i % 2 === 0) re += p.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    else {
      names.push(p);
      re += i === parts.length - 2 ? '(.+)' : '(.+?)';
    }
  });
  const m = new RegExp(`${re}$`, 's').exec(key);
  if (!m) return null;
  return Object.fromEntries(names.map((n, i) => [n, m[i + 1]]));
}

/** `label` with its placeholders filled in: a layer attribute by its label (`sum_students`:
 *  "Total siswa"), any other text as it is; lower-cased inside a sentence. */
function fill(text: Text, vars: Record<string, string>): Text {
  const sub = (s: string, l: Lang) =>
    s.replace(/\{([^{}]+)\}/g, (all, n: string, at: number) => {
      const v = vars[n];
      if (v === undefined) return all;
      const named = attributeLabel(v, l);
      if (named === v) return v;
      return at === 0 ? named : named.charAt(0).toLowerCase() + named.slice(1);
    });
  return { id: sub(text.id, 'id'), en: sub(text.en, 'en') };
}

/** A row key as its analysis describes it. */
export interface Described {
  column: ColumnInfo;
  /** The label with the key's placeholder values filled in. */
  label: Text;
  /** The key is `<column>_delta`, a comparison's change of the column. */
  delta: boolean;
}

function lookup(columns: readonly ColumnInfo[], key: string, templates: boolean): Described | undefined {
  const exact = columns.find((c) => c.name === key);
  if (exact) return { column: exact, label: exact.label, delta: false };
  if (!templates) return undefined;
  for (const c of columns) {
    const vars = templateMatch(c.name, key);
    if (vars) return { column: c, label: fill(c.label, vars), delta: false };
  }
  return undefined;
}

/** The column `key` is in `info`'s rows: an exact name over a template; a `<col>_delta`
 *  takes its base column's descriptor. Undefined for a column the analysis does not describe.
 *  `templates: false` matches exact names only: for a result's summary, whose figures the
 *  descriptor does not list, a template (`{category}`) would fit any of them. */
export function describe(info: AnalysisInfo | undefined, key: string, templates = true): Described | undefined {
  const columns = info?.columns ?? [];
  const exact = lookup(columns, key, false);
  if (exact) return exact;
  // `exposed_population_delta` is the change of `exposed_population`, not a class `delta`
  // of `exposed_population_{class}`: the base column first.
  if (key.endsWith('_delta')) {
    const base = lookup(columns, key.slice(0, -'_delta'.length), templates);
    if (base) return { ...base, delta: true };
  }
  return templates ? lookup(columns, key, true) : undefined;
}

/** The column the map shows first, when `info` marks one. */
export function headlineOf(info: AnalysisInfo | undefined): string | undefined {
  return info?.columns?.find((c) => c.headline)?.name;
}

const NUMERIC_KINDS = new Set(['count', 'share', 'rate', 'money', 'distance', 'time', 'area', 'score', 'rank']);

/** Whether a column holds numbers one can map, compare or weigh. */
export function isNumeric(c: ColumnInfo): boolean {
  return NUMERIC_KINDS.has(c.kind);
}

/** Numeric columns of `info` with a fixed name (templates name no one column), in the
 *  descriptor's order: what another analysis can take as an indicator or a weight. */
export function numericColumns(info: AnalysisInfo | undefined): string[] {
  return (info?.columns ?? []).filter((c) => isNumeric(c) && !c.name.includes('{')).map((c) => c.name);
}

/** Which way is good news for `key`; a column the analysis does not describe passes no verdict. */
export function betterOf(info: AnalysisInfo | undefined, key: string, templates = true): ColumnInfo['better'] {
  return describe(info, key, templates)?.column.better ?? 'neutral';
}

/** The choropleth palette for `key`: yellow–red where less is better, so red on the map
 *  means "needs attention"; yellow–blue for everything else. */
export function paletteOf(info: AnalysisInfo | undefined, key: string): Palette {
  return betterOf(info, key) === 'lower' ? 'need' : 'good';
}

/** Units in English; the descriptors write them in Indonesian. */
const UNIT_EN: Record<string, string> = {
  jiwa: 'people',
  'rumah tangga': 'households',
  menit: 'min',
  hari: 'days',
  fasilitas: 'facilities',
  kejadian: 'events',
};

/** A unit in language `l`. */
export function unitText(unit: string, l: Lang): string {
  return l === 'en' ? (UNIT_EN[unit] ?? unit) : unit;
}

/** Units written after each number (measures); counted things are named in the heading. */
const MEASURES = new Set(['m', 'm²', 'km²', 'menit', 'hari']);

/** A column's label in `l`, the key itself for a column not described. */
export function columnLabel(info: AnalysisInfo | undefined, key: string, l: Lang, templates = true): string {
  const d = describe(info, key, templates);
  return d ? say(d.label, l) || key : key;
}

/** A column's heading: its label, with what a count counts (`Penduduk terpapar (jiwa)`);
 *  measures carry their unit in every cell instead. */
export function columnHeading(info: AnalysisInfo | undefined, key: string, l: Lang, templates = true): string {
  const d = describe(info, key, templates);
  if (!d) return key;
  const lbl = say(d.label, l) || key;
  const unit = d.column.unit;
  if (!unit || d.column.kind !== 'count' || MEASURES.has(unit) || unit === '%' || unit === 'Rp') return lbl;
  const u = unitText(unit, l);
  return lbl.toLowerCase().includes(u.toLowerCase()) ? lbl : `${lbl} (${u})`;
}

/** A value of a described column: shares as percentages, money in rupiah words, counts of
 *  100 and more without decimals, measures with their unit, categories by their label.
 *  Without a column: neutral formatting (never guessed from the name). */
export function formatColumn(column: ColumnInfo | undefined, v: unknown, l: Lang): string {
  if (v === null || v === undefined || v === '') return '–';
  if (!column) return formatPlain(v, l);
  if (column.kind === 'category' && column.values?.length) {
    const hit = column.values.find((c) => c.value === String(v));
    if (hit) return say(hit.label, l) || String(v);
  }
  if (typeof v !== 'number') return formatPlain(v, l);
  if (column.kind === 'share' || column.unit === '%') return formatPercent(v, l);
  if (column.kind === 'money' || column.unit === 'Rp') return formatRupiah(v, l);
  if (!Number.isFinite(v)) return '–';
  // Large areas in hectares, as planners read them (a kelurahan is some 100 ha, not 1.000.000 m²).
  if (column.unit === 'm²' && Math.abs(v) >= 10_000) return `${formatNumber(v / 10_000, l, Math.abs(v) >= 1_000_000 ? 0 : 1)} ha`;
  const digits = column.kind === 'count' || column.kind === 'distance' || column.kind === 'area' ? (Math.abs(v) >= 100 ? 0 : undefined) : undefined;
  const n = formatNumber(v, l, digits);
  return MEASURES.has(column.unit) ? `${n} ${unitText(column.unit, l)}` : n;
}

/** `formatColumn` for a row key of `info` (a `_delta` key formats as its column). */
export function formatKey(info: AnalysisInfo | undefined, key: string, v: unknown, l: Lang, templates = true): string {
  return formatColumn(describe(info, key, templates)?.column, v, l);
}
