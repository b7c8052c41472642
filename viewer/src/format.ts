// Numbers for people: Indonesian grouping and decimal comma in Indonesian (1.234,5; 8,5%;
// Rp 20 miliar), English conventions in English. Pure: no DOM, unit-tested.

export type Lang = 'id' | 'en';

const LOCALE: Record<Lang, string> = { id: 'id-ID', en: 'en-GB' };

const cache = new Map<string, Intl.NumberFormat>();
function nf(lang: Lang, opts: Intl.NumberFormatOptions): Intl.NumberFormat {
  const key = lang + JSON.stringify(opts);
  let f = cache.get(key);
  if (!f) {
    f = new Intl.NumberFormat(LOCALE[lang], opts);
    cache.set(key, f);
  }
  return f;
}

/** Fraction digits that keep a number readable: none for large counts, three for scores. */
export function defaultDigits(x: number): number {
  const a = Math.abs(x);
  if (Number.isInteger(x) || a >= 100_000) return 0;
  if (a >= 1) return 1;
  return 3;
}

/** `1234.5` → `1.234,5` (id) or `1,234.5` (en); null, undefined and NaN → `–`. */
export function formatNumber(x: number | null | undefined, lang: Lang, digits?: number): string {
  if (x === null || x === undefined || !Number.isFinite(x)) return '–';
  const d = digits ?? defaultDigits(x);
  // -0 and values that round to zero print as 0, not -0.
  const v = Math.abs(x) < 0.5 * 10 ** -d ? 0 : x;
  return nf(lang, { maximumFractionDigits: d, minimumFractionDigits: 0 }).format(v);
}

/** A share in [0, 1] as a percentage: `0.085` → `8,5%` (id) or `8.5%` (en). */
export function formatPercent(x: number | null | undefined, lang: Lang, digits = 1): string {
  if (x === null || x === undefined || !Number.isFinite(x)) return '–';
  return nf(lang, { style: 'percent', maximumFractionDigits: digits }).format(x);
}

const SCALES: Record<Lang, [number, string][]> = {
  id: [
    [1e12, 'triliun'],
    [1e9, 'miliar'],
    [1e6, 'juta'],
  ],
  en: [
    [1e12, 'trillion'],
    [1e9, 'billion'],
    [1e6, 'million'],
  ],
};

/** Rupiah in words for large amounts: `2e10` → `Rp 20 miliar` (id), `Rp 20 billion` (en);
 *  below a million the exact amount: `Rp 950.000`. */
export function formatRupiah(x: number | null | undefined, lang: Lang): string {
  if (x === null || x === undefined || !Number.isFinite(x)) return '–';
  const sign = x < 0 ? '-' : '';
  const a = Math.abs(x);
  for (const [scale, word] of SCALES[lang]) {
    if (a >= scale) return `${sign}Rp ${formatNumber(a / scale, lang, a / scale >= 100 ? 0 : 1)} ${word}`;
  }
  return `${sign}Rp ${formatNumber(Math.round(a), lang, 0)}`;
}

/** Any value for a cell, without knowing what it measures: numbers grouped, yes/no, nested
 *  values as JSON. */
export function formatPlain(v: unknown, lang: Lang): string {
  if (v === null || v === undefined || v === '') return '–';
  if (typeof v === 'number') return formatNumber(v, lang);
  if (typeof v === 'boolean') return lang === 'id' ? (v ? 'ya' : 'tidak') : v ? 'yes' : 'no';
  if (typeof v === 'object') return JSON.stringify(v);
  return String(v);
}

// A layer's own attributes have no descriptor; only for them is the format read off the
// field name (analysis results are formatted by their columns' descriptors instead).
const SHARE_ATTRIBUTE = /(^|_)(share|rate|ratio)(_|$)/;
const RUPIAH_ATTRIBUTE = /(^|_)(rp|rupiah|budget|anggaran|biaya|cost_rp)(_|$)/;

/** A layer attribute's value for a popup or a layer legend, by its field name. */
export function formatAttribute(name: string, v: unknown, lang: Lang): string {
  if (typeof v === 'number') {
    if (SHARE_ATTRIBUTE.test(name)) return formatPercent(v, lang);
    if (RUPIAH_ATTRIBUTE.test(name)) return formatRupiah(v, lang);
  }
  return formatPlain(v, lang);
}
