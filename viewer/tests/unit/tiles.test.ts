import { describe, expect, it } from 'vitest';
import type { LayerInfo } from '../../src/api';
import { sourceLayer, vectorSource, wantsTiles } from '../../src/tiles';

const layer = (features: number, role: LayerInfo['role'] = 'events', geometry: LayerInfo['geometry'] = 'point'): LayerInfo => ({ name: 'pengaduan', role, geometry, features, crs: 'EPSG:4326', bbox: null, fields: [] });

describe('vector tiles for large layers', () => {
  it('asks for tiles only above the threshold, for vector layers', () => {
    expect(wantsTiles(layer(5132))).toBe(true);
    expect(wantsTiles(layer(83))).toBe(false);
    expect(wantsTiles(layer(5132, 'table', undefined))).toBe(false);
    expect(wantsTiles(layer(99999, 'raster', undefined))).toBe(false);
  });
  it('makes tile URLs absolute and keeps the template', () => {
    const src = vectorSource({ tiles: ['/api/v1/tiles/pengaduan/{z}/{x}/{y}.mvt'], minzoom: 8, maxzoom: 16, bounds: [124.7, 1.4, 125, 1.6] }, 'http://127.0.0.1:8080/?lang=en#/x');
    expect(src.tiles).toEqual(['http://127.0.0.1:8080/api/v1/tiles/pengaduan/{z}/{x}/{y}.mvt']);
    expect(src).toMatchObject({ type: 'vector', minzoom: 8, maxzoom: 16, bounds: [124.7, 1.4, 125, 1.6] });
    expect(vectorSource({ tiles: ['http://h/t/{z}/{x}/{y}.mvt'] }, 'http://x/')).toMatchObject({ minzoom: 0, maxzoom: 14 });
    expect(() => vectorSource({ tiles: [] }, 'http://x/')).toThrow(/tiles/);
  });
  it('draws the source-layer named like the layer', () => {
    expect(sourceLayer({ tiles: [], vector_layers: [{ id: 'other' }, { id: 'pengaduan' }] }, 'pengaduan')).toBe('pengaduan');
    expect(sourceLayer({ tiles: [], vector_layers: [{ id: 'only' }] }, 'pengaduan')).toBe('only');
    expect(sourceLayer({ tiles: [] }, 'pengaduan')).toBe('pengaduan');
  });
});
