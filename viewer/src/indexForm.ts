// The `index` analysis's form model: a preset (flood exposure of the poor, poverty rate,
// share of under-fives) and an editable list of indicators, turned into params. The
// indicators an exposure input offers are the numeric columns its descriptor lists. Pure.

import type { AnalysisInfo, LayerInfo } from './api';
import { analysisOf, headlineOf, numericColumns } from './descriptor';

export type Direction = 'higher_is_worse' | 'higher_is_better';

export interface IndicatorRow {
  /** '' for the zone layer itself, else the name of an input (`banjir`). */
  from: string;
  field: string;
  /** '' for none. */
  per: string;
  weight: string;
  direction: Direction;
}

export interface IndexForm {
  zones: string;
  /** Hazard layer of the flood-exposure input; '' for none. */
  hazard: string;
  method: 'weighted_sum' | 'topsis';
  topN: string;
  runs: string;
  indicators: IndicatorRow[];
}

/** Name of the exposure input in `inputs`. */
export const EXPOSURE_INPUT = 'banjir';

/** The analysis the exposure input runs. */
export const EXPOSURE_ANALYSIS = 'exposure';

/** Row columns of the exposure analysis an indicator can use: the numeric columns its
 *  descriptor lists. */
export function exposureFields(analyses: readonly AnalysisInfo[]): string[] {
  return numericColumns(analysisOf(analyses, EXPOSURE_ANALYSIS));
}

/** The preset's exposure indicator: the share of poor households exposed, when the exposure
 *  analysis describes it, else its headline column. */
const POOR_EXPOSED = 'poor_exposed_share';

const NUMERIC = new Set(['int', 'float']);

export function numericFields(layer: LayerInfo | undefined): string[] {
  return (layer?.fields ?? []).filter((f) => NUMERIC.has(f.type)).map((f) => f.name);
}

/** The preset: what the demo city's planners ask first. Indicators whose fields the
 *  project lacks are left out. */
export function presetIndex(layers: LayerInfo[], analyses: readonly AnalysisInfo[]): IndexForm {
  const zoneLayers = layers.filter((l) => l.role === 'zones');
  const zones = zoneLayers.find((l) => l.name === 'kelurahan') ?? [...zoneLayers].sort((a, b) => b.features - a.features)[0];
  const hazards = layers.filter((l) => l.role === 'hazard' && l.geometry === 'polygon');
  const hazard = hazards.find((l) => /q25/i.test(l.name)) ?? hazards[0];
  const have = new Set(numericFields(zones));
  const indicators: IndicatorRow[] = [];
  const exposure = exposureFields(analyses);
  const exposureField = exposure.includes(POOR_EXPOSED) ? POOR_EXPOSED : (headlineOf(analysisOf(analyses, EXPOSURE_ANALYSIS)) ?? exposure[0]);
  if (hazard && exposureField) indicators.push({ from: EXPOSURE_INPUT, field: exposureField, per: '', weight: '0.5', direction: 'higher_is_worse' });
  if (have.has('poor_households') && have.has('households')) {
    indicators.push({ from: '', field: 'poor_households', per: 'households', weight: '0.3', direction: 'higher_is_worse' });
  }
  if (have.has('under5') && have.has('population')) {
    indicators.push({ from: '', field: 'under5', per: 'population', weight: '0.2', direction: 'higher_is_worse' });
  }
  if (indicators.length === 0 && have.size > 0) {
    indicators.push({ from: '', field: [...have][0], per: '', weight: '1', direction: 'higher_is_worse' });
  }
  return { zones: zones?.name ?? '', hazard: hazard?.name ?? '', method: 'weighted_sum', topN: '10', runs: '200', indicators };
}

/** Fields an indicator can take from its source. */
export function indicatorFields(form: IndexForm, row: IndicatorRow, layers: LayerInfo[], analyses: readonly AnalysisInfo[]): string[] {
  if (row.from === EXPOSURE_INPUT) return exposureFields(analyses);
  return numericFields(layers.find((l) => l.name === form.zones));
}

/** The `index` params of the form. Throws with the offending indicator named. */
export function indexParams(form: IndexForm, layers: LayerInfo[]): Record<string, unknown> {
  if (!form.zones) throw new Error('zones: required');
  const hazard = layers.find((l) => l.name === form.hazard);
  const usesExposure = form.indicators.some((r) => r.from === EXPOSURE_INPUT);
  if (usesExposure && !hazard) throw new Error(`indicators: '${EXPOSURE_INPUT}' needs a hazard layer`);
  if (form.indicators.length === 0) throw new Error('indicators: add at least one');
  const indicators = form.indicators.map((r, i) => {
    if (!r.field) throw new Error(`indicators[${i + 1}]: choose a field`);
    const w = Number(r.weight.replace(',', '.'));
    if (!Number.isFinite(w) || w < 0) throw new Error(`indicators[${i + 1}]: weight '${r.weight}' is not a non-negative number`);
    const ind: Record<string, unknown> = { field: r.field, weight: w };
    if (r.from) ind.from = r.from;
    if (r.per) ind.per = r.per;
    if (r.direction !== 'higher_is_worse') ind.direction = r.direction;
    return ind;
  });
  const params: Record<string, unknown> = { zones: form.zones };
  if (usesExposure && hazard) {
    const exposure: Record<string, unknown> = { zones: form.zones, hazard: hazard.name };
    if (hazard.fields.some((f) => f.name === 'depth_class')) exposure.class_field = 'depth_class';
    params.inputs = { [EXPOSURE_INPUT]: { analysis: EXPOSURE_ANALYSIS, params: exposure } };
  }
  params.indicators = indicators;
  if (form.method !== 'weighted_sum') params.method = form.method;
  const topN = Number(form.topN);
  if (form.topN !== '' && Number.isInteger(topN) && topN >= 0) params.top_n = topN;
  const runs = Number(form.runs);
  if (form.runs !== '' && Number.isInteger(runs) && runs > 0) params.sensitivity = { runs };
  return params;
}
