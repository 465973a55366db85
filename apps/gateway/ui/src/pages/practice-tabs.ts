/** The holder area's sections, as in the seed: account settings, user settings, and the audit log. */
import { h } from '../dom.js';

const TABS: Array<[string, string]> = [
  ['/practice/security-settings', 'Account Settings'],
  ['/practice/users', 'User Settings'],
  ['/practice/audit', 'Audit Log'],
];

export function practiceTabs(current: string): HTMLElement {
  return h(
    'nav',
    { class: 'tabs', 'aria-label': 'Practice security' },
    h(
      'ul',
      null,
      TABS.map(([path, label]) => h('li', null, h('a', { href: `#${path}`, 'aria-current': path === current ? 'page' : undefined }, label))),
    ),
  );
}
