/** The period (days, inclusive) that the summary views share, kept in the URL. */
import { h } from '../dom';

export interface Period {
  from?: string;
  to?: string;
}

export function periodOf(params: URLSearchParams): Period {
  return { from: params.get('from') ?? undefined, to: params.get('to') ?? undefined };
}

/** A from/to form that reloads the current view with the chosen days. */
export function periodForm(route: string, period: { from: string; to: string }): HTMLFormElement {
  const from = h('input', { type: 'date', name: 'from', value: period.from, required: true });
  const to = h('input', { type: 'date', name: 'to', value: period.to, required: true });
  return h(
    'form',
    {
      class: 'filters card',
      'aria-label': 'Period',
      onsubmit: (e: Event) => {
        e.preventDefault();
        location.hash = `#/${route}?from=${from.value}&to=${to.value}`;
      },
    },
    h('label', {}, 'From (UTC day)', from),
    h('label', {}, 'To (UTC day, inclusive)', to),
    h('button', { type: 'submit' }, 'Show'),
  );
}

/** The events of a day range, as the events view's RFC 3339 filter. */
export function eventRange(p: { from: string; to: string }): { from: string; to: string } {
  const end = new Date(Date.parse(`${p.to}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10);
  return { from: `${p.from}T00:00:00Z`, to: `${end}T00:00:00Z` };
}
