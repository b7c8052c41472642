// The leader's brief: a printable A4 page for one recommendation (`#/brief/{id}`): the
// question, a map of the shortlist, the top-N kelurahan with their reasons, the budget and
// assumptions, the data sources and their dates, and — for a leader — approve, reject and
// comment. Print CSS (style.css, @media print) makes the browser's "Save as PDF" an A4 page.

import * as maplibregl from 'maplibre-gl';
import { api, type AnalysisInfo, type LayerDetail, type LayerInfo, type Me, type Recommendation } from '../api';
import { briefModel, canDecide, formatDate, type BriefModel } from '../brief';
import { h } from '../dom';
import { formatNumber } from '../format';
import { labelPoint, bbox, union } from '../geo';
import { hasKey, lang, t, type Key } from '../i18n';
import { analysisOf } from '../descriptor';
import { COLORS } from '../layerStyles';
import { defaultField, numericColumns } from '../resultColumns';

type FC = GeoJSON.FeatureCollection;

/** Shades of the shortlist by rank: the first third darkest. */
const TOP = ['#bd0026', '#f03b20', '#fd8d3c'];

/** The shortlist map as an image: zones (shortlist coloured by rank), land, numbered
 *  markers. Rendered once with MapLibre, then kept as a PNG so it prints reliably. */
async function shortlistImage(zones: FC, land: FC | null, top: Map<string, number>, n: number): Promise<string> {
  const host = h('div', { class: 'brief-map-render' });
  document.body.append(host);
  const fc: FC = {
    type: 'FeatureCollection',
    features: zones.features.map((f) => {
      const rank = top.get(String(f.id));
      const tier = rank ? Math.min(2, Math.floor(((rank - 1) * 3) / Math.max(1, n))) : -1;
      return { ...f, properties: { __tier: tier } };
    }),
  };
  const extent = zones.features.reduce<[number, number, number, number] | null>((b, f) => union(b, bbox(f.geometry)), null);
  const map = new maplibregl.Map({
    container: host,
    style: {
      version: 8,
      sources: { land: { type: 'geojson', data: land ?? { type: 'FeatureCollection', features: [] } }, zones: { type: 'geojson', data: fc } },
      layers: [
        { id: 'bg', type: 'background', paint: { 'background-color': COLORS.sea } },
        { id: 'land', type: 'fill', source: 'land', paint: { 'fill-color': COLORS.land } },
        {
          id: 'zones',
          type: 'fill',
          source: 'zones',
          paint: { 'fill-color': ['match', ['get', '__tier'], 0, TOP[0], 1, TOP[1], 2, TOP[2], '#ebe7dd'] as never, 'fill-opacity': 0.9 },
        },
        { id: 'lines', type: 'line', source: 'zones', paint: { 'line-color': '#ffffff', 'line-width': 0.8 } },
      ],
    },
    bounds: extent ?? undefined,
    fitBoundsOptions: { padding: 24 },
    interactive: false,
    attributionControl: false,
    canvasContextAttributes: { preserveDrawingBuffer: true, antialias: true },
  });
  try {
    await new Promise<void>((resolve) => map.once('idle', () => resolve()));
    const src = map.getCanvas();
    const scale = src.width / src.clientWidth || 1;
    const out = document.createElement('canvas');
    out.width = src.width;
    out.height = src.height;
    const ctx = out.getContext('2d');
    if (!ctx) throw new Error('canvas 2d context unavailable');
    ctx.drawImage(src, 0, 0);
    ctx.textAlign = 'center';
    ctx.textBaseline = 'middle';
    for (const f of zones.features) {
      const rank = top.get(String(f.id));
      const p = rank ? labelPoint(f.geometry) : null;
      if (!rank || !p) continue;
      const xy = map.project(p);
      const r = 9 * scale;
      ctx.beginPath();
      ctx.arc(xy.x * scale, xy.y * scale, r, 0, Math.PI * 2);
      ctx.fillStyle = '#ffffff';
      ctx.fill();
      ctx.lineWidth = 1.5 * scale;
      ctx.strokeStyle = '#5a0013';
      ctx.stroke();
      ctx.fillStyle = '#1f2328';
      ctx.font = `700 ${10 * scale}px system-ui, sans-serif`;
      ctx.fillText(String(rank), xy.x * scale, xy.y * scale + 0.5);
    }
    return out.toDataURL('image/png');
  } finally {
    map.remove();
    host.remove();
  }
}

export interface BriefDeps {
  project: string;
  layers: LayerInfo[];
  /** What the analyses say about themselves (titles, column labels and formats). */
  analyses: AnalysisInfo[];
  me: Me;
  showError(e: unknown): void;
}

/** Renders the brief of recommendation `id` into `root`. Resolves once the page (and its
 *  map image) is drawn; re-renders itself after a decision or comment. */
export async function renderBrief(root: HTMLElement, id: string, deps: BriefDeps): Promise<void> {
  let rec: Recommendation;
  try {
    rec = await api.recommendation(id);
  } catch (e) {
    root.replaceChildren(h('p', { class: 'brief-error' }, t('brief.notFound')), h('p', {}, h('a', { href: '#/' }, t('brief.back'))));
    deps.showError(e);
    return;
  }
  const used = Object.keys(rec.layers ?? rec.result?.meta?.layers ?? {});
  const details = new Map<string, LayerDetail>();
  await Promise.all(
    used.map((name) =>
      api
        .layer(name)
        .then((d) => void details.set(name, d))
        .catch(() => undefined),
    ),
  );
  const rowLayer = rec.result?.meta?.row_layer ?? null;
  const landName = deps.layers.find((l) => l.role === 'context' && l.geometry === 'polygon')?.name;
  const [zones, land] = await Promise.all([
    rowLayer ? api.features(rowLayer).catch(() => null) : Promise.resolve(null),
    landName ? api.features(landName).catch(() => null) : Promise.resolve(null),
  ]);
  const field = defaultField(analysisOf(deps.analyses, rec.analysis), numericColumns(rec.result?.rows ?? []));
  let image: string | null = null;
  const draw = async () => {
    const l = lang();
    const model = briefModel(rec, details, l, field, deps.analyses);
    if (zones && !image) {
      const top = new Map(model.rows.map((r) => [r.id, r.rank]));
      image = await shortlistImage(zones, land, top, model.rows.length).catch((e) => {
        console.warn('brief map', e);
        return null;
      });
    }
    root.replaceChildren(page(model, rec, image, deps, async (next) => {
      rec = next;
      await draw();
    }));
  };
  await draw();
}

/** `pimpinan (13f5…)`: the role in words and the token's name. */
function who(role: string | null | undefined, by: string | null | undefined): string {
  const r = role ? (hasKey(`who.${role}`) ? t(`who.${role}` as Key) : role) : '';
  return [r, by ? `(${by})` : ''].filter(Boolean).join(' ');
}

function page(m: BriefModel, rec: Recommendation, image: string | null, deps: BriefDeps, changed: (r: Recommendation) => Promise<void>): HTMLElement {
  const l = lang();
  const statusKey = `brief.status.${m.status}` as Key;
  const status = ['proposed', 'approved', 'rejected'].includes(m.status) ? t(statusKey) : m.status;
  const decide = async (decision: 'approve' | 'reject', comment: string) => {
    try {
      await changed(await api.decide(rec.id, decision, comment || undefined));
    } catch (e) {
      deps.showError(e);
    }
  };
  const commentBox = h('textarea', { id: 'brief-comment', rows: 2, placeholder: t('brief.comment') });
  const leader = canDecide(deps.me.role);
  // Decided: a leader may still comment; re-deciding is for an admin (api/src/recommendations.rs).
  const open = m.status === 'proposed';
  const actions = leader
    ? h(
        'section',
        { class: 'brief-actions no-print' },
        h('label', { for: 'brief-comment' }, t('brief.comment')),
        commentBox,
        h(
          'div',
          { class: 'inline' },
          open ? h('button', { type: 'button', class: 'primary approve', id: 'brief-approve', onclick: () => void decide('approve', commentBox.value.trim()) }, t('brief.approve')) : null,
          open ? h('button', { type: 'button', class: 'secondary reject', id: 'brief-reject', onclick: () => void decide('reject', commentBox.value.trim()) }, t('brief.reject')) : null,
          h(
            'button',
            {
              type: 'button',
              class: 'secondary',
              id: 'brief-send-comment',
              onclick: async () => {
                const text = commentBox.value.trim();
                if (!text) return;
                try {
                  await api.comment(rec.id, text);
                  await changed(await api.recommendation(rec.id));
                } catch (e) {
                  deps.showError(e);
                }
              },
            },
            t('brief.sendComment'),
          ),
        ),
      )
    : h('p', { class: 'hint no-print' }, t('brief.leaderOnly'));
  const history = [
    ...rec.decisions.map((d) => ({ at: d.at ?? '', text: `${t(`brief.decision.${d.decision}` as Key)}${d.comment ? `: “${d.comment}”` : ''}`, by: who(d.role, d.by) })),
    ...rec.comments.map((c) => ({ at: c.at ?? '', text: `“${c.text}”`, by: who(c.role, c.by) })),
  ].sort((a, b) => a.at.localeCompare(b.at));
  const engine = rec.result?.meta?.engine_version;
  return h(
    'article',
    { class: 'brief-page', id: 'brief-page', 'data-status': m.status },
    h(
      'nav',
      { class: 'brief-nav no-print' },
      h('a', { href: '#/', id: 'brief-back' }, t('brief.back')),
      h('button', { type: 'button', class: 'secondary', id: 'brief-print', onclick: () => window.print() }, t('brief.print')),
    ),
    h(
      'header',
      { class: 'brief-head' },
      h('p', { class: 'brief-kicker' }, `${t('brief.heading')} · ${deps.project}`),
      h('h1', { id: 'brief-title' }, m.title),
      h('p', { class: 'brief-meta' }, t('brief.by', { by: m.createdBy || '–', date: m.createdAt }), ' · ', t('brief.status'), ': ', h('span', { class: `status ${m.status}`, id: 'brief-status' }, status)),
    ),
    m.question ? h('section', { class: 'brief-question' }, h('h2', {}, t('brief.question')), h('p', {}, m.question)) : null,
    h(
      'div',
      { class: 'brief-grid' },
      h('figure', { class: 'brief-map' }, image ? h('img', { src: image, alt: t('brief.map'), id: 'brief-map-img' }) : h('div', { class: 'hint' }, '–'), h('figcaption', {}, t('brief.map'))),
      h(
        'section',
        { class: 'brief-side' },
        h('h2', {}, t('brief.budget')),
        h('p', { class: 'brief-budget' }, m.budget ?? t('brief.noBudget')),
        h('h2', {}, t('brief.assumptions')),
        h('ul', { class: 'brief-assumptions' }, ...m.assumptions.map((a) => h('li', {}, a))),
        m.notes ? h('div', {}, h('h2', {}, t('brief.notes')), h('p', {}, m.notes)) : null,
      ),
    ),
    h(
      'section',
      { class: 'brief-top' },
      h('h2', {}, t('brief.top', { n: m.rows.length, total: m.total })),
      h(
        'table',
        { class: 'brief-table' },
        h('thead', {}, h('tr', {}, h('th', { class: 'num' }, t('brief.rank')), h('th', {}, t('brief.name')), h('th', { class: 'num' }, m.scoreLabel), h('th', { class: 'num' }, t('brief.interval')), h('th', {}, t('brief.reasons')))),
        h(
          'tbody',
          {},
          ...m.rows.map((r) =>
            h(
              'tr',
              { 'data-id': r.id },
              h('td', { class: 'num rank' }, String(r.rank)),
              h('td', {}, h('strong', {}, r.name), h('div', { class: 'hint' }, r.id)),
              h('td', { class: 'num' }, r.scoreText),
              h('td', { class: 'num' }, r.interval ? `${r.interval[0]}–${r.interval[1]}` : '–'),
              h('td', {}, r.reasons.length ? h('ul', { class: 'reasons' }, ...r.reasons.map((x) => h('li', {}, x))) : '–'),
            ),
          ),
        ),
      ),
    ),
    h(
      'section',
      { class: 'brief-sources' },
      h('h2', {}, t('brief.sources')),
      h(
        'table',
        { class: 'brief-table small' },
        h('thead', {}, h('tr', {}, h('th', {}, t('brief.layer')), h('th', {}, t('brief.source')), h('th', {}, t('brief.file')), h('th', { class: 'num' }, t('brief.features')), h('th', {}, t('brief.dates')), h('th', {}, t('brief.hash')))),
        h(
          'tbody',
          {},
          ...m.sources.map((s) =>
            h(
              'tr',
              {},
              h('td', {}, s.name, s.role ? h('span', { class: 'hint' }, ` (${s.role})`) : ''),
              h('td', {}, s.source ?? '–'),
              h('td', {}, s.file ?? '–'),
              h('td', { class: 'num' }, s.features === null ? '–' : formatNumber(s.features, l)),
              h('td', {}, s.dates.length ? s.dates.join('; ') : t('brief.noDates', { date: formatDate(rec.created_at, l) })),
              h('td', { class: 'mono' }, s.hash),
            ),
          ),
        ),
      ),
      engine ? h('p', { class: 'hint' }, t('brief.engine', { v: engine })) : null,
    ),
    h(
      'section',
      { class: 'brief-decisions' },
      h('h2', {}, t('brief.decisions')),
      history.length
        ? h('ul', { id: 'brief-history' }, ...history.map((x) => h('li', {}, h('span', { class: 'hint' }, `${formatDate(x.at, l)} · ${x.by} — `), x.text)))
        : h('p', { class: 'hint' }, t('brief.noDecisions')),
    ),
    actions,
  );
}
