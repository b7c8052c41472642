// Small geometry helpers for labels and camera moves, on GeoJSON in lon/lat. Pure.

type Pos = number[];
type Ring = Pos[];

/** [minLon, minLat, maxLon, maxLat] of any geometry, or null when it has no coordinates. */
export function bbox(g: GeoJSON.Geometry | null | undefined): [number, number, number, number] | null {
  if (!g) return null;
  const b = [Infinity, Infinity, -Infinity, -Infinity] as [number, number, number, number];
  const visit = (c: unknown): void => {
    if (Array.isArray(c) && typeof c[0] === 'number') {
      b[0] = Math.min(b[0], c[0]);
      b[1] = Math.min(b[1], c[1] as number);
      b[2] = Math.max(b[2], c[0]);
      b[3] = Math.max(b[3], c[1] as number);
    } else if (Array.isArray(c)) c.forEach(visit);
  };
  if (g.type === 'GeometryCollection') g.geometries.forEach((x) => visit(coords(x)));
  else visit(g.coordinates);
  return Number.isFinite(b[0]) ? b : null;
}

function coords(g: GeoJSON.Geometry): unknown {
  return g.type === 'GeometryCollection' ? g.geometries.map(coords) : g.coordinates;
}

export function union(a: [number, number, number, number] | null, b: [number, number, number, number] | null) {
  if (!a) return b;
  if (!b) return a;
  return [Math.min(a[0], b[0]), Math.min(a[1], b[1]), Math.max(a[2], b[2]), Math.max(a[3], b[3])] as [number, number, number, number];
}

function ringArea(r: Ring): number {
  let s = 0;
  for (let i = 0, j = r.length - 1; i < r.length; j = i++) s += (r[j][0] - r[i][0]) * (r[j][1] + r[i][1]);
  return s / 2;
}

function inRing(p: Pos, r: Ring): boolean {
  let inside = false;
  for (let i = 0, j = r.length - 1; i < r.length; j = i++) {
    const [xi, yi] = r[i];
    const [xj, yj] = r[j];
    if (yi > p[1] !== yj > p[1] && p[0] < ((xj - xi) * (p[1] - yi)) / (yj - yi) + xi) inside = !inside;
  }
  return inside;
}

function inPolygon(p: Pos, poly: Ring[]): boolean {
  return inRing(p, poly[0]) && !poly.slice(1).some((h) => inRing(p, h));
}

/** A point inside a (multi)polygon for its label: the centroid of its largest part when that
 *  falls inside, else the middle of the widest run of a horizontal line through it. */
export function labelPoint(g: GeoJSON.Geometry | null | undefined): [number, number] | null {
  if (!g) return null;
  if (g.type === 'Point') return [g.coordinates[0], g.coordinates[1]];
  const polys: Ring[][] = g.type === 'Polygon' ? [g.coordinates] : g.type === 'MultiPolygon' ? g.coordinates : [];
  if (polys.length === 0) {
    const b = bbox(g);
    return b ? [(b[0] + b[2]) / 2, (b[1] + b[3]) / 2] : null;
  }
  const poly = polys.reduce((best, p) => (Math.abs(ringArea(p[0])) > Math.abs(ringArea(best[0])) ? p : best));
  const ring = poly[0];
  let a = 0;
  let cx = 0;
  let cy = 0;
  for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
    const f = ring[j][0] * ring[i][1] - ring[i][0] * ring[j][1];
    a += f;
    cx += (ring[j][0] + ring[i][0]) * f;
    cy += (ring[j][1] + ring[i][1]) * f;
  }
  const c: [number, number] = a !== 0 ? [cx / (3 * a), cy / (3 * a)] : [ring[0][0], ring[0][1]];
  if (inPolygon(c, poly)) return c;
  // Scanline through the centroid's latitude: the widest inside run.
  const xs: number[] = [];
  for (const r of poly) {
    for (let i = 0, j = r.length - 1; i < r.length; j = i++) {
      const [xi, yi] = r[i];
      const [xj, yj] = r[j];
      if (yi > c[1] !== yj > c[1]) xs.push(((xj - xi) * (c[1] - yi)) / (yj - yi) + xi);
    }
  }
  xs.sort((p, q) => p - q);
  let best: [number, number] | null = null;
  let width = -1;
  for (let i = 0; i + 1 < xs.length; i += 2) {
    if (xs[i + 1] - xs[i] > width) {
      width = xs[i + 1] - xs[i];
      best = [(xs[i] + xs[i + 1]) / 2, c[1]];
    }
  }
  return best ?? c;
}
