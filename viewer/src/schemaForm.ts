// From an analysis's params JSON Schema to a form model, and from form values back to params.
// Pure: no DOM, unit-tested. Layers and fields are offered as choices from the project, never
// typed by hand: a string param naming a layer becomes a layer picker (filtered by role), a
// param naming a field becomes a field picker over the layer it refers to.

import type { JsonSchema, LayerInfo } from './api';

export type Kind =
  | 'layer' // one layer of the project
  | 'field' // one field of another param's layer
  | 'fields' // several fields of another param's layer
  | 'enum' // one of fixed values
  | 'number'
  | 'integer'
  | 'boolean'
  | 'text'
  | 'list' // strings, comma-separated
  | 'numbers' // numbers, comma-separated
  | 'json'; // anything nested: edited as JSON

export interface FormField {
  key: string;
  kind: Kind;
  required: boolean;
  description: string;
  default?: unknown;
  /** `enum`: the values; with descriptions when the schema gives them. */
  options?: { value: string; description?: string }[];
  /** `layer`: the roles offered (all vector layers when absent). */
  roles?: string[];
  /** `layer`: polygons only. */
  polygonsOnly?: boolean;
  /** `field`/`fields`: the param whose layer the fields come from. */
  fieldOf?: string;
  /** `field`/`fields`: numeric fields only. */
  numeric?: boolean;
  /** Nested or rarely needed: shown under "advanced". */
  advanced: boolean;
}

/** Params that name a layer, and the roles a layer must have to be offered. */
const LAYER_PARAMS: Record<string, { roles?: string[]; polygonsOnly?: boolean }> = {
  zones: { roles: ['zones'] },
  target: { roles: ['zones'] },
  hazard: { roles: ['hazard'] },
  facilities: { roles: ['facilities'] },
  demand: { roles: ['demand', 'zones'] },
  source: { polygonsOnly: true },
  layer: {},
  exclude_in_hazard: { roles: ['hazard'] },
  events: { roles: ['events'] },
};

/** Params that name fields: the param holding their layer (first that exists), numeric only? */
const FIELD_PARAMS: Record<string, { of: string[]; numeric: boolean }> = {
  sum: { of: ['layer'], numeric: true },
  class_field: { of: ['hazard'], numeric: false },
  counts: { of: ['zones'], numeric: true },
  capacity: { of: ['facilities'], numeric: true },
  kind_field: { of: ['facilities'], numeric: false },
  population: { of: ['zones', 'demand'], numeric: true },
  extensive: { of: ['source'], numeric: true },
  intensive: { of: ['source'], numeric: true },
  key: { of: ['layer'], numeric: false },
  // hotspots: the value, or a rate's two parts, of the layer's features.
  field: { of: ['layer'], numeric: true },
  numerator: { of: ['layer'], numeric: true },
  denominator: { of: ['layer'], numeric: true },
  // clusters (skater): what each region must hold at least (residents, households).
  floor_field: { of: ['layer'], numeric: true },
  // complaints: the events' own columns.
  category_field: { of: ['events', 'layer'], numeric: false },
  time_field: { of: ['events', 'layer'], numeric: false },
  resolved_field: { of: ['events', 'layer'], numeric: false },
};

function resolve(s: JsonSchema, root: JsonSchema): JsonSchema {
  let cur = s;
  for (let i = 0; i < 8 && cur.$ref; i++) {
    const name = cur.$ref.replace(/^#\/\$defs\//, '');
    const target = root.$defs?.[name];
    if (!target) break;
    // Keep the referring schema's own description/default over the definition's.
    const { $ref: _ignored, ...own } = cur;
    cur = { ...target, ...own };
  }
  return cur;
}

/** The schema without its null alternative, and whether null was allowed. */
function nonNull(s: JsonSchema, root: JsonSchema): { schema: JsonSchema; nullable: boolean } {
  const r = resolve(s, root);
  if (Array.isArray(r.type) && r.type.includes('null')) {
    const rest = r.type.filter((t) => t !== 'null');
    return { schema: { ...r, type: rest.length === 1 ? rest[0] : rest }, nullable: true };
  }
  if (r.anyOf) {
    const alts = r.anyOf.filter((a) => a.type !== 'null');
    if (alts.length < r.anyOf.length) {
      const inner = alts.length === 1 ? resolve(alts[0], root) : { anyOf: alts };
      return { schema: { ...inner, description: r.description ?? inner.description, default: r.default }, nullable: true };
    }
  }
  return { schema: r, nullable: false };
}

/** Fixed values from `enum` or a `oneOf` of `const`s. */
function enumOptions(s: JsonSchema): { value: string; description?: string }[] | undefined {
  if (s.enum) return s.enum.map((v) => ({ value: String(v) }));
  if (s.oneOf && s.oneOf.every((o) => o.const !== undefined)) {
    return s.oneOf.map((o) => ({ value: String(o.const), description: o.description }));
  }
  return undefined;
}

function typeOf(s: JsonSchema): string | undefined {
  return Array.isArray(s.type) ? s.type[0] : s.type;
}

/** Where the fields of param `key` come from: the table above, else a backticked sibling
 *  layer param in its description ("Numeric fields of `layer` to total"). */
function fieldSource(key: string, description: string, layerParams: string[]): { of?: string; numeric: boolean } | undefined {
  const known = FIELD_PARAMS[key];
  if (known) return { of: known.of.find((p) => layerParams.includes(p)), numeric: known.numeric };
  if (!/\bfields?\b/i.test(description)) return undefined;
  const named = [...description.matchAll(/`([a-z_]+)`/g)].map((m) => m[1]).find((n) => layerParams.includes(n));
  return { of: named, numeric: /numeric|count|sum|total/i.test(description) };
}

/** The form of an analysis's params schema, in schema order. */
export function schemaToForm(schema: JsonSchema): FormField[] {
  const props = schema.properties ?? {};
  const required = new Set(schema.required ?? []);
  const layerParams = Object.keys(props).filter((k) => k in LAYER_PARAMS);
  const out: FormField[] = [];
  for (const [key, raw] of Object.entries(props)) {
    const { schema: s } = nonNull(raw, schema);
    const description = (s.description ?? raw.description ?? '').trim();
    const base = { key, required: required.has(key), description, default: raw.default ?? s.default, advanced: false };
    // A union of a string and an object (a field or {layer, field}): offer the string form.
    const alternatives = s.anyOf?.map((a) => resolve(a, schema));
    const stringAlt = alternatives?.find((a) => typeOf(a) === 'string');
    const ty = stringAlt ? 'string' : typeOf(s);
    const options = enumOptions(s);
    const fieldSrc = fieldSource(key, description, layerParams);
    if (options) {
      out.push({ ...base, kind: 'enum', options });
    } else if (ty === 'string' && key in LAYER_PARAMS) {
      out.push({ ...base, kind: 'layer', ...LAYER_PARAMS[key] });
    } else if (ty === 'string' && fieldSrc) {
      out.push({ ...base, kind: 'field', fieldOf: fieldSrc.of, numeric: fieldSrc.numeric });
    } else if (ty === 'string') {
      out.push({ ...base, kind: 'text' });
    } else if (ty === 'array') {
      const items = s.items ? resolve(s.items, schema) : {};
      const itemType = typeOf(items);
      if (itemType === 'string' && fieldSrc?.of) {
        out.push({ ...base, kind: 'fields', fieldOf: fieldSrc.of, numeric: fieldSrc.numeric });
      } else if (itemType === 'string') {
        out.push({ ...base, kind: 'list' });
      } else if (itemType === 'number' || itemType === 'integer') {
        out.push({ ...base, kind: 'numbers', advanced: !base.required });
      } else {
        out.push({ ...base, kind: 'json', advanced: !base.required });
      }
    } else if (ty === 'number' || ty === 'integer' || ty === 'boolean') {
      out.push({ ...base, kind: ty });
    } else {
      out.push({ ...base, kind: 'json', advanced: !base.required });
    }
  }
  return out;
}

/** Layers a `layer` field offers. */
export function layerChoices(f: FormField, layers: LayerInfo[]): string[] {
  return layers
    .filter((l) => l.role !== 'raster')
    .filter((l) => !f.roles || f.roles.includes(l.role))
    .filter((l) => !f.polygonsOnly || l.geometry === 'polygon')
    .map((l) => l.name);
}

const NUMERIC = new Set(['int', 'float']);

/** Fields a `field`/`fields` field offers, given the layer currently chosen for its
 *  `fieldOf` param (all numeric fields of all layers when it has none). */
export function fieldChoices(f: FormField, layers: LayerInfo[], values: Record<string, FormValue>): string[] {
  const layerName = f.fieldOf ? values[f.fieldOf] : undefined;
  const from = typeof layerName === 'string' && layerName ? layers.filter((l) => l.name === layerName) : f.fieldOf ? [] : layers;
  const names = new Set<string>();
  for (const l of from) for (const fi of l.fields) if (!f.numeric || NUMERIC.has(fi.type)) names.add(fi.name);
  return [...names];
}

export type FormValue = string | string[] | boolean | undefined;

/** Initial values: schema defaults, and for a required layer param the first choice. */
export function initialValues(fields: FormField[], layers: LayerInfo[]): Record<string, FormValue> {
  const v: Record<string, FormValue> = {};
  for (const f of fields) {
    if (f.kind === 'layer') {
      const choices = layerChoices(f, layers);
      v[f.key] = f.required ? preferred(f.key, choices) : '';
    } else if (f.kind === 'boolean') {
      v[f.key] = typeof f.default === 'boolean' ? f.default : false;
    } else if (f.kind === 'fields') {
      v[f.key] = [];
    } else if (f.kind === 'enum') {
      v[f.key] = f.default !== undefined && f.default !== null ? String(f.default) : '';
    } else if ((f.kind === 'number' || f.kind === 'integer') && typeof f.default === 'number') {
      v[f.key] = String(f.default);
    } else {
      v[f.key] = '';
    }
  }
  return v;
}

/** A sensible first choice: the finest zones (most features) are listed by the caller first. */
function preferred(key: string, choices: string[]): string {
  if (key === 'zones' || key === 'target' || key === 'demand') {
    return choices.find((c) => c === 'kelurahan') ?? choices[0] ?? '';
  }
  return choices[0] ?? '';
}

export class FormError extends Error {
  constructor(
    public key: string,
    message: string,
  ) {
    super(`${key}: ${message}`);
  }
}

/** The params object: empty optional values are left out so the engine's defaults apply. */
export function formToParams(fields: FormField[], values: Record<string, FormValue>): Record<string, unknown> {
  const params: Record<string, unknown> = {};
  for (const f of fields) {
    const v = values[f.key];
    const empty = v === undefined || v === '' || (Array.isArray(v) && v.length === 0);
    if (f.kind === 'boolean') {
      if (typeof v === 'boolean' && (f.required || v !== (f.default ?? false))) params[f.key] = v;
      continue;
    }
    if (empty) {
      if (f.required) throw new FormError(f.key, 'required');
      continue;
    }
    const text = Array.isArray(v) ? v.join(',') : String(v);
    switch (f.kind) {
      case 'number':
      case 'integer': {
        const n = Number(text.trim().replace(',', '.'));
        if (!Number.isFinite(n) || (f.kind === 'integer' && !Number.isInteger(n))) {
          throw new FormError(f.key, `'${text}' is not ${f.kind === 'integer' ? 'an integer' : 'a number'}`);
        }
        params[f.key] = n;
        break;
      }
      case 'fields':
        params[f.key] = Array.isArray(v) ? v : splitList(text);
        break;
      case 'list':
        params[f.key] = splitList(text);
        break;
      case 'numbers':
        params[f.key] = splitList(text).map((s) => {
          const n = Number(s);
          if (!Number.isFinite(n)) throw new FormError(f.key, `'${s}' is not a number`);
          return n;
        });
        break;
      case 'json':
        try {
          params[f.key] = JSON.parse(text);
        } catch (e) {
          throw new FormError(f.key, `not valid JSON (${(e as Error).message})`);
        }
        break;
      default:
        params[f.key] = text;
    }
  }
  return params;
}

function splitList(text: string): string[] {
  return text
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
}
