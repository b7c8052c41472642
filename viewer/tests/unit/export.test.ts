import { describe, expect, it } from 'vitest';
import type { AnalysisResult } from '../../src/api';
import { filename, resultCsv, resultGeojson } from '../../src/export';

const result: AnalysisResult = {
  analysis: 't',
  params: {},
  summary: {},
  rows: [
    { id: '1', count: 2, name: 'a, "b"' },
    { id: '2', extra: null, count: 0, nested: { x: 1 } },
  ],
  meta: { row_layer: 'z', engine_version: '0.1.0', elapsed_ms: 0, layers: {} },
};

describe('exports', () => {
  it('CSV as the API writes it: id first, keys in first-seen order, quoting, nested as JSON', () => {
    expect(resultCsv(result)).toBe('id,count,name,extra,nested\n1,2,"a, ""b""",,\n2,0,,,"{""x"":1}"\n');
  });
  it('GeoJSON joins rows to zone geometry by id, the envelope alongside', () => {
    const zones: GeoJSON.FeatureCollection = {
      type: 'FeatureCollection',
      features: [{ type: 'Feature', id: '1', geometry: { type: 'Point', coordinates: [124.8, 1.5] }, properties: {} }],
    };
    const fc = JSON.parse(resultGeojson(result, zones));
    expect(fc.features.map((f: GeoJSON.Feature) => f.geometry?.type ?? null)).toEqual(['Point', null]);
    expect(fc.features[0].properties.count).toBe(2);
    expect(fc.analysis).toBe('t');
    expect(fc.meta.row_layer).toBe('z');
  });
  it('names files by analysis and date', () => {
    expect(filename('index', 'csv', new Date('2026-11-23T10:00:00Z'))).toBe('tepat-index-2026-11-23.csv');
  });
});
