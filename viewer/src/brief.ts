// The leader's brief of a recommendation, as a model the page renders: the ranked shortlist
// with its reasons, the budget, the assumptions in words and the data sources with their
// dates. Pure (no DOM), unit-tested; panels/brief.ts draws it.

import type { AnalysisInfo, LayerDetail, Recommendation, Row } from './api';
import { analysisOf, analysisTitle, columnLabel, formatKey } from './descriptor';
import { formatPercent, formatRupiah, formatNumber, type Lang } from './format';
import { attributeLabel, hasKey, t, type Key } from './i18n';

export interface BriefRow {
  rank: number;
  id: string;
  name: string;
  score: number | null;
  /** The score as its column's descriptor formats it. */
  scoreText: string;
  /** Rank interval under weight changes, when the run had a sensitivity analysis. */
  interval: [number, number] | null;
  reasons: string[];
}

export interface BriefSource {
  name: string;
  role: string;
  features: number | null;
  file: string | null;
  /** Where the data comes from, as the project or the upload says (`spec.source`). */
  source: string | null;
  /** Dates the server knows about the layer (as given), labelled. */
  dates: string[];
  hash: string;
}

export interface BriefModel {
  title: string;
  question: string;
  status: string;
  createdBy: string;
  createdAt: string;
  analysis: string;
  /** What the score column is (the analysis' headline), in the language. */
  scoreLabel: string;
  rows: BriefRow[];
  total: number;
  budget: string | null;
  assumptions: string[];
  notes: string;
  sources: BriefSource[];
}

/** Roles that may approve or reject: the brief shows its buttons to leaders only. */
export function canDecide(role: string | null | undefined): boolean {
  return role === 'leader';
}

/** Rows ranked as the brief lists them: by `rank` when the result has one, else by the
 *  given field (largest first). */
export function rankedRows(rows: Row[], field?: string): Row[] {
  if (rows.some((r) => typeof r.rank === 'number')) {
    return [...rows].filter((r) => typeof r.rank === 'number').sort((a, b) => (a.rank as number) - (b.rank as number));
  }
  if (!field) return [...rows];
  const v = (r: Row) => (typeof r[field] === 'number' ? (r[field] as number) : -Infinity);
  return [...rows].sort((a, b) => v(b) - v(a));
}

function reasonText(r: unknown, l: Lang): string | null {
  if (typeof r === 'string') return r;
  if (r && typeof r === 'object') {
    const o = r as Record<string, unknown>;
    const s = o[l] ?? o.en ?? o.id;
    return typeof s === 'string' ? s : null;
  }
  return null;
}

/** A date for people: `27 November 2026` (id) / `27 November 2026` (en); the text as it is
 *  when it is not a date. */
export function formatDate(s: string | null | undefined, l: Lang): string {
  if (!s) return '–';
  // A month (a layer's source_date may be one): `Juni 2024` / `June 2024`.
  if (/^\d{4}-\d{2}$/.test(s)) {
    const m = new Date(`${s}-01T00:00:00Z`);
    if (Number.isNaN(m.getTime())) return s;
    return m.toLocaleDateString(l === 'id' ? 'id-ID' : 'en-GB', { month: 'long', year: 'numeric', timeZone: 'UTC' });
  }
  // ISO dates only: `Date` would read "BPS 2024" as 1 January 2024.
  if (!/^\d{4}-\d{2}-\d{2}/.test(s)) return s;
  const d = new Date(s);
  if (Number.isNaN(d.getTime())) return s;
  return d.toLocaleDateString(l === 'id' ? 'id-ID' : 'en-GB', { day: 'numeric', month: 'long', year: 'numeric', timeZone: 'UTC' });
}

/** Keys of a layer detail that carry a date (an upload's time, a source's year …). */
const DATE_KEYS = ['date', 'source_date', 'updated_at', 'uploaded_at', 'created_at', 'modified', 'year', 'tahun'];

function layerDates(d: LayerDetail | undefined, l: Lang): string[] {
  if (!d) return [];
  const out: string[] = [];
  const look = (o: Record<string, unknown> | null | undefined) => {
    for (const k of DATE_KEYS) {
      const v = o?.[k];
      const name = k === 'source_date' ? t('brief.dataDate', {}, l) : k;
      if (typeof v === 'string' || typeof v === 'number') out.push(`${name}: ${typeof v === 'string' ? formatDate(v, l) : v}`);
    }
  };
  look(d);
  look(d.spec ?? undefined);
  const meta = d.metadata ?? d.source;
  if (meta && typeof meta === 'object') look(meta as Record<string, unknown>);
  return [...new Set(out)];
}

/** An indicator's label: a column of the input analysis it comes `from` (as that analysis
 *  describes it), else an attribute of the zones. */
function indicatorLabel(ind: Record<string, unknown>, p: Record<string, unknown>, l: Lang, analyses?: readonly AnalysisInfo[]): string {
  const field = String(ind.field ?? '');
  if (typeof ind.from !== 'string') return attributeLabel(field, l);
  const input = (p.inputs as Record<string, { analysis?: string }> | undefined)?.[ind.from];
  return columnLabel(analysisOf(analyses, input?.analysis ?? ind.from), field, l);
}

/** The assumptions of a run in words: the analysis and method, each indicator with its
 *  weight and direction, the hazard, the shortlist size and the weight sensitivity. */
export function assumptions(rec: Recommendation, l: Lang, analyses?: readonly AnalysisInfo[]): string[] {
  const p = { ...(rec.params ?? {}), ...(rec.result?.params ?? {}) } as Record<string, unknown>;
  const out: string[] = [];
  const method = typeof p.method === 'string' ? ` — ${p.method === 'topsis' ? 'TOPSIS' : p.method === 'weighted_sum' ? t('brief.weightedSum', {}, l) : p.method}` : '';
  out.push(`${t('brief.analysis', {}, l)}: ${analysisTitle(analysisOf(analyses, rec.analysis), rec.analysis, l)}${method}`);
  if (typeof p.zones === 'string') out.push(`${t('brief.zones', {}, l)}: ${p.zones}`);
  const indicators = Array.isArray(p.indicators) ? (p.indicators as Array<Record<string, unknown>>) : [];
  const weights = indicators.map((i) => (typeof i.weight === 'number' ? i.weight : 1));
  const sum = weights.reduce((a, b) => a + b, 0) || 1;
  indicators.forEach((ind, i) => {
    const field = indicatorLabel(ind, p, l, analyses);
    const per = typeof ind.per === 'string' ? ` per ${attributeLabel(ind.per, l).toLowerCase()}` : '';
    const from = typeof ind.from === 'string' ? ` (${ind.from})` : '';
    const dir = ind.direction === 'higher_is_better' ? t('index.better', {}, l) : t('index.worse', {}, l);
    out.push(`${t('brief.indicator', {}, l)} ${i + 1}: ${field}${per}${from} — ${t('index.weight', {}, l).toLowerCase()} ${formatPercent(weights[i] / sum, l, 0)}, ${dir}`);
  });
  const inputs = (p.inputs ?? {}) as Record<string, { params?: Record<string, unknown> }>;
  const hazard = typeof p.hazard === 'string' ? p.hazard : Object.values(inputs).map((x) => x?.params?.hazard).find((h) => typeof h === 'string');
  if (typeof hazard === 'string') out.push(`${t('brief.hazard', {}, l)}: ${hazard}`);
  const radius = Object.values(inputs).map((x) => x?.params?.radius_m).find((r) => typeof r === 'number') ?? p.radius_m;
  if (typeof radius === 'number') out.push(`${t('brief.radius', {}, l)}: ${formatNumber(radius, l)} m`);
  const sens = p.sensitivity as { runs?: number; spread?: number } | undefined;
  if (sens && typeof sens.runs === 'number') {
    out.push(t('brief.sensitivity', { runs: formatNumber(sens.runs, l), spread: formatPercent(sens.spread ?? 0.2, l, 0) }, l));
  }
  out.push(
    rec.scenario
      ? t('brief.onScenario', { id: rec.scenario, version: rec.scenario_version ?? '' }, l)
      : t('brief.onBaseline', {}, l),
  );
  return out;
}

/** The brief of `rec`; `details` are the `GET /layers/{name}` answers of the layers the run
 *  read (missing ones are listed with what the result's provenance says); `field` is the
 *  column scored (the analysis' headline), `analyses` what the analyses say about themselves. */
export function briefModel(rec: Recommendation, details: Map<string, LayerDetail>, l: Lang, defaultField?: string, analyses?: readonly AnalysisInfo[]): BriefModel {
  const info = analysisOf(analyses, rec.analysis);
  const rows = rankedRows(rec.result?.rows ?? [], defaultField);
  const n = Math.max(1, rec.top_n || 10);
  const briefRows: BriefRow[] = rows.slice(0, n).map((r, i) => {
    const lo = r.rank_low;
    const hi = r.rank_high;
    const reasons = Array.isArray(r.reasons) ? (r.reasons as unknown[]).map((x) => reasonText(x, l)).filter((x): x is string => !!x) : [];
    return {
      rank: typeof r.rank === 'number' ? r.rank : i + 1,
      id: String(r.id),
      name: typeof r.name === 'string' ? r.name : String(r.id),
      score: defaultField && typeof r[defaultField] === 'number' ? (r[defaultField] as number) : null,
      scoreText: defaultField ? formatKey(info, defaultField, r[defaultField], l) : '–',
      interval: typeof lo === 'number' && typeof hi === 'number' ? [lo, hi] : null,
      reasons,
    };
  });
  const layers = rec.layers ?? rec.result?.meta?.layers ?? {};
  const sources: BriefSource[] = Object.entries(layers)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([name, hash]) => {
      const d = details.get(name);
      const spec = (d?.spec ?? {}) as Record<string, unknown>;
      return {
        name,
        role: d ? String(d.role) : '',
        features: d ? d.features : null,
        file: typeof spec.path === 'string' ? spec.path : null,
        source: typeof spec.source === 'string' ? spec.source : typeof d?.source === 'string' ? d.source : null,
        dates: layerDates(d, l),
        hash: String(hash).slice(0, 12),
      };
    });
  return {
    title: rec.title,
    question: rec.question ?? '',
    status: rec.status,
    createdBy: [rec.created_role ? (hasKey(`who.${rec.created_role}`) ? t(`who.${rec.created_role}` as Key, {}, l) : rec.created_role) : '', rec.created_by ? `(${rec.created_by})` : ''].filter(Boolean).join(' '),
    createdAt: formatDate(rec.created_at, l),
    analysis: rec.analysis,
    scoreLabel: defaultField ? columnLabel(info, defaultField, l) : t('brief.score', {}, l),
    rows: briefRows,
    total: rows.length,
    budget: typeof rec.budget === 'number' ? formatRupiah(rec.budget, l) : null,
    assumptions: assumptions(rec, l, analyses),
    notes: rec.notes ?? '',
    sources,
  };
}
