import { describe, expect, it } from 'vitest';
import type { AnalysisInfo } from '../../src/api';
import { defaultDeltaField, deltaClass, deltaFields, divergingBreaks, divergingPalette, niceCeil, signed } from '../../src/delta';

describe('diverging breaks for deltas', () => {
  it('rounds the largest change up to a nice number', () => {
    expect(niceCeil(7047)).toBe(10000);
    expect(niceCeil(1800)).toBe(2000);
    expect(niceCeil(0.023)).toBeCloseTo(0.025);
    expect(niceCeil(5)).toBe(5);
    expect(niceCeil(0)).toBe(0);
  });
  it('is symmetric around zero with a neutral middle class', () => {
    const b = divergingBreaks([-300, 0, 0, 1200, 1800], 3);
    expect(b).toHaveLength(8);
    // a step of 600 (1800 / 3) rounds up to 1000
    expect(b.slice(5)).toEqual([1000, 2000, 3000]);
    expect(b[0]).toBe(-3000);
    for (let i = 0; i < b.length; i++) expect(b[i]).toBeCloseTo(-b[b.length - 1 - i]);
    // zero falls in the middle class (index 3 of 7), small changes do not
    expect(deltaClass(0, b)).toBe(3);
    expect(deltaClass(1, b)).toBe(4);
    expect(deltaClass(-1, b)).toBe(2);
    expect(deltaClass(2000, b)).toBe(5);
    expect(deltaClass(2500, b)).toBe(6);
    expect(deltaClass(-2500, b)).toBe(0);
    expect(deltaClass(5000, b)).toBe(6);
    expect(deltaClass(null, b)).toBe(-1);
  });
  it('reads in round numbers for a real coverage change', () => {
    expect(divergingBreaks([0, 120, 4700, 2300], 3).slice(5)).toEqual([2000, 4000, 6000]);
  });
  it('has no classes when nothing changed', () => {
    expect(divergingBreaks([0, 0, -0])).toEqual([]);
    expect(divergingBreaks([])).toEqual([]);
    expect(deltaClass(0, [])).toBe(-1);
  });
});

describe('diverging palette', () => {
  it('puts blue on the good side', () => {
    const good = divergingPalette(7, 'higher');
    expect(good).toHaveLength(7);
    expect(good[3]).toBe('#f7f7f7');
    expect(good[6]).toBe('#2166ac'); // most positive = blue when more is better
    const bad = divergingPalette(7, 'lower');
    expect(bad[6]).toBe('#b2182b'); // most positive = red when more is worse
    expect(divergingPalette(4, 'higher')).toHaveLength(5);
  });
  it('passes no verdict on a neutral change: neither red nor blue', () => {
    const neutral = divergingPalette(7, 'neutral');
    expect(neutral[3]).toBe('#f7f7f7');
    for (const c of [...divergingPalette(9, 'higher'), ...divergingPalette(3, 'higher')]) if (c !== '#f7f7f7') expect(neutral).not.toContain(c);
  });
});

describe('delta fields', () => {
  const rows = [
    { id: 'a', covered_population: 10, covered_population_delta: 0, access: 0.5, access_delta: -0.1, top: false },
    { id: 'b', covered_population: 30, covered_population_delta: 20, access: 0.7, access_delta: 0.2 },
  ];
  it('lists the numeric *_delta columns', () => {
    expect(deltaFields(rows)).toEqual(['covered_population', 'access']);
  });
  const info = {
    name: 'access',
    columns: [
      { name: 'access', label: { id: 'Akses', en: 'Access' }, unit: '', kind: 'score', better: 'higher' },
      { name: 'covered_population', label: { id: 'Penduduk terjangkau', en: 'Covered population' }, unit: 'jiwa', kind: 'count', better: 'higher', headline: true },
    ],
  } as unknown as AnalysisInfo;
  it('maps the headline first when it changed', () => {
    expect(defaultDeltaField(info, rows)).toBe('covered_population');
    const unchanged = rows.map((r) => ({ ...r, covered_population_delta: 0 }));
    expect(defaultDeltaField(info, unchanged)).toBe('access');
    const nothing = rows.map((r) => ({ ...r, covered_population_delta: 0, access_delta: 0 }));
    expect(defaultDeltaField(info, nothing)).toBe('covered_population');
    expect(defaultDeltaField(undefined, rows)).toBe('covered_population'); // the first that changed
    expect(defaultDeltaField(info, [])).toBe('');
  });
  it('signs', () => {
    const f = (x: number) => String(Math.round(x));
    expect(signed(7047, f)).toBe('+7047');
    expect(signed(-3, f)).toBe('−3');
    expect(signed(0, f)).toBe('±0');
    expect(signed(0.2, f)).toBe('±0');
  });
});
