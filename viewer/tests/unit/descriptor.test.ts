import { describe as group, expect, it } from 'vitest';
import type { AnalysisInfo, Row } from '../../src/api';
import { chartKeys } from '../../src/delta';
import { analysisOf, analysisTitle, columnHeading, columnLabel, describe, formatKey, headlineOf, numericColumns, paletteOf, say, templateMatch } from '../../src/descriptor';
import { defaultField, rankColumn, tableColumns } from '../../src/resultColumns';
import analysesJson from './fixtures/analyses.json';

// `tepat analyses --json` of the demo city.
const analyses = analysesJson as unknown as AnalysisInfo[];
const info = (name: string) => analysisOf(analyses, name)!;

group('templates', () => {
  it('match one or more characters per placeholder, as the engine does', () => {
    expect(templateMatch('count', 'count')).toEqual({});
    expect(templateMatch('count', 'counts')).toBeNull();
    expect(templateMatch('sum_{field}', 'sum_students')).toEqual({ field: 'students' });
    expect(templateMatch('sum_{field}', 'sum_')).toBeNull();
    expect(templateMatch('sum_{field}', 'mean_students')).toBeNull();
    expect(templateMatch('{class}_population', 'tinggi_population')).toEqual({ class: 'tinggi' });
    expect(templateMatch('{class}_population', '_population')).toBeNull();
    expect(templateMatch('exposed_{what}_{class}', 'exposed_poor_tinggi')).toEqual({ what: 'poor', class: 'tinggi' });
    expect(templateMatch('exposed_{what}_{class}', 'exposed__tinggi')).toBeNull();
    expect(templateMatch('{category}', 'banjir')).toEqual({ category: 'banjir' });
    expect(templateMatch('a.b_{x}', 'aXb_1')).toBeNull(); // literals are literal
  });
});

group('the demo city descriptors', () => {
  it('give every analysis a title in both languages and one headline column', () => {
    expect(analyses.length).toBeGreaterThanOrEqual(10);
    for (const a of analyses) {
      expect(say(a.title, 'id'), a.name).not.toBe('');
      expect(say(a.title, 'en'), a.name).not.toBe('');
      expect(a.columns.filter((c) => c.headline), a.name).toHaveLength(1);
    }
    expect(analysisTitle(info('index'), 'index', 'id')).toBe('Indeks prioritas');
    expect(analysisTitle(undefined, 'baru', 'id')).toBe('baru');
  });
  it('label templated columns with the text they stand for; an exact name wins', () => {
    // a layer attribute in a placeholder reads by its label
    expect(columnLabel(info('aggregate'), 'sum_students', 'id')).toBe('Total siswa');
    expect(columnLabel(info('aggregate'), 'mean_students', 'en')).toBe('Mean of students');
    expect(columnLabel(info('aggregate'), 'sum_penduduk_bps', 'id')).toBe('Total penduduk_bps');
    expect(columnLabel(info('complaints'), 'count_sampah', 'id')).toBe('Pengaduan sampah');
    expect(columnLabel(info('complaints'), 'count', 'en')).toBe('Complaints');
    expect(columnHeading(info('exposure'), 'exposed_population', 'id')).toBe('Penduduk terpapar (jiwa)');
    expect(columnHeading(info('exposure'), 'exposed_share', 'id')).toBe('Persentase penduduk terpapar');
    expect(columnLabel(info('exposure'), 'exposed_population_delta', 'en')).toBe('People exposed');
    // a summary figure is matched by exact name only
    expect(describe(info('complaints'), 'zones', false)).toBeUndefined();
    expect(describe(info('complaints'), 'count', false)?.column.name).toBe('count');
  });
  it('format by kind: shares, distances, money, category labels', () => {
    expect(formatKey(info('exposure'), 'exposed_share', 0.148, 'id')).toBe('14,8%');
    expect(formatKey(info('access'), 'nearest_m', 1234.5, 'id')).toBe('1.235 m');
    expect(formatKey(info('allocate'), 'cost', 2e10, 'id')).toBe('Rp 20 miliar');
    expect(formatKey(info('exposure'), 'hazard_area_m2', 2500, 'id')).toBe('2.500 m²');
    expect(formatKey(info('exposure'), 'hazard_area_m2', 1_234_567, 'id')).toBe('123 ha');
    expect(formatKey(info('exposure'), 'hazard_area_m2', 45_000, 'en')).toBe('4.5 ha');
    expect(formatKey(info('hotspots'), 'label', 'Hot spot', 'id')).toBe('Titik panas');
    expect(formatKey(info('hotspots'), 'label', 'Hot spot', 'en')).toBe('Hot spot');
    expect(formatKey(info('hotspots'), 'label', 'something new', 'id')).toBe('something new');
  });
  it('colour need in yellow–red and access in yellow–blue', () => {
    expect(paletteOf(info('index'), 'score')).toBe('need');
    expect(paletteOf(info('exposure'), headlineOf(info('exposure'))!)).toBe('need');
    expect(paletteOf(info('access'), 'access')).toBe('good');
    expect(paletteOf(info('access'), 'covered_population')).toBe('good');
    expect(paletteOf(info('access'), 'nearest_m')).toBe('need');
  });
  it('map the headline first and list a ranking by its rank', () => {
    const rows: Row[] = [{ id: '1', name: 'A', score: 0.5, rank: 1, rank_low: 1, rank_high: 2, top: true, top_n_share: 0.9, contributions: {} }];
    const index = info('index');
    expect(defaultField(index, ['rank', 'score', 'rank_low'])).toBe('score');
    expect(defaultField(undefined, ['rank', 'score'])).toBe('rank');
    expect(rankColumn(index, ['score', 'rank_low', 'rank'])).toBe('rank');
    expect(tableColumns(index, rows, 'score')).toEqual(['rank', 'name', 'score', 'top_n_share']);
    expect(numericColumns(info('exposure'))).toContain('poor_exposed_share');
    // hot spots: the finding beside the z-score, one category column only
    const hot: Row[] = [{ id: '1', z: 2.5, label: 'High-High', quadrant: 'HH', value: 0.2, eb: 0.1, stat: 1.2, p: 0.01, island: false }];
    expect(tableColumns(info('hotspots'), hot, 'z')).toEqual(['name', 'z', 'label', 'value', 'eb', 'stat']);
  });
  it('chart the access figures that are good or bad news', () => {
    const summary = { population: 1000, covered_population: 800, uncovered_population: 200, mean_nearest_m: 900, facilities_open: 16 };
    const keys = chartKeys(
      {
        analysis: 'access',
        baseline: { analysis: 'access', params: {}, summary, rows: [], meta: { engine_version: '0.1.0', elapsed_ms: 0, layers: {} } },
        scenarios: [{ scenario: 's', version: 1, summary, summary_delta: { population: 0, covered_population: 50, uncovered_population: -50, mean_nearest_m: -20, facilities_open: 1 }, rows: [], only_in_baseline: [], only_in_scenario: [], sentences: [], sentences_id: [], meta: { engine_version: '0.1.0', elapsed_ms: 0, layers: {} } }],
      },
      info('access'),
    );
    expect(keys.slice(0, 2)).toEqual(['covered_population', 'uncovered_population']);
    expect(keys).toHaveLength(4);
    expect(keys).not.toContain('population'); // no news either way, and unchanged
  });
});
