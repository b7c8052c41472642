import { describe, expect, it } from 'vitest';
import type { AnalysisInfo, LayerInfo } from '../../src/api';
import { fieldChoices, FormError, formToParams, initialValues, layerChoices, schemaToForm } from '../../src/schemaForm';
import { EXPOSURE_INPUT, indexParams, presetIndex } from '../../src/indexForm';
import analysesJson from './fixtures/analyses.json';
import layersJson from './fixtures/layers.json';

// Fixtures: GET /api/v1/analyses and /api/v1/layers of the demo city.
const analyses = analysesJson as unknown as AnalysisInfo[];
const layers = layersJson as unknown as LayerInfo[];
const schemaOf = (name: string) => analyses.find((a) => a.name === name)!.params_schema;
const byKey = (name: string) => Object.fromEntries(schemaToForm(schemaOf(name)).map((f) => [f.key, f]));

describe('schema to form', () => {
  it('offers layers by role and fields of the chosen layer for aggregate', () => {
    const f = byKey('aggregate');
    expect(f.zones.kind).toBe('layer');
    expect(f.zones.required).toBe(true);
    expect(layerChoices(f.zones, layers)).toEqual(['kecamatan', 'kelurahan']);
    expect(f.layer.kind).toBe('layer');
    expect(layerChoices(f.layer, layers)).not.toContain('elevasi'); // rasters are not offered
    expect(f.sum.kind).toBe('fields');
    expect(f.sum.fieldOf).toBe('layer');
    expect(fieldChoices(f.sum, layers, { layer: 'sekolah' })).toEqual(['capacity', 'students']);
    expect(fieldChoices(f.sum, layers, { layer: '' })).toEqual([]);
    expect(f.filter.kind).toBe('json');
    expect(f.filter.advanced).toBe(true);
    expect(f.key.kind).toBe('field');
  });
  it('understands exposure: hazard layers, the class field of the hazard, nullable lists', () => {
    const f = byKey('exposure');
    expect(layerChoices(f.hazard, layers)).toEqual(['banjir_q10', 'banjir_q100', 'banjir_q25']);
    expect(f.class_field.kind).toBe('field');
    expect(f.class_field.fieldOf).toBe('hazard');
    expect(fieldChoices(f.class_field, layers, { hazard: 'banjir_q25' })).toContain('depth_class');
    expect(f.classes.kind).toBe('list');
    expect(f.breaks.kind).toBe('numbers');
    expect(f.population.kind).toBe('field'); // string | {layer, field}: the string form
    expect(f.counts.kind).toBe('fields');
    expect(f.facilities.kind).toBe('layer');
    expect(layerChoices(f.facilities, layers)).toEqual(['puskesmas', 'rumah_sakit', 'sekolah']);
  });
  it('hotspots, clusters and complaints: events layers and the fields of the chosen layer', () => {
    const h = byKey('hotspots');
    expect(h.field.kind).toBe('field');
    expect(h.field.fieldOf).toBe('layer');
    expect(fieldChoices(h.field, layers, { layer: 'kelurahan' })).toContain('poor_households');
    expect(h.numerator.fieldOf).toBe('layer');
    expect(h.denominator.fieldOf).toBe('layer');
    const c = byKey('clusters');
    expect(c.fields.kind).toBe('fields');
    expect(c.fields.fieldOf).toBe('layer');
    expect(c.floor_field.kind).toBe('field');
    expect(fieldChoices(c.floor_field, layers, { layer: 'kelurahan' })).toContain('population');
    expect(c.category_field.fieldOf).toBe('layer');
    const k = byKey('complaints');
    expect(k.events.kind).toBe('layer');
    expect(layerChoices(k.events, layers)).toEqual(['pengaduan']);
    expect(k.zones.kind).toBe('layer');
    expect(k.category_field.fieldOf).toBe('events');
    expect(fieldChoices(k.category_field, layers, { events: 'pengaduan' })).toContain('kategori');
    expect(k.time_field.fieldOf).toBe('events');
  });
  it('turns oneOf consts into a choice with the default selected (access.method)', () => {
    const f = byKey('access');
    expect(f.method.kind).toBe('enum');
    expect(f.method.options!.map((o) => o.value)).toEqual(['nearest', 'coverage', '2sfca', 'e2sfca', 'gravity']);
    expect(f.radius_m.kind).toBe('number');
    expect(f.k.kind).toBe('integer');
    expect(f.exclude_in_hazard.kind).toBe('layer');
    const v = initialValues(schemaToForm(schemaOf('access')), layers);
    expect(v.method).toBe('nearest');
    expect(v.demand).toBe('kelurahan');
    expect(v.facilities).toBe('puskesmas');
  });
  it('interpolate: polygon sources, zone targets, a boolean with its default', () => {
    const f = byKey('interpolate');
    expect(layerChoices(f.source, layers)).toContain('kecamatan');
    expect(layerChoices(f.source, layers)).not.toContain('sekolah');
    expect(f.allocate_total.kind).toBe('boolean');
    expect(f.extensive.fieldOf).toBe('source');
  });
});

describe('form to params', () => {
  const fields = schemaToForm(schemaOf('aggregate'));
  it('leaves optional empties out so defaults apply', () => {
    const p = formToParams(fields, { zones: 'kelurahan', layer: 'sekolah', sum: [], filter: '', key: '' });
    expect(p).toEqual({ zones: 'kelurahan', layer: 'sekolah' });
  });
  it('keeps chosen fields and parses JSON', () => {
    const p = formToParams(fields, {
      zones: 'kelurahan',
      layer: 'sekolah',
      sum: ['students'],
      filter: '{"field":"jenjang","values":["SD"]}',
    });
    expect(p).toEqual({ zones: 'kelurahan', layer: 'sekolah', sum: ['students'], filter: { field: 'jenjang', values: ['SD'] } });
  });
  it('names the param that is wrong', () => {
    expect(() => formToParams(fields, { zones: '', layer: 'sekolah' })).toThrow(FormError);
    expect(() => formToParams(fields, { zones: 'kelurahan', layer: 'sekolah', filter: '{nope' })).toThrow(/filter/);
    const access = schemaToForm(schemaOf('access'));
    expect(() => formToParams(access, { demand: 'kelurahan', facilities: 'puskesmas', radius_m: 'abc' })).toThrow(/radius_m/);
    expect(formToParams(access, { demand: 'kelurahan', facilities: 'puskesmas', radius_m: '1500,5', k: '2' })).toMatchObject({
      radius_m: 1500.5,
      k: 2,
    });
  });
  it('lists and numbers from comma-separated text', () => {
    const exp = schemaToForm(schemaOf('exposure'));
    const p = formToParams(exp, { zones: 'kelurahan', hazard: 'banjir_q25', classes: 'rendah, sedang ,tinggi', breaks: '0.5,1.5' });
    expect(p.classes).toEqual(['rendah', 'sedang', 'tinggi']);
    expect(p.breaks).toEqual([0.5, 1.5]);
  });
});

describe('index preset', () => {
  it('is the documented example for the demo city', () => {
    const params = indexParams(presetIndex(layers), layers);
    expect(params).toEqual({
      zones: 'kelurahan',
      inputs: {
        [EXPOSURE_INPUT]: { analysis: 'exposure', params: { zones: 'kelurahan', hazard: 'banjir_q25', class_field: 'depth_class' } },
      },
      indicators: [
        { from: 'banjir', field: 'poor_exposed_share', weight: 0.5 },
        { field: 'poor_households', per: 'households', weight: 0.3 },
        { field: 'under5', per: 'population', weight: 0.2 },
      ],
      top_n: 10,
      sensitivity: { runs: 200 },
    });
  });
  it('drops the exposure input when no indicator uses it and rejects bad weights', () => {
    const f = presetIndex(layers);
    f.indicators = f.indicators.filter((r) => r.from === '');
    f.indicators[0].direction = 'higher_is_better';
    const p = indexParams(f, layers);
    expect(p.inputs).toBeUndefined();
    expect((p.indicators as Record<string, unknown>[])[0].direction).toBe('higher_is_better');
    f.indicators[0].weight = 'x';
    expect(() => indexParams(f, layers)).toThrow(/weight/);
  });
});
