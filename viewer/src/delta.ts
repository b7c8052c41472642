// Deltas of a comparison (scenario − baseline) on the map: symmetric "nice" breaks around
// zero with a neutral middle class, and a diverging palette oriented so that blue is always
// "better" and red "worse" for the field at hand (which way is better is the column's
// descriptor's word); orange–purple, passing no verdict, for a neutral column. Pure: no DOM,
// unit-tested.

import type { AnalysisInfo, ColumnInfo, Comparison } from './api';
import { finiteSorted } from './breaks';
import { betterOf, describe, headlineOf } from './descriptor';

/** The smallest "nice" number (1, 2, 2.5 or 5 × 10^k) at or above `x` (> 0). */
export function niceCeil(x: number): number {
  if (!(x > 0) || !Number.isFinite(x)) return 0;
  const p = 10 ** Math.floor(Math.log10(x));
  for (const m of [1, 2, 2.5, 5, 10]) if (m * p >= x * (1 - 1e-12)) return m * p;
  return 10 * p;
}

/** Class edges for deltas, symmetric around zero: `[-m, …, -z, z, …, m]` with `perSide`
 *  classes on each side and a middle class (-z, z] for "no change". The side edges are
 *  multiples of a nice step (the largest |delta| / `perSide`, rounded up), so the legend
 *  reads in round numbers; `z` is a sliver of the step, so only (near-)zeros are neutral.
 *  All deltas zero (or none): `[]`. */
export function divergingBreaks(values: Iterable<unknown>, perSide = 3): number[] {
  const s = finiteSorted(values);
  const maxAbs = s.length ? Math.max(Math.abs(s[0]), Math.abs(s[s.length - 1])) : 0;
  if (maxAbs === 0) return [];
  const step = niceCeil(maxAbs / perSide);
  const z = step * 1e-6;
  const side = Array.from({ length: perSide }, (_, i) => step * (i + 1));
  return [...[...side].reverse().map((x) => -x), -z, z, ...side];
}

/** Class of a delta for `divergingBreaks` edges (0 = most negative), or -1 when missing.
 *  Below the lowest edge counts as the lowest class, above the highest as the highest. */
export function deltaClass(v: unknown, breaks: number[]): number {
  if (typeof v !== 'number' || !Number.isFinite(v) || breaks.length < 2) return -1;
  for (let i = 1; i < breaks.length; i++) if (v <= breaks[i]) return i - 1;
  return breaks.length - 2;
}

/** ColorBrewer RdBu (Cynthia Brewer, Apache-2.0), red to blue, odd sizes 3–9 with a grey middle. */
const RD_BU: Record<number, string[]> = {
  3: ['#ef8a62', '#f7f7f7', '#67a9cf'],
  5: ['#ca0020', '#f4a582', '#f7f7f7', '#92c5de', '#0571b0'],
  7: ['#b2182b', '#ef8a62', '#fddbc7', '#f7f7f7', '#d1e5f0', '#67a9cf', '#2166ac'],
  9: ['#b2182b', '#d6604d', '#f4a582', '#fddbc7', '#f7f7f7', '#d1e5f0', '#92c5de', '#4393c3', '#2166ac'],
};

/** ColorBrewer PuOr, orange to purple: for changes that are neither good nor bad news. */
const PU_OR: Record<number, string[]> = {
  3: ['#f1a340', '#f7f7f7', '#998ec3'],
  5: ['#e66101', '#fdb863', '#f7f7f7', '#b2abd2', '#5e3c99'],
  7: ['#b35806', '#f1a340', '#fee0b6', '#f7f7f7', '#d8daeb', '#998ec3', '#542788'],
  9: ['#b35806', '#e08214', '#fdb863', '#fee0b6', '#f7f7f7', '#d8daeb', '#b2abd2', '#8073ac', '#542788'],
};

/** `n` (odd, 3–9) colours from the most negative class to the most positive: red → grey →
 *  blue when higher is better, blue → grey → red when lower is better, orange → grey →
 *  purple when neither. */
export function divergingPalette(n: number, better: ColumnInfo['better']): string[] {
  const k = Math.max(3, Math.min(9, n % 2 === 0 ? n + 1 : n));
  if (better === 'neutral') return [...PU_OR[k]];
  const c = RD_BU[k];
  return better === 'higher' ? [...c] : [...c].reverse();
}

/** Numeric `<field>_delta` columns of comparison rows, in first-seen order, without the
 *  `_delta` suffix. */
export function deltaFields(rows: Array<Record<string, unknown>>): string[] {
  const out: string[] = [];
  for (const r of rows.slice(0, 50)) {
    for (const [k, v] of Object.entries(r)) {
      if (!k.endsWith('_delta') || typeof v !== 'number') continue;
      const f = k.slice(0, -'_delta'.length);
      if (!out.includes(f)) out.push(f);
    }
  }
  return out;
}

/** The delta field to map first: the analysis' headline column when it changed anywhere,
 *  else the first field with a non-zero delta, else the headline, else the first field. */
export function defaultDeltaField(info: AnalysisInfo | undefined, rows: Array<Record<string, unknown>>): string {
  const fields = deltaFields(rows);
  const changed = (f: string) => rows.some((r) => typeof r[`${f}_delta`] === 'number' && r[`${f}_delta`] !== 0);
  const headline = headlineOf(info);
  const has = headline !== undefined && fields.includes(headline);
  return (has && changed(headline) ? headline : undefined) ?? fields.find(changed) ?? (has ? headline : undefined) ?? fields[0] ?? '';
}

/** Whether any row of a comparison changed. */
export function anyChange(rows: Array<Record<string, unknown>>): boolean {
  return rows.some((r) => Object.entries(r).some(([k, v]) => k.endsWith('_delta') && typeof v === 'number' && v !== 0));
}

/** The summary figures to chart for one analysis of a comparison: those the analysis
 *  describes as columns that are good or bad news (its headline first), then others that
 *  changed; four at most. A summary is matched to columns by exact name only. */
export function chartKeys(a: Comparison['analyses'][number], info: AnalysisInfo | undefined): string[] {
  const base = a.baseline.summary;
  const numeric = Object.keys(base).filter((k) => typeof base[k] === 'number');
  const order = (info?.columns ?? []).map((c) => c.name);
  const headline = headlineOf(info);
  const rank = (k: string) => (k === headline ? -1 : order.indexOf(k));
  const known = numeric
    .filter((k) => describe(info, k, false) !== undefined && betterOf(info, k, false) !== 'neutral')
    .sort((x, y) => rank(x) - rank(y))
    .slice(0, 4);
  const changed = numeric.filter((k) => !known.includes(k) && a.scenarios.some((s) => typeof s.summary_delta[k] === 'number' && s.summary_delta[k] !== 0));
  return [...known, ...changed.slice(0, Math.max(0, 4 - known.length))];
}

/** The analysis to map first: the first whose rows changed in the first scenario. */
export function firstChanged(c: Comparison): number {
  return Math.max(0, c.analyses.findIndex((a) => anyChange(a.scenarios[0]?.rows ?? [])));
}

/** `+1.234` / `−56` / `±0`, signs always shown (the caller formats the magnitude). */
export function signed(x: number, fmt: (a: number) => string): string {
  if (x === 0 || fmt(Math.abs(x)) === fmt(0)) return `±${fmt(0)}`;
  return `${x > 0 ? '+' : '−'}${fmt(Math.abs(x))}`;
}
