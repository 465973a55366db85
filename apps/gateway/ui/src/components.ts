/** Pieces shared by several pages: confirmation dialog, code fields, QR setup, recovery codes. */
import { ApiError, humanError, isInputError, type EmailCodeSent, type TotpSetup } from './api.js';
import { busy, field, h, Notice, uid, type Child } from './dom.js';

/** Shows an API error in a form's notice; the form's fields are marked invalid only when the input was the problem. */
export function showError(notice: Notice, error: unknown, ...extra: Child[]): void {
  if (isInputError(error)) notice.error(humanError(error), ...extra);
  else notice.problem(humanError(error), ...extra);
}

/** Announces a message to screen readers without moving focus (the page's polite live region). */
export function announce(message: string): void {
  const region = document.getElementById('announcer');
  if (!region) return;
  region.textContent = '';
  // A fresh text node after a tick makes repeated messages announce again.
  window.setTimeout(() => {
    region.textContent = message;
  }, 50);
}

/**
 * A modal confirmation built on <dialog>: the browser traps focus, Escape cancels, and focus returns
 * to the button that opened it. Focus starts on Cancel, the safe choice.
 */
export function confirmDialog(options: {
  title: string;
  body: Child[];
  confirmLabel: string;
  cancelLabel?: string;
  danger?: boolean;
}): Promise<boolean> {
  const opener = document.activeElement instanceof HTMLElement ? document.activeElement : undefined;
  const titleId = uid('dialog-title');
  const bodyId = uid('dialog-body');
  return new Promise((resolve) => {
    const cancel = h('button', { type: 'button', class: 'button secondary' }, options.cancelLabel ?? 'Cancel');
    const confirm = h('button', { type: 'button', class: options.danger ? 'button danger' : 'button primary' }, options.confirmLabel);
    const dialog = h(
      'dialog',
      { class: 'dialog', 'aria-labelledby': titleId, 'aria-describedby': bodyId },
      h('h2', { id: titleId }, options.title),
      h('div', { id: bodyId, class: 'dialog-body' }, ...options.body),
      h('div', { class: 'actions' }, confirm, cancel),
    );
    let answered = false;
    const finish = (value: boolean) => {
      if (answered) return;
      answered = true;
      dialog.close();
      dialog.remove();
      opener?.focus();
      resolve(value);
    };
    confirm.addEventListener('click', () => finish(true));
    cancel.addEventListener('click', () => finish(false));
    dialog.addEventListener('cancel', (event) => {
      event.preventDefault();
      finish(false);
    });
    document.body.appendChild(dialog);
    dialog.showModal();
    cancel.focus();
  });
}

/** Digits only, spaces and dashes dropped (people type "123 456"). */
export function normalizeOtp(value: string): string {
  return value.replace(/[\s-]/g, '');
}

/** The 6-digit code field: one-time-code autofill, numeric keypad on phones. */
export function otpField(label = 'Authentication Code', name = 'code'): { wrapper: HTMLDivElement; input: HTMLInputElement } {
  return field({
    label,
    name,
    required: true,
    autocomplete: 'one-time-code',
    inputmode: 'numeric',
    pattern: '[0-9 ]*',
    maxlength: 7,
    spellcheck: false,
    hint: 'The 6-digit code shown in your authenticator app.',
  });
}

/** Checks a 6-digit code before sending it; shows the problem and answers undefined when it is not one. */
export function readOtp(input: HTMLInputElement, notice: Notice): string | undefined {
  const code = normalizeOtp(input.value);
  if (!/^\d{6}$/.test(code)) {
    notice.error('Enter the 6-digit code from your authenticator app.');
    input.focus();
    return undefined;
  }
  return code;
}

export const AUTHENTICATOR_APPS = ['Microsoft Authenticator', 'Google Authenticator', 'FreeOTP', 'Authy'];

/**
 * The authenticator setup steps (the seed's three steps): install an app, scan the QR code (or show the
 * key), enter a code. `start` fetches a fresh secret; `confirm` answers when the code was accepted.
 */
export function totpSetupSteps(options: {
  start: () => Promise<TotpSetup>;
  confirm: (code: string) => Promise<void>;
  submitLabel: string;
  /** Focus the code field once the QR code is shown (forced setup); otherwise focus stays put. */
  autofocus?: boolean;
}): HTMLElement {
  const notice = new Notice();
  const qrArea = h('div', { class: 'qr-area', 'aria-busy': 'true' }, h('p', { class: 'muted' }, 'Preparing your QR code…'));
  const keyId = uid('manual-key');
  const keyPanel = h('div', { id: keyId, class: 'manual-key-panel', hidden: true });
  const reveal = h(
    'button',
    { type: 'button', class: 'link-button', 'aria-expanded': 'false', 'aria-controls': keyId },
    'Unable to scan? Show the code instead.',
  );
  reveal.addEventListener('click', () => {
    const open = keyPanel.hidden;
    keyPanel.hidden = !open;
    reveal.setAttribute('aria-expanded', String(open));
    reveal.textContent = open ? 'Hide the code' : 'Unable to scan? Show the code instead.';
    if (open) keyPanel.focus();
  });
  const code = otpField();
  notice.describe(code.input);
  const submit = h('button', { type: 'submit', class: 'button primary' }, options.submitLabel);
  const form = h(
    'form',
    { class: 'stack', novalidate: true },
    code.wrapper,
    notice.element,
    h('div', { class: 'actions' }, submit),
  );

  const load = async () => {
    qrArea.setAttribute('aria-busy', 'true');
    try {
      const setup = await options.start();
      const img = h('img', {
        class: 'qr',
        src: setup.qrCode,
        width: 200,
        height: 200,
        alt: 'QR code to scan with your authenticator app. If you cannot scan it, use the button below to show the code.',
      });
      qrArea.replaceChildren(img);
      keyPanel.replaceChildren(
        h('p', null, 'Type this key into your app (choose “enter a setup key”; time-based, 6 digits):'),
        h('p', null, h('code', { class: 'manual-key', 'data-testid': 'manual-key' }, setup.manualKey)),
      );
      keyPanel.setAttribute('tabindex', '-1');
      if (options.autofocus) code.input.focus();
    } catch (err) {
      qrArea.replaceChildren();
      const retry = h('button', { type: 'button', class: 'button secondary' }, 'Try again');
      retry.addEventListener('click', () => void load());
      showError(notice, err, h('div', { class: 'actions' }, retry));
    } finally {
      qrArea.removeAttribute('aria-busy');
    }
  };

  form.addEventListener('submit', (event) => {
    event.preventDefault();
    notice.clear();
    const value = readOtp(code.input, notice);
    if (!value) return;
    void busy(submit, async () => {
      try {
        await options.confirm(value);
      } catch (err) {
        if (err instanceof ApiError && err.code === 'MFA_SETUP_NOT_STARTED') {
          const again = h('button', { type: 'button', class: 'button secondary' }, 'Start again with a new QR code');
          again.addEventListener('click', () => {
            notice.clear();
            code.input.value = '';
            void load();
          });
          notice.problem(err.human, h('div', { class: 'actions' }, again));
        } else {
          showError(notice, err);
        }
        code.input.select();
        code.input.focus();
      }
    });
  });

  void load();
  return h(
    'ol',
    { class: 'steps' },
    h(
      'li',
      null,
      h('p', null, 'Install one of the following applications on your mobile:'),
      h('ul', { class: 'apps' }, AUTHENTICATOR_APPS.map((name) => h('li', null, name))),
    ),
    h('li', null, h('p', null, 'Open the application and scan the QR code:'), qrArea, reveal, keyPanel),
    h(
      'li',
      null,
      h('p', null, `Enter the authentication code provided by the application and click ${options.submitLabel} to finish the setup.`),
      form,
    ),
  );
}

/**
 * Recovery codes, shown once: copy, download as .txt, and an explicit "I saved them" to go on.
 */
export function recoveryCodesPanel(options: { codes: string[]; username?: string; onDone: () => void; doneLabel?: string }): HTMLElement {
  const notice = new Notice();
  const text = [
    `Twofold recovery codes${options.username ? ` for ${options.username}` : ''}`,
    `Created ${new Date().toLocaleString()}`,
    'Each code can be used once, instead of a code from your authenticator app.',
    '',
    ...options.codes,
    '',
  ].join('\n');
  const list = h('ol', { class: 'recovery-codes', 'aria-label': 'Recovery codes' }, options.codes.map((code) => h('li', null, h('code', null, code))));

  const copy = h('button', { type: 'button', class: 'button secondary' }, 'Copy codes');
  copy.addEventListener('click', () => {
    void (async () => {
      try {
        await navigator.clipboard.writeText(text);
        notice.success('The codes were copied to the clipboard.');
      } catch {
        const selection = window.getSelection();
        const range = document.createRange();
        range.selectNodeContents(list);
        selection?.removeAllRanges();
        selection?.addRange(range);
        notice.info('Copying was blocked by the browser: the codes are selected, press Ctrl+C (or ⌘C) to copy them.');
      }
    })();
  });

  const download = h('button', { type: 'button', class: 'button secondary' }, 'Download as .txt');
  download.addEventListener('click', () => {
    const url = URL.createObjectURL(new Blob([text], { type: 'text/plain;charset=utf-8' }));
    const link = h('a', { href: url, download: 'twofold-recovery-codes.txt', hidden: true });
    document.body.appendChild(link);
    link.click();
    link.remove();
    window.setTimeout(() => URL.revokeObjectURL(url), 10_000);
    notice.success('Downloaded twofold-recovery-codes.txt.');
  });

  const done = h('button', { type: 'button', class: 'button primary' }, options.doneLabel ?? 'I saved them, continue');
  done.addEventListener('click', () => options.onDone());

  const headingId = uid('codes-heading');
  return h(
    'section',
    { class: 'card recovery', 'aria-labelledby': headingId },
    h('h2', { id: headingId, tabindex: '-1' }, 'Save your recovery codes'),
    h(
      'p',
      null,
      'If you lose your phone, each of these codes lets you sign in once instead of a code from your app. ',
      h('strong', null, 'They are shown only now.'),
      ' Keep them somewhere safe, such as a password manager.',
    ),
    list,
    h('div', { class: 'actions' }, copy, download),
    notice.element,
    h('div', { class: 'actions' }, done),
  );
}

/** A label/value list (dl) from pairs. */
export function details(pairs: Array<[string, Child]>): HTMLDListElement {
  return h(
    'dl',
    { class: 'details' },
    pairs.map(([label, value]) => h('div', null, h('dt', null, label), h('dd', null, value))),
  );
}

export function methodName(method: string): string {
  switch (method) {
    case 'totp':
      return 'Authenticator app';
    case 'email':
      return 'Email codes';
    case 'recovery_code':
      return 'Recovery codes';
    default:
      return method;
  }
}

/** A status badge: text carries the meaning, colour only repeats it. */
export function mfaBadge(enabled: boolean): HTMLSpanElement {
  return h('span', { class: enabled ? 'badge badge-on' : 'badge badge-off' }, enabled ? 'Enabled' : 'Not set up');
}

/** "We emailed a 6-digit code to z•••@example.com. It expires in 10 minutes." */
export function emailSentMessage(sent: EmailCodeSent | undefined): string {
  const where = sent?.sentTo ? ` to ${sent.sentTo}` : '';
  const minutes = Math.max(1, Math.round((sent?.expiresIn ?? 600) / 60));
  return `We emailed a 6-digit code${where}. It expires in ${minutes} minute${minutes === 1 ? '' : 's'}.`;
}

/**
 * Choosing email codes: "Email me a code", then the code from the email. `send` mails one (again on
 * "Send another code"); `confirm` answers when the code was accepted.
 */
export function emailCodeSteps(options: { send: () => Promise<EmailCodeSent | undefined>; confirm: (code: string) => Promise<void>; submitLabel: string }): {
  element: HTMLElement;
  focus: () => void;
} {
  const notice = new Notice();
  const send = h('button', { type: 'button', class: 'button primary' }, 'Email me a code');
  const code = otpField('Email Code');
  code.wrapper.querySelector('.hint')!.textContent = 'The 6-digit code from the email.';
  notice.describe(code.input);
  const submit = h('button', { type: 'submit', class: 'button primary' }, options.submitLabel);
  const form = h('form', { class: 'stack', novalidate: true, hidden: true }, code.wrapper, h('div', { class: 'actions' }, submit));
  send.addEventListener('click', () => {
    notice.clear();
    void busy(send, async () => {
      try {
        const sent = await options.send();
        form.hidden = false;
        send.textContent = 'Send another code';
        send.className = 'button secondary';
        notice.success(emailSentMessage(sent));
        code.input.focus();
      } catch (err) {
        showError(notice, err);
      }
    });
  });
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    notice.clear();
    const value = normalizeOtp(code.input.value);
    if (!/^\d{6}$/.test(value)) {
      notice.error('Enter the 6-digit code from the email.');
      code.input.focus();
      return;
    }
    void busy(submit, async () => {
      try {
        await options.confirm(value);
      } catch (err) {
        showError(notice, err);
        code.input.select();
        code.input.focus();
      }
    });
  });
  return { element: h('div', { class: 'stack' }, h('div', null, send), notice.element, form), focus: () => send.focus() };
}
