import { describe, expect, it } from 'vitest';
import { barChart, niceTicks, valueY } from '../../src/chart';

describe('chart scaling', () => {
  it('picks round ticks covering the range', () => {
    expect(niceTicks(0, 454174, 4)).toEqual([0, 200000, 400000, 600000]);
    expect(niceTicks(0, 1, 4)).toEqual([0, 0.5, 1]);
    expect(niceTicks(0, 1, 5)).toEqual([0, 0.2, 0.4, 0.6000000000000001, 0.8, 1]);
    expect(niceTicks(-30, 70, 4)).toEqual([-50, 0, 50, 100]);
    expect(niceTicks(5, 5)).toEqual([5]);
  });
  it('lays bars from zero, tallest for the largest', () => {
    const m = barChart(['base', 'A', 'B'], [400000, 407047, null], 300, 150);
    expect(m.domain[0]).toBe(0);
    expect(m.domain[1]).toBeGreaterThanOrEqual(407047);
    expect(m.bars).toHaveLength(3);
    expect(m.bars[0].baseline).toBe(true);
    expect(m.bars[1].height).toBeGreaterThan(m.bars[0].height);
    expect(m.bars[1].y + m.bars[1].height).toBeCloseTo(m.zeroY);
    expect(m.bars[2].value).toBeNull();
    expect(m.bars[2].height).toBe(0);
    // bars sit in their slots, left to right, inside the plot
    expect(m.bars[0].x).toBeGreaterThanOrEqual(m.plot.left);
    expect(m.bars[2].x + m.bars[2].width).toBeLessThanOrEqual(m.plot.right);
    expect(m.bars[1].x).toBeGreaterThan(m.bars[0].x);
  });
  it('draws negative values below zero', () => {
    const m = barChart(['base', 'A'], [-50, 100]);
    expect(m.domain[0]).toBeLessThanOrEqual(-50);
    expect(m.bars[0].y).toBeCloseTo(m.zeroY);
    expect(valueY(m, -50)).toBeCloseTo(m.bars[0].y + m.bars[0].height);
    expect(valueY(m, 0)).toBeCloseTo(m.zeroY);
  });
  it('keeps an all-zero chart drawable', () => {
    const m = barChart(['base', 'A'], [0, 0]);
    expect(m.domain[1]).toBeGreaterThan(m.domain[0]);
    expect(m.bars.every((b) => b.height === 0)).toBe(true);
  });
});
