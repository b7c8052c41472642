import { describe, expect, it } from 'vitest';
import type { AnalysisInfo, LayerInfo } from '../../src/api';
import { fieldChoices, fieldHelp, fieldLabel, FormError, formToParams, initialValues, layerChoices, schemaToForm } from '../../src/schemaForm';
import { EXPOSURE_INPUT, exposureFields, indexParams, presetIndex } from '../../src/indexForm';
import analysesJson from './fixtures/analyses.json';
import layersJson from './fixtures/layers.json';

// Fixtures: `tepat analyses --json` and GET /api/v1/layers of the demo city.
const analyses = analysesJson as unknown as AnalysisInfo[];
const layers = layersJson as unknown as LayerInfo[];
const info = (name: string) => analyses.find((a) => a.name === name)!;
const schemaOf = (name: string) => info(name).params_schema;
const byKey = (name: string) => Object.fromEntries(schemaToForm(schemaOf(name)).map((f) => [f.key, f]));

describe('schema to form', () => {
  it('offers layers by role and geometry and fields of the chosen layer for aggregate', () => {
    const f = byKey('aggregate');
    expect(f.zones.kind).toBe('layer');
    expect(f.zones.required).toBe(true);
    // zones or hazard polygons, as its schema says
    expect(layerChoices(f.zones, layers)).toEqual(['banjir_q10', 'banjir_q100', 'banjir_q25', 'kecamatan', 'kelurahan']);
    expect(f.layer.kind).toBe('layer');
    expect(layerChoices(f.layer, layers)).toContain('statistik'); // a table joined by code
    expect(layerChoices(f.layer, layers)).not.toContain('elevasi'); // rasters are not offered
    expect(f.sum.kind).toBe('fields');
    expect(f.sum.fieldOf).toBe('layer');
    expect(f.sum.numeric).toBe(true);
    expect(fieldChoices(f.sum, layers, { layer: 'sekolah' })).toEqual(['capacity', 'students']);
    expect(fieldChoices(f.sum, layers, { layer: '' })).toEqual([]);
    expect(f.filter.kind).toBe('json');
    expect(f.filter.advanced).toBe(true);
    expect(f.key.kind).toBe('field');
    expect(f.key.numeric).toBe(false);
    expect(fieldChoices(f.key, layers, { layer: 'statistik' })).toEqual(['kode', 'nama', 'tahun', 'penduduk_bps', 'rumah_tangga_miskin']);
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
    expect(fieldChoices(h.field, layers, { layer: 'kelurahan' })).not.toContain('nama');
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
  it('turns oneOf consts into a choice and starts from the default params (access)', () => {
    const f = byKey('access');
    expect(f.method.kind).toBe('enum');
    expect(f.method.options!.map((o) => o.value)).toEqual(['nearest', 'coverage', '2sfca', 'e2sfca', 'gravity']);
    expect(f.radius_m.kind).toBe('number');
    expect(f.k.kind).toBe('integer');
    expect(layerChoices(f.demand, layers)).toEqual(['kecamatan', 'kelurahan']);
    const fields = schemaToForm(schemaOf('access'));
    // the server's defaults for this project: 2SFCA within 2 km of the puskesmas
    expect(initialValues(fields, layers, info('access').default_params)).toMatchObject({ demand: 'kelurahan', facilities: 'puskesmas', method: '2sfca', radius_m: '2000' });
    // without them, the schema's default method and the finest zones
    const v = initialValues(fields, layers);
    expect(v.method).toBe('nearest');
    expect(v.demand).toBe('kelurahan');
    expect(v.facilities).toBe('puskesmas');
  });
  it('interpolate: polygon sources, zone targets, a boolean with its default', () => {
    const f = byKey('interpolate');
    expect(layerChoices(f.source, layers)).toContain('kecamatan');
    expect(layerChoices(f.source, layers)).not.toContain('sekolah');
    expect(layerChoices(f.target, layers)).toEqual(['kecamatan', 'kelurahan']);
    expect(f.allocate_total.kind).toBe('boolean');
    expect(f.extensive.fieldOf).toBe('source');
  });
  it('locate: a union of a layer and a filter offers the layer; point or polygon candidates', () => {
    const f = byKey('locate');
    expect(f.exclude_hazard.kind).toBe('layer');
    expect(layerChoices(f.exclude_hazard, layers)).toEqual(['banjir_q10', 'banjir_q100', 'banjir_q25']);
    expect(layerChoices(f.candidates, layers)).toEqual(expect.arrayContaining(['puskesmas', 'kelurahan', 'daratan']));
    expect(layerChoices(f.candidates, layers)).not.toContain('jalan');
    expect(f.site_cost.fieldOf).toBe('candidates');
  });
  it('labels and helps every param of every analysis in both languages', () => {
    for (const a of analyses) {
      for (const f of schemaToForm(a.params_schema)) {
        for (const l of ['id', 'en'] as const) {
          expect(fieldLabel(f, l), `${a.name}.${f.key} label ${l}`).not.toBe(f.key);
          expect(fieldHelp(f, l), `${a.name}.${f.key} help ${l}`).not.toBe('');
        }
      }
    }
    expect(fieldLabel(byKey('aggregate').layer, 'id')).toBe('Lapisan yang dihitung');
    expect(fieldLabel(byKey('aggregate').layer, 'en')).toBe('Layer to count');
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
  it('round-trips the default params', () => {
    const agg = info('aggregate');
    expect(formToParams(fields, initialValues(fields, layers, agg.default_params))).toEqual(agg.default_params);
    const hot = info('hotspots');
    const hf = schemaToForm(hot.params_schema);
    expect(formToParams(hf, initialValues(hf, layers, hot.default_params))).toMatchObject(hot.default_params!);
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
    const params = indexParams(presetIndex(layers, analyses), layers);
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
  it('offers the numeric columns the exposure descriptor lists', () => {
    const fields = exposureFields(analyses);
    expect(fields).toEqual(expect.arrayContaining(['poor_exposed_share', 'exposed_share', 'exposed_population', 'displaced']));
    expect(fields).not.toContain('facilities_exposed'); // a nested detail, not a number
    expect(fields.some((f) => f.includes('{'))).toBe(false); // templates name no one column
  });
  it('drops the exposure input when no indicator uses it and rejects bad weights', () => {
    const f = presetIndex(layers, analyses);
    f.indicators = f.indicators.filter((r) => r.from === '');
    f.indicators[0].direction = 'higher_is_better';
    const p = indexParams(f, layers);
    expect(p.inputs).toBeUndefined();
    expect((p.indicators as Record<string, unknown>[])[0].direction).toBe('higher_is_better');
    f.indicators[0].weight = 'x';
    expect(() => indexParams(f, layers)).toThrow(/weight/);
  });
});
