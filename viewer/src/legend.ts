// Legends of classed choropleths: as HTML beside the map, and drawn onto the PNG export.

import { classCount } from './breaks';
import { formatAttribute, type Lang } from './format';
import { lang, t } from './i18n';

export interface LegendSpec {
  title: string;
  subtitle: string;
  field: string;
  breaks: number[];
  colors: string[];
  nodata: boolean;
  /** How a class edge reads (a result column's descriptor); a layer attribute's own
   *  formatting when absent. */
  format?: (x: number, l: Lang) => string;
  /** Ready-made entries (a delta legend's signed classes), used instead of the breaks. */
  items?: LegendItem[];
}

export interface LegendItem {
  color: string;
  label: string;
}

/** One entry per class, "a – b" with the field's own formatting, then "no data". */
export function legendItems(spec: LegendSpec): LegendItem[] {
  if (spec.items) return spec.items;
  const l = lang();
  const fmt = (x: number) => (spec.format ? spec.format(x, l) : formatAttribute(spec.field, x, l));
  const n = classCount(spec.breaks);
  const items: LegendItem[] = [];
  for (let i = 0; i < n; i++) {
    const label = spec.breaks.length === 1 ? fmt(spec.breaks[0]) : `${fmt(spec.breaks[i])} – ${fmt(spec.breaks[i + 1])}`;
    items.push({ color: spec.colors[i], label });
  }
  if (spec.nodata) items.push({ color: '#e7e4dc', label: t('legend.nodata') });
  return items;
}

export function renderLegends(container: HTMLElement, specs: LegendSpec[]): void {
  container.replaceChildren();
  container.hidden = specs.length === 0;
  for (const spec of specs) {
    const box = document.createElement('section');
    box.className = 'legend-box';
    box.setAttribute('aria-label', spec.title);
    const h = document.createElement('h3');
    h.textContent = spec.title;
    const sub = document.createElement('p');
    sub.className = 'legend-sub';
    sub.textContent = spec.subtitle;
    const ul = document.createElement('ul');
    for (const item of legendItems(spec)) {
      const li = document.createElement('li');
      const sw = document.createElement('span');
      sw.className = 'swatch';
      sw.style.background = item.color;
      li.append(sw, document.createTextNode(item.label));
      ul.append(li);
    }
    box.append(h, sub, ul);
    container.append(box);
  }
}

/** Draws the legends in a column from (x, y) upwards-free: returns the height used. */
export function drawLegends(ctx: CanvasRenderingContext2D, specs: LegendSpec[], x: number, bottom: number, scale: number): void {
  const pad = 10 * scale;
  const line = 18 * scale;
  let y = bottom;
  for (const spec of [...specs].reverse()) {
    const items = legendItems(spec);
    ctx.font = `600 ${13 * scale}px system-ui, sans-serif`;
    let width = ctx.measureText(spec.title).width;
    ctx.font = `${12 * scale}px system-ui, sans-serif`;
    width = Math.max(width, ctx.measureText(spec.subtitle).width, ...items.map((i) => ctx.measureText(i.label).width + 24 * scale));
    const height = pad * 2 + line * (items.length + 2);
    y -= height;
    ctx.fillStyle = 'rgba(255,255,255,0.92)';
    ctx.fillRect(x, y, width + pad * 2, height);
    ctx.strokeStyle = '#bbbbbb';
    ctx.lineWidth = scale;
    ctx.strokeRect(x, y, width + pad * 2, height);
    ctx.fillStyle = '#222222';
    ctx.textBaseline = 'middle';
    ctx.font = `600 ${13 * scale}px system-ui, sans-serif`;
    ctx.fillText(spec.title, x + pad, y + pad + line / 2);
    ctx.font = `${12 * scale}px system-ui, sans-serif`;
    ctx.fillStyle = '#555555';
    ctx.fillText(spec.subtitle, x + pad, y + pad + line * 1.5);
    items.forEach((item, i) => {
      const cy = y + pad + line * (i + 2.5);
      ctx.fillStyle = item.color;
      ctx.fillRect(x + pad, cy - 6 * scale, 16 * scale, 12 * scale);
      ctx.strokeStyle = '#999999';
      ctx.strokeRect(x + pad, cy - 6 * scale, 16 * scale, 12 * scale);
      ctx.fillStyle = '#222222';
      ctx.fillText(item.label, x + pad + 24 * scale, cy);
    });
    y -= 8 * scale;
  }
}
