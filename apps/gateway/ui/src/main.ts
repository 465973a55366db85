/** Boots the UI: the page shell (header, navigation, main region) and the hash router. */
import { api, humanError, session, whenSessionEnds, type Me } from './api.js';
import { h, replaceChildren } from './dom.js';
import { auditPage } from './pages/audit.js';
import { authenticatorPage } from './pages/authenticator.js';
import { challengePage } from './pages/challenge.js';
import { forcedSetupPage } from './pages/forced-setup.js';
import { loginPage } from './pages/login.js';
import { securitySettingsPage } from './pages/security-settings.js';
import { userPage } from './pages/user.js';
import { usersPage } from './pages/users.js';
import { currentHashPath, HOME, match, navigate, type PageContext, type Route } from './router.js';
import { state } from './state.js';

const routes: Route[] = [
  { path: '/login', access: 'anonymous', render: loginPage },
  { path: '/login/verify', access: 'flow', render: challengePage },
  { path: '/login/setup', access: 'flow', render: forcedSetupPage },
  { path: '/security/authenticator', access: 'user', render: authenticatorPage },
  { path: '/practice/security-settings', access: 'holder', render: securitySettingsPage },
  { path: '/practice/users', access: 'holder', render: usersPage },
  { path: '/practice/users/:userId', access: 'holder', render: userPage },
  { path: '/practice/audit', access: 'holder', render: auditPage },
];

const header = document.getElementById('site-header') as HTMLElement;
const main = document.getElementById('main') as HTMLElement;
let generation = 0;

function renderHeader(me: Me | undefined, path: string): void {
  const brand = h('a', { class: 'brand', href: me ? `#${HOME}` : '#/login' }, h('span', { class: 'brand-mark', 'aria-hidden': 'true' }, '2'), 'Twofold');
  if (!me) {
    replaceChildren(header, h('div', { class: 'topbar' }, brand));
    return;
  }
  const link = (target: string, label: string, area: string) =>
    h('li', null, h('a', { href: `#${target}`, 'aria-current': path.startsWith(area) ? 'page' : undefined }, label));
  const signOut = h('button', { type: 'button', class: 'link-button' }, 'Sign Out');
  signOut.addEventListener('click', () => void signOutNow());
  replaceChildren(
    header,
    h(
      'div',
      { class: 'topbar' },
      brand,
      h(
        'nav',
        { 'aria-label': 'Main' },
        h(
          'ul',
          null,
          link(HOME, 'Security', '/security'),
          me.role === 'holder' ? link('/practice/security-settings', 'Practice Security Settings', '/practice') : null,
        ),
      ),
      h('div', { class: 'account' }, h('span', { class: 'who' }, h('span', { class: 'visually-hidden' }, 'Signed in as '), me.username), signOut),
    ),
  );
}

async function signOutNow(): Promise<void> {
  try {
    if (session.token) await api.logout();
  } catch {
    /* the session may already be gone; sign out locally either way */
  }
  state.forget();
  state.setFlash('success', 'You have signed out.');
  navigate('/login');
}

whenSessionEnds((error) => {
  const wasSignedIn = state.cachedMe !== undefined;
  state.forget();
  if (wasSignedIn || error.code !== 'UNAUTHENTICATED') state.setFlash('info', humanError(error));
  const { path } = currentHashPath();
  if (!path.startsWith('/login')) {
    state.setReturnTo(window.location.hash.replace(/^#/, ''));
    navigate('/login');
  }
});

async function render(): Promise<void> {
  const ticket = ++generation;
  const { path, query } = currentHashPath();
  const found = match(routes, path, query);
  if (!found) {
    navigate(session.token ? HOME : '/login');
    return;
  }

  let me: Me | undefined;
  const access = found.route.access;
  if (access === 'user' || access === 'holder') {
    const stored = session.state();
    if (stored !== 'active') {
      if (stored === 'expired') {
        state.forget();
        state.setFlash('info', 'Your session has expired. Please sign in again.');
      }
      state.setReturnTo(window.location.hash.replace(/^#/, ''));
      navigate('/login');
      return;
    }
    try {
      me = await state.me();
    } catch (err) {
      if (ticket !== generation) return;
      if (!session.token) return; // the session-ended handler has moved on to sign-in
      showFailure(humanError(err));
      return;
    }
  } else if (access === 'anonymous' && session.token) {
    navigate(HOME);
    return;
  }
  if (ticket !== generation) return;
  renderHeader(me, path);

  if (access === 'holder' && me?.role !== 'holder') {
    show(
      'Not available',
      h(
        'section',
        { class: 'page' },
        h('h1', { tabindex: '-1' }, 'Not available'),
        h('p', null, 'Only account holders can manage practice security settings and users. Ask an account holder of your practice for help.'),
        h('p', null, h('a', { href: `#${HOME}` }, 'Go to your security settings')),
      ),
    );
    return;
  }

  let title = 'Twofold';
  let focusTarget: HTMLElement | undefined;
  const ctx: PageContext = {
    params: found.params,
    query: found.query,
    me,
    setTitle: (value) => {
      title = value;
    },
    focus: (element) => {
      focusTarget = element;
    },
  };
  main.setAttribute('aria-busy', 'true');
  try {
    const page = await found.route.render(ctx);
    if (ticket !== generation) return;
    show(title, page, focusTarget);
  } catch (err) {
    if (ticket !== generation) return;
    if (!session.token && (access === 'user' || access === 'holder')) return;
    showFailure(humanError(err));
  } finally {
    if (ticket === generation) main.removeAttribute('aria-busy');
  }
}

let firstRender = true;
function show(title: string, page: HTMLElement, focusTarget?: HTMLElement): void {
  document.title = `${title} · Twofold`;
  replaceChildren(main, page);
  // Moving focus to the new heading tells screen-reader users the page changed; on first load the
  // browser's own start position is kept unless the page asked for a field.
  const target = focusTarget ?? (firstRender ? undefined : page.querySelector<HTMLElement>('h1'));
  firstRender = false;
  if (target) {
    if (!target.hasAttribute('tabindex') && !/^(INPUT|BUTTON|A|SELECT|TEXTAREA)$/.test(target.tagName)) target.setAttribute('tabindex', '-1');
    target.focus();
  }
}

function showFailure(message: string): void {
  const retry = h('button', { type: 'button', class: 'button secondary' }, 'Try again');
  retry.addEventListener('click', () => void render());
  const back = h('button', { type: 'button', class: 'button secondary' }, 'Go back');
  back.addEventListener('click', () => history.back());
  show(
    'Something went wrong',
    h(
      'section',
      { class: 'page' },
      h('h1', { tabindex: '-1' }, 'Something went wrong'),
      h('div', { class: 'notice notice-error', role: 'alert' }, h('p', null, message)),
      h('div', { class: 'actions' }, retry, back),
    ),
  );
}

document.getElementById('skip-link')?.addEventListener('click', (event) => {
  event.preventDefault();
  main.focus();
});
window.addEventListener('hashchange', () => void render());
void render();
