// Deltas of a comparison (scenario − baseline) on the map: symmetric "nice" breaks around
// zero with a neutral middle class, and a diverging palette oriented so that blue is always
// "better" and red "worse" for the field at hand. Pure: no DOM, unit-tested.

import { finiteSorted } from './breaks';

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

/** `n` (odd, 3–9) colours from the most negative class to the most positive: red → grey →
 *  blue when higher is better, blue → grey → red when higher is worse. */
export function divergingPalette(n: number, higherIsBetter: boolean): string[] {
  const k = Math.max(3, Math.min(9, n % 2 === 0 ? n + 1 : n));
  const c = RD_BU[k];
  return higherIsBetter ? [...c] : [...c].reverse();
}

/** Whether more of a field is good news: access and coverage up is better; need, exposure,
 *  distance, the uncovered and the displaced up is worse. Counts of facilities and
 *  capacity are better; an unknown field is taken as "more is better". */
export function higherIsBetter(analysis: string, field: string): boolean {
  const f = field.replace(/_delta$/, '');
  if (/^(uncovered|unreachable|exposed|displaced|hazard_|poor_exposed|needs_)/.test(f)) return false;
  if (/(nearest|kth)_m$|_m$/.test(f)) return false;
  if (/^(access|covered|capacity|facilities_open|total_capacity)/.test(f)) return true;
  if (analysis === 'index' && (f === 'score' || f === 'top')) return false;
  // A rank going down (1 = most need) means more need.
  if (analysis === 'index' && f === 'rank') return true;
  if (analysis === 'exposure') return false;
  return true;
}

/** Fields whose change is neither good nor bad news in itself (how many people live
 *  there, how large a zone is): shown without a verdict. */
export function isNeutral(field: string): boolean {
  return /^(population|households|demand_features|area_m2|luas_\w+|features)$/.test(field.replace(/_delta$/, ''));
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

/** The delta field to map first: the analysis' headline when it changed anywhere, else the
 *  first field with a non-zero delta, else the first field. */
export function defaultDeltaField(analysis: string, rows: Array<Record<string, unknown>>): string {
  const fields = deltaFields(rows);
  const changed = (f: string) => rows.some((r) => typeof r[`${f}_delta`] === 'number' && r[`${f}_delta`] !== 0);
  const headline: Record<string, string[]> = {
    access: ['covered_population', 'access', 'nearest_m'],
    exposure: ['exposed_population', 'displaced', 'exposed_share'],
    index: ['score', 'rank'],
  };
  return (
    (headline[analysis] ?? []).find((f) => fields.includes(f) && changed(f)) ??
    fields.find(changed) ??
    (headline[analysis] ?? []).find((f) => fields.includes(f)) ??
    fields[0] ??
    ''
  );
}

/** `+1.234` / `−56` / `±0`, signs always shown (the caller formats the magnitude). */
export function signed(x: number, fmt: (a: number) => string): string {
  if (x === 0 || fmt(Math.abs(x)) === fmt(0)) return `±${fmt(0)}`;
  return `${x > 0 ? '+' : '−'}${fmt(Math.abs(x))}`;
}
