import { describe, expect, it } from 'vitest';
import { classify, computeBreaks, equalBreaks, jenksBreaks, palette, quantile, quantileBreaks } from '../../src/breaks';

describe('quantiles', () => {
  it('interpolates like numpy', () => {
    expect(quantile([1, 2, 3, 4], 0.5)).toBe(2.5);
    expect(quantile([1, 2, 3, 4], 1 / 3)).toBeCloseTo(2);
  });
  it('gives k + 1 edges from min to max', () => {
    const v = Array.from({ length: 101 }, (_, i) => i);
    expect(quantileBreaks(v, 4)).toEqual([0, 25, 50, 75, 100]);
  });
  it('merges edges repeated by ties and ignores missing values', () => {
    expect(quantileBreaks([0, 0, 0, 0, 0, 1, null, NaN, 'x'], 4)).toEqual([0, 1]);
    expect(quantileBreaks([], 5)).toEqual([]);
  });
});

describe('Jenks natural breaks', () => {
  it('finds the obvious groups', () => {
    expect(jenksBreaks([1, 2, 3, 10, 11, 12, 20, 21, 22], 3)).toEqual([1, 3, 12, 22]);
    expect(jenksBreaks([22, 1, 11, 2, 20, 10, 3, 21, 12], 3)).toEqual([1, 3, 12, 22]);
  });
  it('finds the least within-class variance on a hand-checked set', () => {
    // {1,2,4,5} {7,9,10} {20}: sums of squared deviations 10 + 4.67 + 0 = 14.67, the least of
    // the 21 ways to cut 8 sorted values into 3 classes.
    expect(jenksBreaks([1, 2, 4, 5, 7, 9, 10, 20], 3)).toEqual([1, 5, 10, 20]);
  });
  it('returns fewer classes than asked when there are fewer distinct values', () => {
    expect(jenksBreaks([5, 5, 7, 7], 5)).toEqual([5, 7]);
    expect(jenksBreaks([3, 3, 3], 4)).toEqual([3]);
  });
  it('the classes it makes have less within-class variance than quantiles', () => {
    const v = [0.1, 0.2, 0.25, 0.3, 2, 2.1, 2.2, 5, 9, 9.5, 10, 10.2];
    const ssw = (edges: number[]) => {
      const groups = new Map<number, number[]>();
      for (const x of v) groups.set(classify(x, edges), [...(groups.get(classify(x, edges)) ?? []), x]);
      let s = 0;
      for (const g of groups.values()) {
        const m = g.reduce((a, b) => a + b, 0) / g.length;
        s += g.reduce((a, b) => a + (b - m) ** 2, 0);
      }
      return s;
    };
    expect(ssw(jenksBreaks(v, 4))).toBeLessThanOrEqual(ssw(quantileBreaks(v, 4)));
  });
  it('copes with a large input by sampling', () => {
    const v = Array.from({ length: 10_000 }, (_, i) => (i % 3) * 100 + (i % 7));
    const e = jenksBreaks(v, 3);
    expect(e[0]).toBe(0);
    expect(e[e.length - 1]).toBe(206);
    expect(e.length).toBe(4);
  });
});

describe('equal intervals and classify', () => {
  it('splits the range evenly', () => {
    expect(equalBreaks([0, 3, 10], 5)).toEqual([0, 2, 4, 6, 8, 10]);
    expect(equalBreaks([4, 4], 3)).toEqual([4]);
  });
  it('puts edge values in the lower class and the minimum in the first', () => {
    const b = [0, 2, 4, 10];
    expect([0, 1, 2, 2.01, 4, 9, 10, 11].map((x) => classify(x, b))).toEqual([0, 0, 0, 1, 1, 2, 2, 2]);
    expect(classify(null, b)).toBe(-1);
    expect(classify(3, [3])).toBe(0);
  });
  it('dispatches by method', () => {
    const v = [1, 2, 3, 10, 11, 12, 20, 21, 22];
    expect(computeBreaks(v, 3, 'jenks')).toEqual([1, 3, 12, 22]);
    expect(computeBreaks(v, 2, 'equal')).toEqual([1, 11.5, 22]);
    expect(computeBreaks(v, 2, 'quantile')).toEqual([1, 11, 22]);
  });
  it('has a palette for 1 to 7 classes', () => {
    for (let n = 1; n <= 7; n++) expect(palette(n)).toHaveLength(n);
    expect(palette(12)).toHaveLength(7);
  });
});
