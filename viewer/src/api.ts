// The HTTP API (/api/v1, see api/src/router.rs): typed fetches, problem+json errors, and a
// count of requests in flight for the loading indicator.

import type * as G from './generated/openapi';

// The shapes the API document describes are generated from it (src/generated/openapi.ts,
// `make types`); the viewer's names are aliases. Only what the document leaves open (the
// params' JSON Schema, TileJSON) is written here.

export type Role = G.LayerRole;
export type FieldInfo = G.Field;
/** The document gives `bbox` as 4 numbers; the map wants it as the tuple it is. */
export type LayerInfo = Omit<G.LayerSummary, 'bbox'> & { bbox: [number, number, number, number] | null };
/** A text in Bahasa Indonesia and English. */
export type Text = G.Text;
export type ColumnKind = G.Kind;
/** One output column of an analysis' rows, as its descriptor says (engine/src/analysis/descriptor.rs).
 *  `name` may hold `{placeholder}`s standing for any non-empty text; `label` may use them too. */
export type ColumnInfo = G.Column;

/** `GET /analyses`: what each analysis says about itself. The document types the params'
 *  schema as any object; the form reads it as the JSON Schema below. */
export type AnalysisInfo = Omit<G.AnalysisInfo, 'params_schema' | 'default_params'> & {
  params_schema: JsonSchema;
  /** The analysis' default params on the served project, when it has some. */
  default_params?: Record<string, unknown>;
};

// A JSON Schema as schemars writes it (draft 2020-12); only what the form reads is typed.
export interface JsonSchema {
  /** The param's label. */
  'x-tepat-label'?: Text;
  /** The param's help (the English one is the doc comment, `description`). */
  'x-tepat-help'?: Partial<Text>;
  /** The param names a layer of one of these roles (and geometry kinds, when given). */
  'x-tepat-layer'?: { roles?: string[]; geometry?: string[] };
  /** The param names field(s) of the layer that sibling param `of` names, of these types. */
  'x-tepat-field'?: { of: string; types?: string[] };
  /** The param names an output column of another analysis: a sibling param holding its
   *  name, or the analysis' own name. */
  'x-tepat-column'?: { analysis: string };
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

export type Row = G.Row;
export type AnalysisResult = G.AnalysisResult;
export type Health = G.Health;

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

const TOKEN_KEY = 'tepat.token';

/** The bearer token the user signed in with (localStorage), or null. */
export function token(): string | null {
  try {
    return localStorage.getItem(TOKEN_KEY);
  } catch {
    return null;
  }
}

export function setToken(t: string | null): void {
  try {
    if (t) localStorage.setItem(TOKEN_KEY, t);
    else localStorage.removeItem(TOKEN_KEY);
  } catch {
    /* private mode: not remembered */
  }
}

function withAuth(init: RequestInit = {}): RequestInit {
  const t = token();
  if (!t) return init;
  const headers = new Headers(init.headers);
  headers.set('authorization', `Bearer ${t}`);
  return { ...init, headers };
}

async function request(path: string, init?: RequestInit): Promise<Response> {
  busy(1);
  try {
    let r: Response;
    try {
      r = await fetch(`${BASE}${path}`, withAuth(init));
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

const post = (body: unknown, method = 'POST'): RequestInit => ({
  method,
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify(body),
});

/** What a 202 answers: the job to follow. */
export interface JobRef {
  job: string;
  status: string;
  href: string;
  events?: string;
}

export interface Job {
  job: string;
  analysis?: string;
  status: 'queued' | 'running' | 'done' | 'failed';
  progress?: number;
  result?: AnalysisResult;
  error?: { title?: string; detail?: string; status?: number; type?: string };
}

/** Follows a job to its end: Server-Sent Events when the browser has them, polling
 *  otherwise (or when the stream breaks). `onProgress` gets 0..1. */
export async function followJob(ref: JobRef, onProgress: (p: number) => void, pollMs = 500): Promise<AnalysisResult> {
  const path = ref.href.replace(/^\/?api\/v1/, '');
  const finish = (job: Job): AnalysisResult => {
    if (job.status === 'done' && job.result) return job.result;
    const e = job.error ?? {};
    throw new ApiError(e.title ?? 'job failed', e.detail ?? `job ${job.job} failed`, e.status ?? 500, e.type);
  };
  if (ref.events && typeof EventSource !== 'undefined') {
    const viaEvents = await new Promise<Job | null>((resolve) => {
      const es = new EventSource(ref.events!.replace(/^\//, ''));
      es.addEventListener('progress', (ev) => {
        const p = Number((JSON.parse((ev as MessageEvent).data) as { progress?: number }).progress);
        if (Number.isFinite(p)) onProgress(p);
      });
      const end = (ev: Event) => {
        es.close();
        try {
          resolve(JSON.parse((ev as MessageEvent).data) as Job);
        } catch {
          resolve(null);
        }
      };
      es.addEventListener('done', end);
      es.addEventListener('failed', end);
      // A broken stream (or a server without one): fall back to polling.
      es.onerror = () => {
        es.close();
        resolve(null);
      };
    });
    if (viaEvents && (viaEvents.status === 'done' || viaEvents.status === 'failed')) {
      onProgress(1);
      // `done` carries the job; fetch it when the event left the result out.
      return finish(viaEvents.result || viaEvents.status === 'failed' ? viaEvents : await json<Job>(path));
    }
  }
  for (;;) {
    const job = await json<Job>(path);
    if (typeof job.progress === 'number') onProgress(job.progress);
    if (job.status === 'done' || job.status === 'failed') return finish(job);
    await new Promise((r) => setTimeout(r, pollMs));
  }
}

/** An analysis run's answer: the envelope (200), or a job followed to its end (202). */
async function runOrFollow(path: string, params: unknown, onProgress: (p: number) => void, preferAsync = false): Promise<AnalysisResult> {
  const init = post(params);
  if (preferAsync) (init.headers as Record<string, string>).prefer = 'respond-async';
  const r = await request(path, init);
  const body = (await r.json()) as AnalysisResult | JobRef;
  if (r.status === 202 && 'job' in body) {
    onProgress(0);
    return await followJob(body, onProgress);
  }
  return body as AnalysisResult;
}

/** The caller as the server sees its token (`GET /me`). */
export interface Me {
  /** null: no token; undefined: a token, but the server cannot say whose (no `/me`). */
  role: 'leader' | 'planner' | 'admin' | 'researcher' | null | undefined;
  name?: string | null;
}

/** A stored scenario (`GET /scenarios/{id}`). */
export interface StoredScenario {
  id: string;
  name: string;
  version: number;
  description?: string;
  edits: Edit[];
  created_at?: string;
  updated_at?: string;
}

/** One scenario edit (engine/src/scenario/edit.rs); `op` tells which. */
export type Edit = { op: string } & Record<string, unknown>;

/** `POST /compare` (engine/src/scenario/compare.rs). */
export type Comparison = G.Comparison;

export interface Decision {
  decision: 'approve' | 'reject';
  comment?: string | null;
  by?: string | null;
  role?: string | null;
  at?: string;
}

export interface Comment {
  text: string;
  by?: string | null;
  role?: string | null;
  at?: string;
}

/** A recommendation (`GET /recommendations/{id}`, contracts.md). */
export interface Recommendation {
  id: string;
  title: string;
  question?: string | null;
  analysis: string;
  params: Record<string, unknown>;
  scenario?: string | null;
  scenario_version?: number | null;
  top_n: number;
  budget?: number | null;
  notes?: string | null;
  status: 'proposed' | 'approved' | 'rejected' | string;
  created_by?: string | null;
  created_role?: string | null;
  created_at?: string;
  /** Content hashes of the layers the run read. */
  layers?: Record<string, string>;
  engine_version?: string;
  result: AnalysisResult;
  decisions: Decision[];
  comments: Comment[];
}

export interface NewRecommendation {
  title: string;
  question?: string;
  analysis: string;
  params: Record<string, unknown>;
  scenario?: string;
  top_n?: number;
  budget?: number;
  notes?: string;
}

/** `GET /layers/{name}`: the summary plus what the project file (or an upload) says. */
export type LayerDetail = LayerInfo & { id_field?: string | null; spec?: Record<string, unknown> | null } & Record<string, unknown>;

/** TileJSON 3.0 of a layer's vector tiles. */
export interface TileJson {
  tiles: string[];
  minzoom?: number;
  maxzoom?: number;
  bounds?: [number, number, number, number];
  vector_layers?: Array<{ id: string }>;
}

const enc = encodeURIComponent;

export const api = {
  health: () => json<Health>('/health'),
  layers: () => json<LayerInfo[]>('/layers'),
  layer: (name: string) => json<LayerDetail>(`/layers/${enc(name)}`),
  features: (name: string) => json<GeoJSON.FeatureCollection>(`/layers/${enc(name)}/features`),
  analyses: () => json<AnalysisInfo[]>('/analyses'),
  /** Runs an analysis (on a scenario when `scenario` is given); a 202 is followed.
   *  `preferAsync` asks for a job straight away (`Prefer: respond-async`). */
  run: (name: string, params: unknown, onProgress: (p: number) => void = () => {}, scenario?: string, preferAsync = false) =>
    runOrFollow(`/analyses/${enc(name)}${scenario ? `?scenario=${enc(scenario)}` : ''}`, params, onProgress, preferAsync),
  /** The run in another format; `null` when the server answers with the JSON envelope
   *  instead (an API without `?format=`), so the caller can render it itself. */
  runAs: async (name: string, params: unknown, format: 'csv' | 'geojson', scenario?: string): Promise<Blob | null> => {
    const r = await request(`/analyses/${enc(name)}?format=${format}${scenario ? `&scenario=${enc(scenario)}` : ''}`, post(params));
    const type = r.headers.get('content-type') ?? '';
    const wanted = format === 'csv' ? /text\/csv/ : /geo\+json/;
    if (!wanted.test(type)) return null;
    return await r.blob();
  },
  me: () => json<Me>('/me'),
  scenarios: () => json<StoredScenario[]>('/scenarios'),
  scenario: (id: string) => json<StoredScenario>(`/scenarios/${enc(id)}`),
  createScenario: (name: string, edits: Edit[] = []) => json<StoredScenario>('/scenarios', post({ name, edits })),
  addEdits: (id: string, edits: Edit[]) => json<StoredScenario>(`/scenarios/${enc(id)}/edits`, post(edits)),
  replaceScenario: (s: StoredScenario) =>
    json<StoredScenario>(`/scenarios/${enc(s.id)}`, post({ name: s.name, description: s.description, edits: s.edits }, 'PUT')),
  deleteScenario: (id: string) => request(`/scenarios/${enc(id)}`, { method: 'DELETE' }).then(() => undefined),
  /** Baseline against 1–5 stored scenarios, with the server's default analyses. */
  compare: (ids: string[]) => json<Comparison>('/compare', post({ scenarios: ids })),
  recommendation: (id: string) => json<Recommendation>(`/recommendations/${enc(id)}`),
  createRecommendation: (r: NewRecommendation) => json<Recommendation>('/recommendations', post(r)),
  decide: (id: string, decision: 'approve' | 'reject', comment?: string) =>
    json<Recommendation>(`/recommendations/${enc(id)}/decision`, post(comment ? { decision, comment } : { decision })),
  comment: (id: string, text: string) => json<unknown>(`/recommendations/${enc(id)}/comments`, post({ text })),
  /** A layer's TileJSON, or null when the server has no tiles for it (404). */
  tileJson: async (name: string): Promise<TileJson | null> => {
    try {
      return await json<TileJson>(`/tiles/${enc(name)}.json`);
    } catch (e) {
      if (e instanceof ApiError && (e.status === 404 || e.status === 405)) return null;
      throw e;
    }
  },
};
