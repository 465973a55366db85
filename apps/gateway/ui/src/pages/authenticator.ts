/** Security → Authenticator: the signed-in user's own MFA (status, set up, recovery codes, remove). */
import { api, ApiError, type MfaStatus } from '../api.js';
import { details, emailCodeSteps, emailSentMessage, methodName, mfaBadge, normalizeOtp, otpField, recoveryCodesPanel, showError, totpSetupSteps } from '../components.js';
import { busy, h, Notice, uid } from '../dom.js';
import { HOME, navigate, type PageContext } from '../router.js';
import { state } from '../state.js';

export async function authenticatorPage(ctx: PageContext): Promise<HTMLElement> {
  ctx.setTitle('Authenticator');
  const me = ctx.me!;
  const status = await api.mfaStatus();
  const pageNotice = new Notice();
  const flash = state.takeFlash();
  if (flash) (flash.kind === 'error' ? pageNotice.error(flash.message) : pageNotice.success(flash.message));

  const content = h('div', { class: 'content' });
  const reload = (message?: string) => {
    if (message) state.setFlash('success', message);
    navigate(HOME);
  };

  const showCodes = (codes: string[], lead: string) => {
    const panel = recoveryCodesPanel({ codes, username: me.username, onDone: () => reload() });
    content.replaceChildren(h('p', { class: 'lead' }, lead), panel);
    panel.querySelector<HTMLElement>('h2')?.focus();
  };

  const startSetup = () => {
    const headingId = uid('setup');
    const cancel = h('button', { type: 'button', class: 'button secondary' }, 'Cancel');
    cancel.addEventListener('click', () => reload());
    const card = h(
      'section',
      { class: 'card', 'aria-labelledby': headingId },
      h('h2', { id: headingId, tabindex: '-1' }, 'Multi-Factor Authentication (MFA) Configuration'),
      totpSetupSteps({
        start: () => api.totpStart(),
        confirm: async (code) => {
          const reply = await api.totpConfirm(code);
          showCodes(reply.recoveryCodes, 'Your authenticator is set up: from now on you will enter a code from it when you sign in.');
        },
        submitLabel: 'Save',
      }),
      h('div', { class: 'actions' }, cancel),
    );
    content.replaceChildren(card);
    card.querySelector<HTMLElement>('h2')?.focus();
  };

  const startEmail = () => {
    const headingId = uid('email-setup');
    const cancel = h('button', { type: 'button', class: 'button secondary' }, 'Cancel');
    cancel.addEventListener('click', () => reload());
    const steps = emailCodeSteps({
      send: () => api.emailStart(),
      confirm: async (code) => {
        const reply = await api.emailConfirm(code);
        showCodes(reply.recoveryCodes, 'Email codes are set up: from now on we email you a code when you sign in.');
      },
      submitLabel: 'Save',
    });
    const card = h(
      'section',
      { class: 'card', 'aria-labelledby': headingId },
      h('h2', { id: headingId, tabindex: '-1' }, 'Email codes'),
      h('p', null, 'Instead of an app, we email a 6-digit code to the address on your account each time you sign in (where your practice allows it).'),
      steps.element,
      h('div', { class: 'actions' }, cancel),
    );
    content.replaceChildren(card);
    card.querySelector<HTMLElement>('h2')?.focus();
  };

  content.append(statusCard(status, startSetup, startEmail));
  if (status.enabled) {
    // Without an app, changes are proven with an emailed code instead.
    const viaEmail = !(status.methods ?? []).includes('totp') && (status.methods ?? []).includes('email');
    content.append(regenerateCard(showCodes, viaEmail), removeCard(reload, viaEmail));
  }

  return h(
    'div',
    { class: 'page with-sidebar' },
    h(
      'nav',
      { class: 'sidebar', 'aria-label': 'Security' },
      h('ul', null, h('li', null, h('a', { href: `#${HOME}`, 'aria-current': 'page' }, 'Authenticator'))),
    ),
    h('div', { class: 'main-column' }, h('h1', null, 'Authenticator'), pageNotice.element, content),
  );
}

/**
 * The code that proves a change: from the app, or (for users with email codes only) from an email sent
 * on request. Answers the elements to put in the form and a reader that checks the format.
 */
function proofField(viaEmail: boolean, notice: Notice): { elements: HTMLElement[]; input: HTMLInputElement; read: () => string | undefined } {
  const code = otpField(viaEmail ? 'Email Code' : 'Authentication Code');
  notice.describe(code.input);
  const elements: HTMLElement[] = [];
  if (viaEmail) {
    code.wrapper.querySelector('.hint')!.textContent = 'The 6-digit code from the email.';
    const send = h('button', { type: 'button', class: 'button secondary' }, 'Email me a code');
    send.addEventListener('click', () => {
      notice.clear();
      void busy(send, async () => {
        try {
          notice.success(emailSentMessage(await api.emailSendMe()));
          code.input.focus();
        } catch (err) {
          showError(notice, err);
        }
      });
    });
    elements.push(h('div', null, send));
  }
  elements.push(code.wrapper);
  const read = () => {
    const value = normalizeOtp(code.input.value);
    if (/^\d{6}$/.test(value)) return value;
    notice.error(viaEmail ? 'Enter the 6-digit code from the email.' : 'Enter the 6-digit code from your authenticator app.');
    code.input.focus();
    return undefined;
  };
  return { elements, input: code.input, read };
}

function statusCard(status: MfaStatus, startSetup: () => void, startEmail: () => void): HTMLElement {
  const headingId = uid('status');
  const remaining = status.recoveryCodesRemaining;
  const setup = h('button', { type: 'button', class: 'button primary' }, 'Set up authenticator');
  setup.addEventListener('click', startSetup);
  const email = h('button', { type: 'button', class: 'button secondary' }, 'Prefer email codes');
  email.addEventListener('click', startEmail);
  return h(
    'section',
    { class: 'card', 'aria-labelledby': headingId },
    h('h2', { id: headingId }, 'Multi-Factor Authentication (MFA)'),
    details([
      ['Current MFA Status', mfaBadge(status.enabled)],
      ...(status.enabled
        ? ([
            ['Methods', (status.methods ?? []).filter((m) => m !== 'recovery_code').map(methodName).join(', ') || '—'],
            [
              'Recovery codes remaining',
              typeof remaining === 'number'
                ? h('span', { class: remaining <= 2 ? 'warn-text' : undefined }, String(remaining), remaining <= 2 ? ' — make new ones below' : '')
                : '—',
            ],
          ] as Array<[string, string | HTMLElement]>)
        : []),
    ]),
    status.enabled
      ? null
      : [
          h(
            'p',
            null,
            'Multi-factor authentication adds a layer of security beyond your username and password: signing in also needs a code from an app on your phone. You can set it up even if your practice does not require it.',
          ),
          h('div', { class: 'actions' }, setup, email),
        ],
  );
}

function regenerateCard(showCodes: (codes: string[], lead: string) => void, viaEmail: boolean): HTMLElement {
  const headingId = uid('regen');
  const notice = new Notice();
  const code = proofField(viaEmail, notice);
  const submit = h('button', { type: 'submit', class: 'button secondary' }, 'Regenerate recovery codes');
  const form = h('form', { class: 'stack', novalidate: true }, ...code.elements, notice.element, h('div', { class: 'actions' }, submit));
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    notice.clear();
    const value = code.read();
    if (!value) return;
    void busy(submit, async () => {
      try {
        const reply = await api.regenerateRecoveryCodes(value);
        showCodes(reply.recoveryCodes, 'New recovery codes were made. Your old recovery codes no longer work.');
      } catch (err) {
        showError(notice, err);
        code.input.select();
        code.input.focus();
      }
    });
  });
  return h(
    'section',
    { class: 'card', 'aria-labelledby': headingId },
    h('h2', { id: headingId }, 'Recovery codes'),
    h('p', null, 'Lost or used up your recovery codes? Make a new set. All your old recovery codes stop working.'),
    form,
  );
}

function removeCard(reload: (message?: string) => void, viaEmail: boolean): HTMLElement {
  const headingId = uid('remove');
  const notice = new Notice();
  const code = proofField(viaEmail, notice);
  const what = viaEmail ? 'email codes' : 'authenticator';
  const submit = h('button', { type: 'submit', class: 'button danger' }, viaEmail ? 'Remove email codes' : 'Remove authenticator');
  const form = h('form', { class: 'stack', novalidate: true }, ...code.elements, notice.element, h('div', { class: 'actions' }, submit));
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    notice.clear();
    const value = code.read();
    if (!value) return;
    void busy(submit, async () => {
      try {
        await api.removeMfa(value);
        reload(`Your ${what} ${viaEmail ? 'were' : 'was'} removed. You now sign in with your password alone.`);
      } catch (err) {
        if (err instanceof ApiError && err.code === 'MFA_REQUIRED_BY_ACCOUNT') {
          notice.problem(err.human);
          code.input.value = '';
          return;
        }
        showError(notice, err);
        code.input.select();
        code.input.focus();
      }
    });
  });
  return h(
    'section',
    { class: 'card', 'aria-labelledby': headingId },
    h('h2', { id: headingId }, viaEmail ? 'Remove email codes' : 'Remove authenticator'),
    h(
      'p',
      null,
      'Without MFA you sign in with your password alone. If your practice requires MFA for all users, it cannot be removed; an account holder can reset it for you if you lose access to it.',
    ),
    form,
  );
}
