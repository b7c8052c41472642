import { afterEach, describe, expect, it, vi } from 'vitest';
import { api, ApiError } from '../../src/api';
import { describe as describeError } from '../../src/errors';

const envelope = { analysis: 'index', params: {}, summary: {}, rows: [{ id: 'a' }], meta: {} };

function respond(status: number, body: unknown): Response {
  return new Response(JSON.stringify(body), { status, headers: { 'content-type': status >= 400 ? 'application/problem+json' : 'application/json' } });
}

afterEach(() => vi.unstubAllGlobals());

describe('analysis runs that answer 202', () => {
  it('follows the job by polling until done, reporting progress', async () => {
    const answers = [
      respond(202, { job: 'j1', status: 'queued', href: '/api/v1/jobs/j1', events: '/api/v1/jobs/j1/events' }),
      respond(200, { job: 'j1', status: 'running', progress: 0.4 }),
      respond(200, { job: 'j1', status: 'done', progress: 1, result: envelope }),
    ];
    const urls: string[] = [];
    vi.stubGlobal('fetch', async (url: string) => {
      urls.push(url);
      return answers.shift()!;
    });
    const seen: number[] = [];
    const result = await api.run('index', {}, (p) => seen.push(p));
    expect(result).toEqual(envelope);
    expect(urls).toEqual(['api/v1/analyses/index', 'api/v1/jobs/j1', 'api/v1/jobs/j1']);
    expect(seen).toEqual([0, 0.4, 1]);
  });
  it('turns a failed job into its problem', async () => {
    const answers = [
      respond(202, { job: 'j2', status: 'running', href: '/api/v1/jobs/j2' }),
      respond(200, { job: 'j2', status: 'failed', error: { title: 'Invalid params', detail: 'zones: no layer kelurahan_x', status: 422 } }),
    ];
    vi.stubGlobal('fetch', async () => answers.shift()!);
    const err = await api.run('index', {}).catch((e) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect(err.status).toBe(422);
    expect(err.detail).toMatch(/kelurahan_x/);
  });
  it('returns a 200 envelope as it is', async () => {
    vi.stubGlobal('fetch', async () => respond(200, envelope));
    expect(await api.run('index', {})).toEqual(envelope);
  });
});

describe('writes need a token', () => {
  it('sends the stored bearer token', async () => {
    const store = new Map<string, string>([['tepat.token', 'tepat_abc']]);
    vi.stubGlobal('localStorage', { getItem: (k: string) => store.get(k) ?? null, setItem: (k: string, v: string) => store.set(k, v), removeItem: (k: string) => store.delete(k) });
    let auth: string | null = null;
    vi.stubGlobal('fetch', async (_url: string, init: RequestInit) => {
      auth = new Headers(init.headers).get('authorization');
      return respond(201, { id: 'sc_1', name: 'x', version: 1, edits: [] });
    });
    await api.createScenario('x');
    expect(auth).toBe('Bearer tepat_abc');
  });
  it('says 401 and 403 in the user’s words, with the server’s detail', async () => {
    vi.stubGlobal('fetch', async () => respond(403, { type: 'https://tepat.dev/problems/forbidden', title: 'Forbidden', status: 403, detail: 'a leader token may not POST /api/v1/scenarios; needs role admin, planner' }));
    const err = await api.createScenario('x').catch((e) => e);
    const shown = describeError(err);
    expect(shown.title).toBe('Peran Anda tidak boleh melakukan ini (403)');
    expect(shown.detail).toMatch(/needs role admin, planner/);
    vi.stubGlobal('fetch', async () => respond(401, { title: 'Unauthorized', status: 401, detail: 'send a token' }));
    expect(describeError(await api.createScenario('x').catch((e) => e)).title).toMatch(/^Perlu masuk.*\(401\)$/);
  });
});

describe('asking for a job', () => {
  it('sends Prefer: respond-async when asked', async () => {
    let prefer: string | null = 'unset';
    vi.stubGlobal('fetch', async (_url: string, init: RequestInit) => {
      prefer = new Headers(init.headers).get('prefer');
      return respond(200, envelope);
    });
    await api.run('index', {}, () => {}, undefined, true);
    expect(prefer).toBe('respond-async');
    await api.run('index', {});
    expect(prefer).toBeNull();
  });
  it('runs on a scenario with ?scenario=', async () => {
    let url = '';
    vi.stubGlobal('fetch', async (u: string) => ((url = u), respond(200, envelope)));
    await api.run('access', {}, () => {}, 'sc 1');
    expect(url).toBe('api/v1/analyses/access?scenario=sc%201');
  });
});
