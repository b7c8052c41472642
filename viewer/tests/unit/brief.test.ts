import { describe, expect, it } from 'vitest';
import type { AnalysisInfo, LayerDetail, Recommendation } from '../../src/api';
import { assumptions, briefModel, canDecide, formatDate, rankedRows } from '../../src/brief';
import analysesJson from './fixtures/analyses.json';

const analyses = analysesJson as unknown as AnalysisInfo[];

const row = (id: string, rank: number, name: string) => ({
  id,
  name,
  rank,
  score: 1 - rank / 100,
  rank_low: Math.max(1, rank - 1),
  rank_high: rank + 2,
  reasons: [{ indicator: 'x', contribution: 0.3, id: `penduduk terpapar tinggi (${name})`, en: `high exposed share (${name})` }],
});

const rec: Recommendation = {
  id: 'rec_1',
  title: 'Prioritas gizi',
  question: 'Kelurahan mana dulu?',
  analysis: 'index',
  params: {},
  scenario: null,
  top_n: 3,
  budget: 2e10,
  notes: 'cek lapangan',
  status: 'proposed',
  created_by: 'ab12cd',
  created_role: 'planner',
  created_at: '2026-11-27T10:00:00Z',
  layers: { kelurahan: 'f'.repeat(64), banjir_q10: 'e'.repeat(64) },
  result: {
    analysis: 'index',
    params: {
      zones: 'kelurahan',
      method: 'weighted_sum',
      inputs: { exposure: { analysis: 'exposure', params: { zones: 'kelurahan', hazard: 'banjir_q10' } } },
      indicators: [
        { from: 'exposure', field: 'exposed_share', weight: 3 },
        { field: 'poor_households', per: 'households', weight: 1, direction: 'higher_is_worse' },
      ],
      sensitivity: { runs: 200, spread: 0.2 },
      top_n: 3,
    },
    summary: {},
    rows: [row('c', 3, 'Gamma'), row('a', 1, 'Alpha'), row('d', 4, 'Delta'), row('b', 2, 'Beta')],
    meta: { row_layer: 'kelurahan', engine_version: '0.1.0', elapsed_ms: 1, layers: {} },
  },
  decisions: [],
  comments: [],
};

const details = new Map<string, LayerDetail>([
  ['kelurahan', { name: 'kelurahan', role: 'zones', geometry: 'polygon', features: 83, crs: 'EPSG:32751', bbox: null, fields: [], spec: { path: 'kelurahan.geojson', source: 'BPS Kota Demo 2024', source_date: '2024-06' } } as LayerDetail],
  ['banjir_q10', { name: 'banjir_q10', role: 'hazard', geometry: 'polygon', features: 3, crs: 'EPSG:32751', bbox: null, fields: [], uploaded_at: '2026-11-20T08:00:00Z' } as LayerDetail],
]);

describe('the leader brief model', () => {
  it('lists the top N by rank with reasons in the language', () => {
    const m = briefModel(rec, details, 'id');
    expect(m.rows.map((r) => r.name)).toEqual(['Alpha', 'Beta', 'Gamma']);
    expect(m.total).toBe(4);
    expect(m.rows[0].reasons).toEqual(['penduduk terpapar tinggi (Alpha)']);
    expect(m.rows[1].interval).toEqual([1, 4]);
    expect(briefModel(rec, details, 'en').rows[0].reasons[0]).toBe('high exposed share (Alpha)');
  });
  it('heads and formats the score as the analysis describes it', () => {
    const m = briefModel(rec, details, 'id', 'score', analyses);
    expect(m.scoreLabel).toBe('Skor kebutuhan');
    expect(m.rows[0].score).toBeCloseTo(0.99);
    expect(m.rows[0].scoreText).toBe('0,99');
    expect(briefModel(rec, details, 'en', 'score', analyses).scoreLabel).toBe('Need score');
  });
  it('says the budget in words and who prepared it', () => {
    const m = briefModel(rec, details, 'id');
    expect(m.budget).toBe('Rp 20 miliar');
    expect(m.createdBy).toBe('perencana (ab12cd)');
    expect(m.createdAt).toBe('27 November 2026');
    expect(briefModel({ ...rec, budget: null }, details, 'id').budget).toBeNull();
  });
  it('states the assumptions: weights as shares, hazard, sensitivity, baseline', () => {
    const a = assumptions(rec, 'id', analyses);
    // the analysis' title and the input's column label come from their descriptors
    expect(a[0]).toMatch(/Indeks prioritas.*jumlah berbobot/);
    expect(assumptions(rec, 'en', analyses)[0]).toMatch(/Targeting index.*weighted sum/);
    expect(a.find((x) => x.startsWith('Indikator 1'))).toMatch(/Persentase penduduk terpapar.*\(exposure\).*75%/);
    expect(a.find((x) => x.startsWith('Indikator 2'))).toMatch(/per rumah tangga.*25%.*makin tinggi makin butuh/);
    expect(a).toContain('Lapisan bahaya: banjir_q10');
    expect(a.some((x) => /200 simulasi.*±20%/.test(x))).toBe(true);
    expect(a.at(-1)).toMatch(/kondisi saat ini/);
    expect(assumptions({ ...rec, scenario: 'sc_1', scenario_version: 3 }, 'en').at(-1)).toBe('Computed on scenario sc_1 (version 3)');
  });
  it('lists the data sources with their files, dates and fingerprints', () => {
    const m = briefModel(rec, details, 'en');
    expect(m.sources.map((s) => s.name)).toEqual(['banjir_q10', 'kelurahan']);
    expect(m.sources[1]).toMatchObject({ role: 'zones', features: 83, file: 'kelurahan.geojson', hash: 'ffffffffffff', source: 'BPS Kota Demo 2024', dates: ['Data date: June 2024'] });
    expect(m.sources[0]).toMatchObject({ source: null, dates: ['uploaded_at: 20 November 2026'] });
    expect(briefModel(rec, details, 'id').sources[1].dates).toEqual(['Tanggal data: Juni 2024']);
  });
  it('shows the decision buttons to leaders only', () => {
    expect(canDecide('leader')).toBe(true);
    for (const r of ['planner', 'admin', 'researcher', null, undefined]) expect(canDecide(r)).toBe(false);
  });
  it('ranks rows without a rank by the field', () => {
    const rows = [
      { id: 'a', v: 1 },
      { id: 'b', v: 3 },
      { id: 'c', v: 2 },
    ];
    expect(rankedRows(rows, 'v').map((r) => r.id)).toEqual(['b', 'c', 'a']);
  });
  it('formats dates, and leaves non-dates alone', () => {
    expect(formatDate('2026-01-05T00:00:00Z', 'id')).toBe('5 Januari 2026');
    expect(formatDate('BPS 2024', 'id')).toBe('BPS 2024');
    expect(formatDate(null, 'en')).toBe('–');
  });
});
