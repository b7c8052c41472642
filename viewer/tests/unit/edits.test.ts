import { describe, expect, it } from 'vitest';
import type { Edit } from '../../src/api';
import {
  addFacilityEdit,
  facilityChanges,
  growthOf,
  moveFacility,
  newFacilityId,
  parseAmount,
  removeFacility,
  setBudget,
  setGrowth,
  swapHazard,
  swapOf,
} from '../../src/edits';

const form = { layer: 'puskesmas', id: 'baru-1', lon: 124.8512345678, lat: 1.4701, kind: 'puskesmas', capacity: '20.000', cost: '5.000.000.000' };

describe('amounts typed by people', () => {
  it('reads Indonesian and English numbers', () => {
    expect(parseAmount('20.000')).toBe(20000);
    expect(parseAmount('1.234.567,5')).toBe(1234567.5);
    expect(parseAmount('1,5')).toBe(1.5);
    expect(parseAmount('1,234,567')).toBe(1234567);
    expect(parseAmount('1,234.5')).toBe(1234.5);
    expect(parseAmount('Rp 5.000.000.000')).toBe(5e9);
    expect(parseAmount('5e9')).toBe(5e9);
    expect(parseAmount('2.5')).toBe(2.5);
    expect(parseAmount('  ')).toBeNull();
    expect(parseAmount('lima')).toBeNaN();
  });
});

describe('add_facility', () => {
  it('is built from the form', () => {
    expect(addFacilityEdit(form)).toEqual({ op: 'add_facility', layer: 'puskesmas', id: 'baru-1', lon: 124.851235, lat: 1.4701, kind: 'puskesmas', capacity: 20000, cost: 5e9 });
  });
  it('leaves out what is not given', () => {
    expect(addFacilityEdit({ ...form, kind: ' ', capacity: '', cost: '' })).toEqual({ op: 'add_facility', layer: 'puskesmas', id: 'baru-1', lon: 124.851235, lat: 1.4701 });
  });
  it('names the bad field', () => {
    expect(() => addFacilityEdit({ ...form, capacity: '-5' })).toThrow(/capacity/);
    expect(() => addFacilityEdit({ ...form, capacity: 'banyak' })).toThrow(/capacity/);
    expect(() => addFacilityEdit({ ...form, cost: 'x' })).toThrow(/cost/);
    expect(() => addFacilityEdit({ ...form, id: '' })).toThrow(/id/);
    expect(() => addFacilityEdit({ ...form, layer: '' })).toThrow(/layer/);
    expect(() => addFacilityEdit({ ...form, lat: 95 })).toThrow(/position/);
  });
  it('gets a fresh id', () => {
    expect(newFacilityId(['P01', 'baru-1', 'baru-2'])).toBe('baru-3');
    expect(newFacilityId([])).toBe('baru-1');
  });
});

describe('keeping the edit list tidy', () => {
  const add = addFacilityEdit(form);
  it('moves a new facility by rewriting its add_facility', () => {
    const out = moveFacility([add], 'puskesmas', 'baru-1', 124.9, 1.5);
    expect(out).toHaveLength(1);
    expect(out[0]).toMatchObject({ op: 'add_facility', lon: 124.9, lat: 1.5, capacity: 20000 });
  });
  it('moves a baseline facility with one move_facility', () => {
    const once = moveFacility([add], 'puskesmas', 'P01', 124.8, 1.45);
    const twice = moveFacility(once, 'puskesmas', 'P01', 124.81, 1.46);
    expect(twice).toEqual([add, { op: 'move_facility', layer: 'puskesmas', id: 'P01', lon: 124.81, lat: 1.46 }]);
  });
  it('removes a new facility by dropping it, a baseline one with remove_facility', () => {
    expect(removeFacility([add], 'puskesmas', 'baru-1')).toEqual([]);
    const moved = moveFacility([], 'puskesmas', 'P01', 1, 1);
    expect(removeFacility(moved, 'puskesmas', 'P01')).toEqual([{ op: 'remove_facility', layer: 'puskesmas', id: 'P01' }]);
    // twice is still once
    const r = removeFacility(removeFacility([], 'puskesmas', 'P01'), 'puskesmas', 'P01');
    expect(r).toHaveLength(1);
  });
  it('swaps a hazard once, and takes the swap out', () => {
    const one = swapHazard([add], 'banjir_q10', 'banjir_q25');
    const two = swapHazard(one, 'banjir_q10', 'banjir_q100');
    expect(two).toEqual([add, { op: 'swap_hazard', layer: 'banjir_q10', to: 'banjir_q100' }]);
    expect(swapOf(two, 'banjir_q10')).toBe('banjir_q100');
    expect(swapHazard(two, 'banjir_q10', '')).toEqual([add]);
    expect(swapHazard(two, 'banjir_q10', 'banjir_q10')).toEqual([add]);
  });
  it('sets growth as a factor, replacing an earlier one', () => {
    const g = setGrowth(setGrowth([], 'kelurahan', '3'), 'kelurahan', '5');
    expect(g).toEqual([{ op: 'scale_demand', layer: 'kelurahan', factor: 1.05 }]);
    expect(growthOf(g, 'kelurahan')).toBe('5');
    expect(setGrowth(g, 'kelurahan', '0')).toEqual([]);
    expect(setGrowth([], 'kelurahan', '2,5')[0]).toMatchObject({ factor: 1.025 });
    expect(() => setGrowth([], 'kelurahan', '-100')).toThrow(/growth/);
    expect(() => setGrowth([], 'kelurahan', 'x')).toThrow(/growth/);
    // zone-specific growth is left alone
    const local: Edit = { op: 'scale_demand', layer: 'kelurahan', factor: 1.2, ids: ['a'] };
    expect(setGrowth([local], 'kelurahan', '')).toEqual([local]);
  });
  it('keeps one budget', () => {
    expect(setBudget(setBudget([], '1.000'), 'Rp 20.000.000.000')).toEqual([{ op: 'set_budget', amount: 2e10 }]);
    expect(setBudget([{ op: 'set_budget', amount: 1 }], '')).toEqual([]);
    expect(() => setBudget([], '-1')).toThrow(/budget/);
  });
  it('summarises facility changes', () => {
    const edits = [add, ...moveFacility([], 'puskesmas', 'P02', 1, 2), ...removeFacility([], 'sekolah', 'S9')];
    const c = facilityChanges(moveFacility(edits, 'puskesmas', 'baru-1', 3, 4));
    expect(c.map((x) => [x.id, x.change])).toEqual([
      ['baru-1', 'added'],
      ['P02', 'moved'],
      ['S9', 'removed'],
    ]);
    expect(c[0]).toMatchObject({ lon: 3, lat: 4, capacity: 20000, cost: 5e9 });
  });
});
