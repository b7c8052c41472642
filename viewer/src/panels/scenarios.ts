// The scenarios panel: sign in with a token, create or pick a scenario, add a facility by
// clicking the map (kind, capacity, cost), drag it to move it, remove it; swap the flood
// layer, set population growth and a budget; then compare with the baseline. Every change
// goes through the scenarios API (a new version each time).

import * as maplibregl from 'maplibre-gl';
import { api, setToken, token, type Edit, type LayerInfo, type StoredScenario } from '../api';
import type { App } from '../app';
import { h } from '../dom';
import {
  addFacilityEdit,
  facilityChanges,
  growthOf,
  moveFacility,
  newFacilityId,
  removeFacility,
  setBudget,
  setGrowth,
  swapHazard,
  swapOf,
  type FacilityChange,
} from '../edits';
import { formatNumber, formatRupiah } from '../format';
import { lang, t, type Key } from '../i18n';
import { ScenarioMarkers } from '../scenarioMarkers';

/** Roles that may change scenarios (api/src/auth.rs SCENARIO_WRITERS). */
const WRITERS = new Set(['planner', 'admin']);

/** The most common text value of a field, and the median of a numeric one. */
function typical(fc: GeoJSON.FeatureCollection | undefined, kindField: string, capField: string): { kind: string; capacity: string } {
  const counts = new Map<string, number>();
  const caps: number[] = [];
  for (const f of fc?.features ?? []) {
    const k = f.properties?.[kindField];
    if (typeof k === 'string') counts.set(k, (counts.get(k) ?? 0) + 1);
    const c = f.properties?.[capField];
    if (typeof c === 'number' && Number.isFinite(c)) caps.push(c);
  }
  caps.sort((a, b) => a - b);
  const kind = [...counts.entries()].sort((a, b) => b[1] - a[1])[0]?.[0] ?? '';
  return { kind, capacity: caps.length ? String(caps[Math.floor(caps.length / 2)]) : '' };
}

export function mountScenariosPanel(root: HTMLElement, app: App): void {
  const facilityLayers = app.layers.filter((l) => l.role === 'facilities' && l.geometry === 'point');
  const hazards = app.layers.filter((l) => l.role === 'hazard' && l.geometry === 'polygon');
  const zones = app.layers.filter((l) => l.role === 'zones' && l.geometry === 'polygon').sort((a, b) => b.features - a.features)[0] as LayerInfo | undefined;
  let compareIds = new Set<string>();
  let placing = false;
  let popup: maplibregl.Popup | null = null;
  let status = '';
  let hazardFrom = hazards[0]?.name ?? '';

  // A server that cannot say whose the token is (no `/me`) gets the benefit of the doubt:
  // its 401/403 will say so.
  const canWrite = () => (app.me.role === undefined ? !!token() : WRITERS.has(app.me.role ?? ''));
  const current = () => app.scenarios.find((s) => s.id === app.scenarioId) ?? null;

  const markers = new ScenarioMarkers(app.map.map, {
    draggable: canWrite,
    moved: (c, [lon, lat]) => void update((edits) => moveFacility(edits, c.layer, c.id, lon, lat)),
    picked: (c) => openInfo(c),
    positionOf: (layer, id) => {
      const f = app.map.features(layer)?.features.find((x) => String(x.properties?.__id) === id);
      return f?.geometry.type === 'Point' ? [f.geometry.coordinates[0], f.geometry.coordinates[1]] : null;
    },
    describe: (c) => `${c.id} (${c.layer}) — ${t(`scen.${c.change}` as Key)}`,
  });

  async function refreshList(): Promise<void> {
    try {
      app.scenarios = await api.scenarios();
    } catch (e) {
      app.showError(e);
    }
    if (app.scenarioId && !current()) app.scenarioId = null;
    app.emit('scenarios');
  }

  /** Stores `s` as the newest version of its scenario and redraws. */
  function stored(s: StoredScenario): void {
    app.scenarios = [...app.scenarios.filter((x) => x.id !== s.id), s];
    app.scenarioId = s.id;
    status = t('scen.saved', { v: s.version });
    app.emit('scenarios');
  }

  /** Replaces the current scenario's edits with `f(edits)` (PUT: a new version). */
  async function update(f: (edits: Edit[]) => Edit[]): Promise<void> {
    const s = current();
    if (!s) return;
    let edits: Edit[];
    try {
      edits = f(s.edits);
    } catch (e) {
      app.showError({ title: t('error.form'), detail: (e as Error).message });
      render();
      return;
    }
    try {
      stored(await api.replaceScenario({ ...s, edits }));
    } catch (e) {
      app.showError(e);
      render(); // markers back where the server has them
    }
  }

  async function create(name: string): Promise<void> {
    if (!name.trim()) return;
    try {
      const s = await api.createScenario(name.trim());
      stored(s);
    } catch (e) {
      app.showError(e);
    }
  }

  function closePopup(): void {
    popup?.remove();
    popup = null;
  }

  function startPlacing(): void {
    closePopup();
    placing = true;
    render();
    app.map.setClickInterceptor((lngLat) => {
      placing = false;
      render();
      void openAddForm(lngLat);
    });
  }

  function stopPlacing(): void {
    placing = false;
    app.map.setClickInterceptor(null);
    render();
  }

  async function openAddForm(lngLat: [number, number]): Promise<void> {
    const s = current();
    if (!s) return;
    let layer = facilityLayers[0]?.name ?? '';
    const spec = async (name: string) => {
      const fc = await app.map.ensureData(name).catch(() => undefined);
      return typical(fc, 'kind', 'capacity');
    };
    let defaults = await spec(layer);
    const taken = [...(app.map.features(layer)?.features.map((f) => String(f.properties?.__id)) ?? []), ...s.edits.map((e) => String(e.id ?? ''))];
    const idInput = h('input', { id: 'new-facility-id', type: 'text', value: newFacilityId(taken) });
    const kindInput = h('input', { id: 'new-facility-kind', type: 'text', value: defaults.kind });
    const capInput = h('input', { id: 'new-facility-capacity', type: 'text', inputmode: 'decimal', value: defaults.capacity });
    const costInput = h('input', { id: 'new-facility-cost', type: 'text', inputmode: 'decimal', placeholder: '5.000.000.000' });
    const layerSelect = h(
      'select',
      {
        id: 'new-facility-layer',
        onchange: async (e: Event) => {
          layer = (e.target as HTMLSelectElement).value;
          defaults = await spec(layer);
          kindInput.value = defaults.kind;
          capInput.value = defaults.capacity;
        },
      },
      ...facilityLayers.map((l) => h('option', { value: l.name, selected: l.name === layer }, l.name)),
    );
    const row = (id: string, key: Key, input: HTMLElement) => h('div', { class: 'form-row' }, h('label', { for: id }, t(key)), input);
    const form = h(
      'form',
      {
        class: 'facility-form',
        onsubmit: async (e: Event) => {
          e.preventDefault();
          let edit: Edit;
          try {
            edit = addFacilityEdit({ layer, id: idInput.value, lon: lngLat[0], lat: lngLat[1], kind: kindInput.value, capacity: capInput.value, cost: costInput.value });
          } catch (err) {
            app.showError({ title: t('error.form'), detail: (err as Error).message });
            return;
          }
          try {
            stored(await api.addEdits(s.id, [edit]));
            closePopup();
          } catch (err) {
            app.showError(err);
          }
        },
      },
      h('h3', {}, t('scen.newFacility')),
      row('new-facility-layer', 'scen.layer', layerSelect),
      row('new-facility-id', 'scen.idLabel', idInput),
      row('new-facility-kind', 'scen.kind', kindInput),
      row('new-facility-capacity', 'scen.capacity', capInput),
      row('new-facility-cost', 'scen.cost', costInput),
      h(
        'div',
        { class: 'inline' },
        h('button', { type: 'submit', class: 'primary', id: 'new-facility-save' }, t('scen.save')),
        h('button', { type: 'button', class: 'secondary', onclick: () => closePopup() }, t('scen.cancel')),
      ),
    );
    closePopup();
    popup = new maplibregl.Popup({ closeOnClick: false, maxWidth: '300px', className: 'facility-popup' }).setLngLat(lngLat).setDOMContent(form).addTo(app.map.map);
    idInput.focus();
  }

  function openInfo(c: FacilityChange): void {
    const at = c.change === 'removed' ? null : c.lon !== undefined && c.lat !== undefined ? ([c.lon, c.lat] as [number, number]) : null;
    const l = lang();
    const body = h(
      'div',
      { class: 'facility-info' },
      h('strong', {}, `${c.id} · ${c.layer}`),
      h('p', {}, t(`scen.${c.change}` as Key)),
      c.kind ? h('p', {}, `${t('scen.kind')}: ${c.kind}`) : null,
      typeof c.capacity === 'number' ? h('p', {}, `${t('scen.capacity')}: ${formatNumber(c.capacity, l)}`) : null,
      typeof c.cost === 'number' ? h('p', {}, `${t('scen.cost')}: ${formatRupiah(c.cost, l)}`) : null,
      canWrite()
        ? h('button', { type: 'button', class: 'secondary', 'data-remove': c.id, onclick: () => (closePopup(), void update((e) => removeFacility(e, c.layer, c.id))) }, t('scen.remove'))
        : null,
    );
    closePopup();
    if (!at) return;
    popup = new maplibregl.Popup({ maxWidth: '260px' }).setLngLat(at).setDOMContent(body).addTo(app.map.map);
  }

  // A baseline facility clicked on the map: remove it in the scenario.
  app.featureActions.push((layer, feature) => {
    const s = current();
    const info = app.map.info(layer);
    if (!s || !canWrite() || info?.role !== 'facilities') return null;
    const id = String(feature.properties?.__id ?? '');
    if (!id || facilityChanges(s.edits).some((c) => c.layer === layer && c.id === id && c.change === 'removed')) return null;
    return h('button', { type: 'button', class: 'secondary', id: 'remove-in-scenario', onclick: () => void update((e) => removeFacility(e, layer, id)) }, t('scen.removeExisting'));
  });

  function authSection(): HTMLElement {
    const role = app.me.role;
    const input = h('input', { id: 'token-input', type: 'password', autocomplete: 'off', placeholder: 'tepat_…' });
    return h(
      'section',
      { class: 'auth' },
      h('h3', {}, t('auth.heading')),
      token()
        ? h(
            'div',
            { class: 'inline signed-in' },
            h('span', { id: 'signed-in-as' }, t('auth.as', { role: role ? t(`who.${role}` as Key) : t('auth.unknownRole') })),
            h('button', { type: 'button', class: 'secondary', id: 'sign-out', onclick: () => (setToken(null), void app.refreshMe()) }, t('auth.signOut')),
          )
        : h(
            'form',
            {
              class: 'inline',
              onsubmit: (e: Event) => {
                e.preventDefault();
                if (!input.value.trim()) return;
                setToken(input.value.trim());
                void app.refreshMe();
              },
            },
            h('label', { for: 'token-input', class: 'sr-only' }, t('auth.token')),
            input,
            h('button', { type: 'submit', id: 'sign-in' }, t('auth.signIn')),
          ),
      token() ? null : h('p', { class: 'hint' }, t('auth.anon')),
    );
  }

  function changesList(s: StoredScenario): HTMLElement {
    const l = lang();
    const changes = facilityChanges(s.edits);
    if (changes.length === 0) return h('p', { class: 'hint' }, t('scen.noChanges'));
    return h(
      'ul',
      { class: 'changes' },
      ...changes.map((c) =>
        h(
          'li',
          { 'data-facility': c.id },
          h('span', { class: `badge ${c.change}` }, t(`scen.${c.change}` as Key)),
          h('span', { class: 'change-what' }, `${c.id} · ${c.layer}`, c.kind ? ` · ${c.kind}` : '', typeof c.capacity === 'number' ? ` · ${formatNumber(c.capacity, l)}` : '', typeof c.cost === 'number' ? ` · ${formatRupiah(c.cost, l)}` : ''),
          canWrite() ? h('button', { type: 'button', class: 'link-btn', 'aria-label': `${t('scen.remove')} ${c.id}`, onclick: () => void update((e) => removeFacility(e, c.layer, c.id)) }, t('scen.remove')) : null,
        ),
      ),
    );
  }

  function otherChanges(s: StoredScenario): HTMLElement {
    const growthInput = h('input', { id: 'growth', type: 'text', inputmode: 'decimal', value: zones ? growthOf(s.edits, zones.name) : '', placeholder: '0' });
    const budgetEdit = s.edits.find((e) => e.op === 'set_budget');
    const budgetInput = h('input', { id: 'budget', type: 'text', inputmode: 'decimal', value: typeof budgetEdit?.amount === 'number' ? String(budgetEdit.amount) : '', placeholder: '20.000.000.000' });
    const toSelect = h(
      'select',
      { id: 'hazard-to' },
      h('option', { value: '' }, t('scen.noSwap')),
      ...hazards.filter((x) => x.name !== hazardFrom).map((x) => h('option', { value: x.name, selected: swapOf(s.edits, hazardFrom) === x.name }, x.name)),
    );
    const fromSelect = h(
      'select',
      { id: 'hazard-from', onchange: (e: Event) => ((hazardFrom = (e.target as HTMLSelectElement).value), render()) },
      ...hazards.map((x) => h('option', { value: x.name, selected: x.name === hazardFrom }, x.name)),
    );
    return h(
      'form',
      {
        class: 'other-changes',
        onsubmit: (e: Event) => {
          e.preventDefault();
          void update((edits) => {
            let out = hazardFrom ? swapHazard(edits, hazardFrom, toSelect.value) : edits;
            if (zones) out = setGrowth(out, zones.name, growthInput.value);
            return setBudget(out, budgetInput.value);
          });
        },
      },
      h('h3', {}, t('scen.other')),
      hazards.length > 1
        ? h('div', { class: 'grid2' }, h('label', { for: 'hazard-from' }, t('scen.hazardFrom')), fromSelect, h('label', { for: 'hazard-to' }, t('scen.hazardTo')), toSelect)
        : null,
      zones ? h('div', { class: 'grid2' }, h('label', { for: 'growth' }, `${t('scen.growth')} · ${zones.name}`), growthInput) : null,
      h('div', { class: 'grid2' }, h('label', { for: 'budget' }, t('scen.budget')), budgetInput),
      h('button', { type: 'submit', class: 'secondary', id: 'apply-changes', disabled: !canWrite() }, t('scen.apply')),
    );
  }

  async function compare(): Promise<void> {
    const s = current();
    if (!s) return;
    const ids = [s.id, ...[...compareIds].filter((x) => x !== s.id && app.scenarios.some((y) => y.id === x))].slice(0, 5);
    try {
      const cmp = await api.compare(ids);
      app.showComparison(cmp, ids.map((id) => app.scenarios.find((x) => x.id === id)!).filter(Boolean));
    } catch (e) {
      app.showError(e);
    }
  }

  function render(): void {
    const s = current();
    const writer = canWrite();
    const nameInput = h('input', { id: 'scenario-name', type: 'text', placeholder: t('scen.newName') });
    const parts: (HTMLElement | null)[] = [
      h('h2', {}, t('scen.heading')),
      authSection(),
      writer
        ? h(
            'form',
            { class: 'inline new-scenario', onsubmit: (e: Event) => (e.preventDefault(), void create(nameInput.value)) },
            h('label', { for: 'scenario-name', class: 'sr-only' }, t('scen.newName')),
            nameInput,
            h('button', { type: 'submit', id: 'create-scenario' }, t('scen.create')),
          )
        : null,
      app.scenarios.length
        ? h(
            'div',
            { class: 'form-row' },
            h('label', { for: 'scenario-pick' }, t('scen.pick')),
            h(
              'select',
              {
                id: 'scenario-pick',
                onchange: (e: Event) => {
                  app.scenarioId = (e.target as HTMLSelectElement).value || null;
                  status = '';
                  app.emit('scenarios');
                },
              },
              h('option', { value: '' }, t('scen.choose')),
              ...[...app.scenarios].sort((a, b) => a.name.localeCompare(b.name)).map((x) => h('option', { value: x.id, selected: x.id === app.scenarioId }, x.name)),
            ),
          )
        : h('p', { class: 'hint' }, t('scen.none')),
    ];
    if (s) {
      parts.push(
        h('p', { class: 'hint', id: 'scenario-version' }, t('scen.version', { v: s.version, n: s.edits.length }), status ? ` · ${status}` : ''),
        h('h3', {}, t('scen.facilities')),
        writer
          ? placing
            ? h('div', { class: 'placing-hint', role: 'status' }, h('p', {}, t('scen.addHint')), h('button', { type: 'button', class: 'secondary', onclick: stopPlacing }, t('scen.cancel')))
            : h('button', { type: 'button', class: 'secondary', id: 'add-facility', disabled: facilityLayers.length === 0, onclick: startPlacing }, t('scen.addMode'))
          : null,
        changesList(s),
        writer ? h('p', { class: 'hint' }, t('scen.dragHint')) : null,
        otherChanges(s),
        app.scenarios.length > 1
          ? h(
              'fieldset',
              { class: 'checks compare-with' },
              h('legend', {}, t('scen.compareWith')),
              ...app.scenarios
                .filter((x) => x.id !== s.id)
                .map((x) =>
                  h(
                    'span',
                    { class: 'check' },
                    h('input', {
                      type: 'checkbox',
                      id: `cmp-${x.id}`,
                      checked: compareIds.has(x.id),
                      onchange: (e: Event) => {
                        if ((e.target as HTMLInputElement).checked) compareIds.add(x.id);
                        else compareIds.delete(x.id);
                        if (compareIds.size > 4) compareIds = new Set([...compareIds].slice(-4));
                        render();
                      },
                    }),
                    h('label', { for: `cmp-${x.id}` }, x.name),
                  ),
                ),
            )
          : null,
        h('div', { class: 'run-row' }, h('button', { type: 'button', class: 'primary', id: 'compare-scenario', onclick: () => void compare() }, t('scen.compare'))),
        writer
          ? h(
              'button',
              {
                type: 'button',
                class: 'link-btn',
                id: 'delete-scenario',
                onclick: async () => {
                  if (!confirm(t('scen.confirmDelete', { name: s.name }))) return;
                  try {
                    await api.deleteScenario(s.id);
                    app.scenarioId = null;
                    await refreshList();
                  } catch (e) {
                    app.showError(e);
                  }
                },
              },
              t('scen.delete'),
            )
          : null,
      );
    }
    root.replaceChildren(...parts.filter((p): p is HTMLElement => p !== null));
    markers.show(s ? facilityChanges(s.edits) : []);
    // Removed baseline facilities need their layer's positions.
    for (const c of s ? facilityChanges(s.edits) : []) {
      if (c.change === 'removed' && !app.map.features(c.layer)) void app.map.ensureData(c.layer).then(() => render()).catch(() => undefined);
    }
  }

  document.addEventListener('keydown', (e) => {
    if (e.key === 'Escape' && placing) stopPlacing();
  });
  app.on('scenarios', render);
  app.on('auth', render);
  app.on('lang', render);
  render();
  void refreshList();
}
