/**
 * Administrator views over the admin API: agreements (validity timeline, versions side by
 * side, create, revise, activate, suspend, revoke), parties, accounts (disable, tokens), and
 * collections by country. Every change is the admin API's, with its checks, in the sharing log.
 *
 * Over 300 lines on purpose: the four administrator views share their forms and table helpers.
 */
import { api, ApiError, get } from '../api';
import { badge, h, href, link, notice, table } from '../dom';
import type { View } from '../main';

interface Agreement {
  id: string;
  version: number;
  title: string;
  instrument: string;
  parties: string[];
  valid_from: string;
  valid_until: string | null;
  status: string;
  terms: {
    text?: string;
    permitted_actions?: string;
    attribution?: string;
    onward_sharing?: string;
    rate_limit?: { requests_per_minute: number; burst: number };
  };
  grants: { party: string; actions: string[]; collections: Record<string, unknown>; types?: unknown; max_tlp: string; unmarked_as: string }[];
  created: string;
  created_by: string;
  updated: string;
  updated_by: string;
}

const DAY = 86_400_000;
const SOON_DAYS = 30;

function message(slot: HTMLElement, e: unknown): void {
  slot.replaceChildren(notice('error', e instanceof ApiError ? `${e.title}: ${e.description}` : String(e)));
}

/** Runs a change, then re-renders the view (the hash is unchanged, so re-route by hand). */
async function change(
  slot: HTMLElement,
  run: () => Promise<unknown>,
  done = () => window.dispatchEvent(new HashChangeEvent('hashchange')),
): Promise<void> {
  try {
    await run();
    done();
  } catch (e) {
    message(slot, e);
  }
}

function daysLeft(a: Agreement, now: number): number | undefined {
  return a.valid_until === null ? undefined : Math.ceil((Date.parse(a.valid_until) - now) / DAY);
}

/** The fields a revision sends (the wire form of schemas/catalog/agreement.json). */
function editable(a: Agreement): Record<string, unknown> {
  return {
    title: a.title,
    instrument: a.instrument,
    parties: a.parties,
    valid_from: a.valid_from,
    valid_until: a.valid_until,
    terms: a.terms,
    grants: a.grants,
  };
}

const TEMPLATE = {
  id: 'new-agreement',
  title: 'Title of the agreement',
  instrument: 'reference to the signed instrument',
  parties: ['party-a', 'party-b'],
  valid_from: new Date().toISOString().slice(0, 10) + 'T00:00:00Z',
  valid_until: null,
  status: 'draft',
  grants: [{ party: 'party-a', actions: ['read'], collections: { countries: ['FR'] }, max_tlp: 'amber', unmarked_as: 'deny' }],
};

function editor(title: string, initial: unknown, submit: (body: unknown) => Promise<unknown>): HTMLElement {
  const area = h('textarea', { 'aria-label': title, spellcheck: 'false', id: 'agreement-json' }, JSON.stringify(initial, null, 2));
  const slot = h('div', { 'aria-live': 'polite' });
  return h(
    'section',
    { class: 'card' },
    h('h2', {}, title),
    h(
      'form',
      {
        onsubmit: (e: Event) => {
          e.preventDefault();
          let body: unknown;
          try {
            body = JSON.parse(area.value);
          } catch {
            slot.replaceChildren(notice('error', 'That is not valid JSON.'));
            return;
          }
          void change(slot, () => submit(body));
        },
      },
      area,
      h('div', { class: 'actions' }, h('button', { type: 'submit' }, 'Save')),
      slot,
    ),
  );
}

function windowBar(a: Agreement, lo: number, hi: number, now: number): HTMLElement {
  const start = Date.parse(a.valid_from);
  const end = a.valid_until === null ? hi : Date.parse(a.valid_until);
  const left = ((start - lo) / (hi - lo)) * 100;
  const width = Math.max(1, ((end - start) / (hi - lo)) * 100);
  const left_ = daysLeft(a, now);
  const soon = a.status === 'active' && left_ !== undefined && left_ >= 0 && left_ <= SOON_DAYS;
  const nowAt = ((now - lo) / (hi - lo)) * 100;
  return h(
    'div',
    { class: 'window', title: `${a.valid_from.slice(0, 10)} → ${a.valid_until?.slice(0, 10) ?? 'open-ended'}` },
    h('span', { class: `${a.status}${soon ? ' soon' : ''}`, style: `left:${left.toFixed(2)}%;width:${Math.min(width, 100 - left).toFixed(2)}%` }),
    h('span', { style: `left:${nowAt.toFixed(2)}%;width:2px;background:#1b1f24`, title: 'now' }),
  );
}

function agreementList(main: HTMLElement, agreements: Agreement[]): void {
  const now = Date.now();
  const starts = agreements.map((a) => Date.parse(a.valid_from));
  const ends = agreements.map((a) => (a.valid_until === null ? now + 365 * DAY : Date.parse(a.valid_until)));
  const lo = Math.min(now - 30 * DAY, ...starts);
  const hi = Math.max(now + 90 * DAY, ...ends);
  const ending = agreements.filter((a) => {
    const d = daysLeft(a, now);
    return a.status === 'active' && d !== undefined && d >= 0 && d <= SOON_DAYS;
  });
  main.append(
    ending.length
      ? notice(
          'warn',
          `${ending.length} active agreement${ending.length > 1 ? 's end' : ' ends'} within ${SOON_DAYS} days: ${ending.map((a) => a.id).join(', ')}.`,
        )
      : '',
    h('div', { class: 'actions' }, h('a', { href: href('agreements', { new: '1' }) }, '+ New agreement')),
    table(
      [
        'Agreement',
        'Status',
        'Parties',
        'Valid from',
        'Valid until',
        `Validity (${new Date(lo).toISOString().slice(0, 7)} → ${new Date(hi).toISOString().slice(0, 7)})`,
      ],
      agreements.map((a) => {
        const d = daysLeft(a, now);
        const flag =
          a.status === 'active' && d !== undefined && d >= 0 && d <= SOON_DAYS
            ? badge(`ends in ${d} days`, 'warn')
            : a.status === 'active' && d !== undefined && d < 0
              ? badge('expired', 'bad')
              : null;
        return [
          h('span', {}, link(a.id, 'agreements', { id: a.id }), h('br', {}), h('span', { class: 'muted' }, `${a.title} · v${a.version}`)),
          badge(a.status),
          a.parties.join(', '),
          a.valid_from.slice(0, 10),
          h('span', {}, a.valid_until?.slice(0, 10) ?? 'open-ended', ' ', flag),
          windowBar(a, lo, hi, now),
        ];
      }),
    ),
  );
}

/** Two versions field by field; changed rows are marked. */
function versionsSideBySide(versions: Agreement[], left: number, right: number): HTMLElement {
  const a = versions.find((v) => v.version === left);
  const b = versions.find((v) => v.version === right);
  if (!a || !b) return notice('info', 'Only one version so far.');
  const fields = ['title', 'instrument', 'parties', 'valid_from', 'valid_until', 'status', 'terms', 'grants', 'created', 'created_by'] as const;
  const show = (v: unknown) => h('pre', { class: 'mono' }, typeof v === 'string' ? v : JSON.stringify(v, null, 1));
  return h(
    'table',
    { class: 'diff', id: 'versions' },
    h(
      'thead',
      {},
      h(
        'tr',
        {},
        h('th', { scope: 'col' }, 'Field'),
        h('th', { scope: 'col' }, `Version ${a.version}`),
        h('th', { scope: 'col' }, `Version ${b.version}`),
      ),
    ),
    h(
      'tbody',
      {},
      fields.map((f) => {
        const changed = JSON.stringify(a[f]) !== JSON.stringify(b[f]);
        return h(
          'tr',
          { class: changed ? 'changed' : undefined },
          h('th', { scope: 'row' }, f, changed ? ' (changed)' : ''),
          h('td', { class: changed ? 'changed' : undefined }, show(a[f])),
          h('td', { class: changed ? 'changed' : undefined }, show(b[f])),
        );
      }),
    ),
  );
}

/** The agreement's rate term as its grantees live with it (docs/agreements.md, "Request rates"). */
function rateText(a: Agreement): string {
  const r = a.terms.rate_limit;
  return r
    ? `Request rate: each grantee party at most ${r.requests_per_minute} requests a minute, bursts of ${r.burst}, all its accounts together.`
    : 'Request rate: no term (each account’s own limit applies).';
}

async function agreementDetail(main: HTMLElement, id: string, params: URLSearchParams): Promise<void> {
  const [current, { versions }] = await Promise.all([
    get<Agreement>(`/admin/agreements/${encodeURIComponent(id)}`),
    get<{ versions: Agreement[] }>(`/admin/agreements/${encodeURIComponent(id)}/versions`),
  ]);
  const slot = h('div', { 'aria-live': 'polite' });
  const move = (to: string) =>
    h(
      'button',
      {
        type: 'button',
        class: to === 'revoke' ? 'danger' : undefined,
        onclick: () => void change(slot, () => api('POST', `/admin/agreements/${encodeURIComponent(id)}/${to}`)),
      },
      to[0]?.toUpperCase() + to.slice(1),
    );
  const allowedMoves: Record<string, string[]> = {
    draft: ['activate', 'revoke'],
    active: ['suspend', 'revoke'],
    suspended: ['activate', 'revoke'],
    revoked: [],
  };
  const latest = versions[versions.length - 1]?.version ?? current.version;
  const right = Number(params.get('right') ?? latest);
  const left = Number(params.get('left') ?? Math.max(1, right - 1));
  const picker = (name: 'left' | 'right', value: number) =>
    h(
      'select',
      {
        'aria-label': `${name} version`,
        onchange: (e: Event) =>
          (location.hash = href('agreements', {
            id,
            left: String(name === 'left' ? (e.target as HTMLSelectElement).value : left),
            right: String(name === 'right' ? (e.target as HTMLSelectElement).value : right),
          })),
      },
      versions.map((v) => h('option', { value: String(v.version), selected: v.version === value }, `version ${v.version}`)),
    );
  main.append(
    h('p', {}, link('← All agreements', 'agreements')),
    h(
      'section',
      { class: 'card' },
      h('h2', {}, `${current.title} `, badge(current.status)),
      h(
        'p',
        {},
        `${current.id}, version ${current.version} · ${current.parties.join(', ')} · valid ${current.valid_from.slice(0, 10)} → ${current.valid_until?.slice(0, 10) ?? 'open-ended'} · instrument: ${current.instrument}`,
      ),
      h('p', { id: 'rate' }, rateText(current)),
      h(
        'div',
        { class: 'actions', role: 'group', 'aria-label': 'Lifecycle' },
        (allowedMoves[current.status] ?? []).map(move),
        h('a', { href: href('events', { agreement: id }) }, 'Events under this agreement'),
      ),
      slot,
      table(
        ['Party', 'Actions', 'Collections', 'Up to TLP', 'Unmarked objects'],
        current.grants.map((g) => [g.party, g.actions.join(', '), JSON.stringify(g.collections), g.max_tlp, g.unmarked_as]),
      ),
    ),
    h(
      'section',
      { class: 'card' },
      h('h2', {}, 'Versions side by side'),
      h('div', { class: 'actions' }, picker('left', left), picker('right', right)),
      versionsSideBySide(versions, left, right),
    ),
    current.status === 'revoked'
      ? ''
      : editor('Revise (a new version unless a draft)', editable(current), (body) => api('PUT', `/admin/agreements/${encodeURIComponent(id)}`, body)),
  );
}

export const agreementsView: View = async (main, params) => {
  const id = params.get('id');
  if (id) return agreementDetail(main, id, params);
  if (params.get('new')) {
    main.append(
      h('p', {}, link('← All agreements', 'agreements')),
      editor('New agreement', TEMPLATE, async (body) => {
        const created = await api<Agreement>('POST', '/admin/agreements', body);
        location.hash = href('agreements', { id: created.id });
      }),
    );
    return;
  }
  const { agreements } = await get<{ agreements: Agreement[] }>('/admin/agreements');
  agreementList(main, agreements);
};

export const partiesView: View = async (main) => {
  const { parties } = await get<{ parties: { id: string; name: string; kind: string; country?: string }[] }>('/admin/parties');
  const slot = h('div', { 'aria-live': 'polite' });
  const fields = {
    id: h('input', { name: 'id', required: true }),
    name: h('input', { name: 'name', required: true }),
    country: h('input', { name: 'country', placeholder: 'FR', maxlength: 2 }),
  };
  const kind = h(
    'select',
    { name: 'kind' },
    ['national-agency', 'international-body', 'vendor', 'auditor', 'operator', 'other'].map((k) => h('option', { value: k }, k)),
  );
  main.append(
    table(
      ['Id', 'Name', 'Kind', 'Country'],
      parties.map((p) => [p.id, p.name, p.kind, p.country ?? '']),
    ),
    h(
      'section',
      { class: 'card' },
      h('h2', {}, 'New party'),
      h(
        'form',
        {
          class: 'filters',
          onsubmit: (e: Event) => {
            e.preventDefault();
            const body = {
              id: fields.id.value,
              name: fields.name.value,
              kind: kind.value,
              ...(fields.country.value && { country: fields.country.value.toUpperCase() }),
            };
            void change(slot, () => api('POST', '/admin/parties', body));
          },
        },
        h('label', {}, 'Id', fields.id),
        h('label', {}, 'Name', fields.name),
        h('label', {}, 'Kind', kind),
        h('label', {}, 'Country (ISO code)', fields.country),
        h('button', { type: 'submit' }, 'Create'),
      ),
      slot,
    ),
  );
};

interface Account {
  name: string;
  party: string;
  roles: string[];
  disabled: boolean;
  tokens?: { id: string; label: string; created: string; revoked: string | null }[];
}

export const accountsView: View = async (main, params) => {
  const { accounts } = await get<{ accounts: Account[] }>('/admin/accounts');
  const selected = params.get('name');
  const slot = h('div', { 'aria-live': 'polite' });
  main.append(
    slot,
    table(
      ['Account', 'Party', 'Roles', 'State', ''],
      accounts.map((a) => [
        link(a.name, 'accounts', { name: a.name }),
        a.party,
        a.roles.join(', '),
        a.disabled ? badge('disabled', 'bad') : badge('enabled', 'ok'),
        h(
          'button',
          {
            type: 'button',
            class: 'secondary',
            onclick: () => void change(slot, () => api('PATCH', `/admin/accounts/${encodeURIComponent(a.name)}`, { disabled: !a.disabled })),
          },
          a.disabled ? 'Enable' : 'Disable',
        ),
      ]),
    ),
  );
  if (!selected) return;
  const account = await get<Account>(`/admin/accounts/${encodeURIComponent(selected)}`);
  const label = h('input', { name: 'label', required: true, placeholder: 'what the token is for' });
  const shown = h('div', { 'aria-live': 'polite' });
  main.append(
    h(
      'section',
      { class: 'card', id: 'tokens' },
      h('h2', {}, `API tokens of ${account.name}`),
      table(
        ['Id', 'Label', 'Created', 'State', ''],
        (account.tokens ?? []).map((t) => [
          h('span', { class: 'mono' }, t.id),
          t.label,
          t.created.slice(0, 10),
          t.revoked ? badge('revoked', 'bad') : badge('active', 'ok'),
          t.revoked
            ? ''
            : h(
                'button',
                {
                  type: 'button',
                  class: 'danger',
                  onclick: () => void change(slot, () => api('DELETE', `/admin/tokens/${encodeURIComponent(t.id)}`)),
                },
                'Revoke',
              ),
        ]),
      ),
      h(
        'form',
        {
          class: 'filters',
          onsubmit: (e: Event) => {
            e.preventDefault();
            api<{ token: string; id: string }>('POST', `/admin/accounts/${encodeURIComponent(account.name)}/tokens`, { label: label.value }).then(
              (t) =>
                shown.replaceChildren(
                  h(
                    'div',
                    { class: 'notice warn', role: 'alert' },
                    h('p', {}, 'The new token, shown this once (it is stored only as a hash): copy it now.'),
                    h('p', { class: 'mono', id: 'new-token' }, t.token),
                  ),
                ),
              (err: unknown) => message(shown, err),
            );
          },
        },
        h('label', {}, 'Label', label),
        h('button', { type: 'submit' }, 'Issue a token'),
      ),
      shown,
    ),
  );
};

export const collectionsView: View = async (main) => {
  const { collections } = await get<{ collections: { id: string; alias?: string; title: string; country?: string; api_root: string }[] }>(
    '/admin/collections',
  );
  const byCountry = new Map<string, typeof collections>();
  for (const c of collections) byCountry.set(c.country ?? '—', [...(byCountry.get(c.country ?? '—') ?? []), c]);
  const countries = [...byCountry.keys()].sort();
  main.append(
    h('p', { class: 'muted' }, `${collections.length} collections in ${countries.filter((c) => c !== '—').length} countries.`),
    table(
      ['Country', 'Collections'],
      countries.map((country) => [
        country === '—' ? 'not a country collection' : country,
        h(
          'div',
          { class: 'chips' },
          (byCountry.get(country) ?? []).map((c) => h('span', { class: 'chip', title: `${c.id} (${c.api_root})` }, c.alias ?? c.title)),
        ),
      ]),
    ),
  );
};
