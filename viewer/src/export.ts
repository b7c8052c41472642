// Exports of a result: CSV and GeoJSON as the API writes them (api/src/output.rs: `id` first,
// then every row key in first-seen order; nested values as JSON; the envelope's members beside
// the features), built here from the result when the API does not serve `?format=` itself.

import type { AnalysisResult } from './api';

function cell(v: unknown): string {
  if (v === null || v === undefined) return '';
  const s = typeof v === 'string' ? v : typeof v === 'object' ? JSON.stringify(v) : String(v);
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export function resultCsv(result: AnalysisResult): string {
  const columns = ['id'];
  for (const row of result.rows) for (const k of Object.keys(row)) if (!columns.includes(k)) columns.push(k);
  const lines = [columns.map(cell).join(',')];
  for (const row of result.rows) lines.push(columns.map((c) => cell(row[c])).join(','));
  return lines.join('\n') + '\n';
}

/** The rows as features, joined to `zones` (the row layer's features) by id. */
export function resultGeojson(result: AnalysisResult, zones: GeoJSON.FeatureCollection | undefined): string {
  const byId = new Map<string, GeoJSON.Feature>();
  for (const f of zones?.features ?? []) if (!byId.has(String(f.id))) byId.set(String(f.id), f);
  const features = result.rows.map((row) => ({
    type: 'Feature',
    id: row.id,
    geometry: byId.get(String(row.id))?.geometry ?? null,
    properties: row,
  }));
  const fc = { type: 'FeatureCollection', features, analysis: result.analysis, params: result.params, summary: result.summary, meta: result.meta };
  return JSON.stringify(fc) + '\n';
}

/** Saves `blob` as `filename` through a temporary link. */
export function download(blob: Blob, filename: string): void {
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = filename;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/** `tepat-index-2026-11-23.csv`. */
export function filename(analysis: string, ext: string, now = new Date()): string {
  const d = now.toISOString().slice(0, 10);
  return `tepat-${analysis}-${d}.${ext}`;
}
