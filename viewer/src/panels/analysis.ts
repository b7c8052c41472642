// The analysis panel: pick an analysis, fill its form (generated from the params' JSON
// Schema; `index` has its own indicator editor with a preset), run it. Advanced users can
// edit the params as JSON.

import { api, type AnalysisInfo } from '../api';
import type { App } from '../app';
import { h, uid, withCode } from '../dom';
import { formatPercent } from '../format';
import { analysisOf, analysisTitle, columnLabel, say } from '../descriptor';
import { attributeLabel, lang, t, withName } from '../i18n';
import { EXPOSURE_ANALYSIS, EXPOSURE_INPUT, indexParams, indicatorFields, type IndexForm, numericFields, presetIndex } from '../indexForm';
import { columnChoices, fieldChoices, fieldHelp, fieldLabel, type FormField, type FormValue, formToParams, initialValues, layerChoices, schemaToForm } from '../schemaForm';

interface GenericState {
  fields: FormField[];
  values: Record<string, FormValue>;
}

export function mountAnalysisPanel(root: HTMLElement, app: App): void {
  const preferred = app.analyses.find((a) => a.name === 'index') ?? app.analyses[0];
  let current: AnalysisInfo | undefined = preferred;
  const generic = new Map<string, GenericState>();
  let indexForm: IndexForm = presetIndex(app.layers, app.analyses);
  let jsonText = '';
  let running = false;
  /** Progress of a run the server answered with 202 (a job), 0..1; null otherwise. */
  let progress: number | null = null;
  /** Run on this scenario instead of the baseline. */
  let onScenario = '';

  function stateOf(a: AnalysisInfo): GenericState {
    let s = generic.get(a.name);
    if (!s) {
      const fields = schemaToForm(a.params_schema);
      s = { fields, values: initialValues(fields, app.layers, a.default_params) };
      generic.set(a.name, s);
    }
    return s;
  }

  /** The params the form (or the JSON box, when filled) describes. */
  function params(): Record<string, unknown> {
    if (!current) return {};
    if (jsonText.trim()) {
      try {
        return JSON.parse(jsonText) as Record<string, unknown>;
      } catch (e) {
        throw new Error(`JSON: ${(e as Error).message}`);
      }
    }
    if (current.name === 'index') return indexParams(indexForm, app.layers);
    const s = stateOf(current);
    return formToParams(s.fields, s.values);
  }

  async function run(): Promise<void> {
    if (!current || running) return;
    let p: Record<string, unknown>;
    try {
      p = params();
    } catch (e) {
      app.showError({ title: t('error.form'), detail: (e as Error).message });
      return;
    }
    running = true;
    progress = null;
    render();
    const scenario = app.scenarios.find((s) => s.id === onScenario);
    try {
      const result = await api.run(
        current.name,
        p,
        (f) => {
          progress = f;
          updateProgress();
        },
        scenario?.id,
      );
      await app.showResult(result, p, scenario);
    } catch (e) {
      app.showError(e);
    } finally {
      running = false;
      progress = null;
      render();
    }
  }

  function updateProgress(): void {
    const bar = root.querySelector<HTMLProgressElement>('#job-progress');
    const text = root.querySelector<HTMLElement>('#job-progress-text');
    if (!bar || !text || progress === null) return render();
    bar.value = progress;
    text.textContent = t('job.progress', { p: formatPercent(progress, lang(), 0) });
  }

  // ---- generic form ----

  function control(f: FormField, s: GenericState): HTMLElement {
    const id = `param-${f.key}`;
    const set = (v: FormValue, rerender = false) => {
      s.values[f.key] = v;
      if (rerender) render();
    };
    const value = s.values[f.key];
    // Another param offers fields of this one's layer or columns of its analysis: a change
    // here changes the choices there.
    const drives = s.fields.some((o) => o.fieldOf === f.key || (o.columnOf && 'param' in o.columnOf && o.columnOf.param === f.key));
    const l = lang();
    const hint = fieldHelp(f, l).split('\n')[0];
    const labelEl = h('label', { for: id }, withName(fieldLabel(f, l), f.key), f.required ? h('span', { class: 'req', title: t('analysis.required') }, ' *') : null);
    /** An offered field or column, by its label when it has one. */
    const choiceText = (c: string) => {
      if (f.kind === 'column' || f.kind === 'columns') {
        const of = f.columnOf && ('param' in f.columnOf ? s.values[f.columnOf.param] : f.columnOf.analysis);
        return withName(columnLabel(analysisOf(app.analyses, typeof of === 'string' ? of : ''), c, l), c);
      }
      return f.kind === 'layer' ? c : withName(attributeLabel(c, l), c);
    };
    let input: HTMLElement;
    switch (f.kind) {
      case 'layer':
      case 'field':
      case 'column': {
        const choices = f.kind === 'layer' ? layerChoices(f, app.layers) : f.kind === 'field' ? fieldChoices(f, app.layers, s.values) : columnChoices(f, app.analyses, s.values);
        input = h(
          'select',
          { id, name: f.key, onchange: (e: Event) => set((e.target as HTMLSelectElement).value, drives) },
          f.required ? null : h('option', { value: '', selected: !value }, t('analysis.optional')),
          ...choices.map((c) => h('option', { value: c, selected: value === c }, choiceText(c))),
        );
        break;
      }
      case 'fields':
      case 'columns': {
        const chosen = new Set(Array.isArray(value) ? value : []);
        const choices = f.kind === 'fields' ? fieldChoices(f, app.layers, s.values) : columnChoices(f, app.analyses, s.values);
        input = h(
          'fieldset',
          { id, class: 'checks', 'aria-label': fieldLabel(f, l) },
          ...choices.map((c) => {
            const cid = uid('chk');
            return h(
              'span',
              { class: 'check' },
              h('input', {
                type: 'checkbox',
                id: cid,
                value: c,
                checked: chosen.has(c),
                onchange: (e: Event) => {
                  if ((e.target as HTMLInputElement).checked) chosen.add(c);
                  else chosen.delete(c);
                  set([...chosen]);
                },
              }),
              h('label', { for: cid }, choiceText(c)),
            );
          }),
          choices.length === 0 ? h('span', { class: 'hint' }, '—') : null,
        );
        break;
      }
      case 'enum':
        input = h(
          'select',
          { id, name: f.key, onchange: (e: Event) => set((e.target as HTMLSelectElement).value, drives) },
          f.required || f.default !== undefined ? null : h('option', { value: '' }, t('analysis.optional')),
          ...(f.options ?? []).map((o) => h('option', { value: o.value, selected: value === o.value, title: o.description ?? '' }, o.value)),
        );
        break;
      case 'boolean':
        input = h('input', { id, type: 'checkbox', checked: value === true, onchange: (e: Event) => set((e.target as HTMLInputElement).checked) });
        break;
      case 'number':
      case 'integer':
        input = h('input', {
          id,
          type: 'text',
          inputmode: f.kind === 'integer' ? 'numeric' : 'decimal',
          value: typeof value === 'string' ? value : '',
          placeholder: f.default !== undefined && f.default !== null ? String(f.default) : t('analysis.optional'),
          oninput: (e: Event) => set((e.target as HTMLInputElement).value),
        });
        break;
      case 'json':
        input = h('textarea', { id, rows: 3, spellcheck: 'false', placeholder: f.default !== undefined ? JSON.stringify(f.default) : '{ }', oninput: (e: Event) => set((e.target as HTMLTextAreaElement).value) }, typeof value === 'string' ? value : '');
        break;
      default:
        input = h('input', {
          id,
          type: 'text',
          value: typeof value === 'string' ? value : '',
          placeholder: f.kind === 'list' || f.kind === 'numbers' ? t('analysis.listHint') : '',
          oninput: (e: Event) => set((e.target as HTMLInputElement).value),
          // Typed text re-offers the choices that depend on it once it is complete.
          onchange: drives ? () => render() : undefined,
        });
    }
    return h('div', { class: `form-row kind-${f.kind}` }, labelEl, input, hint ? h('p', { class: 'hint' }, ...withCode(hint)) : null);
  }

  function genericForm(a: AnalysisInfo): HTMLElement {
    const s = stateOf(a);
    const basic = s.fields.filter((f) => !f.advanced);
    const advanced = s.fields.filter((f) => f.advanced);
    return h(
      'div',
      { class: 'generic-form' },
      ...basic.map((f) => control(f, s)),
      advanced.length ? h('details', { class: 'advanced' }, h('summary', {}, t('analysis.advanced')), ...advanced.map((f) => control(f, s))) : null,
    );
  }

  // ---- index form ----

  /** An indicator's label: a column of the exposure input as its descriptor says, else a
   *  zone attribute. */
  function indicatorText(from: string, field: string): string {
    return from === EXPOSURE_INPUT ? columnLabel(analysisOf(app.analyses, EXPOSURE_ANALYSIS), field, lang()) : attributeLabel(field);
  }

  /** The label of the index' `zones` param, as its schema says. */
  function indexZonesLabel(): string {
    const zones = current ? schemaToForm(current.params_schema).find((f) => f.key === 'zones') : undefined;
    return zones ? withName(fieldLabel(zones, lang()), 'zones') : 'zones';
  }

  function indexEditor(): HTMLElement {
    const f = indexForm;
    const zones = app.layers.filter((l) => l.role === 'zones');
    const hazards = app.layers.filter((l) => l.role === 'hazard' && l.geometry === 'polygon');
    const rerender = () => render();
    const rows = f.indicators.map((row, i) => {
      const fields = indicatorFields(f, row, app.layers, app.analyses);
      const perFields = row.from ? [] : numericFields(app.layers.find((l) => l.name === f.zones));
      const n = i + 1;
      return h(
        'fieldset',
        { class: 'indicator', 'data-indicator': i },
        h('legend', {}, `${n}. ${indicatorText(row.from, row.field)}`),
        h(
          'div',
          { class: 'grid2' },
          h('label', { for: `ind-${i}-from` }, t('index.source')),
          h(
            'select',
            {
              id: `ind-${i}-from`,
              onchange: (e: Event) => {
                row.from = (e.target as HTMLSelectElement).value;
                row.field = indicatorFields(f, row, app.layers, app.analyses)[0] ?? '';
                row.per = '';
                rerender();
              },
            },
            h('option', { value: '', selected: row.from === '' }, `${f.zones} (${t('index.zoneLayer')})`),
            hazards.length ? h('option', { value: EXPOSURE_INPUT, selected: row.from === EXPOSURE_INPUT }, t('index.exposure')) : null,
          ),
          h('label', { for: `ind-${i}-field` }, t('index.field')),
          h(
            'select',
            { id: `ind-${i}-field`, onchange: (e: Event) => ((row.field = (e.target as HTMLSelectElement).value), rerender()) },
            ...fields.map((c) => h('option', { value: c, selected: row.field === c }, withName(indicatorText(row.from, c), c))),
          ),
          h('label', { for: `ind-${i}-per` }, t('index.per')),
          h(
            'select',
            { id: `ind-${i}-per`, disabled: row.from !== '', onchange: (e: Event) => (row.per = (e.target as HTMLSelectElement).value) },
            h('option', { value: '', selected: row.per === '' }, '—'),
            ...perFields.map((c) => h('option', { value: c, selected: row.per === c }, attributeLabel(c))),
          ),
          h('label', { for: `ind-${i}-weight` }, t('index.weight')),
          h('input', { id: `ind-${i}-weight`, type: 'text', inputmode: 'decimal', value: row.weight, oninput: (e: Event) => (row.weight = (e.target as HTMLInputElement).value) }),
          h('label', { for: `ind-${i}-dir` }, t('index.direction')),
          h(
            'select',
            { id: `ind-${i}-dir`, onchange: (e: Event) => (row.direction = (e.target as HTMLSelectElement).value as IndexForm['indicators'][number]['direction']) },
            h('option', { value: 'higher_is_worse', selected: row.direction === 'higher_is_worse' }, t('index.worse')),
            h('option', { value: 'higher_is_better', selected: row.direction === 'higher_is_better' }, t('index.better')),
          ),
        ),
        h(
          'button',
          {
            type: 'button',
            class: 'link-btn',
            'aria-label': `${t('index.remove')} ${n}`,
            onclick: () => {
              f.indicators.splice(i, 1);
              rerender();
            },
          },
          t('index.remove'),
        ),
      );
    });
    return h(
      'div',
      { class: 'index-form' },
      h(
        'div',
        { class: 'form-row' },
        h('label', { for: 'param-zones' }, indexZonesLabel()),
        h(
          'select',
          { id: 'param-zones', onchange: (e: Event) => ((f.zones = (e.target as HTMLSelectElement).value), rerender()) },
          ...zones.map((z) => h('option', { value: z.name, selected: f.zones === z.name }, z.name)),
        ),
      ),
      h(
        'div',
        { class: 'form-row' },
        h('label', { for: 'param-hazard' }, t('index.hazard')),
        h(
          'select',
          { id: 'param-hazard', onchange: (e: Event) => (f.hazard = (e.target as HTMLSelectElement).value) },
          h('option', { value: '', selected: f.hazard === '' }, t('index.noHazard')),
          ...hazards.map((z) => h('option', { value: z.name, selected: f.hazard === z.name }, z.name)),
        ),
      ),
      h('h3', {}, t('index.indicators')),
      ...rows,
      h(
        'button',
        {
          type: 'button',
          class: 'secondary',
          onclick: () => {
            const fields = numericFields(app.layers.find((l) => l.name === f.zones));
            f.indicators.push({ from: '', field: fields[0] ?? '', per: '', weight: '0.1', direction: 'higher_is_worse' });
            rerender();
          },
        },
        t('index.add'),
      ),
      h(
        'details',
        { class: 'advanced' },
        h('summary', {}, t('analysis.advanced')),
        h(
          'div',
          { class: 'form-row' },
          h('label', { for: 'param-method' }, t('index.method')),
          h(
            'select',
            { id: 'param-method', onchange: (e: Event) => (f.method = (e.target as HTMLSelectElement).value as IndexForm['method']) },
            h('option', { value: 'weighted_sum', selected: f.method === 'weighted_sum' }, 'weighted_sum'),
            h('option', { value: 'topsis', selected: f.method === 'topsis' }, 'TOPSIS'),
          ),
        ),
        h('div', { class: 'form-row' }, h('label', { for: 'param-top_n' }, t('index.topN')), h('input', { id: 'param-top_n', type: 'text', inputmode: 'numeric', value: f.topN, oninput: (e: Event) => (f.topN = (e.target as HTMLInputElement).value) })),
        h('div', { class: 'form-row' }, h('label', { for: 'param-runs' }, t('index.runs')), h('input', { id: 'param-runs', type: 'text', inputmode: 'numeric', value: f.runs, oninput: (e: Event) => (f.runs = (e.target as HTMLInputElement).value) })),
      ),
    );
  }

  function jsonBox(): HTMLElement {
    const area = h('textarea', { id: 'params-json', rows: 8, spellcheck: 'false', oninput: (e: Event) => (jsonText = (e.target as HTMLTextAreaElement).value) }, jsonText);
    return h(
      'details',
      { class: 'advanced json-box', open: jsonText.trim() !== '' },
      h('summary', {}, t('analysis.json')),
      h('p', { class: 'hint' }, t('analysis.jsonHint')),
      area,
      h(
        'button',
        {
          type: 'button',
          class: 'secondary',
          onclick: () => {
            try {
              jsonText = '';
              jsonText = JSON.stringify(params(), null, 2);
            } catch (e) {
              app.showError({ title: t('error.form'), detail: (e as Error).message });
            }
            render();
          },
        },
        t('analysis.fromForm'),
      ),
    );
  }

  function render(): void {
    const focused = document.activeElement?.id;
    const pickId = 'analysis-pick';
    const picker = h(
      'select',
      {
        id: pickId,
        onchange: (e: Event) => {
          current = app.analyses.find((a) => a.name === (e.target as HTMLSelectElement).value);
          jsonText = '';
          render();
        },
      },
      ...app.analyses.map((a) => h('option', { value: a.name, selected: a === current }, withName(analysisTitle(a, a.name, lang()), a.name))),
    );
    const form = h(
      'form',
      {
        class: 'analysis-form',
        onsubmit: (e: Event) => {
          e.preventDefault();
          void run();
        },
      },
      h('div', { class: 'form-row' }, h('label', { for: pickId }, t('analysis.pick')), picker, current ? h('p', { class: 'hint', id: 'analysis-description' }, ...withCode(say(current.description, lang()))) : null),
      app.scenarios.length
        ? h(
            'div',
            { class: 'form-row' },
            h('label', { for: 'run-on' }, t('analysis.runOn')),
            h(
              'select',
              { id: 'run-on', onchange: (e: Event) => (onScenario = (e.target as HTMLSelectElement).value) },
              h('option', { value: '', selected: onScenario === '' }, t('cmp.baseline')),
              ...app.scenarios.map((sc) => h('option', { value: sc.id, selected: sc.id === onScenario }, `${sc.name} (v${sc.version})`)),
            ),
          )
        : null,
      current ? (current.name === 'index' ? indexEditor() : genericForm(current)) : null,
      current ? jsonBox() : null,
      h(
        'div',
        { class: 'run-row' },
        h('button', { type: 'submit', id: 'run-analysis', class: 'primary', disabled: running, 'aria-busy': running ? 'true' : 'false' }, running ? t('analysis.running') : t('analysis.run')),
        running ? h('span', { class: 'spinner', 'aria-hidden': 'true' }) : null,
        running && progress !== null
          ? h(
              'span',
              { class: 'job-progress' },
              h('progress', { id: 'job-progress', max: 1, value: progress }),
              h('span', { id: 'job-progress-text', role: 'status' }, t('job.progress', { p: formatPercent(progress, lang(), 0) })),
            )
          : null,
      ),
    );
    root.replaceChildren(h('h2', {}, t('analysis.heading')), form);
    if (focused) document.getElementById(focused)?.focus();
  }

  app.on('lang', render);
  app.on('scenarios', () => {
    if (onScenario && !app.scenarios.some((x) => x.id === onScenario)) onScenario = '';
    render();
  });
  render();
}
