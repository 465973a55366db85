/**
 * Forced setup: the account requires MFA and this user has none. Nothing else opens until it is done;
 * the setup token (not a session) authorises only these calls.
 */
import { api, session } from '../api.js';
import { emailCodeSteps, recoveryCodesPanel, totpSetupSteps } from '../components.js';
import { h, replaceChildren } from '../dom.js';
import { HOME, navigate, type PageContext } from '../router.js';
import { state } from '../state.js';

export function forcedSetupPage(ctx: PageContext): HTMLElement {
  ctx.setTitle('Multi-Factor Authenticator Setup');
  const pending = state.pending;
  if (pending?.kind !== 'setup') {
    navigate('/login');
    return h('section', { class: 'page' }, h('h1', null, 'Sign in'));
  }
  const { setupToken, username } = pending;
  const emailAllowed = pending.methods.includes('email');
  const card = h('div', { class: 'card' });
  const heading = h('h1', { tabindex: '-1' }, 'Multi-Factor Authenticator Setup');

  const done = (accessToken: string, expiresIn: number | undefined, recoveryCodes: string[] | undefined) => {
    session.save(accessToken, expiresIn);
    state.setPending(undefined);
    if (!recoveryCodes?.length) {
      navigate(HOME);
      return;
    }
    const panel = recoveryCodesPanel({ codes: recoveryCodes, username, onDone: () => navigate(HOME) });
    card.replaceChildren(
      h('h1', null, 'Multi-factor authentication is on'),
      h('p', null, 'Your authenticator is set up. One last step: keep your recovery codes.'),
      panel,
    );
    document.title = 'Save your recovery codes · Twofold';
    panel.querySelector<HTMLElement>('h2')?.focus();
  };

  const showApp = (focusFirst: boolean) => {
    const steps = totpSetupSteps({
      start: () => api.setupTotpStart(setupToken),
      confirm: async (code) => {
        const reply = await api.setupTotpConfirm(setupToken, code);
        done(reply.accessToken, reply.expiresIn, reply.recoveryCodes);
      },
      submitLabel: 'Submit',
      autofocus: focusFirst,
    });
    const preferEmail = h('button', { type: 'button', class: 'button secondary' }, 'Prefer Email Codes');
    preferEmail.addEventListener('click', () => showEmail());
    replaceChildren(
      card,
      heading,
      h('p', { class: 'lead' }, 'You need to set up a Mobile app Authenticator to activate your account.'),
      emailAllowed ? h('div', { class: 'actions' }, preferEmail) : null,
      steps,
      cancel(),
    );
  };

  const showEmail = () => {
    const steps = emailCodeSteps({
      send: () => api.setupEmailStart(setupToken),
      confirm: async (code) => {
        const reply = await api.setupEmailConfirm(setupToken, code);
        done(reply.accessToken, reply.expiresIn, reply.recoveryCodes);
      },
      submitLabel: 'Submit',
    });
    const useApp = h('button', { type: 'button', class: 'link-button' }, 'Use an authenticator app instead');
    useApp.addEventListener('click', () => showApp(false));
    card.replaceChildren(
      heading,
      h('p', { class: 'lead' }, 'Each time you sign in, we will email a 6-digit code to the address on your account.'),
      steps.element,
      h('p', { class: 'spaced' }, useApp),
      cancel(),
    );
    steps.focus();
  };

  showApp(false);
  return h('section', { class: 'page narrow-wide' }, card);
}

function cancel(): HTMLElement {
  return h('p', { class: 'small' }, h('a', { href: '#/login' }, 'Cancel and sign in again later'));
}
