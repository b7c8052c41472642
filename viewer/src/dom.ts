// A tiny element builder: h('button', { class: 'x', onclick: f }, 'text').

type Attr = string | number | boolean | undefined | null | ((e: Event) => void);
type Child = Node | string | number | null | undefined | false;

const PROPS = new Set(['value', 'checked', 'selected', 'disabled', 'hidden', 'multiple', 'open']);

export function h<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Record<string, Attr> = {}, ...children: Child[]): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === null || v === false) {
      if (PROPS.has(k)) (el as unknown as Record<string, unknown>)[k] = false;
      continue;
    }
    if (typeof v === 'function') el.addEventListener(k.replace(/^on/, ''), v);
    else if (k === 'class') el.className = String(v);
    else if (PROPS.has(k)) (el as unknown as Record<string, unknown>)[k] = v;
    else el.setAttribute(k, v === true ? '' : String(v));
  }
  for (const c of children) if (c !== null && c !== undefined && c !== false) el.append(typeof c === 'number' ? String(c) : c);
  return el;
}

let counter = 0;
/** A unique element id. */
export function uid(prefix: string): string {
  counter += 1;
  return `${prefix}-${counter}`;
}

/** Text with `backticked` names (param and layer names in help texts) as <code>. */
export function withCode(text: string): Child[] {
  return text.split('`').map((part, i) => (i % 2 === 1 ? h('code', {}, part) : part));
}
