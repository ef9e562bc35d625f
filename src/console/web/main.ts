/**
 * The console's shell: sign-in, the navigation each role gets, and hash routes
 * (#/view?param=…) so every view, filter and period has a URL that can be bookmarked and
 * shared, and the browser's back button works.
 */
import { api, ApiError, csrfToken, whenSignedOut } from './api';
import { disposeCharts } from './charts';
import { h, notice } from './dom';
import { accountsView, agreementsView, collectionsView, partiesView } from './views/admin';
import { custodyView, eventsView, exportView } from './views/events';
import { myAccessView } from './views/me';
import { flowsView, mapView, overviewView, withheldView } from './views/overview';

export interface Me {
  account: string;
  party: string;
  roles: string[];
}

export type View = (main: HTMLElement, params: URLSearchParams, me: Me) => Promise<void>;

interface Route {
  path: string;
  title: string;
  group: string;
  view: View;
  /** Shown to accounts with one of these roles. */
  roles: string[];
}

const ROUTES: Route[] = [
  { path: 'overview', title: 'Overview', group: 'Sharing log', view: overviewView, roles: ['auditor'] },
  { path: 'flows', title: 'Flows', group: 'Sharing log', view: flowsView, roles: ['auditor'] },
  { path: 'map', title: 'Map', group: 'Sharing log', view: mapView, roles: ['auditor'] },
  { path: 'events', title: 'Events', group: 'Sharing log', view: eventsView, roles: ['auditor'] },
  { path: 'custody', title: 'Custody', group: 'Sharing log', view: custodyView, roles: ['auditor'] },
  { path: 'withheld', title: 'Withheld', group: 'Sharing log', view: withheldView, roles: ['auditor'] },
  { path: 'export', title: 'Export', group: 'Sharing log', view: exportView, roles: ['auditor'] },
  { path: 'agreements', title: 'Agreements', group: 'Administration', view: agreementsView, roles: ['admin'] },
  { path: 'parties', title: 'Parties', group: 'Administration', view: partiesView, roles: ['admin'] },
  { path: 'accounts', title: 'Accounts', group: 'Administration', view: accountsView, roles: ['admin'] },
  { path: 'collections', title: 'Collections', group: 'Administration', view: collectionsView, roles: ['admin'] },
  { path: 'me', title: 'My access', group: 'My account', view: myAccessView, roles: ['reader', 'writer'] },
];

const main = document.getElementById('main') as HTMLElement;
const nav = document.getElementById('nav') as HTMLElement;
const who = document.getElementById('who') as HTMLElement;
let me: Me | undefined;

function allowed(m: Me): Route[] {
  return ROUTES.filter((r) => r.roles.some((role) => m.roles.includes(role)));
}

function renderNav(m: Me, current: string): void {
  const groups = new Map<string, Route[]>();
  for (const r of allowed(m)) groups.set(r.group, [...(groups.get(r.group) ?? []), r]);
  nav.replaceChildren(
    ...[...groups].flatMap(([group, routes]) => [
      h('h2', {}, group),
      ...routes.map((r) => h('a', { href: `#/${r.path}`, 'aria-current': r.path === current ? 'page' : undefined }, r.title)),
    ]),
  );
}

async function route(): Promise<void> {
  if (!me) return;
  const [path = '', search = ''] = location.hash.replace(/^#\/?/, '').split('?');
  const routes = allowed(me);
  const r = routes.find((x) => x.path === path.split('/')[0]) ?? routes[0];
  renderNav(me, r?.path ?? '');
  disposeCharts();
  if (!r) {
    main.replaceChildren(h('h1', {}, 'Nothing to show'), notice('info', 'This account has no role the console has views for.'));
    return;
  }
  document.title = `${r.title} · Accord console`;
  // The view renders into the page itself: charts measure their container when they start.
  const target = h('div', { 'aria-busy': 'true' });
  main.replaceChildren(h('h1', {}, r.title), target);
  try {
    await r.view(target, new URLSearchParams(search), me);
  } catch (e) {
    target.replaceChildren(notice('error', e instanceof ApiError ? `${e.title}: ${e.description} (HTTP ${e.status})` : String(e)));
  }
  target.removeAttribute('aria-busy');
  main.focus({ preventScroll: true });
}

function showSignedIn(m: Me): void {
  me = m;
  who.replaceChildren(
    h('span', {}, `${m.account} · ${m.party} · ${m.roles.join(', ')}`),
    h('button', { type: 'button', onclick: () => void signOut() }, 'Sign out'),
  );
  void route();
}

async function signOut(): Promise<void> {
  try {
    await api('DELETE', '/console/session');
  } finally {
    showSignIn('Signed out.');
  }
}

function showSignIn(message?: string): void {
  me = undefined;
  disposeCharts();
  who.replaceChildren();
  nav.replaceChildren();
  const error = h('div', { 'aria-live': 'polite' });
  const usePassword = h('input', { type: 'radio', name: 'kind', value: 'password', checked: true });
  const useToken = h('input', { type: 'radio', name: 'kind', value: 'token' });
  const username = h('input', { name: 'username', autocomplete: 'username', required: true });
  const password = h('input', { name: 'password', type: 'password', autocomplete: 'current-password', required: true });
  const token = h('input', { name: 'token', type: 'password', autocomplete: 'off' });
  const passwordFields = h('div', {}, h('label', {}, 'Account name', username), h('label', {}, 'Password', password));
  const tokenFields = h('div', { hidden: true }, h('label', {}, 'API token', token));
  const toggle = () => {
    passwordFields.hidden = !usePassword.checked;
    tokenFields.hidden = usePassword.checked;
    username.required = password.required = usePassword.checked;
    token.required = !usePassword.checked;
  };
  usePassword.addEventListener('change', toggle);
  useToken.addEventListener('change', toggle);
  const form = h(
    'form',
    {
      onsubmit: (e: Event) => {
        e.preventDefault();
        const body = usePassword.checked ? { username: username.value, password: password.value } : { token: token.value };
        api<Me>('POST', '/console/session', body).then(showSignedIn, (err: unknown) => {
          error.replaceChildren(notice('error', err instanceof ApiError ? `${err.title}: ${err.description}` : String(err)));
        });
      },
    },
    h(
      'fieldset',
      {},
      h('legend', {}, 'Sign in with'),
      h('label', { class: 'inline' }, h('span', {}, usePassword, ' name and password')),
      h('label', { class: 'inline' }, h('span', {}, useToken, ' an API token')),
    ),
    passwordFields,
    tokenFields,
    h('button', { type: 'submit' }, 'Sign in'),
    error,
  );
  main.replaceChildren(h('div', { class: 'signin card' }, h('h1', {}, 'Sign in'), message ? notice('info', message) : null, form));
  username.focus();
}

whenSignedOut(() => showSignIn('Your session has ended; sign in again.'));
window.addEventListener('hashchange', () => void route());

// Signed in already when the CSRF cookie is there (the session cookie itself is HttpOnly).
if (csrfToken() !== undefined) api<Me>('GET', '/console/session').then(showSignedIn, () => showSignIn());
else showSignIn();
