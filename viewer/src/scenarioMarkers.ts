// A scenario's facility changes on the map: new facilities as draggable "+" markers (drag to
// move), moved ones as draggable markers too, removed ones as a crossed-out marker where
// they stood. Markers are HTML, so they need no glyphs or sprites.

import * as maplibregl from 'maplibre-gl';
import type { FacilityChange } from './edits';

export interface MarkerHandlers {
  /** A marker was dragged to a new place. */
  moved(change: FacilityChange, lngLat: [number, number]): void;
  /** A marker was clicked (or Enter/Space on it). */
  picked(change: FacilityChange): void;
  /** Whether markers may be dragged (a writer is signed in). */
  draggable(): boolean;
  /** Where a baseline facility stands (for removed ones). */
  positionOf(layer: string, id: string): [number, number] | null;
  /** A short label for the marker's tooltip. */
  describe(change: FacilityChange): string;
}

export class ScenarioMarkers {
  private markers: maplibregl.Marker[] = [];

  constructor(
    private map: maplibregl.Map,
    private handlers: MarkerHandlers,
  ) {}

  clear(): void {
    for (const m of this.markers) m.remove();
    this.markers = [];
  }

  show(changes: FacilityChange[]): void {
    this.clear();
    const drag = this.handlers.draggable();
    for (const c of changes) {
      const at: [number, number] | null =
        c.change === 'removed' ? this.handlers.positionOf(c.layer, c.id) : typeof c.lon === 'number' && typeof c.lat === 'number' ? [c.lon, c.lat] : null;
      if (!at) continue;
      const el = document.createElement('button');
      el.type = 'button';
      el.className = `scenario-marker ${c.change}`;
      el.dataset.facility = c.id;
      el.dataset.layer = c.layer;
      el.textContent = c.change === 'removed' ? '✕' : c.change === 'added' ? '+' : '↔';
      el.title = this.handlers.describe(c);
      el.setAttribute('aria-label', el.title);
      el.addEventListener('click', (e) => {
        e.stopPropagation();
        this.handlers.picked(c);
      });
      const marker = new maplibregl.Marker({ element: el, draggable: drag && c.change !== 'removed', anchor: 'center' }).setLngLat(at).addTo(this.map);
      marker.on('dragend', () => {
        const p = marker.getLngLat();
        this.handlers.moved(c, [p.lng, p.lat]);
      });
      this.markers.push(marker);
    }
  }
}
