// The layers panel: every layer of the project with a visibility toggle, and for polygon
// layers a choropleth by any numeric field (classed breaks + legend).

import type { App } from '../app';
import { BREAK_METHODS, type BreakMethod, classify, computeBreaks, palette } from '../breaks';
import { h } from '../dom';
import { formatNumber } from '../format';
import { attributeLabel, lang, t, withName, type Key } from '../i18n';
import { swatch } from '../layerStyles';
import type { LegendSpec } from '../legend';
import type { LayerInfo } from '../api';

interface Choro {
  field: string;
  method: BreakMethod;
  classes: number;
}

const NUMERIC = new Set(['int', 'float']);

export function mountLayersPanel(root: HTMLElement, app: App): void {
  const choro = new Map<string, Choro>();
  let facilityIndex = 0;
  const facilityIndexOf = new Map<string, number>();
  for (const l of app.layers) if (l.role === 'facilities') facilityIndexOf.set(l.name, facilityIndex++);

  async function applyChoro(info: LayerInfo): Promise<void> {
    const c = choro.get(info.name);
    try {
      const fc = await app.map.ensureData(info.name);
      if (!c || !c.field) {
        app.map.setLayerClasses(info.name, null, []);
      } else {
        const values = fc.features.map((f) => f.properties?.[c.field]);
        const breaks = computeBreaks(values, c.classes, c.method);
        const colors = palette(Math.max(1, breaks.length - 1));
        app.map.setLayerClasses(info.name, (p) => classify(p[c.field], breaks), colors);
        if (!app.map.isVisible(info.name)) await app.map.setVisible(info.name, true);
      }
    } catch (e) {
      app.showError(e);
    }
    updateLegends();
    render();
  }

  function updateLegends(): void {
    const specs: LegendSpec[] = [];
    for (const [name, c] of choro) {
      if (!c.field || !app.map.isVisible(name)) continue;
      const fc = app.map.features(name);
      if (!fc) continue;
      const values = fc.features.map((f) => f.properties?.[c.field]);
      const breaks = computeBreaks(values, c.classes, c.method);
      specs.push({
        title: `${attributeLabel(c.field)} — ${name}`,
        subtitle: t(`method.${c.method}` as Key),
        field: c.field,
        breaks,
        colors: palette(Math.max(1, breaks.length - 1)),
        nodata: values.some((v) => typeof v !== 'number'),
      });
    }
    app.layerLegends = specs;
    app.refreshLegends();
  }

  function layerItem(info: LayerInfo): HTMLElement {
    const drawable = info.role !== 'raster' && info.role !== 'table' && !!info.geometry;
    const id = `layer-${info.name}`;
    const count =
      info.role === 'raster'
        ? t('layers.raster')
        : info.geometry
          ? `${formatNumber(info.features, lang())} ${t('layers.features')}`
          : `${formatNumber(info.features, lang())} ${t('layers.rows')} · ${t('layers.noGeometry')}`;
    const roleKey = `role.${info.role}`;
    const role = roleKey in ROLE_KEYS ? t(roleKey as Key) : info.role;
    const check = h('input', {
      type: 'checkbox',
      id,
      checked: drawable && app.map.isVisible(info.name),
      disabled: !drawable,
      'data-layer': info.name,
      onchange: async (e: Event) => {
        const on = (e.target as HTMLInputElement).checked;
        item.setAttribute('aria-busy', 'true');
        try {
          await app.map.setVisible(info.name, on);
        } catch (err) {
          app.showError(err);
        }
        item.removeAttribute('aria-busy');
        updateLegends();
      },
    });
    const item = h(
      'li',
      { class: `layer-item${drawable ? '' : ' disabled'}`, 'data-layer': info.name },
      h(
        'div',
        { class: 'layer-row' },
        check,
        h('span', { class: `layer-swatch geom-${info.geometry ?? 'none'}`, style: `--c:${drawable ? swatch(info, { facilityIndex: facilityIndexOf.get(info.name) ?? 0, coarseZones: false }) : 'transparent'}` }),
        h('label', { for: id, class: 'layer-name' }, info.name, h('span', { class: 'layer-meta' }, `${role} · ${count}`)),
        drawable && info.bbox
          ? h('button', { type: 'button', class: 'icon-btn zoom-to', title: t('layers.zoomTo'), 'aria-label': `${t('layers.zoomTo')}: ${info.name}`, onclick: () => app.map.fitLayer(info.name) }, icon(ZOOM_ICON))
          : null,
      ),
    );
    const numeric = info.fields.filter((f) => NUMERIC.has(f.type));
    if (info.geometry === 'polygon' && (info.role === 'zones' || info.role === 'demand') && numeric.length > 0) {
      const c = choro.get(info.name) ?? { field: '', method: 'quantile' as BreakMethod, classes: 5 };
      const fieldId = `choro-${info.name}`;
      const methodId = `method-${info.name}`;
      const classesId = `classes-${info.name}`;
      const update = (patch: Partial<Choro>) => {
        choro.set(info.name, { ...c, ...patch });
        void applyChoro(info);
      };
      item.append(
        h(
          'div',
          { class: 'choro-controls' },
          h('label', { for: fieldId }, t('layers.styleBy')),
          h(
            'select',
            { id: fieldId, 'data-choro': info.name, onchange: (e: Event) => update({ field: (e.target as HTMLSelectElement).value }) },
            h('option', { value: '', selected: !c.field }, t('layers.noStyle')),
            ...numeric.map((f) => h('option', { value: f.name, selected: c.field === f.name }, withName(attributeLabel(f.name), f.name))),
          ),
          c.field
            ? h(
                'div',
                { class: 'choro-row' },
                h('label', { for: methodId }, t('layers.method')),
                h(
                  'select',
                  { id: methodId, onchange: (e: Event) => update({ method: (e.target as HTMLSelectElement).value as BreakMethod }) },
                  ...BREAK_METHODS.map((m) => h('option', { value: m, selected: c.method === m }, t(`method.${m}` as Key))),
                ),
                h('label', { for: classesId }, t('layers.classes')),
                h(
                  'select',
                  { id: classesId, onchange: (e: Event) => update({ classes: Number((e.target as HTMLSelectElement).value) }) },
                  ...[3, 4, 5, 6, 7].map((k) => h('option', { value: k, selected: c.classes === k }, k)),
                ),
              )
            : null,
        ),
      );
    }
    return item;
  }

  function render(): void {
    const focused = document.activeElement?.id;
    const list = h('ul', { class: 'layer-list' });
    const order = ['zones', 'context', 'hazard', 'facilities', 'network', 'events', 'demand', 'table', 'raster'];
    const sorted = [...app.layers].sort((a, b) => order.indexOf(a.role) - order.indexOf(b.role) || a.name.localeCompare(b.name));
    for (const info of sorted) list.append(layerItem(info));
    root.replaceChildren(h('h2', {}, t('layers.heading')), list, basemapForm());
    // Keep keyboard focus on the control that was used (ids are regenerated, so by data-*).
    if (focused) document.getElementById(focused)?.focus();
  }

  function basemapForm(): HTMLElement {
    const id = 'basemap-url';
    const current = new URLSearchParams(location.search).get('basemap') ?? storedBasemap() ?? '';
    const input = h('input', { id, type: 'url', value: current, placeholder: 'https://…/style.json', inputmode: 'url' });
    return h(
      'form',
      {
        class: 'basemap-form',
        onsubmit: (e: Event) => {
          e.preventDefault();
          // Remembered as a setting; `?basemap=` in the address still wins for one visit.
          const q = new URLSearchParams(location.search);
          const v = input.value.trim();
          try {
            if (v) localStorage.setItem('tepat.basemap', v);
            else localStorage.removeItem('tepat.basemap');
          } catch {
            /* private mode: for this visit only */
          }
          if (v) q.set('basemap', v);
          else q.delete('basemap');
          location.search = q.toString();
        },
      },
      h('label', { for: id }, t('basemap.label')),
      h('div', { class: 'inline' }, input, h('button', { type: 'submit' }, t('basemap.apply'))),
      current ? null : h('p', { class: 'hint' }, t('basemap.none')),
    );
  }

  app.on('lang', () => {
    render();
    updateLegends();
  });
  // Visibility is known once the map has its layers.
  void app.map.ready.then(render);
  render();
}

/** The basemap style URL saved as a setting, if any. */
export function storedBasemap(): string | null {
  try {
    return localStorage.getItem('tepat.basemap');
  } catch {
    return null;
  }
}

/** A magnifier (inline SVG: no icon font to fetch). */
const ZOOM_ICON =
  '<svg viewBox="0 0 20 20" width="18" height="18" aria-hidden="true"><circle cx="8.5" cy="8.5" r="5.5" fill="none" stroke="currentColor" stroke-width="2"/><path d="M12.5 12.5 L17 17" stroke="currentColor" stroke-width="2.2" stroke-linecap="round"/></svg>';

function icon(svg: string): HTMLElement {
  const span = document.createElement('span');
  span.className = 'icon';
  span.innerHTML = svg;
  return span;
}

const ROLE_KEYS: Record<string, true> = Object.fromEntries(
  ['zones', 'table', 'facilities', 'hazard', 'demand', 'network', 'events', 'raster', 'context'].map((r) => [`role.${r}`, true]),
);
