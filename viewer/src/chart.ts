// Bar charts of a comparison: one chart per indicator, the baseline beside up to five
// scenarios. The model (scale, ticks, bar rectangles) is pure and unit-tested; `barChartSvg`
// draws it as plain SVG (no charting library, nothing fetched).

export interface Bar {
  label: string;
  value: number | null;
  /** Pixel rectangle in the plot (y grows downwards, as in SVG). */
  x: number;
  y: number;
  width: number;
  height: number;
  baseline: boolean;
}

export interface ChartModel {
  width: number;
  height: number;
  plot: { left: number; top: number; right: number; bottom: number };
  /** Value axis: [min, max] (min ≤ 0 ≤ max) and the tick values. */
  domain: [number, number];
  ticks: number[];
  /** Pixel y of value 0. */
  zeroY: number;
  bars: Bar[];
}

/** About `count` round tick values covering [lo, hi] (steps of 1, 2 or 5 × 10^k). */
export function niceTicks(lo: number, hi: number, count = 4): number[] {
  if (!Number.isFinite(lo) || !Number.isFinite(hi)) return [];
  if (lo === hi) return [lo];
  const raw = (hi - lo) / Math.max(1, count);
  const p = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * p).find((s) => s >= raw * (1 - 1e-9)) ?? 10 * p;
  const first = Math.floor(lo / step + 1e-9) * step;
  const out: number[] = [];
  for (let i = 0; i < 50; i++) {
    const v = Math.round((first + i * step) / step) * step;
    out.push(v);
    if (v >= hi - step * 1e-9) break;
  }
  return out.map((v) => (Math.abs(v) < step * 1e-9 ? 0 : v));
}

/** Lays out `values` (baseline first) as vertical bars in a `width` × `height` box. The
 *  value axis always includes 0 and is extended to round ticks; missing values get no bar. */
export function barChart(labels: string[], values: Array<number | null>, width = 300, height = 150): ChartModel {
  const plot = { left: 56, top: 8, right: width - 6, bottom: height - 34 };
  const finite = values.filter((v): v is number => typeof v === 'number' && Number.isFinite(v));
  let lo = Math.min(0, ...finite);
  let hi = Math.max(0, ...finite);
  if (lo === hi) hi = lo + 1;
  const ticks = niceTicks(lo, hi, 4);
  lo = Math.min(lo, ticks[0]);
  hi = Math.max(hi, ticks[ticks.length - 1]);
  const y = (v: number) => plot.bottom - ((v - lo) / (hi - lo)) * (plot.bottom - plot.top);
  const zeroY = y(0);
  const n = Math.max(1, labels.length);
  const slot = (plot.right - plot.left) / n;
  const barW = Math.min(48, slot * 0.7);
  const bars = labels.map((label, i) => {
    const v = values[i];
    const x = plot.left + slot * i + (slot - barW) / 2;
    if (typeof v !== 'number' || !Number.isFinite(v)) return { label, value: null, x, y: zeroY, width: barW, height: 0, baseline: i === 0 };
    const top = Math.min(y(v), zeroY);
    return { label, value: v, x, y: top, width: barW, height: Math.abs(y(v) - zeroY), baseline: i === 0 };
  });
  return { width, height, plot, domain: [lo, hi], ticks, zeroY, bars };
}

/** The y pixel of a value in a model. */
export function valueY(m: ChartModel, v: number): number {
  const [lo, hi] = m.domain;
  return m.plot.bottom - ((v - lo) / (hi - lo)) * (m.plot.bottom - m.plot.top);
}

const SVG = 'http://www.w3.org/2000/svg';

function el(tag: string, attrs: Record<string, string | number>, text?: string): SVGElement {
  const e = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, String(v));
  if (text !== undefined) e.textContent = text;
  return e;
}

/** Draws a model: grid lines with tick labels, the bars (baseline grey, scenarios in
 *  `colors`), each bar's value above it and its label below. */
export function barChartSvg(m: ChartModel, title: string, fmt: (v: number) => string, colors: string[]): SVGSVGElement {
  const svg = el('svg', { viewBox: `0 0 ${m.width} ${m.height}`, width: '100%', role: 'img', class: 'bar-chart' }) as SVGSVGElement;
  svg.append(el('title', {}, title));
  for (const t of m.ticks) {
    const ty = valueY(m, t);
    svg.append(el('line', { x1: m.plot.left, x2: m.plot.right, y1: ty, y2: ty, class: t === 0 ? 'axis' : 'grid' }));
    svg.append(el('text', { x: m.plot.left - 4, y: ty, class: 'tick', 'text-anchor': 'end', 'dominant-baseline': 'middle' }, fmt(t)));
  }
  m.bars.forEach((b, i) => {
    if (b.value !== null) {
      const rect = el('rect', { x: b.x, y: b.y, width: b.width, height: Math.max(b.height, 0.5), fill: b.baseline ? '#9aa1a8' : colors[(i - 1) % colors.length], class: 'bar' });
      rect.append(el('title', {}, `${b.label}: ${fmt(b.value)}`));
      svg.append(rect);
      const above = b.value >= 0;
      svg.append(el('text', { x: b.x + b.width / 2, y: above ? b.y - 3 : b.y + b.height + 10, class: 'value', 'text-anchor': 'middle' }, fmt(b.value)));
    }
    const short = b.label.length > 14 ? `${b.label.slice(0, 13)}…` : b.label;
    svg.append(el('text', { x: b.x + b.width / 2, y: m.plot.bottom + 14, class: 'bar-label', 'text-anchor': 'middle' }, short));
  });
  return svg;
}

/** Colours of the scenarios' bars (baseline is grey), colour-blind safe (Okabe–Ito). */
export const SCENARIO_COLORS = ['#0072b2', '#e69f00', '#009e73', '#cc79a7', '#d55e00'];
