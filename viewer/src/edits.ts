// Scenario edits as the API takes them (engine/src/scenario/edit.rs), built from what the
// planner does on the map, and the edit list kept tidy: a new facility dragged elsewhere
// moves its own `add_facility`, a new facility removed drops it, a hazard swap or a growth
// rate set twice replaces the first. Pure: no DOM, unit-tested.

import type { Edit } from './api';

export interface NewFacility {
  layer: string;
  id: string;
  lon: number;
  lat: number;
  kind: string;
  capacity: string;
  cost: string;
}

/** A number typed by a person: `1.234,5` (id), `1,234.5` (en), `20000`, `5e9`; null for
 *  empty; NaN when it is not a number. */
export function parseAmount(text: string): number | null {
  let s = text.trim().replace(/\s|_/g, '').replace(/^rp\.?/i, '');
  if (s === '') return null;
  const lastDot = s.lastIndexOf('.');
  const lastComma = s.lastIndexOf(',');
  if (lastDot >= 0 && lastComma >= 0) {
    // Both: the later one is the decimal mark.
    s = lastComma > lastDot ? s.replace(/\./g, '').replace(',', '.') : s.replace(/,/g, '');
  } else if (lastComma >= 0) {
    // `1,5` decimal comma; `1,234,567` grouping.
    s = /^-?\d{1,3}(,\d{3})+$/.test(s) ? s.replace(/,/g, '') : s.replace(',', '.');
  } else if (/^-?\d{1,3}(\.\d{3})+$/.test(s)) {
    // `20.000` / `1.234.567`: Indonesian grouping.
    s = s.replace(/\./g, '');
  }
  return /^-?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i.test(s) ? Number(s) : NaN;
}

/** The `add_facility` edit of the form; throws naming the field that is wrong. */
export function addFacilityEdit(f: NewFacility): Edit {
  if (!f.layer) throw new Error('layer: choose the facility layer');
  if (!f.id.trim()) throw new Error('id: give the new facility an id');
  if (!Number.isFinite(f.lon) || !Number.isFinite(f.lat) || Math.abs(f.lon) > 180 || Math.abs(f.lat) > 90) {
    throw new Error(`position: ${f.lon}, ${f.lat} is not a longitude/latitude`);
  }
  const edit: Edit = { op: 'add_facility', layer: f.layer, id: f.id.trim(), lon: round6(f.lon), lat: round6(f.lat) };
  if (f.kind.trim()) edit.kind = f.kind.trim();
  const capacity = parseAmount(f.capacity);
  if (capacity !== null) {
    if (!Number.isFinite(capacity) || capacity < 0) throw new Error(`capacity: '${f.capacity}' is not a non-negative number`);
    edit.capacity = capacity;
  }
  const cost = parseAmount(f.cost);
  if (cost !== null) {
    if (!Number.isFinite(cost) || cost < 0) throw new Error(`cost: '${f.cost}' is not a non-negative amount`);
    edit.cost = cost;
  }
  return edit;
}

/** Micro-degrees (~0.1 m): a map click has no more precision than that. */
function round6(x: number): number {
  return Math.round(x * 1e6) / 1e6;
}

/** A fresh id for a new facility of `layer`: `baru-1`, `baru-2`, … unused in `taken`. */
export function newFacilityId(taken: Iterable<string>): string {
  const used = new Set(taken);
  for (let i = 1; ; i++) if (!used.has(`baru-${i}`)) return `baru-${i}`;
}

const isFacility = (e: Edit, layer: string, id: string) => e.layer === layer && e.id === id;

/** The edits with facility `id` of `layer` moved to (lon, lat): a facility the scenario
 *  adds has its `add_facility` updated; a baseline one gets one `move_facility` (replacing
 *  an earlier move of it). */
export function moveFacility(edits: Edit[], layer: string, id: string, lon: number, lat: number): Edit[] {
  const added = edits.some((e) => e.op === 'add_facility' && isFacility(e, layer, id));
  if (added) {
    return edits
      .filter((e) => !(e.op === 'move_facility' && isFacility(e, layer, id)))
      .map((e) => (e.op === 'add_facility' && isFacility(e, layer, id) ? { ...e, lon: round6(lon), lat: round6(lat) } : e));
  }
  const rest = edits.filter((e) => !(e.op === 'move_facility' && isFacility(e, layer, id)));
  return [...rest, { op: 'move_facility', layer, id, lon: round6(lon), lat: round6(lat) }];
}

/** The edits with facility `id` of `layer` gone: one the scenario adds is simply dropped
 *  (with its moves and capacity changes); a baseline one gets a `remove_facility`. */
export function removeFacility(edits: Edit[], layer: string, id: string): Edit[] {
  const added = edits.some((e) => e.op === 'add_facility' && isFacility(e, layer, id));
  const rest = edits.filter((e) => !(isFacility(e, layer, id) && e.op !== 'remove_facility'));
  if (added) return rest.filter((e) => !isFacility(e, layer, id));
  if (rest.some((e) => e.op === 'remove_facility' && isFacility(e, layer, id))) return rest;
  return [...rest, { op: 'remove_facility', layer, id }];
}

/** The edits with hazard `layer` swapped for `to` (one swap per layer); `to` empty or equal
 *  to `layer` takes the swap out. */
export function swapHazard(edits: Edit[], layer: string, to: string): Edit[] {
  const rest = edits.filter((e) => !(e.op === 'swap_hazard' && e.layer === layer));
  return to && to !== layer ? [...rest, { op: 'swap_hazard', layer, to }] : rest;
}

/** The edits with population growth of `percent` % on `layer` (city-wide; one per layer);
 *  0 or empty takes it out. Throws on a rate that is not a number above -100 %. */
export function setGrowth(edits: Edit[], layer: string, percent: string): Edit[] {
  const rest = edits.filter((e) => !(e.op === 'scale_demand' && e.layer === layer && !e.ids));
  const p = parseAmount(percent);
  if (p === null || p === 0) return rest;
  if (!Number.isFinite(p) || p <= -100) throw new Error(`growth: '${percent}' is not a percentage above -100`);
  return [...rest, { op: 'scale_demand', layer, factor: Math.round((1 + p / 100) * 1e6) / 1e6 }];
}

/** The edits with the budget set (the last `set_budget` wins in the engine; one is kept). */
export function setBudget(edits: Edit[], amount: string): Edit[] {
  const rest = edits.filter((e) => e.op !== 'set_budget');
  const a = parseAmount(amount);
  if (a === null) return rest;
  if (!Number.isFinite(a) || a < 0) throw new Error(`budget: '${amount}' is not a non-negative amount`);
  return [...rest, { op: 'set_budget', amount: a }];
}

/** The growth rate (percent) a scenario sets on `layer`, or '' when none. */
export function growthOf(edits: Edit[], layer: string): string {
  const e = edits.find((x) => x.op === 'scale_demand' && x.layer === layer && !x.ids);
  return e && typeof e.factor === 'number' ? String(Math.round((e.factor - 1) * 1e4) / 100) : '';
}

/** The hazard a scenario puts in place of `layer`, or '' when none. */
export function swapOf(edits: Edit[], layer: string): string {
  const e = edits.find((x) => x.op === 'swap_hazard' && x.layer === layer);
  return typeof e?.to === 'string' ? e.to : '';
}

export interface FacilityChange {
  layer: string;
  id: string;
  change: 'added' | 'moved' | 'removed';
  lon?: number;
  lat?: number;
  kind?: string;
  capacity?: number;
  cost?: number;
}

/** What a scenario does to facilities, one entry per facility (its final state). */
export function facilityChanges(edits: Edit[]): FacilityChange[] {
  const out = new Map<string, FacilityChange>();
  for (const e of edits) {
    if (typeof e.layer !== 'string' || typeof e.id !== 'string') continue;
    const key = `${e.layer}\u0000${e.id}`;
    const num = (k: string) => (typeof e[k] === 'number' ? (e[k] as number) : undefined);
    if (e.op === 'add_facility') {
      out.set(key, { layer: e.layer, id: e.id, change: 'added', lon: num('lon'), lat: num('lat'), kind: typeof e.kind === 'string' ? e.kind : undefined, capacity: num('capacity'), cost: num('cost') });
    } else if (e.op === 'move_facility') {
      const prev = out.get(key);
      out.set(key, { ...(prev ?? { layer: e.layer, id: e.id }), change: prev?.change === 'added' ? 'added' : 'moved', lon: num('lon'), lat: num('lat') });
    } else if (e.op === 'remove_facility' || e.op === 'close_facility') {
      out.set(key, { layer: e.layer, id: e.id, change: 'removed' });
    }
  }
  return [...out.values()];
}
