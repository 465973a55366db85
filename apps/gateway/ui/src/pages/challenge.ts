/** The MFA challenge after the password: authenticator code, recovery code, or an emailed code. */
import { api, ApiError, type MfaMethod } from '../api.js';
import { announce, emailSentMessage, normalizeOtp, showError } from '../components.js';
import { busy, h, Notice, uid } from '../dom.js';
import { navigate, type PageContext } from '../router.js';
import { state } from '../state.js';
import { finishSignIn } from './login.js';

type Mode = 'totp' | 'recovery_code' | 'email';

const MODES: Record<Mode, { label: string; hint: string; numeric: boolean }> = {
  totp: { label: 'Authentication Code', hint: 'Open your authenticator app and enter the 6-digit code it shows for Twofold.', numeric: true },
  recovery_code: { label: 'Recovery Code', hint: 'Enter one of the recovery codes you saved when you set up MFA. Each code works once.', numeric: false },
  email: { label: 'Email Code', hint: 'Enter the 6-digit code we emailed you. It expires in 10 minutes.', numeric: true },
};

/** Codes that end this sign-in attempt: the only way on is to start again. */
const FATAL = new Set(['MFA_CHALLENGE_INVALID', 'MFA_LOCKED', 'TOKEN_INVALID']);

export function challengePage(ctx: PageContext): HTMLElement {
  ctx.setTitle('Multi-factor authentication');
  const pending = state.pending;
  if (pending?.kind !== 'challenge') {
    navigate('/login');
    return h('section', { class: 'page' }, h('h1', null, 'Sign in'));
  }
  const { challengeId, methods } = pending;
  const offers = (method: MfaMethod) => methods.includes(method);
  const hasApp = offers('totp') || !offers('email');
  let mode: Mode = hasApp ? 'totp' : 'email';
  let emailSent = false;

  const notice = new Notice();
  const inputId = uid('mfa-code');
  const hintId = `${inputId}-hint`;
  const label = h('label', { for: inputId });
  const hint = h('p', { class: 'hint', id: hintId });
  const input = h('input', { id: inputId, name: 'code', type: 'text', required: true, autocomplete: 'one-time-code', 'aria-describedby': hintId, spellcheck: 'false', autocapitalize: 'none' });
  notice.describe(input);
  const submit = h('button', { type: 'submit', class: 'button primary wide' }, 'Verify');
  const codeField = h('div', { class: 'field' }, label, hint, input);
  const form = h('form', { class: 'stack', novalidate: true }, codeField, notice.element, submit);

  const switchToApp = h('button', { type: 'button', class: 'link-button' }, 'Use your authenticator app instead');
  const switchToRecovery = h('button', { type: 'button', class: 'link-button' }, 'Use a recovery code');
  const emailMe = h('button', { type: 'button', class: 'link-button' }, 'Email me a code');
  const alternatives = h('ul', { class: 'alternatives', 'aria-label': 'Other ways to verify' });

  const setMode = (next: Mode, { focus = true } = {}) => {
    mode = next;
    const spec = MODES[next];
    label.replaceChildren(spec.label, h('span', { class: 'required', 'aria-hidden': 'true' }, ' *'));
    hint.textContent = spec.hint;
    input.value = '';
    if (spec.numeric) {
      input.setAttribute('inputmode', 'numeric');
      input.setAttribute('autocomplete', 'one-time-code');
      input.setAttribute('maxlength', '7');
    } else {
      input.setAttribute('inputmode', 'text');
      input.setAttribute('autocomplete', 'off');
      input.setAttribute('maxlength', '64');
    }
    codeField.hidden = next === 'email' && !emailSent;
    submit.hidden = codeField.hidden;
    const items: HTMLElement[] = [];
    if (next !== 'totp' && hasApp) items.push(switchToApp);
    if (next !== 'recovery_code') items.push(switchToRecovery);
    if (offers('email')) items.push(emailMe);
    emailMe.textContent = next === 'email' && emailSent ? 'Send another code' : 'Email me a code';
    alternatives.replaceChildren(...items.map((item) => h('li', null, item)));
    if (focus && !codeField.hidden) input.focus();
  };

  const endAttempt = (message: string) => {
    state.setPending(undefined);
    const again = h('a', { class: 'button secondary', href: '#/login' }, 'Back to sign in');
    notice.error(message, h('div', { class: 'actions' }, again));
    form.querySelectorAll('input, button').forEach((el) => ((el as HTMLInputElement).disabled = true));
    alternatives.replaceChildren();
    again.focus();
  };

  switchToApp.addEventListener('click', () => {
    notice.clear();
    setMode('totp');
    announce('Enter the code from your authenticator app.');
  });
  switchToRecovery.addEventListener('click', () => {
    notice.clear();
    setMode('recovery_code');
    announce('Enter one of your recovery codes.');
  });
  emailMe.addEventListener('click', () => {
    notice.clear();
    void busy(emailMe, async () => {
      try {
        const sent = await api.sendEmailCode(challengeId);
        emailSent = true;
        setMode('email');
        notice.success(emailSentMessage(sent));
      } catch (err) {
        if (err instanceof ApiError && FATAL.has(err.code)) endAttempt(err.human);
        else showError(notice, err);
      }
    });
  });

  form.addEventListener('submit', (event) => {
    event.preventDefault();
    notice.clear();
    const raw = input.value.trim();
    const code = MODES[mode].numeric ? normalizeOtp(raw) : raw;
    if (MODES[mode].numeric && !/^\d{6}$/.test(code)) {
      notice.error(mode === 'email' ? 'Enter the 6-digit code from the email.' : 'Enter the 6-digit code from your authenticator app.');
      input.focus();
      return;
    }
    if (!code) {
      notice.error('Enter one of your recovery codes.');
      input.focus();
      return;
    }
    void busy(submit, async () => {
      try {
        const reply = await api.verify(challengeId, mode, code);
        await finishSignIn(reply.accessToken, reply.expiresIn);
      } catch (err) {
        if (err instanceof ApiError && FATAL.has(err.code)) {
          endAttempt(err.human);
          return;
        }
        showError(notice, err);
        input.select();
        input.focus();
      }
    });
  });

  setMode(mode, { focus: false });
  ctx.focus(codeField.hidden ? emailMe : input);
  return h(
    'section',
    { class: 'page narrow' },
    h(
      'div',
      { class: 'card' },
      h('h1', null, 'Multi-factor authentication'),
      h('p', { class: 'muted' }, `Signing in as ${pending.username}. One more step to prove it is you.`),
      form,
      alternatives,
      h('p', { class: 'small' }, h('a', { href: '#/login' }, 'Cancel and start over')),
    ),
  );
}
