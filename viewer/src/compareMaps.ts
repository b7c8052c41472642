// Baseline and scenario side by side, or one over the other with a swipe handle: two small
// MapLibre maps over the main one, the same classes on both, their cameras kept together.
// Drawn from data the main map already holds (land, roads, zones, facilities), offline.

import * as maplibregl from 'maplibre-gl';
import type { LayerSpecification, StyleSpecification } from 'maplibre-gl';
import { h } from './dom';
import { COLORS } from './layerStyles';

type FC = GeoJSON.FeatureCollection;

export interface PaneData {
  caption: string;
  /** Zones carrying `__cls`. */
  zones: FC;
  facilities: FC;
  /** New facilities of the scenario (drawn with a ring). */
  added: FC;
}

export interface CompareMapsInput {
  land: FC | null;
  roads: FC | null;
  colors: string[];
  left: PaneData;
  right: PaneData;
  bounds: maplibregl.LngLatBoundsLike;
}

function match(colors: string[]): maplibregl.ExpressionSpecification {
  return ['match', ['get', '__cls'], ...colors.flatMap((c, i) => [i, c]), COLORS.nodata] as unknown as maplibregl.ExpressionSpecification;
}

function style(input: CompareMapsInput, pane: PaneData): StyleSpecification {
  const empty: FC = { type: 'FeatureCollection', features: [] };
  const layers: LayerSpecification[] = [
    { id: 'bg', type: 'background', paint: { 'background-color': COLORS.sea } },
    { id: 'land', type: 'fill', source: 'land', paint: { 'fill-color': COLORS.land } },
    { id: 'zones', type: 'fill', source: 'zones', paint: { 'fill-color': match(input.colors), 'fill-opacity': 0.85 } },
    { id: 'roads', type: 'line', source: 'roads', paint: { 'line-color': '#ffffff', 'line-width': 0.7, 'line-opacity': 0.35 } },
    { id: 'zone-lines', type: 'line', source: 'zones', paint: { 'line-color': '#ffffff', 'line-width': 0.6 } },
    { id: 'fac', type: 'circle', source: 'fac', paint: { 'circle-radius': 4, 'circle-color': '#1f9e89', 'circle-stroke-color': '#fff', 'circle-stroke-width': 1.2 } },
    { id: 'added', type: 'circle', source: 'added', paint: { 'circle-radius': 7, 'circle-color': '#1f9e89', 'circle-stroke-color': '#111', 'circle-stroke-width': 2.5 } },
  ];
  return {
    version: 8,
    sources: {
      land: { type: 'geojson', data: input.land ?? empty },
      roads: { type: 'geojson', data: input.roads ?? empty },
      zones: { type: 'geojson', data: pane.zones },
      fac: { type: 'geojson', data: pane.facilities },
      added: { type: 'geojson', data: pane.added },
    },
    layers,
  };
}

export type CompareMode = 'side' | 'swipe';

/** The two maps in `host` (placed over the main map). `close()` removes them. */
export class CompareMaps {
  private maps: maplibregl.Map[] = [];
  readonly root: HTMLElement;
  readonly ready: Promise<void>;

  constructor(host: HTMLElement, input: CompareMapsInput, mode: CompareMode, swipeLabel: string) {
    const left = h('div', { class: 'cmp-pane left' });
    const right = h('div', { class: 'cmp-pane right' });
    const capL = h('div', { class: 'cmp-caption left' }, input.left.caption);
    const capR = h('div', { class: 'cmp-caption right' }, input.right.caption);
    this.root = h('div', { class: `compare-maps ${mode}`, id: 'compare-maps' }, left, right, capL, capR);
    host.append(this.root);
    const make = (container: HTMLElement, pane: PaneData) =>
      new maplibregl.Map({
        container,
        style: style(input, pane),
        bounds: input.bounds,
        fitBoundsOptions: { padding: 20 },
        attributionControl: false,
        canvasContextAttributes: { preserveDrawingBuffer: true, antialias: true },
        dragRotate: false,
        maxPitch: 0,
      });
    const a = make(left, input.left);
    const b = make(right, input.right);
    this.maps = [a, b];
    // One camera for both.
    let syncing = false;
    const follow = (from: maplibregl.Map, to: maplibregl.Map) =>
      from.on('move', () => {
        if (syncing) return;
        syncing = true;
        to.jumpTo({ center: from.getCenter(), zoom: from.getZoom() });
        syncing = false;
      });
    follow(a, b);
    follow(b, a);
    if (mode === 'swipe') {
      const slider = h('input', { type: 'range', min: 0, max: 100, value: 50, class: 'swipe', id: 'swipe', 'aria-label': swipeLabel });
      const place = () => {
        const v = Number(slider.value);
        right.style.clipPath = `inset(0 0 0 ${v}%)`;
        this.root.style.setProperty('--swipe', `${v}%`);
      };
      slider.addEventListener('input', place);
      this.root.append(h('div', { class: 'swipe-line', 'aria-hidden': 'true' }), slider);
      place();
    }
    this.ready = Promise.all(this.maps.map((m) => new Promise<void>((r) => (m.loaded() ? r() : m.once('idle', () => r()))))).then(() => {
      this.root.dataset.ready = 'true';
    });
  }

  close(): void {
    for (const m of this.maps) m.remove();
    this.maps = [];
    this.root.remove();
  }
}
