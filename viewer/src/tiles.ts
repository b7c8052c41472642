// Vector tiles for large layers (contracts.md "Tiles"): a layer with more than a few
// thousand features is drawn from `/api/v1/tiles/{layer}.json` (TileJSON 3.0) when the
// server has tiles for it, else from its GeoJSON as before. Pure, unit-tested.

import type { LayerInfo, TileJson } from './api';

/** Above this many features a layer is worth tiling. */
export const TILE_THRESHOLD = 3000;

/** Whether to ask for tiles of a layer: large vector layers only. */
export function wantsTiles(info: LayerInfo, threshold = TILE_THRESHOLD): boolean {
  return !!info.geometry && info.role !== 'raster' && info.role !== 'table' && info.features > threshold;
}

/** A MapLibre vector source from a TileJSON; relative tile URLs are made absolute against
 *  `base` (the page's URL), which MapLibre's workers need. */
export function vectorSource(tj: TileJson, base: string): { type: 'vector'; tiles: string[]; minzoom: number; maxzoom: number; bounds?: [number, number, number, number] } {
  if (!Array.isArray(tj.tiles) || tj.tiles.length === 0) throw new Error('TileJSON has no tiles URL');
  const tiles = tj.tiles.map((u) => decodeURI(new URL(u, base).href));
  const src: { type: 'vector'; tiles: string[]; minzoom: number; maxzoom: number; bounds?: [number, number, number, number] } = {
    type: 'vector',
    tiles,
    minzoom: tj.minzoom ?? 0,
    maxzoom: tj.maxzoom ?? 14,
  };
  if (tj.bounds && tj.bounds.length === 4) src.bounds = tj.bounds;
  return src;
}

/** The source-layer to draw: the one named like the layer, else the TileJSON's first. */
export function sourceLayer(tj: TileJson, name: string): string {
  const ids = (tj.vector_layers ?? []).map((l) => l.id);
  return ids.includes(name) || ids.length === 0 ? name : ids[0];
}
