// How each project layer is drawn when no basemap is used: by role and geometry, so any
// project's layers make a readable map (land, zones, roads, river, facilities). Pure: returns
// MapLibre layer specifications; map.ts adds them.

import type { LayerSpecification } from 'maplibre-gl';
import type { LayerInfo } from './api';

export const COLORS = {
  sea: '#cfe1ea',
  land: '#f5f2ea',
  landOutline: '#a9b8bf',
  zoneLine: '#8a8170',
  zoneLineStrong: '#4a4338',
  road: '#ffffff',
  roadCasing: '#cbc3b3',
  roadMajor: '#f7d98b',
  water: '#4f93c9',
  hazard: '#2f6db5',
  selection: '#111111',
  nodata: '#e7e4dc',
};

/** Facility colours in layer order: teal, red, purple, ochre, blue. */
const FACILITY = ['#1f9e89', '#d1362f', '#7b5ea7', '#c98a1a', '#2f6db5'];

/** Id of the source that holds a layer's features. */
export const sourceId = (layer: string) => `src:${layer}`;

/** Ids of the style layers drawn for a project layer. */
export function styleLayerIds(info: LayerInfo): string[] {
  return styleLayers(info, { facilityIndex: 0, coarseZones: false }).map((l) => l.id);
}

export interface StyleContext {
  /** Position among facility layers (for its colour). */
  facilityIndex: number;
  /** Zones with the fewest features (kecamatan): drawn with a stronger line. */
  coarseZones: boolean;
  /** A basemap is underneath: do not paint the land. */
  basemap?: boolean;
}

/** Whether a layer is drawn when the viewer opens. */
export function visibleByDefault(info: LayerInfo, basemap = false): boolean {
  switch (info.role) {
    case 'context':
      return !(basemap && info.geometry === 'polygon');
    case 'zones':
    case 'network':
      return true;
    case 'facilities':
      return info.features <= 100;
    default:
      return false;
  }
}

const num = (info: LayerInfo, re: RegExp) => info.fields.find((f) => (f.type === 'int' || f.type === 'float') && re.test(f.name))?.name;
const text = (info: LayerInfo, name: string) => info.fields.some((f) => f.name === name && f.type === 'text');

/** The style layers of one project layer, bottom to top. Their ids start with `name:`. */
export function styleLayers(info: LayerInfo, ctx: StyleContext): LayerSpecification[] {
  const source = sourceId(info.name);
  const id = (suffix: string) => `${info.name}:${suffix}`;
  const g = info.geometry;
  if (g === 'polygon') {
    if (info.role === 'context') {
      return [
        { id: id('fill'), type: 'fill', source, paint: { 'fill-color': COLORS.land, 'fill-opacity': ctx.basemap ? 0 : 1 } },
        { id: id('line'), type: 'line', source, paint: { 'line-color': COLORS.landOutline, 'line-width': 1.2 } },
      ];
    }
    if (info.role === 'hazard') {
      const depth = num(info, /depth|kedalaman/);
      const color = depth
        ? ['interpolate', ['linear'], ['coalesce', ['get', depth], 0], 0, '#8fbce6', 1.5, '#1d4f91']
        : COLORS.hazard;
      return [
        { id: id('fill'), type: 'fill', source, paint: { 'fill-color': color as never, 'fill-opacity': 0.45 } },
        { id: id('line'), type: 'line', source, paint: { 'line-color': '#1d4f91', 'line-width': 0.6, 'line-opacity': 0.6 } },
      ];
    }
    // zones and any other polygons: a fill (transparent until coloured: it catches clicks)
    // under an outline.
    return [
      {
        id: id('fill'),
        type: 'fill',
        source,
        paint: {
          'fill-color': '#ffffff',
          'fill-opacity': 0.01,
        },
      },
      {
        id: id('line'),
        type: 'line',
        source,
        paint: ctx.coarseZones
          ? { 'line-color': COLORS.zoneLineStrong, 'line-width': ['interpolate', ['linear'], ['zoom'], 10, 1.4, 15, 2.6] as never }
          : { 'line-color': COLORS.zoneLine, 'line-width': ['interpolate', ['linear'], ['zoom'], 10, 0.4, 15, 1] as never, 'line-opacity': 0.8 },
      },
    ];
  }
  if (g === 'line') {
    if (info.role === 'network') {
      const major = text(info, 'kelas') ? ['match', ['get', 'kelas'], ['arteri', 'kolektor'], true, false] : false;
      const width = (minor: number, majorW: number, z: number) =>
        ['interpolate', ['linear'], ['zoom'], 11, ['case', major as never, majorW * 0.5, minor * 0.5], z, ['case', major as never, majorW, minor]];
      return [
        { id: id('casing'), type: 'line', source, layout: { 'line-cap': 'round', 'line-join': 'round' }, paint: { 'line-color': COLORS.roadCasing, 'line-width': width(2.6, 5, 16) as never } },
        {
          id: id('line'),
          type: 'line',
          source,
          layout: { 'line-cap': 'round', 'line-join': 'round' },
          paint: { 'line-color': ['case', major as never, COLORS.roadMajor, COLORS.road] as never, 'line-width': width(1.4, 3.4, 16) as never },
        },
      ];
    }
    const water = /sungai|river|kali|water|air/i.test(info.name) || info.role === 'context';
    return [
      {
        id: id('line'),
        type: 'line',
        source,
        layout: { 'line-cap': 'round', 'line-join': 'round' },
        paint: water
          ? { 'line-color': COLORS.water, 'line-width': ['interpolate', ['linear'], ['zoom'], 10, 1.5, 15, 4] as never }
          : { 'line-color': '#888888', 'line-width': 1 },
      },
    ];
  }
  if (g === 'point') {
    if (info.role === 'events') {
      return [
        {
          id: id('circle'),
          type: 'circle',
          source,
          paint: { 'circle-color': '#e76f24', 'circle-radius': ['interpolate', ['linear'], ['zoom'], 10, 1.5, 15, 4] as never, 'circle-opacity': 0.55 },
        },
      ];
    }
    const color = info.role === 'facilities' ? FACILITY[ctx.facilityIndex % FACILITY.length] : '#6d6d6d';
    return [
      {
        id: id('circle'),
        type: 'circle',
        source,
        paint: {
          'circle-color': color,
          'circle-radius': ['interpolate', ['linear'], ['zoom'], 10, 3, 15, 7] as never,
          'circle-stroke-color': '#ffffff',
          'circle-stroke-width': 1.5,
        },
      },
    ];
  }
  return [];
}

/** Drawing order of roles, bottom to top (polygons under lines under points). */
export function drawOrder(info: LayerInfo): number {
  const geom = info.geometry === 'polygon' ? 0 : info.geometry === 'line' ? 100 : 200;
  const role: Record<string, number> = { context: 0, hazard: 10, zones: 20, network: 30, demand: 40, events: 50, facilities: 60 };
  return geom + (role[info.role] ?? 45);
}

/** The colour of a layer's swatch in the layers panel. */
export function swatch(info: LayerInfo, ctx: StyleContext): string {
  const first = styleLayers(info, ctx).at(-1);
  if (!first) return 'transparent';
  const paint = (first.paint ?? {}) as Record<string, unknown>;
  const c = paint['circle-color'] ?? paint['line-color'] ?? paint['fill-color'];
  return typeof c === 'string' ? c : info.role === 'hazard' ? COLORS.hazard : COLORS.zoneLine;
}
