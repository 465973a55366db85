/**
 * Practice Security Settings (account holders): enforce MFA for all users, allow email codes, and the
 * IP safelist. The two sections save separately, so a refused safelist never holds back an MFA change.
 */
import { api, ApiError, type SecuritySettings } from '../api.js';
import { announce, confirmDialog, showError } from '../components.js';
import { busy, field, h, Notice, replaceChildren, uid } from '../dom.js';
import { errorDetailLines } from '../errors.js';
import type { PageContext } from '../router.js';
import { practiceTabs } from './practice-tabs.js';

/** The holder's own address, if the API tells it (field name per issue 4's final shape). */
export function currentAddressOf(settings: Record<string, unknown>): string | undefined {
  for (const key of ['currentIp', 'clientIp', 'yourIp', 'requesterIp', 'callerIp', 'ip']) {
    const value = settings[key];
    if (typeof value === 'string' && value) return value;
  }
  return undefined;
}

/**
 * The holder's address as the gateway last saw it: the newest audit event they caused (their sign-in at
 * the latest). The API has no "my address" endpoint; a refused save still reports the live one.
 */
export async function addressFromAudit(accountId: string, userId: string): Promise<string | undefined> {
  try {
    const page = await api.auditEvents(accountId, 1, 100);
    for (const event of page.items) {
      const actor = event.actor as { userId?: unknown } | null | undefined;
      if (actor?.userId === userId && typeof event.ip === 'string' && event.ip) return event.ip;
    }
  } catch {
    /* the editor works without it */
  }
  return undefined;
}

/** Users of the account without MFA, by paging through the user list (the API has no count for it). */
export async function countUsersWithoutMfa(accountId: string): Promise<{ withoutMfa: number; total: number }> {
  const pageSize = 100;
  let withoutMfa = 0;
  let seen = 0;
  for (let page = 1; page <= 1000; page++) {
    const result = await api.users(accountId, { page, pageSize });
    withoutMfa += result.items.filter((user) => user.mfa?.status !== 'enabled').length;
    seen += result.items.length;
    if (result.items.length === 0 || seen >= result.total) return { withoutMfa, total: result.total };
  }
  return { withoutMfa, total: seen };
}

export async function securitySettingsPage(ctx: PageContext): Promise<HTMLElement> {
  ctx.setTitle('Practice Security Settings');
  const accountId = ctx.me!.accountId;
  let saved: SecuritySettings = await api.securitySettings(accountId);
  const myAddress = currentAddressOf(saved) ?? (await addressFromAudit(accountId, ctx.me!.id));
  const remember = (next: SecuritySettings) => {
    saved = { ...saved, ...next, ipSafelist: [...(next.ipSafelist ?? saved.ipSafelist)] };
  };

  return h(
    'div',
    { class: 'page' },
    h('h1', null, 'Account Security Settings'),
    practiceTabs('/practice/security-settings'),
    mfaSection(accountId, () => saved, remember),
    safelistSection(accountId, () => saved, remember, myAddress),
  );
}

function mfaSection(accountId: string, saved: () => SecuritySettings, remember: (s: SecuritySettings) => void): HTMLElement {
  const headingId = uid('mfa-prefs');
  const notice = new Notice();
  const requireId = uid('require-mfa');
  const emailId = uid('allow-email');
  const requireBox = h('input', { type: 'checkbox', id: requireId, name: 'mfaRequired', 'aria-describedby': `${requireId}-help` });
  const emailBox = h('input', { type: 'checkbox', id: emailId, name: 'allowEmailCodes', 'aria-describedby': `${emailId}-help` });
  requireBox.checked = saved().mfaRequired;
  emailBox.checked = saved().allowEmailCodes;
  const submit = h('button', { type: 'submit', class: 'button primary' }, 'Save MFA preferences');

  const form = h(
    'form',
    { class: 'stack', novalidate: true },
    h(
      'div',
      { class: 'check' },
      requireBox,
      h('label', { for: requireId }, 'Require multi-factor authentication for ', h('strong', null, 'ALL'), ' users'),
      h(
        'p',
        { class: 'hint', id: `${requireId}-help` },
        'Once enabled, ALL users must set up and use MFA when they sign in; otherwise they cannot sign in. Turning it off later does NOT remove MFA from users who already have it.',
      ),
    ),
    h(
      'div',
      { class: 'check' },
      emailBox,
      h('label', { for: emailId }, 'Allow email codes'),
      h('p', { class: 'hint', id: `${emailId}-help` }, 'Users may choose 6-digit codes sent by email instead of an authenticator app. Turning it off stops offering email codes; users who chose them set up an app at their next sign-in if MFA is required.'),
    ),
    notice.element,
    h('div', { class: 'actions' }, submit),
  );

  form.addEventListener('submit', (event) => {
    event.preventDefault();
    notice.clear();
    const current = saved();
    const next = { mfaRequired: requireBox.checked, allowEmailCodes: emailBox.checked, ipSafelist: current.ipSafelist };
    if (next.mfaRequired === current.mfaRequired && next.allowEmailCodes === current.allowEmailCodes) {
      notice.info('Nothing to save: these are the current settings.');
      return;
    }
    void busy(submit, async () => {
      if (next.mfaRequired && !current.mfaRequired) {
        let count: { withoutMfa: number; total: number } | undefined;
        try {
          count = await countUsersWithoutMfa(accountId);
        } catch {
          count = undefined; // still ask, without the number
        }
        const who =
          count === undefined
            ? 'Some users may not have MFA yet.'
            : count.withoutMfa === 0
              ? `All ${count.total} users already have MFA.`
              : `${count.withoutMfa} of ${count.total} ${count.total === 1 ? 'user has' : 'users have'} no MFA yet.`;
        const ok = await confirmDialog({
          title: 'Require MFA for ALL users?',
          body: [
            h('p', { class: 'dialog-count' }, h('strong', null, who)),
            h(
              'p',
              null,
              'From their next sign-in, every user without MFA must set up an authenticator before they can do anything else. Users who are signed in now stay signed in until their session ends.',
            ),
          ],
          confirmLabel: 'Require MFA',
        });
        if (!ok) {
          notice.info('Not saved: MFA is still optional.');
          return;
        }
      }
      try {
        const result = await api.saveSecuritySettings(accountId, next);
        remember(result ?? { ...current, ...next });
        notice.success(
          next.mfaRequired ? 'Saved. Multi-factor authentication is now required for ALL users.' : 'Saved. Multi-factor authentication is optional for users.',
        );
      } catch (err) {
        showError(notice, err);
      }
    });
  });

  return h('section', { class: 'card', 'aria-labelledby': headingId }, h('h2', { id: headingId }, 'Multi-Factor Authentication (MFA) Preferences'), form);
}

function safelistSection(
  accountId: string,
  saved: () => SecuritySettings,
  remember: (s: SecuritySettings) => void,
  myAddress: string | undefined,
): HTMLElement {
  const headingId = uid('safelist');
  const notice = new Notice();
  const addNotice = new Notice();
  let entries = [...saved().ipSafelist];
  let address = myAddress;
  const listId = uid('safelist-entries');
  const list = h('ul', { class: 'entries', id: listId, 'aria-label': 'Safelisted addresses' });
  const empty = h(
    'p',
    { class: 'empty' },
    'There are currently no IPs Safelisted. If there are no entries, we will allow access from any IP address. Once one or more IP addresses are provided, we will restrict access to only those IP addresses.',
  );
  const dirty = h('p', { class: 'hint', role: 'status' });
  const add = field({
    label: 'IP address or range',
    name: 'ip',
    hint: 'An IPv4 or IPv6 address, or a CIDR range: for example 203.0.113.7, 198.51.100.0/24 or 2001:db8::/32.',
    autocomplete: 'off',
    spellcheck: false,
    autocapitalize: 'none',
  });
  const addButton = h('button', { type: 'submit', class: 'button secondary' }, 'Add');
  const save = h('button', { type: 'button', class: 'button primary' }, 'Save IP safelist');
  const mine = h('p', { class: 'my-address' });
  const paintAddress = () => {
    if (!address) {
      mine.replaceChildren('Twofold checks your current IP address when you save, and refuses a list that would lock you out.');
      return;
    }
    const known = address;
    const addMine = h('button', { type: 'button', class: 'link-button' }, 'Add my address');
    addMine.addEventListener('click', () => {
      addNotice.clear();
      addEntry(known);
    });
    replaceChildren(mine, 'Your current IP address: ', h('code', { 'data-testid': 'my-address' }, known), ' ', entries.includes(known) ? null : addMine);
  };

  const isDirty = () => entries.join('\n') !== saved().ipSafelist.join('\n');
  const redraw = () => {
    list.replaceChildren(
      ...entries.map((entry, index) => {
        const remove = h('button', { type: 'button', class: 'link-button', 'aria-label': `Remove ${entry}` }, 'Remove');
        remove.addEventListener('click', () => {
          entries.splice(index, 1);
          redraw();
          announce(`${entry} removed from the list. Save to apply.`);
          const buttons = list.querySelectorAll<HTMLButtonElement>('button');
          (buttons[Math.min(index, buttons.length - 1)] ?? add.input).focus();
        });
        return h('li', null, h('code', null, entry), entry === address ? h('span', { class: 'tag' }, 'your address') : null, remove);
      }),
    );
    list.hidden = entries.length === 0;
    empty.hidden = entries.length > 0;
    dirty.textContent = isDirty() ? 'You have unsaved changes.' : '';
    paintAddress();
  };

  const addEntry = (value: string) => {
    const entry = value.trim();
    if (!entry) {
      addNotice.error('Enter an IP address or range to add.');
      add.input.focus();
      return;
    }
    if (entries.includes(entry)) {
      addNotice.info(`${entry} is already on the list.`);
      return;
    }
    entries.push(entry);
    add.input.value = '';
    redraw();
    announce(`${entry} added. Save to apply.`);
  };

  const addForm = h('form', { class: 'inline-form', novalidate: true }, add.wrapper, addButton);
  addNotice.describe(add.input);
  addForm.addEventListener('submit', (event) => {
    event.preventDefault();
    addNotice.clear();
    addEntry(add.input.value);
  });

  save.addEventListener('click', () => {
    notice.clear();
    const current = saved();
    void busy(save, async () => {
      try {
        const result = await api.saveSecuritySettings(accountId, { mfaRequired: current.mfaRequired, allowEmailCodes: current.allowEmailCodes, ipSafelist: entries });
        remember(result ?? { ...current, ipSafelist: entries });
        entries = [...saved().ipSafelist];
        redraw();
        notice.success(entries.length ? `Saved. Access is now restricted to ${entries.length} ${entries.length === 1 ? 'entry' : 'entries'}.` : 'Saved. Access is allowed from any IP address.');
      } catch (err) {
        const lines = err instanceof ApiError ? errorDetailLines(err) : [];
        const currentIp = err instanceof ApiError ? err.details?.currentIp : undefined;
        if (typeof currentIp === 'string' && currentIp) {
          address = currentIp;
          redraw();
        }
        showError(notice, err, lines.length ? h('ul', null, lines.map((line) => h('li', null, line))) : null);
      }
    });
  });

  redraw();
  return h(
    'section',
    { class: 'card', 'aria-labelledby': headingId },
    h('h2', { id: headingId }, 'IP Safelist'),
    h('p', null, 'Only sign-ins and requests from these addresses are allowed for every user of your practice.'),
    mine,
    empty,
    list,
    addForm,
    addNotice.element,
    dirty,
    notice.element,
    h('div', { class: 'actions' }, save),
  );
}
