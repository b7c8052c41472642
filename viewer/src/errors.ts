// Error messages: a problem+json from the API shows its title and detail (which names the
// layer, field or parameter concerned); a network failure says the server is unreachable.

import { ApiError } from './api';
import { h } from './dom';
import { t } from './i18n';

export interface Shown {
  title: string;
  detail: string;
}

/** What to tell the user about `e`. */
export function describe(e: unknown): Shown {
  if (e instanceof ApiError) {
    if (e.status === 0) return { title: t('error.title'), detail: t('error.network') };
    // Sign-in problems in the user's words first; the server's detail says what was refused.
    if (e.status === 401) return { title: `${t('auth.401')} (401)`, detail: e.detail };
    if (e.status === 403) return { title: `${t('auth.403')} (403)`, detail: e.detail };
    return { title: `${e.title} (${e.status})`, detail: e.detail };
  }
  if (e && typeof e === 'object' && 'title' in e && 'detail' in e) {
    const o = e as { title: unknown; detail: unknown };
    return { title: String(o.title), detail: String(o.detail) };
  }
  return { title: t('error.title'), detail: e instanceof Error ? e.message : String(e) };
}

export function showError(container: HTMLElement, e: unknown): void {
  const { title, detail } = describe(e);
  console.error(title, detail);
  const card = h(
    'div',
    { class: 'error-card', role: 'alert' },
    h('div', {}, h('strong', {}, title), h('p', {}, detail)),
    h('button', { type: 'button', class: 'icon-btn', 'aria-label': t('error.dismiss'), title: t('error.dismiss'), onclick: () => card.remove() }, '×'),
  );
  container.append(card);
  while (container.children.length > 3) container.firstElementChild?.remove();
}
