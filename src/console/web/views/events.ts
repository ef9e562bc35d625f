/** Auditor views over single events: the filtered event list with detail, custody, export. */
import { get, query } from '../api';
import { badge, fmt, h, href, link, notice } from '../dom';
import type { Custody, CustodyEntry } from '../../../audit/custody';
import type { View } from '../main';

interface AuditEvent {
  seq: number;
  id: string;
  time: string;
  action: string;
  outcome: string;
  account?: string;
  party?: string;
  collection?: string;
  country?: string;
  agreements?: string[];
  objects?: { id: string; version: string }[];
  withheld?: { count: number; reasons: Record<string, number> };
  http_status?: number;
  status_id?: string;
  detail?: Record<string, unknown>;
  hash: string;
  prev_hash: string;
  [field: string]: unknown;
}

const FILTERS: [string, string, string][] = [
  ['from', 'From (RFC 3339)', '2026-01-01T00:00:00Z'],
  ['to', 'To (RFC 3339)', ''],
  ['party', 'Party', ''],
  ['account', 'Account', ''],
  ['agreement', 'Agreement (id or id@version)', ''],
  ['collection', 'Collection id', ''],
  ['country', 'Country (ISO code)', ''],
  ['object', 'Object id', ''],
  ['action', 'Action (e.g. objects, catalog)', ''],
  ['outcome', 'Outcome', ''],
];
const FILTER_NAMES = FILTERS.map(([name]) => name);
const STORED = 'accord-console-filter';

function filtersOf(params: URLSearchParams): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of FILTER_NAMES) {
    const v = params.get(name);
    if (v) out[name] = v;
  }
  return out;
}

function filterForm(current: Record<string, string>): HTMLFormElement {
  const inputs = FILTERS.map(([name, , placeholder]) =>
    name === 'outcome'
      ? h(
          'select',
          { name },
          ['', 'success', 'denied', 'failure'].map((o) => h('option', { value: o, selected: current[name] === o }, o || 'any')),
        )
      : h('input', { name, value: current[name] ?? '', placeholder }),
  );
  return h(
    'form',
    {
      class: 'filters card',
      'aria-label': 'Event filters',
      onsubmit: (e: Event) => {
        e.preventDefault();
        const values: Record<string, string> = {};
        for (const input of inputs) if (input.value) values[input.name] = input.value;
        location.hash = href('events', values);
      },
    },
    FILTERS.map(([, label], i) => h('label', {}, label, inputs[i] as HTMLElement)),
    h('div', { class: 'actions' }, h('button', { type: 'submit' }, 'Apply filters'), h('a', { href: '#/events' }, 'Clear')),
  );
}

function detail(e: AuditEvent, head: number): HTMLElement {
  const known = new Set(['seq', 'id', 'time', 'action', 'outcome', 'hash', 'prev_hash', 'objects', 'agreements', 'detail']);
  const rows: [string, Node | string][] = [
    ['Place in chain', `event ${fmt(e.seq)} of ${fmt(head)}`],
    ['Event id', h('span', { class: 'mono' }, e.id)],
    ['Hash', h('span', { class: 'mono event-hash' }, e.hash)],
    ['Previous hash', h('span', { class: 'mono' }, e.prev_hash)],
    ['Time', e.time],
    ['Action', `${e.action} (${e.outcome})`],
    ...Object.entries(e)
      .filter(([k]) => !known.has(k))
      .map(([k, v]): [string, string] => [k, typeof v === 'string' ? v : JSON.stringify(v)]),
    ['Agreements', e.agreements?.join(', ') ?? '—'],
  ];
  if (e.detail) rows.push(['Detail', h('span', { class: 'mono' }, JSON.stringify(e.detail))]);
  return h(
    'section',
    { class: 'card', id: 'event-detail', 'aria-label': `Event ${e.seq}` },
    h('h2', {}, `Event ${e.seq}`),
    h(
      'dl',
      { class: 'detail' },
      rows.flatMap(([k, v]) => [h('dt', {}, k), h('dd', {}, v)]),
    ),
    e.objects?.length
      ? h(
          'div',
          {},
          h('h2', {}, `Objects (${e.objects.length})`),
          h(
            'ul',
            {},
            e.objects.slice(0, 200).map((o) => h('li', {}, link(o.id, 'custody', { object: o.id }), ` ${o.version}`)),
          ),
        )
      : null,
  );
}

export const eventsView: View = async (main, params) => {
  const filters = filtersOf(params);
  sessionStorage.setItem(STORED, JSON.stringify(filters));
  const next = params.get('next') ?? undefined;
  const [page, integrity] = await Promise.all([
    get<{ events: AuditEvent[]; more: boolean; next?: string }>(`/audit/events${query({ ...filters, order: 'desc', limit: '50', next })}`),
    get<{ head: { seq: number } }>('/audit/integrity'),
  ]);
  const detailSlot = h('div', {});
  const select = (e: AuditEvent, row: HTMLElement) => {
    document.querySelectorAll('tr.selected').forEach((r) => r.classList.remove('selected'));
    row.classList.add('selected');
    detailSlot.replaceChildren(detail(e, integrity.head.seq));
    detailSlot.scrollIntoView({ block: 'nearest' });
  };
  const rows = page.events.map((e) => {
    const row = h(
      'tr',
      { class: 'clickable', tabindex: 0, 'aria-label': `Event ${e.seq}, ${e.action}, ${e.outcome}` },
      h('td', { class: 'num' }, String(e.seq)),
      h('td', {}, e.time.slice(0, 19).replace('T', ' ')),
      h('td', {}, e.action),
      h('td', {}, badge(e.outcome)),
      h('td', {}, e.account ?? ''),
      h('td', {}, e.party ?? ''),
      h('td', {}, e.country ?? (e.collection ? e.collection.slice(0, 8) : '')),
      h('td', { class: 'num' }, e.objects ? String(e.objects.length) : ''),
    );
    row.addEventListener('click', () => select(e, row));
    row.addEventListener('keydown', (k) => {
      if (k.key === 'Enter' || k.key === ' ') {
        k.preventDefault();
        select(e, row);
      }
    });
    return row;
  });
  main.append(
    filterForm(filters),
    h('p', { class: 'muted' }, 'Newest first. Select an event (click, or Tab and Enter) for its hash and place in the chain.'),
    page.events.length === 0
      ? notice('info', 'No event matches these filters.')
      : h(
          'table',
          { id: 'events' },
          h(
            'thead',
            {},
            h(
              'tr',
              {},
              ['Seq', 'Time (UTC)', 'Action', 'Outcome', 'Account', 'Party', 'Country / collection', 'Objects'].map((t, i) =>
                h('th', { scope: 'col', class: i === 0 || i === 7 ? 'num' : undefined }, t),
              ),
            ),
          ),
          h('tbody', {}, rows),
        ),
    h(
      'div',
      { class: 'actions' },
      next ? h('a', { href: href('events', filters) }, '⏮ Newest') : null,
      page.more && page.next ? h('a', { href: href('events', { ...filters, next: page.next }), id: 'older' }, 'Older events ▶') : null,
      h('a', { href: href('export', filters) }, 'Export these events'),
    ),
    detailSlot,
  );
};

export const custodyView: View = async (main, params) => {
  const object = params.get('object') ?? '';
  const input = h('input', { name: 'object', value: object, placeholder: 'indicator--…', size: 50, required: true });
  main.append(
    h(
      'form',
      {
        class: 'filters card',
        'aria-label': 'Object',
        onsubmit: (e: Event) => {
          e.preventDefault();
          location.hash = href('custody', { object: input.value.trim() });
        },
      },
      h('label', {}, 'STIX object id', input),
      h('button', { type: 'submit' }, 'Show custody'),
    ),
  );
  if (!object) return;
  const custody = await get<Custody>(`/audit/objects/${encodeURIComponent(object)}/custody`);
  const item = (kind: string, e: CustodyEntry) =>
    h(
      'li',
      { class: kind },
      h(
        'strong',
        {},
        `${e.time.slice(0, 19).replace('T', ' ')} UTC · ${kind === 'submitted' ? 'submitted by' : kind === 'received' ? 'received by' : 'deleted by'} ${e.account ?? '?'} (${e.party ?? '?'})`,
      ),
      h(
        'div',
        { class: 'muted' },
        `${e.country ? `${e.country} · ` : ''}collection ${e.collection ?? '—'} · under ${e.agreements?.join(', ') || 'no agreement recorded'} · `,
        link(`event ${e.seq}`, 'events', { object, from: undefined }),
      ),
    );
  main.append(
    h(
      'section',
      { class: 'card', id: 'custody' },
      h('h2', {}, `Chain of custody of ${custody.object}`),
      custody.versions.map((v) =>
        h(
          'div',
          {},
          h('h2', {}, `Version ${v.version}`),
          h(
            'ol',
            { class: 'timeline' },
            [
              ...v.submitted.map((e) => ({ kind: 'submitted', e })),
              ...v.received.map((e) => ({ kind: 'received', e })),
              ...v.deleted.map((e) => ({ kind: 'deleted', e })),
            ]
              .sort((a, b) => a.e.seq - b.e.seq)
              .map(({ kind, e }) => item(kind, e)),
          ),
        ),
      ),
    ),
  );
};

export const exportView: View = async (main, params) => {
  const fromUrl = filtersOf(params);
  const filters = Object.keys(fromUrl).length ? fromUrl : (JSON.parse(sessionStorage.getItem(STORED) ?? '{}') as Record<string, string>);
  const described = Object.entries(filters).map(([k, v]) => `${k} = ${v}`);
  main.append(
    h(
      'section',
      { class: 'card' },
      h('h2', {}, 'Current filter'),
      described.length
        ? h(
            'ul',
            {},
            described.map((d) => h('li', {}, d)),
          )
        : h('p', {}, 'No filter: the whole log.'),
      h('p', {}, link('Change the filter in Events', 'events', filters)),
      h(
        'div',
        { class: 'actions' },
        h(
          'a',
          { href: `/audit/export${query({ ...filters, format: 'ndjson' })}`, download: 'accord-audit.ndjson', id: 'export-ndjson', class: 'chip' },
          'Download NDJSON',
        ),
        h(
          'a',
          { href: `/audit/export${query({ ...filters, format: 'csv' })}`, download: 'accord-audit.csv', id: 'export-csv', class: 'chip' },
          'Download CSV',
        ),
      ),
    ),
    h(
      'section',
      { class: 'card' },
      h('h2', {}, 'Verify offline'),
      h(
        'p',
        {},
        'An export carries each event as the canonical JSON its hash covers, with the log’s head and checkpoints, so it verifies without the server: every hash is recomputed, an unfiltered export must chain from event 1 to the head, a filtered one is checked event by event.',
      ),
      h('pre', { class: 'mono' }, 'accord audit verify --file accord-audit.ndjson'),
    ),
  );
};
