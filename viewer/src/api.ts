// The HTTP API (/api/v1, see api/src/router.rs): typed fetches, problem+json errors, and a
// count of requests in flight for the loading indicator.

export type Role =
  | 'zones'
  | 'table'
  | 'facilities'
  | 'hazard'
  | 'demand'
  | 'network'
  | 'events'
  | 'raster'
  | 'context';

export interface FieldInfo {
  name: string;
  type: 'int' | 'float' | 'text' | 'bool' | string;
  nulls: number;
}

export interface LayerInfo {
  name: string;
  role: Role | string;
  geometry?: 'point' | 'line' | 'polygon' | string;
  features: number;
  crs?: string;
  bbox: [number, number, number, number] | null;
  fields: FieldInfo[];
}

export interface AnalysisInfo {
  name: string;
  description: string;
  params_schema: JsonSchema;
}

// A JSON Schema as schemars writes it (draft 2020-12); only what the form reads is typed.
export interface JsonSchema {
  type?: string | string[];
  description?: string;
  properties?: Record<string, JsonSchema>;
  required?: string[];
  items?: JsonSchema;
  default?: unknown;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  const?: unknown;
  enum?: unknown[];
  $ref?: string;
  $defs?: Record<string, JsonSchema>;
  additionalProperties?: boolean | JsonSchema;
  minimum?: number;
  format?: string;
}

export type Row = Record<string, unknown> & { id: string };

export interface AnalysisResult {
  analysis: string;
  params: Record<string, unknown>;
  summary: Record<string, unknown>;
  rows: Row[];
  meta: { engine_version?: string; elapsed_ms?: number; row_layer?: string | null; layers?: Record<string, string> };
}

export interface Health {
  status: string;
  engine_version: string;
  project: string;
}

/** An error to show: a problem+json body from the API, or a network failure. */
export class ApiError extends Error {
  constructor(
    public title: string,
    public detail: string,
    public status: number,
    public type?: string,
  ) {
    super(`${title}: ${detail}`);
  }
}

let inFlight = 0;
const busyListeners: Array<(busy: boolean) => void> = [];

/** Calls `f(true)` when a request starts with none in flight and `f(false)` when the last ends. */
export function onBusy(f: (busy: boolean) => void): void {
  busyListeners.push(f);
}

function busy(delta: number): void {
  const before = inFlight > 0;
  inFlight += delta;
  const now = inFlight > 0;
  if (before !== now) for (const f of busyListeners) f(now);
}

const BASE = 'api/v1';

async function request(path: string, init?: RequestInit): Promise<Response> {
  busy(1);
  try {
    let r: Response;
    try {
      r = await fetch(`${BASE}${path}`, init);
    } catch (e) {
      throw new ApiError('network', String(e), 0);
    }
    if (!r.ok) throw await problem(r);
    return r;
  } finally {
    busy(-1);
  }
}

/** The problem+json body of a failed response (or what can be said without one). */
export async function problem(r: Response): Promise<ApiError> {
  const text = await r.text().catch(() => '');
  try {
    const p = JSON.parse(text) as { title?: string; detail?: string; type?: string; status?: number };
    return new ApiError(p.title ?? r.statusText, p.detail ?? text, p.status ?? r.status, p.type);
  } catch {
    return new ApiError(r.statusText || `HTTP ${r.status}`, text.slice(0, 500), r.status);
  }
}

async function json<T>(path: string, init?: RequestInit): Promise<T> {
  const r = await request(path, init);
  return (await r.json()) as T;
}

export const api = {
  health: () => json<Health>('/health'),
  layers: () => json<LayerInfo[]>('/layers'),
  features: (name: string) => json<GeoJSON.FeatureCollection>(`/layers/${encodeURIComponent(name)}/features`),
  analyses: () => json<AnalysisInfo[]>('/analyses'),
  run: (name: string, params: unknown) =>
    json<AnalysisResult>(`/analyses/${encodeURIComponent(name)}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(params),
    }),
  /** The run in another format; `null` when the server answers with the JSON envelope
   *  instead (an API without `?format=`), so the caller can render it itself. */
  runAs: async (name: string, params: unknown, format: 'csv' | 'geojson'): Promise<Blob | null> => {
    const r = await request(`/analyses/${encodeURIComponent(name)}?format=${format}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(params),
    });
    const type = r.headers.get('content-type') ?? '';
    const wanted = format === 'csv' ? /text\/csv/ : /geo\+json/;
    if (!wanted.test(type)) return null;
    return await r.blob();
  },
};
