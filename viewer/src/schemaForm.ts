// From an analysis's params JSON Schema to a form model, and from form values back to params.
// Pure: no DOM, unit-tested. What a param names is what its `x-tepat-*` annotations say (see
// engine/src/analysis/descriptor.rs), never guessed from its name: a param naming a layer
// becomes a layer picker (filtered by role and geometry), one naming fields of another
// param's layer a field picker over that layer, one naming another analysis' output column a
// picker over that analysis' columns. Labels and help come in both languages.

import type { AnalysisInfo, JsonSchema, LayerInfo, Text } from './api';
import { analysisOf, numericColumns, say } from './descriptor';
import type { Lang } from './format';

export type Kind =
  | 'layer' // one layer of the project
  | 'field' // one field of another param's layer
  | 'fields' // several fields of another param's layer
  | 'column' // one output column of another analysis
  | 'columns' // several output columns of another analysis
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
  /** The schema's description (English): the help when the param has none. */
  description: string;
  /** Label in both languages (`x-tepat-label`). */
  label?: Text;
  /** Help in both languages (`x-tepat-help`). */
  help?: Partial<Text>;
  default?: unknown;
  /** `enum`: the values; with descriptions when the schema gives them. */
  options?: { value: string; description?: string }[];
  /** `layer`: the roles offered (all vector layers when absent). */
  roles?: string[];
  /** `layer`: the geometry kinds offered (any when absent). */
  geometry?: string[];
  /** `field`/`fields`: the param whose layer the fields come from. */
  fieldOf?: string;
  /** `field`/`fields`: the field types offered (any when absent). */
  types?: string[];
  /** `field`/`fields`: numeric fields only (the types are all numeric). */
  numeric?: boolean;
  /** `column`/`columns`: the sibling param naming the analysis, or the analysis itself. */
  columnOf?: { param: string } | { analysis: string };
  /** Nested or rarely needed: shown under "advanced". */
  advanced: boolean;
}

/** A field's label in `l`: its own, else its key. */
export function fieldLabel(f: FormField, l: Lang): string {
  return say(f.label, l) || f.key;
}

/** A field's help in `l`: its own, else the schema's description. */
export function fieldHelp(f: FormField, l: Lang): string {
  return say(f.help, l) || f.description;
}

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
      return { schema: { ...inner, ...annotations(r), description: r.description ?? inner.description, default: r.default }, nullable: true };
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

const ANNOTATIONS = ['x-tepat-label', 'x-tepat-help', 'x-tepat-layer', 'x-tepat-field', 'x-tepat-column'] as const;

/** The `x-tepat-*` annotations of a schema. */
function annotations(s: JsonSchema): Partial<JsonSchema> {
  const out: Partial<JsonSchema> = {};
  for (const k of ANNOTATIONS) if (s[k] !== undefined) (out as Record<string, unknown>)[k] = s[k];
  return out;
}

const NUMERIC = new Set(['int', 'float']);

/** The form of an analysis's params schema, in schema order. */
export function schemaToForm(schema: JsonSchema): FormField[] {
  const props = schema.properties ?? {};
  const required = new Set(schema.required ?? []);
  const out: FormField[] = [];
  for (const [key, raw] of Object.entries(props)) {
    const { schema: s } = nonNull(raw, schema);
    // The property's own annotations win over those of a definition it refers to.
    const ann = { ...annotations(s), ...annotations(raw) };
    const description = (s.description ?? raw.description ?? '').trim();
    const base = {
      key,
      required: required.has(key),
      description,
      label: ann['x-tepat-label'],
      help: ann['x-tepat-help'],
      default: raw.default ?? s.default,
      advanced: false,
    };
    // A union of a string and an object (a field or {layer, field}): offer the string form.
    const alternatives = s.anyOf?.map((a) => resolve(a, schema));
    const stringAlt = alternatives?.find((a) => typeOf(a) === 'string');
    const ty = stringAlt ? 'string' : typeOf(s);
    const options = enumOptions(s);
    const layer = ann['x-tepat-layer'];
    const fieldAnn = ann['x-tepat-field'];
    const field = fieldAnn
      ? {
          fieldOf: fieldAnn.of,
          types: fieldAnn.types,
          numeric: !!fieldAnn.types?.length && fieldAnn.types.every((t) => NUMERIC.has(t)),
        }
      : undefined;
    const columnAnn = ann['x-tepat-column'];
    const column = columnAnn
      ? { columnOf: columnAnn.analysis in props && columnAnn.analysis !== key ? { param: columnAnn.analysis } : { analysis: columnAnn.analysis } }
      : undefined;
    if (options) {
      out.push({ ...base, kind: 'enum', options });
    } else if (ty === 'string' && layer) {
      out.push({ ...base, kind: 'layer', roles: layer.roles, geometry: layer.geometry });
    } else if (ty === 'string' && field) {
      out.push({ ...base, kind: 'field', ...field });
    } else if (ty === 'string' && column) {
      out.push({ ...base, kind: 'column', ...column });
    } else if (ty === 'string') {
      out.push({ ...base, kind: 'text' });
    } else if (ty === 'array') {
      const items = s.items ? resolve(s.items, schema) : {};
      const itemType = typeOf(items);
      if (itemType === 'string' && field) {
        out.push({ ...base, kind: 'fields', ...field });
      } else if (itemType === 'string' && column) {
        out.push({ ...base, kind: 'columns', ...column });
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
    // Rasters are offered only to a param that asks for them by role.
    .filter((l) => (f.roles ? f.roles.includes(l.role) : l.role !== 'raster'))
    .filter((l) => !f.geometry?.length || (l.geometry != null && f.geometry.includes(l.geometry)))
    .map((l) => l.name);
}

/** Fields a `field`/`fields` field offers, of its types, given the layer currently chosen
 *  for its `fieldOf` param (the fields of all layers when it has none). */
export function fieldChoices(f: FormField, layers: LayerInfo[], values: Record<string, FormValue>): string[] {
  const layerName = f.fieldOf ? values[f.fieldOf] : undefined;
  const from = typeof layerName === 'string' && layerName ? layers.filter((l) => l.name === layerName) : f.fieldOf ? [] : layers;
  const names = new Set<string>();
  for (const l of from) for (const fi of l.fields) if (!f.types?.length || f.types.includes(fi.type)) names.add(fi.name);
  return [...names];
}

/** Columns a `column`/`columns` field offers: the numeric columns the analysis it names
 *  (fixed, or the one chosen in its sibling param) describes. */
export function columnChoices(f: FormField, analyses: readonly AnalysisInfo[], values: Record<string, FormValue>): string[] {
  const of = f.columnOf;
  if (!of) return [];
  const name = 'param' in of ? values[of.param] : of.analysis;
  return typeof name === 'string' && name ? numericColumns(analysisOf(analyses, name)) : [];
}

export type FormValue = string | string[] | boolean | undefined;

/** A default param value as the form holds it. */
function fromDefault(f: FormField, v: unknown): FormValue {
  if (v === null || v === undefined) return f.kind === 'boolean' ? false : f.kind === 'fields' || f.kind === 'columns' ? [] : '';
  switch (f.kind) {
    case 'boolean':
      return v === true;
    case 'fields':
    case 'columns':
      return Array.isArray(v) ? v.map(String) : [String(v)];
    case 'list':
    case 'numbers':
      return Array.isArray(v) ? v.map(String).join(', ') : String(v);
    case 'json':
      return JSON.stringify(v);
    default:
      return typeof v === 'object' ? JSON.stringify(v) : String(v);
  }
}

/** Initial values: the analysis' default params on this project when it has them, else the
 *  schema defaults, and for a required layer param the first choice. */
export function initialValues(fields: FormField[], layers: LayerInfo[], defaults?: Record<string, unknown>): Record<string, FormValue> {
  const v: Record<string, FormValue> = {};
  for (const f of fields) {
    if (defaults && f.key in defaults) {
      v[f.key] = fromDefault(f, defaults[f.key]);
    } else if (f.kind === 'layer') {
      v[f.key] = f.required ? preferred(f, layers) : '';
    } else if (f.kind === 'boolean') {
      v[f.key] = typeof f.default === 'boolean' ? f.default : false;
    } else if (f.kind === 'fields' || f.kind === 'columns') {
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

/** A sensible first layer: one of the first role the param lists that the project has; of
 *  zones, the finest (most features), as results are read per kelurahan before kecamatan. */
function preferred(f: FormField, layers: LayerInfo[]): string {
  const choices = new Set(layerChoices(f, layers));
  const offered = layers.filter((l) => choices.has(l.name));
  for (const role of f.roles ?? []) {
    const of = offered.filter((l) => l.role === role);
    if (of.length === 0) continue;
    return role === 'zones' ? [...of].sort((a, b) => b.features - a.features)[0].name : of[0].name;
  }
  return offered[0]?.name ?? '';
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
      case 'columns':
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
