// Classed breaks for choropleths. Pure: no DOM, unit-tested.
//
// Breaks are the k + 1 class edges [min, e1, …, max]: class 0 holds values ≤ e1, class i
// values in (e_i, e_{i+1}]. Fewer classes come back when the data has fewer distinct values.

export type BreakMethod = 'quantile' | 'jenks' | 'equal';

export const BREAK_METHODS: BreakMethod[] = ['quantile', 'jenks', 'equal'];

/** Finite values, sorted ascending. */
export function finiteSorted(values: Iterable<unknown>): number[] {
  const out: number[] = [];
  for (const v of values) if (typeof v === 'number' && Number.isFinite(v)) out.push(v);
  return out.sort((a, b) => a - b);
}

function distinctCount(sorted: number[]): number {
  let n = 0;
  for (let i = 0; i < sorted.length; i++) if (i === 0 || sorted[i] !== sorted[i - 1]) n++;
  return n;
}

function dedupe(edges: number[]): number[] {
  return edges.filter((e, i) => i === 0 || e > edges[i - 1]);
}

/** Quantile at p of sorted values (linear interpolation, as numpy's default / R type 7). */
export function quantile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  const h = (sorted.length - 1) * p;
  const lo = Math.floor(h);
  const hi = Math.min(lo + 1, sorted.length - 1);
  return sorted[lo] + (h - lo) * (sorted[hi] - sorted[lo]);
}

/** k classes with (about) as many values each. */
export function quantileBreaks(values: Iterable<unknown>, k: number): number[] {
  const s = finiteSorted(values);
  if (s.length === 0) return [];
  const edges = Array.from({ length: k + 1 }, (_, i) => quantile(s, i / k));
  return dedupe(edges);
}

/** k classes of equal width between min and max. */
export function equalBreaks(values: Iterable<unknown>, k: number): number[] {
  const s = finiteSorted(values);
  if (s.length === 0) return [];
  const [min, max] = [s[0], s[s.length - 1]];
  if (min === max) return [min];
  return Array.from({ length: k + 1 }, (_, i) => (i === k ? max : min + ((max - min) * i) / k));
}

/** Jenks natural breaks (Fisher's exact optimisation: least within-class sum of squared
 *  deviations), as simple-statistics' `jenks` and PySAL's `FisherJenks`. O(k·n²): large
 *  inputs are thinned to an evenly spaced sample of their sorted values first. */
export function jenksBreaks(values: Iterable<unknown>, k: number, maxSample = 2000): number[] {
  let s = finiteSorted(values);
  if (s.length === 0) return [];
  const classes = Math.min(k, distinctCount(s));
  if (classes <= 1) return dedupe([s[0], s[s.length - 1]]);
  if (s.length > maxSample) {
    const full = s;
    s = Array.from({ length: maxSample }, (_, i) => full[Math.round((i * (full.length - 1)) / (maxSample - 1))]);
  }
  const n = s.length;
  // lower[l][j]: 1-based index of the first value of the last class when the first l values
  // are split into j classes; variance[l][j]: the least total within-class variance.
  const lower: number[][] = Array.from({ length: n + 1 }, () => new Array<number>(classes + 1).fill(0));
  const variance: number[][] = Array.from({ length: n + 1 }, () => new Array<number>(classes + 1).fill(0));
  for (let j = 1; j <= classes; j++) {
    lower[1][j] = 1;
    for (let l = 2; l <= n; l++) variance[l][j] = Infinity;
  }
  for (let l = 2; l <= n; l++) {
    let sum = 0;
    let sumSq = 0;
    let w = 0;
    let v = 0;
    for (let m = 1; m <= l; m++) {
      const first = l - m + 1;
      const val = s[first - 1];
      w++;
      sum += val;
      sumSq += val * val;
      v = sumSq - (sum * sum) / w;
      const before = first - 1;
      if (before !== 0) {
        for (let j = 2; j <= classes; j++) {
          if (variance[l][j] >= v + variance[before][j - 1]) {
            lower[l][j] = first;
            variance[l][j] = v + variance[before][j - 1];
          }
        }
      }
    }
    lower[l][1] = 1;
    variance[l][1] = v;
  }
  const edges = new Array<number>(classes + 1);
  edges[0] = s[0];
  edges[classes] = s[n - 1];
  let end = n;
  for (let j = classes; j > 1; j--) {
    const first = lower[end][j];
    edges[j - 1] = s[first - 2]; // the last value of the class before
    end = first - 1;
  }
  return dedupe(edges);
}

export function computeBreaks(values: Iterable<unknown>, k: number, method: BreakMethod): number[] {
  switch (method) {
    case 'quantile':
      return quantileBreaks(values, k);
    case 'jenks':
      return jenksBreaks(values, k);
    case 'equal':
      return equalBreaks(values, k);
  }
}

/** Class index of `v` for `breaks` (0-based), or -1 for a missing value. */
export function classify(v: unknown, breaks: number[]): number {
  if (typeof v !== 'number' || !Number.isFinite(v) || breaks.length === 0) return -1;
  const classes = Math.max(1, breaks.length - 1);
  for (let i = 1; i < breaks.length; i++) if (v <= breaks[i]) return i - 1;
  return classes - 1;
}

/** Number of classes the breaks describe (a single value is one class). */
export function classCount(breaks: number[]): number {
  return breaks.length <= 1 ? breaks.length : breaks.length - 1;
}

/** Sequential ColorBrewer palettes (Cynthia Brewer, Apache-2.0), light to dark. */
const YL_OR_RD: Record<number, string[]> = {
  1: ['#fd8d3c'],
  2: ['#ffeda0', '#f03b20'],
  3: ['#ffeda0', '#feb24c', '#f03b20'],
  4: ['#ffffb2', '#fecc5c', '#fd8d3c', '#e31a1c'],
  5: ['#ffffb2', '#fecc5c', '#fd8d3c', '#f03b20', '#bd0026'],
  6: ['#ffffb2', '#fed976', '#feb24c', '#fd8d3c', '#f03b20', '#bd0026'],
  7: ['#ffffb2', '#fed976', '#feb24c', '#fd8d3c', '#fc4e2a', '#e31a1c', '#b10026'],
};
const YL_GN_BU: Record<number, string[]> = {
  1: ['#41b6c4'],
  2: ['#edf8b1', '#2c7fb8'],
  3: ['#edf8b1', '#7fcdbb', '#2c7fb8'],
  4: ['#ffffcc', '#a1dab4', '#41b6c4', '#225ea8'],
  5: ['#ffffcc', '#a1dab4', '#41b6c4', '#2c7fb8', '#253494'],
  6: ['#ffffcc', '#c7e9b4', '#7fcdbb', '#41b6c4', '#2c7fb8', '#253494'],
  7: ['#ffffcc', '#c7e9b4', '#7fcdbb', '#41b6c4', '#1d91c0', '#225ea8', '#0c2c84'],
};

export type Palette = 'need' | 'good';

/** `n` colours (1–7), light to dark: `need` (yellow–red) for "more is worse", `good`
 *  (yellow–blue) for everything else. */
export function palette(n: number, kind: Palette = 'need'): string[] {
  const table = kind === 'need' ? YL_OR_RD : YL_GN_BU;
  return table[Math.max(1, Math.min(7, n))];
}
