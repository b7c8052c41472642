// A new analysis the viewer has never heard of (`banjir_rob`, a synthetic descriptor in
// fixtures/new-analysis.json) gets its form, legend palette, labels in both languages and
// compare direction from its descriptor alone: nothing here is viewer code written for it.

import { describe as group, expect, it } from 'vitest';
import type { AnalysisInfo, Comparison, LayerInfo, Row } from '../../src/api';
import { palette } from '../../src/breaks';
import { chartKeys, defaultDeltaField, divergingPalette, firstChanged } from '../../src/delta';
import { analysisOf, analysisTitle, betterOf, columnHeading, columnLabel, describe, formatKey, headlineOf, paletteOf, say } from '../../src/descriptor';
import { legendItems } from '../../src/legend';
import { defaultField, numericColumns, rankColumn, tableColumns } from '../../src/resultColumns';
import { columnChoices, fieldChoices, fieldHelp, fieldLabel, formToParams, initialValues, layerChoices, schemaToForm } from '../../src/schemaForm';
import fixture from './fixtures/new-analysis.json';
import layersJson from './fixtures/layers.json';

const analyses = fixture as unknown as AnalysisInfo[];
const layers = layersJson as unknown as LayerInfo[];
const rob = analysisOf(analyses, 'banjir_rob')!;
const form = schemaToForm(rob.params_schema);
const byKey = Object.fromEntries(form.map((f) => [f.key, f]));

group('a new analysis: its form', () => {
  it('offers layers by the roles and geometry its params ask for', () => {
    expect(byKey.zones.kind).toBe('layer');
    expect(layerChoices(byKey.zones, layers)).toEqual(['kecamatan', 'kelurahan']);
    expect(byKey.tide.kind).toBe('layer');
    expect(layerChoices(byKey.tide, layers)).toEqual(['banjir_q10', 'banjir_q100', 'banjir_q25']);
  });
  it('offers the fields of the layer chosen in the param they belong to, of their types', () => {
    expect(byKey.depth_field).toMatchObject({ kind: 'field', fieldOf: 'tide', numeric: true });
    expect(fieldChoices(byKey.depth_field, layers, { tide: 'banjir_q10' })).toEqual(['depth_min_m', 'luas_ha']);
    // a nullable anyOf keeps its annotations
    expect(byKey.class_field).toMatchObject({ kind: 'field', fieldOf: 'tide', numeric: false });
    expect(fieldChoices(byKey.class_field, layers, { tide: 'banjir_q10' })).toEqual(['kode', 'depth_class']);
    expect(byKey.counts).toMatchObject({ kind: 'fields', fieldOf: 'zones', numeric: true });
    expect(fieldChoices(byKey.counts, layers, { zones: 'kecamatan' })).toEqual(['population', 'households', 'jumlah_kelurahan']);
    expect(fieldChoices(byKey.counts, layers, { zones: '' })).toEqual([]);
  });
  it('offers the numeric columns of the analysis another param names', () => {
    expect(byKey.weight).toMatchObject({ kind: 'column', columnOf: { param: 'source' } });
    expect(columnChoices(byKey.weight, analyses, { source: 'pasang' })).toEqual(['tide_m']);
    expect(columnChoices(byKey.weight, analyses, { source: 'banjir_rob' })).toEqual(['depth_m', 'flooded_population', 'dry_share', 'repair_cost', 'population']);
    expect(columnChoices(byKey.weight, analyses, { source: '' })).toEqual([]);
  });
  it('labels and helps in both languages', () => {
    expect(fieldLabel(byKey.tide, 'id')).toBe('Genangan rob');
    expect(fieldLabel(byKey.tide, 'en')).toBe('Tidal flood extent');
    expect(fieldHelp(byKey.depth_field, 'id')).toBe('Kolom kedalaman genangan (meter).');
    expect(fieldHelp(byKey.depth_field, 'en')).toBe('Depth field of `tide` (metres).');
    expect(analysisTitle(rob, rob.name, 'id')).toBe('Banjir rob');
    expect(analysisTitle(rob, rob.name, 'en')).toBe('Tidal flooding');
    expect(say(rob.description, 'id')).toMatch(/^Penduduk di genangan rob/);
  });
  it('starts from the default params the server gives for the project', () => {
    const v = initialValues(form, layers, rob.default_params);
    expect(v).toMatchObject({ zones: 'kelurahan', tide: 'banjir_q10', counts: ['under5'], threshold_m: '0.1' });
    expect(formToParams(form, v)).toEqual({ zones: 'kelurahan', tide: 'banjir_q10', counts: ['under5'], threshold_m: 0.1 });
    // without defaults, the finest zones and the first hazard
    expect(initialValues(form, layers)).toMatchObject({ zones: 'kelurahan', tide: 'banjir_q10' });
  });
});

group('a new analysis: its results on the map', () => {
  const rows: Row[] = [
    { id: 'a', depth_m: 0.4, flooded_population: 120, rob_population: 80, dry_share: 0.6, population: 900, level: 'rendah', repair_cost: 2e9 },
    { id: 'b', depth_m: 1.5, flooded_population: 800, rob_population: 700, dry_share: 0.1, population: 1200, level: 'tinggi', repair_cost: 9e9 },
  ];
  it('maps the headline first, in yellow–red as less of it is better', () => {
    expect(headlineOf(rob)).toBe('depth_m');
    expect(defaultField(rob, numericColumns(rows))).toBe('depth_m');
    expect(paletteOf(rob, 'depth_m')).toBe('need');
    expect(paletteOf(rob, 'dry_share')).toBe('good');
    expect(paletteOf(rob, 'population')).toBe('good');
    expect(palette(5, paletteOf(rob, 'depth_m'))[4]).toBe('#bd0026');
  });
  it('labels a templated column with the text it stands for, in both languages', () => {
    expect(columnLabel(rob, 'rob_population', 'id')).toBe('Penduduk di rob');
    expect(columnLabel(rob, 'rob_population', 'en')).toBe('People in rob');
    expect(betterOf(rob, 'rob_population')).toBe('lower');
    expect(columnHeading(rob, 'flooded_population', 'id')).toBe('Penduduk tergenang (jiwa)');
    expect(columnHeading(rob, 'flooded_population', 'en')).toBe('People flooded');
    expect(columnHeading(rob, 'depth_m', 'en')).toBe('Flood depth');
  });
  it('formats by kind and unit, and a category by its label', () => {
    expect(formatKey(rob, 'depth_m', 1.5, 'id')).toBe('1,5 m');
    expect(formatKey(rob, 'dry_share', 0.25, 'id')).toBe('25%');
    expect(formatKey(rob, 'repair_cost', 2e9, 'en')).toBe('Rp 2 billion');
    expect(formatKey(rob, 'flooded_population', 1928.9, 'id')).toBe('1.929');
    expect(formatKey(rob, 'level', 'tinggi', 'id')).toBe('Tinggi');
    expect(formatKey(rob, 'level', 'tinggi', 'en')).toBe('High');
    // an unknown column is formatted neutrally, whatever its name suggests
    expect(describe(rob, 'exposed_share')).toBeUndefined();
    expect(formatKey(rob, 'exposed_share', 0.148, 'id')).toBe('0,148');
  });
  it('draws its legend in the column format', () => {
    const items = legendItems({ title: '', subtitle: '', field: 'depth_m', breaks: [0.4, 1, 1.5], colors: ['#a', '#b'], nodata: false, format: (x, l) => formatKey(rob, 'depth_m', x, l) });
    expect(items.map((i) => i.label)).toEqual(['0,4 m – 1 m', '1 m – 1,5 m']);
  });
  it('lists the name, the headline and the category in the table', () => {
    expect(rankColumn(rob, numericColumns(rows))).toBeUndefined();
    expect(tableColumns(rob, rows, 'depth_m')).toEqual(['name', 'depth_m', 'level', 'flooded_population', 'rob_population', 'dry_share']);
  });
});

group('a new analysis: compared with a scenario', () => {
  const base: Row[] = [
    { id: 'a', depth_m: 0.4, flooded_population: 120, population: 900 },
    { id: 'b', depth_m: 1.5, flooded_population: 800, population: 1200 },
  ];
  const scen: Row[] = [
    { id: 'a', depth_m: 0.6, depth_m_delta: 0.2, flooded_population: 150, flooded_population_delta: 30, population: 945, population_delta: 45 },
    { id: 'b', depth_m: 1.5, depth_m_delta: 0, flooded_population: 800, flooded_population_delta: 0, population: 1260, population_delta: 60 },
  ];
  const cmp: Comparison = {
    scenarios: [],
    analyses: [
      {
        analysis: 'pasang',
        baseline: { analysis: 'pasang', params: {}, summary: {}, rows: [{ id: 'a', tide_m: 1 }], meta: { engine_version: '0.1.0', elapsed_ms: 0, layers: {} } },
        scenarios: [{ scenario: 's', version: 1, summary: {}, summary_delta: {}, rows: [{ id: 'a', tide_m: 1, tide_m_delta: 0 }], only_in_baseline: [], only_in_scenario: [], sentences: [], sentences_id: [], meta: { engine_version: '0.1.0', elapsed_ms: 0, layers: {} } }],
      },
      {
        analysis: 'banjir_rob',
        baseline: { analysis: 'banjir_rob', params: {}, summary: { flooded_population: 920, population: 2100, depth_m: 1.5, zones: 2 }, rows: base, meta: { engine_version: '0.1.0', elapsed_ms: 0, layers: {} } },
        scenarios: [
          {
            scenario: 's',
            version: 1,
            summary: { flooded_population: 950, population: 2205, depth_m: 1.5, zones: 2 },
            summary_delta: { flooded_population: 30, population: 105, depth_m: 0, zones: 0 },
            rows: scen,
            only_in_baseline: [],
            only_in_scenario: [],
            sentences: [],
            sentences_id: [],
            meta: { engine_version: '0.1.0', elapsed_ms: 0, layers: {} },
          },
        ],
      },
    ],
    elapsed_ms: 1,
  };
  it('judges a change by the column: more depth is worse (red), more people neither', () => {
    expect(betterOf(rob, 'depth_m_delta')).toBe('lower');
    expect(divergingPalette(7, betterOf(rob, 'depth_m'))[6]).toBe('#b2182b');
    expect(divergingPalette(7, betterOf(rob, 'dry_share'))[6]).toBe('#2166ac');
    expect(betterOf(rob, 'population_delta')).toBe('neutral');
    expect(divergingPalette(7, betterOf(rob, 'population'))).not.toContain('#b2182b');
    expect(betterOf(rob, 'something_else')).toBe('neutral');
  });
  it('maps the headline change and opens on the analysis that changed', () => {
    expect(defaultDeltaField(rob, scen)).toBe('depth_m');
    expect(firstChanged(cmp)).toBe(1);
  });
  it('charts the summary figures it describes as good or bad news, headline first', () => {
    expect(chartKeys(cmp.analyses[1], rob)).toEqual(['depth_m', 'flooded_population', 'population']);
  });
});
