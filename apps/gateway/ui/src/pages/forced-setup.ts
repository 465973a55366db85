/**
 * Forced setup: the account requires MFA and this user has none. Nothing else opens until it is done;
 * the setup token (not a session) authorises only these calls.
 */
import { api, session } from '../api.js';
import { otpField, readOtp, recoveryCodesPanel, showError, totpSetupSteps } from '../components.js';
import { busy, h, Notice, replaceChildren } from '../dom.js';
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
    const notice = new Notice();
    const send = h('button', { type: 'button', class: 'button primary' }, 'Email me a code');
    const code = otpField('Email Code');
    code.wrapper.querySelector('.hint')!.textContent = 'The 6-digit code from the email. It expires in 10 minutes.';
    notice.describe(code.input);
    const submit = h('button', { type: 'submit', class: 'button primary' }, 'Submit');
    const form = h('form', { class: 'stack', novalidate: true, hidden: true }, code.wrapper, h('div', { class: 'actions' }, submit));
    send.addEventListener('click', () => {
      notice.clear();
      void busy(send, async () => {
        try {
          await api.setupEmailStart(setupToken);
          form.hidden = false;
          send.textContent = 'Send another code';
          send.className = 'button secondary';
          notice.success('We emailed you a 6-digit code. Enter it below.');
          code.input.focus();
        } catch (err) {
          showError(notice, err);
        }
      });
    });
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      notice.clear();
      const value = readOtp(code.input, notice);
      if (!value) return;
      void busy(submit, async () => {
        try {
          const reply = await api.setupEmailConfirm(setupToken, value);
          done(reply.accessToken, reply.expiresIn, reply.recoveryCodes);
        } catch (err) {
          showError(notice, err);
          code.input.select();
          code.input.focus();
        }
      });
    });
    const useApp = h('button', { type: 'button', class: 'link-button' }, 'Use an authenticator app instead');
    useApp.addEventListener('click', () => showApp(false));
    replaceChildren(
      card,
      heading,
      h('p', { class: 'lead' }, 'Each time you sign in, we will email a 6-digit code to the address on your account.'),
      h('div', { class: 'stack' }, h('div', null, send), notice.element, form),
      h('p', { class: 'spaced' }, useApp),
      cancel(),
    );
    send.focus();
  };

  showApp(false);
  return h('section', { class: 'page narrow-wide' }, card);
}

function cancel(): HTMLElement {
  return h('p', { class: 'small' }, h('a', { href: '#/login' }, 'Cancel and sign in again later'));
}
