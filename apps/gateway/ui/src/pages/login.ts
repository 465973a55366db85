/** Sign in with username and password; the answer decides the next step. */
import { api, session, type LoginReply } from '../api.js';
import { showError } from '../components.js';
import { busy, field, h, Notice } from '../dom.js';
import { HOME, navigate, type PageContext } from '../router.js';
import { state } from '../state.js';

/** Continues after any answer that ends with a session (login, verify, forced setup). */
export async function finishSignIn(accessToken: string, expiresIn: number | undefined): Promise<void> {
  session.save(accessToken, expiresIn);
  state.setPending(undefined);
  const target = state.takeReturnTo();
  if (target && !target.startsWith('/login')) window.location.hash = target;
  else navigate(HOME);
}

export function handleLoginReply(reply: LoginReply, username: string): Promise<void> | void {
  switch (reply.status) {
    case 'authenticated':
      return finishSignIn(reply.accessToken, reply.expiresIn);
    case 'mfa_required':
      state.setPending({ kind: 'challenge', challengeId: reply.challengeId, methods: reply.methods ?? [], username });
      navigate('/login/verify');
      return;
    case 'mfa_setup_required':
      state.setPending({
        kind: 'setup',
        setupToken: reply.setupToken,
        methods: reply.methods ?? ['totp'],
        username,
        expiresAt: Date.now() + (reply.expiresIn ?? 15 * 60) * 1000,
      });
      navigate('/login/setup');
      return;
    default:
      throw new Error(`Unexpected sign-in answer: ${(reply as { status?: unknown }).status}`);
  }
}

export function loginPage(ctx: PageContext): HTMLElement {
  ctx.setTitle('Sign in');
  const notice = new Notice();
  const username = field({ label: 'Username', name: 'username', required: true, autocomplete: 'username', autocapitalize: 'none', spellcheck: false });
  const password = field({ label: 'Password', name: 'password', type: 'password', required: true, autocomplete: 'current-password' });
  notice.describe(username.input, password.input);
  const submit = h('button', { type: 'submit', class: 'button primary wide' }, 'Sign In');
  const form = h('form', { class: 'stack', novalidate: true, 'aria-labelledby': 'login-title' }, username.wrapper, password.wrapper, notice.element, submit);

  const flash = state.takeFlash();
  if (flash) {
    if (flash.kind === 'error') notice.error(flash.message);
    else if (flash.kind === 'success') notice.success(flash.message);
    else notice.info(flash.message);
  }

  form.addEventListener('submit', (event) => {
    event.preventDefault();
    notice.clear();
    const name = username.input.value;
    if (!name.trim()) {
      notice.error('Enter your username.');
      username.input.focus();
      return;
    }
    if (!password.input.value) {
      notice.error('Enter your password.');
      password.input.focus();
      return;
    }
    void busy(submit, async () => {
      try {
        const reply = await api.login(name, password.input.value);
        await handleLoginReply(reply, name);
      } catch (err) {
        showError(notice, err);
        password.input.value = '';
        password.input.focus();
      }
    });
  });

  ctx.focus(username.input);
  return h(
    'section',
    { class: 'page narrow' },
    h(
      'div',
      { class: 'card' },
      h('h1', { id: 'login-title' }, 'Sign in'),
      h('p', { class: 'muted' }, 'Sign in to manage your multi-factor authentication.'),
      form,
    ),
  );
}
