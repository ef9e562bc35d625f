/**
 * Building the page from data without HTML strings: every value becomes a text node, so
 * nothing the server returns (names, titles, event fields) can run as markup.
 */
type Child = Node | string | number | null | undefined | false;
type Attrs = Record<string, string | number | boolean | undefined | ((e: Event) => void)>;

export function h<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Attrs = {}, ...children: (Child | Child[])[]): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value === undefined || value === false) continue;
    if (typeof value === 'function') el.addEventListener(name.slice(2).toLowerCase(), value);
    else if (value === true) el.setAttribute(name, '');
    else el.setAttribute(name, String(value));
  }
  for (const c of children.flat()) if (c !== null && c !== undefined && c !== false) el.append(typeof c === 'number' ? String(c) : c);
  return el;
}

export function table(headers: string[], rows: (Child | Child[])[][], opts: { numeric?: number[]; caption?: string } = {}): HTMLTableElement {
  const num = new Set(opts.numeric ?? []);
  return h(
    'table',
    {},
    opts.caption ? h('caption', { class: 'muted' }, opts.caption) : null,
    h(
      'thead',
      {},
      h(
        'tr',
        {},
        headers.map((t, i) => h('th', { scope: 'col', class: num.has(i) ? 'num' : undefined }, t)),
      ),
    ),
    h(
      'tbody',
      {},
      rows.map((r) =>
        h(
          'tr',
          {},
          r.map((c, i) => h('td', { class: num.has(i) ? 'num' : undefined }, c)),
        ),
      ),
    ),
  );
}

export function badge(text: string, kind = text): HTMLElement {
  return h('span', { class: `badge ${kind}` }, text);
}

export function notice(kind: 'error' | 'info' | 'warn', text: string): HTMLElement {
  return h('div', { class: `notice ${kind}`, role: kind === 'error' ? 'alert' : 'status' }, text);
}

/** A link inside the console (hash routes), with query parameters. */
export function link(text: Child, route: string, params: Record<string, string | undefined> = {}): HTMLAnchorElement {
  return h('a', { href: href(route, params) }, text);
}

export function href(route: string, params: Record<string, string | undefined> = {}): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== '') q.set(k, v);
  const s = q.toString();
  return `#/${route}${s ? `?${s}` : ''}`;
}

export const fmt = (n: number) => n.toLocaleString('en-US');
export const short = (hash: string) => `${hash.slice(0, 12)}…`;
