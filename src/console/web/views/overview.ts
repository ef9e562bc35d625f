/**
 * Auditor views from the daily summaries: overview (with log integrity), flows, map, withheld.
 * Over 300 lines on purpose: the four views share their summary queries and chart helpers.
 */
import { api, get, query } from '../api';
import { chart, PALETTE, worldMap } from '../charts';
import { badge, fmt, h, href, link, notice, short, table } from '../dom';
import type { FlowLink as Link, Overview as OverviewData } from '../../../audit/views';
import type { View } from '../main';
import { eventRange, periodForm, periodOf } from './period';

/** What the auditor API answers (src/http/auditor/views.ts): the period and the summary. */
interface Range {
  from: string;
  to: string;
}
type Overview = Range & OverviewData;
interface Integrity {
  head: { seq: number; hash: string };
  checkpoints: number;
  last_checkpoint?: { seq: number; hash: string };
  last_verification?: { time: string; account?: string; ok: boolean; events: number; broken_at?: number; problem?: string };
}
type Verify =
  | { ok: true; events: number; lastSeq: number | null; lastHash: string; checkpoints: number }
  | { ok: false; events: number; brokenAt: number; problem: string };
type Labels = Record<string, { title: string; alias?: string; country?: string }>;

/** Events with no party are the operator's, from the command line (imports, catalogue changes). */
const partyName = (party: string) => party || 'operator (command line)';

const collectionName = (labels: Labels, id: string) => {
  const l = labels[id];
  const name = l?.alias ?? l?.title ?? id.slice(0, 8);
  return l?.country ? `${name} (${l.country})` : name;
};

function integrityCard(integrity: Integrity): HTMLElement {
  const result = h('div', { 'aria-live': 'polite' });
  const last = integrity.last_verification;
  const state = last
    ? last.ok
      ? h('span', { class: 'state ok' }, '✔ Log intact at last verification')
      : h('span', { class: 'state bad' }, '✘ Log BROKEN at last verification')
    : h('span', { class: 'state' }, 'Not verified yet');
  const button = h('button', { type: 'button' }, 'Verify now');
  button.addEventListener('click', () => {
    button.disabled = true;
    result.replaceChildren(notice('info', 'Verifying every event of the log…'));
    api<Verify>('GET', '/audit/verify').then(
      (v) => {
        button.disabled = false;
        state.className = `state ${v.ok ? 'ok' : 'bad'}`;
        state.textContent = v.ok ? '✔ Log intact (verified just now)' : '✘ Log BROKEN (verified just now)';
        result.replaceChildren(
          v.ok
            ? h(
                'div',
                { class: 'notice info', role: 'status' },
                h('strong', { class: 'verify-ok' }, `Log intact: ${fmt(v.events)} events verified`),
                `, head ${v.lastSeq ?? 0}, ${v.checkpoints} checkpoints match.`,
              )
            : h(
                'div',
                { class: 'notice error', role: 'alert' },
                h('strong', { class: 'verify-broken' }, `Log BROKEN at event ${v.brokenAt}`),
                `: ${v.problem} (${fmt(v.events)} events checked before it).`,
              ),
        );
      },
      (e: unknown) => {
        button.disabled = false;
        result.replaceChildren(notice('error', String(e)));
      },
    );
  });
  return h(
    'section',
    { class: 'card', 'aria-labelledby': 'integrity-h' },
    h('h2', { id: 'integrity-h' }, 'Log integrity'),
    h(
      'div',
      { class: 'integrity' },
      state,
      h(
        'span',
        {},
        'Head: event ',
        h('strong', {}, fmt(integrity.head.seq)),
        ' ',
        h('span', { class: 'mono', title: integrity.head.hash }, short(integrity.head.hash)),
      ),
      h(
        'span',
        {},
        `Checkpoints: ${integrity.checkpoints}`,
        integrity.last_checkpoint ? ` (last at event ${fmt(integrity.last_checkpoint.seq)})` : '',
      ),
      last
        ? h(
            'span',
            { class: 'muted' },
            `Last verified ${last.time.slice(0, 19).replace('T', ' ')} UTC${last.account ? ` by ${last.account}` : ''}, ${fmt(last.events)} events`,
          )
        : null,
      button,
    ),
    result,
  );
}

export const overviewView: View = async (main, params) => {
  const [o, integrity] = await Promise.all([get<Overview>(`/audit/overview${query({ ...periodOf(params) })}`), get<Integrity>('/audit/integrity')]);
  const range = eventRange(o);
  const eventsChart = h('div', { class: 'chart', role: 'img', 'aria-label': 'Events per day by action and outcome' });
  const objectsChart = h('div', { class: 'chart', role: 'img', 'aria-label': 'Objects received, delivered and withheld per day' });
  const top = o.events.slice(0, 8);
  main.append(
    integrityCard(integrity),
    periodForm('overview', o),
    h(
      'div',
      { class: 'grid' },
      h('section', { class: 'card' }, h('h2', {}, 'Events per day, by action and outcome'), eventsChart),
      h('section', { class: 'card' }, h('h2', {}, 'Objects received and delivered per day'), objectsChart),
    ),
    h(
      'section',
      { class: 'card' },
      h('h2', {}, 'Refusals and failures'),
      o.refusals.length === 0
        ? h('p', { class: 'muted' }, 'None in this period.')
        : table(
            ['Action', 'Outcome', 'Events'],
            o.refusals.map((r) => [r.action, badge(r.outcome), link(fmt(r.events), 'events', { action: r.action, outcome: r.outcome, ...range })]),
            { numeric: [2] },
          ),
    ),
    h(
      'section',
      { class: 'card' },
      h('h2', {}, 'Events by action'),
      table(
        ['Action', 'Outcome', 'Events'],
        o.events.map((s) => [s.action, badge(s.outcome), link(fmt(s.total), 'events', { action: s.action, outcome: s.outcome, ...range })]),
        { numeric: [2] },
      ),
    ),
  );
  const days = o.days.map((d) => d.slice(5));
  chart(eventsChart, {
    color: PALETTE,
    tooltip: { trigger: 'axis' },
    legend: { type: 'scroll', bottom: 0 },
    grid: { left: 50, right: 16, top: 16, bottom: 60 },
    xAxis: { type: 'category', data: days },
    yAxis: { type: 'value' },
    series: top.map((s) => ({ name: `${s.action} ${s.outcome}`, type: 'bar', stack: 'events', data: s.perDay })),
  });
  chart(objectsChart, {
    color: PALETTE,
    tooltip: { trigger: 'axis' },
    legend: { bottom: 0 },
    grid: { left: 60, right: 16, top: 16, bottom: 40 },
    xAxis: { type: 'category', data: days },
    yAxis: { type: 'value' },
    series: [
      { name: 'received (added)', type: 'line', data: o.received },
      { name: 'delivered (read)', type: 'line', data: o.delivered },
      { name: 'withheld', type: 'line', data: o.withheld, lineStyle: { type: 'dashed' } },
    ],
  });
};

export const flowsView: View = async (main, params) => {
  const f = await get<Range & { pushed: Link[]; delivered: Link[]; collections: Labels }>(`/audit/flows${query({ ...periodOf(params) })}`);
  const range = eventRange(f);
  const sankey = h('div', {
    class: 'chart tall',
    role: 'img',
    'aria-label': 'Sankey diagram: parties push into collections, collections deliver to parties',
  });
  const eventsOf = (l: Link, action: string) => href('events', { party: l.party, collection: l.collection, action, outcome: 'success', ...range });
  const rows = (links: Link[], action: string, from: (l: Link) => string, to: (l: Link) => string) =>
    links.map((l) => [from(l), to(l), h('a', { href: eventsOf(l, action) }, fmt(l.objects)), fmt(l.requests)]);
  main.append(periodForm('flows', f));
  if (f.pushed.length === 0 && f.delivered.length === 0) {
    main.append(notice('info', 'No objects were added or delivered in this period.'));
    return;
  }
  main.append(
    h(
      'section',
      { class: 'card' },
      h('h2', {}, 'Who shared with whom: party → collection (country) → party'),
      h('p', { class: 'muted' }, 'Click a flow to see its events. Widths are object versions.'),
      sankey,
    ),
    h(
      'div',
      { class: 'grid' },
      h(
        'section',
        { class: 'card' },
        h('h2', {}, 'Pushed: party → collection'),
        table(
          ['Party', 'Collection', 'Objects', 'Requests'],
          rows(
            f.pushed,
            'objects.add',
            (l) => partyName(l.party),
            (l) => collectionName(f.collections, l.collection),
          ),
          { numeric: [2, 3] },
        ),
      ),
      h(
        'section',
        { class: 'card' },
        h('h2', {}, 'Delivered: collection → party'),
        table(
          ['Collection', 'Party', 'Objects', 'Requests'],
          rows(
            f.delivered,
            'objects.read',
            (l) => collectionName(f.collections, l.collection),
            (l) => partyName(l.party),
          ),
          { numeric: [2, 3] },
        ),
      ),
    ),
  );
  // Writers and readers are separate nodes (a party may be both): the diagram must stay acyclic.
  const nodes = new Map<string, { name: string; depth: number }>();
  const node = (name: string, depth: number) => nodes.set(name, { name, depth });
  const data = [
    ...f.pushed.map((l) => {
      const from = `${partyName(l.party)} ▸`;
      const to = collectionName(f.collections, l.collection);
      node(from, 0);
      node(to, 1);
      return { source: from, target: to, value: l.objects, link: eventsOf(l, 'objects.add') };
    }),
    ...f.delivered.map((l) => {
      const from = collectionName(f.collections, l.collection);
      const to = `▸ ${partyName(l.party)}`;
      node(from, 1);
      node(to, 2);
      return { source: from, target: to, value: l.objects, link: eventsOf(l, 'objects.read') };
    }),
  ];
  const c = chart(sankey, {
    tooltip: { trigger: 'item' },
    series: [
      {
        type: 'sankey',
        data: [...nodes.values()],
        links: data,
        emphasis: { focus: 'adjacency' },
        nodeAlign: 'justify',
        lineStyle: { color: 'gradient', opacity: 0.45 },
        label: { color: '#1b1f24' },
        levels: [0, 1, 2].map((depth) => ({ depth, itemStyle: { color: PALETTE[depth] } })),
      },
    ],
  });
  c.on('click', (p) => {
    const d = p.data as { link?: string };
    if (p.dataType === 'edge' && d.link) location.hash = d.link;
  });
};

export const mapView: View = async (main, params) => {
  const m = await get<Range & { countries: { country: string; pushed: number; delivered: number }[] }>(`/audit/map${query({ ...periodOf(params) })}`);
  const range = eventRange(m);
  const measure = params.get('show') === 'pushed' ? 'pushed' : 'delivered';
  const el = h('div', { class: 'chart tall', role: 'img', 'aria-label': `World map of objects ${measure} per country` });
  const choose = h(
    'div',
    { class: 'actions', role: 'group', 'aria-label': 'Measure' },
    (['delivered', 'pushed'] as const).map((k) =>
      h(
        'a',
        { href: href('map', { from: m.from, to: m.to, show: k }), 'aria-current': k === measure ? 'true' : undefined, class: 'chip' },
        k === 'delivered' ? 'Delivered (read)' : 'Pushed (added)',
      ),
    ),
  );
  main.append(
    periodForm('map', m),
    h('section', { class: 'card' }, h('h2', {}, `Objects ${measure} per country`), choose, el),
    h(
      'section',
      { class: 'card' },
      h('h2', {}, 'Per country'),
      m.countries.length === 0
        ? h('p', { class: 'muted' }, 'No country collection was read or written in this period.')
        : table(
            ['Country', 'Pushed', 'Delivered'],
            m.countries.map((c) => [
              c.country,
              link(fmt(c.pushed), 'events', { country: c.country, action: 'objects.add', ...range }),
              link(fmt(c.delivered), 'events', { country: c.country, action: 'objects.read', ...range }),
            ]),
            { numeric: [1, 2] },
          ),
    ),
  );
  const values = m.countries.map((c) => ({ name: c.country, value: c[measure] }));
  const max = Math.max(1, ...values.map((v) => v.value));
  const c = chart(el, {
    tooltip: {
      trigger: 'item',
      formatter: (p: { name: string; value?: number }) => `${p.name}: ${Number.isFinite(p.value) ? fmt(p.value as number) : 0}`,
    },
    visualMap: { min: 0, max, left: 10, bottom: 10, text: ['more', 'fewer'], calculable: true, inRange: { color: ['#deebf7', '#08306b'] } },
    series: [
      {
        type: 'map',
        map: worldMap(),
        roam: true,
        data: values,
        itemStyle: { areaColor: '#f0f2f5', borderColor: '#9aa3ad' },
        emphasis: { label: { show: false }, itemStyle: { areaColor: '#f0a500' } },
      },
    ],
  });
  c.on('click', (p) => {
    if (p.name) location.hash = href('events', { country: p.name, action: measure === 'pushed' ? 'objects.add' : 'objects.read', ...range });
  });
};

export const withheldView: View = async (main, params) => {
  const w = await get<
    Range & { withheld: { party: string; collection: string; country: string; reason: string; count: number }[]; collections: Labels }
  >(`/audit/withheld${query({ ...periodOf(params) })}`);
  const range = eventRange(w);
  const why: Record<string, string> = {
    tlp: 'TLP above the agreement’s ceiling',
    type: 'object type not covered',
    unmarked: 'no TLP marking, and unmarked objects are refused',
  };
  main.append(
    periodForm('withheld', w),
    h('p', { class: 'muted' }, 'Objects a reader asked for but was not given, because its agreements do not cover them.'),
    w.withheld.length === 0
      ? notice('info', 'Nothing was withheld in this period.')
      : table(
          ['Withheld from', 'Collection', 'Why', 'Objects'],
          w.withheld.map((r) => [
            r.party,
            collectionName(w.collections, r.collection),
            `${r.reason}: ${why[r.reason] ?? r.reason}`,
            link(fmt(r.count), 'events', { party: r.party, collection: r.collection, action: 'objects.read', ...range }),
          ]),
          { numeric: [3] },
        ),
  );
};
