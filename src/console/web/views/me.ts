/** "My access" for reader and writer accounts: what my party may read and write, where, up to which TLP, until when; my latest submissions. */
import { get } from '../api';
import { badge, h, notice, table } from '../dom';
import type { View } from '../main';

interface Access {
  agreement: string;
  title: string;
  status: string;
  valid_from: string;
  valid_until: string | null;
  in_force: boolean;
  actions: string[];
  usable_actions: string[];
  max_tlp: string;
  unmarked_as: string;
  types?: { allow?: string[]; deny?: string[] };
  rate_limit?: { requests_per_minute: number; burst: number };
  collections: { id: string; alias?: string; title: string; country?: string }[];
}

interface Submission {
  time: string;
  collection?: string;
  country?: string;
  outcome: string;
  objects: number;
  status?: { id: string; status: string; total_count: number; success_count: number; failure_count: number; pending_count: number };
}

export const myAccessView: View = async (main) => {
  const [{ party, access }, { submissions }] = await Promise.all([
    get<{ party: string; access: Access[] }>('/me/access'),
    get<{ submissions: Submission[] }>('/me/submissions'),
  ]);
  const now = Date.now();
  main.append(h('p', {}, `What your organisation (${party}) may do under its data-sharing agreements.`));
  if (access.length === 0) main.append(notice('info', 'No agreement names your organisation: you can read and write nothing.'));
  for (const a of access) {
    const days = a.valid_until === null ? undefined : Math.ceil((Date.parse(a.valid_until) - now) / 86_400_000);
    main.append(
      h(
        'section',
        { class: 'card access' },
        h('h2', {}, `${a.title} `, badge(a.in_force ? 'in force' : a.status === 'active' ? 'not in force' : a.status, a.in_force ? 'ok' : 'bad')),
        h(
          'dl',
          { class: 'detail' },
          h('dt', {}, 'Agreement'),
          h('dd', {}, a.agreement),
          h('dt', {}, 'You may'),
          h(
            'dd',
            {},
            a.usable_actions.length ? a.usable_actions.join(', ') : 'nothing (your roles do not include these actions)',
            a.usable_actions.length < a.actions.length ? h('span', { class: 'muted' }, ` (your organisation: ${a.actions.join(', ')})`) : null,
          ),
          h('dt', {}, 'Up to'),
          h(
            'dd',
            {},
            `TLP:${a.max_tlp.toUpperCase()}`,
            a.unmarked_as === 'deny' ? ' · unmarked objects refused' : ` · unmarked objects count as TLP:${a.unmarked_as.toUpperCase()}`,
          ),
          a.types
            ? [
                h('dt', {}, 'Object types'),
                h('dd', {}, a.types.allow ? `only ${a.types.allow.join(', ')}` : '', a.types.deny ? ` never ${a.types.deny.join(', ')}` : ''),
              ]
            : null,
          a.rate_limit
            ? [
                h('dt', {}, 'Request rate'),
                h(
                  'dd',
                  { class: 'rate' },
                  `at most ${a.rate_limit.requests_per_minute} requests a minute, bursts of ${a.rate_limit.burst}, all your organisation’s accounts together`,
                ),
              ]
            : null,
          h('dt', {}, 'Valid'),
          h(
            'dd',
            {},
            `${a.valid_from.slice(0, 10)} → ${a.valid_until?.slice(0, 10) ?? 'no end date'}`,
            days !== undefined && days >= 0 && days <= 30 ? [' ', badge(`ends in ${days} days`, 'warn')] : null,
          ),
          h('dt', {}, 'Where'),
          h(
            'dd',
            {},
            h(
              'div',
              { class: 'chips' },
              a.collections.map((c) =>
                h('span', { class: 'chip', title: c.id }, c.country ? `${c.alias ?? c.title} (${c.country})` : (c.alias ?? c.title)),
              ),
            ),
          ),
        ),
      ),
    );
  }
  main.append(
    h('h2', {}, 'My latest submissions'),
    submissions.length === 0
      ? h('p', { class: 'muted' }, 'No submissions yet.')
      : table(
          ['Time (UTC)', 'Collection', 'Outcome', 'Status', 'Stored', 'Failed', 'Pending'],
          submissions.map((s) => [
            s.time.slice(0, 19).replace('T', ' '),
            s.country ?? s.collection?.slice(0, 8) ?? '',
            badge(s.outcome),
            s.status?.status ?? '',
            String(s.status?.success_count ?? ''),
            String(s.status?.failure_count ?? ''),
            String(s.status?.pending_count ?? ''),
          ]),
          { numeric: [4, 5, 6] },
        ),
  );
};
