/** One user's security settings (holders): details, current MFA status, Reset MFA. */
import { api, type AccountUser } from '../api.js';
import { confirmDialog, details, methodName, mfaBadge, showError } from '../components.js';
import { busy, h, Notice, uid } from '../dom.js';
import { href, type PageContext } from '../router.js';
import { practiceTabs } from './practice-tabs.js';

export async function userPage(ctx: PageContext): Promise<HTMLElement> {
  const accountId = ctx.me!.accountId;
  const userId = ctx.params.userId!;
  let user: AccountUser = await api.user(accountId, userId);
  ctx.setTitle(`User Security Settings: ${user.username}`);
  // Whether the account requires MFA decides what a reset means for the user; say it precisely when known.
  const mfaRequired = await api.securitySettings(accountId).then(
    (settings) => settings.mfaRequired,
    () => undefined,
  );

  const notice = new Notice();
  const statusSlot = h('dd', null);
  const methodsSlot = h('dd', null);
  const reset = h('button', { type: 'button', class: 'button danger' }, 'Reset MFA');
  const isSelf = user.id === ctx.me!.id;

  const paint = () => {
    const enabled = user.mfa?.status === 'enabled';
    statusSlot.replaceChildren(mfaBadge(enabled));
    const methods = (user.mfa?.methods ?? []).filter((m) => m !== 'recovery_code').map(methodName);
    methodsSlot.replaceChildren(enabled && methods.length ? methods.join(', ') : '—');
  };

  reset.addEventListener('click', () => {
    notice.clear();
    const name = user.username;
    const next =
      mfaRequired === true
        ? `MFA is required for your account, so ${name} will be prompted to set up a new one upon their next login.`
        : mfaRequired === false
          ? `MFA is not required for your account, so ${name} will sign in with their password alone until they set up MFA again.`
          : `If the MFA requirement is enabled for your account, ${name} will be prompted to set up a new one upon their next login.`;
    void (async () => {
      const ok = await confirmDialog({
        title: `Reset MFA for ${name}?`,
        body: [
          h('p', null, `Resetting ${name}'s Multi-Factor Authentication will remove the Authenticator from their account, along with their recovery codes, and sign them out everywhere.`),
          h('p', null, next),
        ],
        confirmLabel: 'Reset MFA',
        danger: true,
      });
      if (!ok) return;
      await busy(reset, async () => {
        try {
          const updated = await api.resetUserMfa(accountId, userId);
          user = updated && typeof updated === 'object' && 'mfa' in updated ? updated : { ...user, mfa: { status: 'not_set_up', methods: [] } };
          paint();
          notice.success(`MFA was reset for ${name}. ${next}`);
        } catch (err) {
          showError(notice, err);
        }
      });
    })();
  });

  paint();
  const detailsId = uid('details');
  const mfaId = uid('mfa');
  return h(
    'div',
    { class: 'page' },
    h('h1', null, 'User Security Settings'),
    practiceTabs('/practice/users'),
    h(
      'nav',
      { class: 'breadcrumb', 'aria-label': 'Breadcrumb' },
      h('ol', null, h('li', null, h('a', { href: href('/practice/users') }, 'Practice Users')), h('li', { 'aria-current': 'page' }, user.username)),
    ),
    h(
      'section',
      { class: 'card', 'aria-labelledby': detailsId },
      h('h2', { id: detailsId }, 'User Details'),
      details([
        ['Username', h('span', { class: 'username' }, user.username)],
        ['Email', user.email],
        ['Role', user.role === 'holder' ? 'Account holder' : 'User'],
      ]),
    ),
    h(
      'section',
      { class: 'card', 'aria-labelledby': mfaId },
      h('h2', { id: mfaId }, 'Multi-Factor Authentication (MFA)'),
      h('dl', { class: 'details' }, h('div', null, h('dt', null, 'Current MFA Status'), statusSlot), h('div', null, h('dt', null, 'Methods'), methodsSlot)),
      h('div', { class: 'actions' }, reset),
      h(
        'p',
        { class: 'hint' },
        `Resetting ${user.username}'s Multi-Factor Authentication will remove the Authenticator from their account. If you choose to reset MFA and the MFA requirement is enabled for your Account, ${user.username} will be prompted to set up a new one upon their next login.`,
      ),
      isSelf ? h('p', { class: 'hint' }, 'This is you. If you lost your own device, Twofold support can reset your MFA.') : null,
      notice.element,
    ),
  );
}
