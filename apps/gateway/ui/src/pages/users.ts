/** User Settings (holders): the practice's users with their MFA status, paginated, exact-name search. */
import { api } from '../api.js';
import { mfaBadge } from '../components.js';
import { h, uid } from '../dom.js';
import { href, navigate, type PageContext } from '../router.js';
import { practiceTabs } from './practice-tabs.js';

export const USERS_PAGE_SIZE = 10;

function positiveInt(value: string | null): number {
  const n = Number(value);
  return Number.isInteger(n) && n > 0 ? n : 1;
}

export async function usersPage(ctx: PageContext): Promise<HTMLElement> {
  ctx.setTitle('User Settings');
  const accountId = ctx.me!.accountId;
  const username = ctx.query.get('username') ?? '';
  const page = positiveInt(ctx.query.get('page'));
  const result = await api.users(accountId, { username: username || undefined, page, pageSize: USERS_PAGE_SIZE });
  const pageSize = result.pageSize || USERS_PAGE_SIZE;
  const pages = Math.max(1, Math.ceil(result.total / pageSize));

  // Search
  const inputId = uid('find-user');
  const input = h('input', {
    id: inputId,
    name: 'username',
    type: 'search',
    autocomplete: 'off',
    spellcheck: 'false',
    autocapitalize: 'none',
    'aria-describedby': `${inputId}-hint`,
  });
  input.value = username;
  const form = h(
    'form',
    { class: 'search', role: 'search', 'aria-label': 'Find user' },
    h('label', { for: inputId }, 'Find user'),
    h('p', { class: 'hint', id: `${inputId}-hint` }, 'Username must be an exact match'),
    h('div', { class: 'inline-form' }, input, h('button', { type: 'submit', class: 'button primary' }, 'Search')),
  );
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    // Usernames never start or end with white space, so trimming cannot change an exact match.
    navigate('/practice/users', { username: input.value.trim() || undefined });
  });

  // Results
  const summary =
    result.total === 0
      ? username
        ? `No user has the username “${username}”. The username must match exactly, including capitals, accents and punctuation.`
        : 'There are no users yet.'
      : `Showing ${result.items.length} of ${result.total} ${result.total === 1 ? 'result' : 'results'}`;

  const table =
    result.items.length === 0
      ? null
      : h(
          'table',
          { class: 'table' },
          h('caption', { class: 'visually-hidden' }, `Practice users, page ${result.page || page} of ${pages}`),
          h(
            'thead',
            null,
            h('tr', null, h('th', { scope: 'col' }, 'Username'), h('th', { scope: 'col' }, 'Email'), h('th', { scope: 'col' }, 'Role'), h('th', { scope: 'col' }, 'MFA status')),
          ),
          h(
            'tbody',
            null,
            result.items.map((user) =>
              h(
                'tr',
                null,
                h('th', { scope: 'row' }, h('a', { href: href(`/practice/users/${encodeURIComponent(user.id)}`), class: 'username' }, user.username)),
                h('td', null, user.email),
                h('td', null, user.role === 'holder' ? 'Account holder' : 'User'),
                h('td', null, mfaBadge(user.mfa?.status === 'enabled')),
              ),
            ),
          ),
        );

  const current = result.page || page;
  const pager =
    pages > 1
      ? h(
          'nav',
          { class: 'pager', 'aria-label': 'Pages of users' },
          current > 1 ? h('a', { href: href('/practice/users', { username: username || undefined, page: current - 1 }), rel: 'prev' }, '‹ Previous page') : h('span', { class: 'disabled', 'aria-hidden': 'true' }, '‹ Previous page'),
          h('span', { 'aria-current': 'page' }, `Page ${current} of ${pages}`),
          current < pages ? h('a', { href: href('/practice/users', { username: username || undefined, page: current + 1 }), rel: 'next' }, 'Next page ›') : h('span', { class: 'disabled', 'aria-hidden': 'true' }, 'Next page ›'),
        )
      : null;

  const headingId = uid('users');
  return h(
    'div',
    { class: 'page' },
    h('h1', null, 'User Settings'),
    practiceTabs('/practice/users'),
    h(
      'section',
      { class: 'card', 'aria-labelledby': headingId },
      h('div', { class: 'card-head' }, h('h2', { id: headingId }, 'Practice Users'), form),
      username ? h('p', null, h('a', { href: href('/practice/users') }, 'Show all users')) : null,
      h('p', { class: 'summary', role: 'status' }, summary),
      table,
      pager,
    ),
  );
}
