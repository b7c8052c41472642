// The map: MapLibre GL JS with the project's layers as GeoJSON sources (one per layer, loaded
// when first shown), choropleths, the analysis result layer, selection, zone labels and the
// PNG export. Works offline: without a basemap the style has no remote source, glyphs or
// sprite; labels are HTML markers, so no glyphs are needed.
//
// Large layers with tiles on the server (tiles.ts) are vector-tile sources instead; a
// comparison's deltas have their own layer above the result.

import * as maplibregl from 'maplibre-gl';
import type { GeoJSONSource, LayerSpecification, StyleSpecification } from 'maplibre-gl';
import 'maplibre-gl/dist/maplibre-gl.css';
import workerUrl from 'maplibre-gl/dist/maplibre-gl-worker.mjs?url';
import { api, type LayerInfo, type TileJson } from './api';
import { bbox, labelPoint, union } from './geo';
import { COLORS, drawOrder, sourceId, styleLayers, visibleByDefault } from './layerStyles';
import { drawLegends, type LegendSpec } from './legend';
import { sourceLayer, vectorSource } from './tiles';

maplibregl.setWorkerUrl(workerUrl);

type FC = GeoJSON.FeatureCollection;
type BBox = [number, number, number, number];

/** A hit of a click: the project layer (or `result`) and its feature. */
export interface Hit {
  layer: string;
  feature: GeoJSON.Feature;
}

interface Label {
  marker: maplibregl.Marker;
  lngLat: [number, number];
  text: string;
  layer: string;
  coarse: boolean;
}

const EMPTY: FC = { type: 'FeatureCollection', features: [] };
const RESULT = 'result';
const DELTA = 'delta';

/** The offline style: a sea-coloured background; the city's land comes from its layers. */
function offlineStyle(): StyleSpecification {
  return {
    version: 8,
    sources: {},
    layers: [{ id: 'background', type: 'background', paint: { 'background-color': COLORS.sea } }],
  };
}

function layerSource(): maplibregl.GeoJSONSourceSpecification {
  return { type: 'geojson', data: EMPTY, tolerance: 0.2 };
}

export class MapView {
  readonly map: maplibregl.Map;
  readonly ready: Promise<void>;
  private infos = new Map<string, LayerInfo>();
  private data = new Map<string, FC>();
  private loading = new Map<string, Promise<FC>>();
  private visible = new Set<string>();
  private labels: Label[] = [];
  private clickHandlers: Array<(hit: Hit | null) => void> = [];
  private resultGeometry: string | null = null;
  private coarseZone: string | undefined;
  private deltaData: FC | null = null;
  /** While set, a click on the map goes here (placing a new facility) instead of selecting. */
  private clickInterceptor: ((lngLat: [number, number]) => void) | null = null;

  constructor(
    container: HTMLElement,
    layers: LayerInfo[],
    private basemap: string | null,
    private tiles: Map<string, TileJson> = new Map(),
  ) {
    for (const l of layers) this.infos.set(l.name, l);
    const zones = layers.filter((l) => l.role === 'zones' && l.geometry === 'polygon');
    if (zones.length > 1) this.coarseZone = [...zones].sort((a, b) => a.features - b.features)[0].name;
    const extent = layers.filter((l) => l.role !== 'raster').reduce<BBox | null>((b, l) => union(b, l.bbox), null);
    this.map = new maplibregl.Map({
      container,
      style: basemap ?? offlineStyle(),
      bounds: extent ?? undefined,
      fitBoundsOptions: { padding: 20 },
      attributionControl: { compact: true, customAttribution: 'tepat' },
      // Keeps the frame readable for the PNG export.
      canvasContextAttributes: { preserveDrawingBuffer: true, antialias: true },
      maxPitch: 0,
      dragRotate: false,
    });
    this.map.touchZoomRotate.disableRotation();
    this.map.addControl(new maplibregl.NavigationControl({ showCompass: false }), 'top-right');
    this.map.addControl(new FitAllControl(() => this.fitAll()), 'top-right');
    this.map.addControl(new maplibregl.ScaleControl({ unit: 'metric' }), 'bottom-right');
    this.ready = new Promise((resolve) => {
      this.map.once('load', () => {
        this.addLayers(layers);
        resolve();
      });
    });
    this.map.on('click', (e) => {
      if (this.clickInterceptor) {
        const f = this.clickInterceptor;
        this.setClickInterceptor(null);
        f([e.lngLat.lng, e.lngLat.lat]);
        return;
      }
      const hit = this.hitAt(e.point);
      for (const f of this.clickHandlers) f(hit);
    });
    this.map.on('mousemove', (e) => {
      if (this.clickInterceptor) return;
      this.map.getCanvas().style.cursor = this.hitAt(e.point) ? 'pointer' : '';
    });
    this.map.on('zoom', () => this.updateLabels());
  }

  private addLayers(layers: LayerInfo[]): void {
    const m = this.map;
    const drawn = layers.filter((l) => l.role !== 'raster' && l.role !== 'table' && l.geometry).sort((a, b) => drawOrder(a) - drawOrder(b));
    let facilityIndex = 0;
    let resultAdded = false;
    let pointsAdded = false;
    for (const info of drawn) {
      // The analysis result goes above the polygons' fills and under lines and points.
      if (!resultAdded && drawOrder(info) >= 100) {
        this.addResultPolygons();
        resultAdded = true;
      }
      if (!pointsAdded && drawOrder(info) >= 200) {
        if (!resultAdded) this.addResultPolygons();
        resultAdded = true;
        this.addPointsAnchor();
        pointsAdded = true;
      }
      const tj = this.tiles.get(info.name);
      m.addSource(sourceId(info.name), tj ? vectorSource(tj, location.href) : layerSource());
      const specs = styleLayers(info, {
        facilityIndex: info.role === 'facilities' ? facilityIndex++ : 0,
        coarseZones: info.name === this.coarseZone,
        basemap: !!this.basemap,
      });
      const show = visibleByDefault(info, !!this.basemap);
      const tiled = tj ? { 'source-layer': sourceLayer(tj, info.name) } : {};
      for (const spec of specs) m.addLayer({ ...spec, ...tiled, layout: { ...(spec.layout ?? {}), visibility: show ? 'visible' : 'none' } } as LayerSpecification);
      if (show) {
        this.visible.add(info.name);
        if (!tj) void this.ensureData(info.name).catch(() => undefined);
      }
    }
    if (!resultAdded) this.addResultPolygons();
    if (!pointsAdded) this.addPointsAnchor();
    // Zone outlines above roads and river, under points, so boundaries stay readable.
    for (const info of drawn) if (info.role === 'zones' && m.getLayer(`${info.name}:line`)) m.moveLayer(`${info.name}:line`, 'anchor:points');
    m.addSource('selection', { type: 'geojson', data: EMPTY });
    m.addLayer({ id: 'selection:line', type: 'line', source: 'selection', paint: { 'line-color': COLORS.selection, 'line-width': 3.5 }, filter: ['!=', ['geometry-type'], 'Point'] });
    m.addLayer({
      id: 'selection:circle',
      type: 'circle',
      source: 'selection',
      paint: { 'circle-radius': 10, 'circle-color': 'rgba(0,0,0,0)', 'circle-stroke-color': COLORS.selection, 'circle-stroke-width': 3 },
      filter: ['==', ['geometry-type'], 'Point'],
    });
  }

  private addResultPolygons(): void {
    const m = this.map;
    m.addSource(RESULT, { type: 'geojson', data: EMPTY });
    m.addLayer({ id: 'result:fill', type: 'fill', source: RESULT, paint: { 'fill-color': COLORS.nodata, 'fill-opacity': 0.85 }, layout: { visibility: 'none' } });
    m.addLayer({ id: 'result:line', type: 'line', source: RESULT, paint: { 'line-color': '#ffffff', 'line-width': 0.6, 'line-opacity': 0.7 }, layout: { visibility: 'none' } });
    m.addSource(DELTA, { type: 'geojson', data: EMPTY });
    m.addLayer({ id: 'delta:fill', type: 'fill', source: DELTA, paint: { 'fill-color': COLORS.nodata, 'fill-opacity': 0.88 }, layout: { visibility: 'none' } });
    m.addLayer({ id: 'delta:line', type: 'line', source: DELTA, paint: { 'line-color': '#8a8f94', 'line-width': 0.5, 'line-opacity': 0.8 }, layout: { visibility: 'none' } });
  }

  /** Whether a layer is drawn from vector tiles (no GeoJSON loaded for it up front). */
  isTiled(name: string): boolean {
    return this.tiles.has(name);
  }

  /** Shows a comparison's deltas (features carrying `__cls`) in `colors`, or hides them. */
  setDelta(fc: FC | null, colors: string[]): void {
    this.deltaData = fc;
    (this.map.getSource(DELTA) as GeoJSONSource | undefined)?.setData(fc ?? EMPTY);
    const on = !!fc;
    this.map.setLayoutProperty('delta:fill', 'visibility', on ? 'visible' : 'none');
    this.map.setLayoutProperty('delta:line', 'visibility', on ? 'visible' : 'none');
    if (fc) this.map.setPaintProperty('delta:fill', 'fill-color', matchColors(colors));
    for (const info of this.infos.values()) {
      if (info.role !== 'network') continue;
      for (const id of this.styleLayerIds(info.name)) this.map.setPaintProperty(id, 'line-opacity', on || this.resultGeometry === 'polygon' ? 0.35 : 1);
    }
  }

  /** The next map click goes to `f` (with its lon/lat) instead of selecting; null cancels. */
  setClickInterceptor(f: ((lngLat: [number, number]) => void) | null): void {
    this.clickInterceptor = f;
    this.map.getCanvas().style.cursor = f ? 'crosshair' : '';
    this.map.getContainer().classList.toggle('placing', !!f);
  }

  /** An empty layer marking where point layers start, then the result's points. */
  private addPointsAnchor(): void {
    const m = this.map;
    m.addLayer({ id: 'anchor:points', type: 'background', layout: { visibility: 'none' }, paint: { 'background-opacity': 0 } });
    m.addLayer({
      id: 'result:circle',
      type: 'circle',
      source: RESULT,
      paint: { 'circle-radius': 6, 'circle-color': COLORS.nodata, 'circle-stroke-color': '#333', 'circle-stroke-width': 1 },
      layout: { visibility: 'none' },
    });
  }

  /** Project layers that have style layers, and their ids. */
  styleLayerIds(name: string): string[] {
    return (this.map.getStyle()?.layers ?? []).map((l) => l.id).filter((id) => id.startsWith(`${name}:`));
  }

  info(name: string): LayerInfo | undefined {
    return this.infos.get(name);
  }

  isVisible(name: string): boolean {
    return this.visible.has(name);
  }

  /** A layer's features in lon/lat, fetched once. */
  ensureData(name: string): Promise<FC> {
    const have = this.data.get(name);
    if (have) return Promise.resolve(have);
    let p = this.loading.get(name);
    if (!p) {
      p = api.features(name).then((fc) => {
        for (const f of fc.features) f.properties = { ...(f.properties ?? {}), __id: String(f.id ?? '') };
        this.data.set(name, fc);
        (this.map.getSource(sourceId(name)) as GeoJSONSource | undefined)?.setData(fc);
        if (this.infos.get(name)?.role === 'zones') this.addLabels(name, fc);
        return fc;
      });
      p.finally(() => this.loading.delete(name)).catch(() => undefined);
      this.loading.set(name, p);
    }
    return p;
  }

  features(name: string): FC | undefined {
    if (name === DELTA) return this.deltaData ?? undefined;
    return this.data.get(name);
  }

  async setVisible(name: string, show: boolean): Promise<void> {
    if (show) this.visible.add(name);
    else this.visible.delete(name);
    for (const id of this.styleLayerIds(name)) this.map.setLayoutProperty(id, 'visibility', show ? 'visible' : 'none');
    this.updateLabels();
    if (show && !this.tiles.has(name)) await this.ensureData(name);
  }

  /** Colours a polygon layer's fill by class (`__cls` set on its features), or restores it. */
  setLayerClasses(name: string, classOf: ((props: Record<string, unknown>) => number) | null, colors: string[]): void {
    const fc = this.data.get(name);
    const fill = `${name}:fill`;
    if (!fc || !this.map.getLayer(fill)) return;
    for (const f of fc.features) {
      const p = f.properties ?? {};
      p.__cls = classOf ? classOf(p) : -1;
      f.properties = p;
    }
    (this.map.getSource(sourceId(name)) as GeoJSONSource).setData(fc);
    if (classOf) {
      this.map.setPaintProperty(fill, 'fill-color', matchColors(colors));
      this.map.setPaintProperty(fill, 'fill-opacity', 0.8);
    } else {
      this.map.setPaintProperty(fill, 'fill-color', '#ffffff');
      this.map.setPaintProperty(fill, 'fill-opacity', 0.01);
    }
  }

  /** Shows a result: features carrying `__cls`, coloured by class. */
  setResult(fc: FC | null, colors: string[]): void {
    const src = this.map.getSource(RESULT) as GeoJSONSource | undefined;
    if (!src) return;
    src.setData(fc ?? EMPTY);
    const kind = fc?.features.find((f) => f.geometry)?.geometry.type ?? null;
    this.resultGeometry = kind && /Point/.test(kind) ? 'point' : kind ? 'polygon' : null;
    const vis = (id: string, on: boolean) => this.map.setLayoutProperty(id, 'visibility', on ? 'visible' : 'none');
    vis('result:fill', this.resultGeometry === 'polygon');
    vis('result:line', this.resultGeometry === 'polygon');
    vis('result:circle', this.resultGeometry === 'point');
    if (fc) {
      this.map.setPaintProperty('result:fill', 'fill-color', matchColors(colors));
      this.map.setPaintProperty('result:circle', 'circle-color', matchColors(colors));
    }
    // Roads recede under a choropleth, so the classes read first.
    for (const info of this.infos.values()) {
      if (info.role !== 'network') continue;
      for (const id of this.styleLayerIds(info.name)) this.map.setPaintProperty(id, 'line-opacity', this.resultGeometry === 'polygon' ? 0.35 : 1);
    }
  }

  onClick(f: (hit: Hit | null) => void): void {
    this.clickHandlers.push(f);
  }

  private hitAt(point: maplibregl.PointLike): Hit | null {
    const layers = (this.map.getStyle()?.layers ?? [])
      .filter((l) => l.type !== 'background' && !l.id.startsWith('selection') && !l.id.endsWith(':casing'))
      .filter((l) => this.map.getLayoutProperty(l.id, 'visibility') !== 'none')
      .map((l) => l.id);
    const hits = this.map.queryRenderedFeatures(point, { layers });
    // Points first, then lines, then the topmost polygon.
    const order = (h: maplibregl.MapGeoJSONFeature) => (h.geometry.type.includes('Point') ? 0 : h.geometry.type.includes('Line') ? 1 : 2);
    const best = [...hits].sort((a, b) => order(a) - order(b))[0];
    if (!best) return null;
    const layer = best.layer.id.split(':')[0];
    // Tiles carry the layer's id as property `id` (their feature id is the row index).
    const id = String(best.properties?.__id ?? (this.tiles.has(layer) ? best.properties?.id : undefined) ?? best.id ?? '');
    // The feature as loaded (full geometry, not a tile's clipped piece).
    const source = layer === RESULT ? this.resultData : layer === DELTA ? this.deltaData : this.data.get(layer);
    let feature = source?.features.find((f) => String(f.properties?.__id) === id);
    if (!feature) {
      const j = best.toJSON() as GeoJSON.Feature;
      feature = { ...j, properties: { ...(j.properties ?? {}), __id: id } };
    }
    return { layer, feature };
  }

  private resultData: FC | null = null;
  setResultData(fc: FC | null): void {
    this.resultData = fc;
  }

  select(feature: GeoJSON.Feature | null): void {
    (this.map.getSource('selection') as GeoJSONSource | undefined)?.setData(feature ? { type: 'FeatureCollection', features: [feature] } : EMPTY);
  }

  /** Moves the camera to a feature, clear of the detail panel (pixels it covers on the
   *  right, or at the bottom on a narrow screen). */
  flyTo(feature: GeoJSON.Feature, inset: { right?: number; bottom?: number } = {}): void {
    const b = bbox(feature.geometry);
    if (!b) return;
    const reduced = matchMedia('(prefers-reduced-motion: reduce)').matches;
    const c = this.map.getContainer();
    const clear = (covered: number | undefined, size: number) => (covered && size - covered > 250 ? covered + 30 : 60);
    const padding = { top: 60, left: 60, right: clear(inset.right, c.clientWidth), bottom: clear(inset.bottom, c.clientHeight) };
    this.map.fitBounds(b, { padding, maxZoom: 14, duration: reduced ? 0 : 800 });
  }

  fitAll(): void {
    const extent = [...this.infos.values()].filter((l) => l.role !== 'raster').reduce<BBox | null>((b, l) => union(b, l.bbox), null);
    if (extent) this.map.fitBounds(extent, { padding: 20, duration: 0 });
  }

  fitLayer(name: string): void {
    const b = this.infos.get(name)?.bbox;
    if (b) this.map.fitBounds(b, { padding: 30 });
  }

  // ---- labels (HTML markers: no glyphs needed) ----

  private addLabels(name: string, fc: FC): void {
    const info = this.infos.get(name);
    if (!info) return;
    const nameField = ['nama', 'name', 'NAMOBJ'].find((f) => info.fields.some((x) => x.name === f));
    if (!nameField) return;
    const coarse = name === this.coarseZone || !this.coarseZone;
    for (const f of fc.features) {
      const p = labelPoint(f.geometry);
      const text = f.properties?.[nameField];
      if (!p || typeof text !== 'string') continue;
      const el = document.createElement('div');
      el.className = `map-label ${coarse ? 'coarse' : 'fine'}`;
      el.textContent = text;
      el.setAttribute('aria-hidden', 'true');
      const marker = new maplibregl.Marker({ element: el, anchor: 'center' }).setLngLat(p).addTo(this.map);
      this.labels.push({ marker, lngLat: p, text, layer: name, coarse });
    }
    this.updateLabels();
  }

  /** Kecamatan names at every zoom; kelurahan names when zoomed in. */
  private updateLabels(): void {
    const z = this.map.getZoom();
    for (const l of this.labels) {
      const on = this.visible.has(l.layer) && (l.coarse ? z < 14.5 || !this.coarseZone : z >= 13.2);
      l.marker.getElement().style.display = on ? '' : 'none';
    }
  }

  // ---- export ----

  /** The map as a PNG: the canvas, the zone labels, a title and the legends. */
  async toPng(title: string, subtitle: string, legends: LegendSpec[]): Promise<Blob> {
    await new Promise<void>((resolve) => {
      if (this.map.loaded()) resolve();
      else this.map.once('idle', () => resolve());
    });
    const src = this.map.getCanvas();
    const scale = src.width / src.clientWidth || 1;
    const out = document.createElement('canvas');
    out.width = src.width;
    out.height = src.height;
    const ctx = out.getContext('2d');
    if (!ctx) throw new Error('canvas 2d context unavailable');
    ctx.drawImage(src, 0, 0);
    ctx.textAlign = 'center';
    ctx.textBaseline = 'middle';
    for (const l of this.labels) {
      if (l.marker.getElement().style.display === 'none') continue;
      const p = this.map.project(l.lngLat);
      ctx.font = l.coarse ? `700 ${12 * scale}px system-ui, sans-serif` : `${11 * scale}px system-ui, sans-serif`;
      ctx.lineWidth = 3 * scale;
      ctx.strokeStyle = 'rgba(255,255,255,0.9)';
      const text = l.coarse ? l.text.toUpperCase() : l.text;
      ctx.strokeText(text, p.x * scale, p.y * scale);
      ctx.fillStyle = l.coarse ? '#3b342a' : '#4a4338';
      ctx.fillText(text, p.x * scale, p.y * scale);
    }
    ctx.textAlign = 'left';
    // Title box, top left.
    const pad = 12 * scale;
    ctx.font = `700 ${16 * scale}px system-ui, sans-serif`;
    const w1 = ctx.measureText(title).width;
    ctx.font = `${12 * scale}px system-ui, sans-serif`;
    const w2 = ctx.measureText(subtitle).width;
    ctx.fillStyle = 'rgba(255,255,255,0.92)';
    ctx.fillRect(pad, pad, Math.max(w1, w2) + pad * 2, 52 * scale);
    ctx.fillStyle = '#1d1d1d';
    ctx.font = `700 ${16 * scale}px system-ui, sans-serif`;
    ctx.fillText(title, pad * 2, pad + 17 * scale);
    ctx.fillStyle = '#555555';
    ctx.font = `${12 * scale}px system-ui, sans-serif`;
    ctx.fillText(subtitle, pad * 2, pad + 38 * scale);
    drawLegends(ctx, legends, pad, out.height - 30 * scale, scale);
    return await new Promise<Blob>((resolve, reject) => out.toBlob((b) => (b ? resolve(b) : reject(new Error('PNG encoding failed'))), 'image/png'));
  }
}

/** A map button showing the whole city again. Its label follows the language (`data-i18n-*`). */
class FitAllControl implements maplibregl.IControl {
  private el: HTMLElement | null = null;
  constructor(private fit: () => void) {}
  onAdd(): HTMLElement {
    const div = document.createElement('div');
    div.className = 'maplibregl-ctrl maplibregl-ctrl-group';
    const b = document.createElement('button');
    b.type = 'button';
    b.id = 'fit-all';
    b.className = 'fit-all';
    b.dataset.i18nTitle = 'map.fitAll';
    b.dataset.i18nAria = 'map.fitAll';
    b.innerHTML =
      '<svg viewBox="0 0 20 20" width="18" height="18" aria-hidden="true"><path d="M3 7V3h4M13 3h4v4M17 13v4h-4M7 17H3v-4" fill="none" stroke="currentColor" stroke-width="2"/></svg>';
    b.addEventListener('click', () => this.fit());
    div.append(b);
    this.el = div;
    return div;
  }
  onRemove(): void {
    this.el?.remove();
  }
}

/** `['match', ['get', '__cls'], 0, c0, 1, c1, …, nodata]`. */
function matchColors(colors: string[]): maplibregl.ExpressionSpecification {
  const pairs = colors.flatMap((c, i) => [i, c]);
  return ['match', ['get', '__cls'], ...pairs, COLORS.nodata] as unknown as maplibregl.ExpressionSpecification;
}
