/**
 * In-memory state of the sign-in flow and the signed-in user. The challenge id and the setup token are
 * deliberately not persisted: a reload in the middle of sign-in starts it again.
 */
import { api, session, type Me, type MfaMethod } from './api.js';

export type PendingLogin =
  | { kind: 'challenge'; challengeId: string; methods: MfaMethod[]; username: string }
  | { kind: 'setup'; setupToken: string; methods: MfaMethod[]; username: string; expiresAt: number };

let pending: PendingLogin | undefined;
let me: Me | undefined;
let flash: { kind: 'info' | 'error' | 'success'; message: string } | undefined;
let returnTo: string | undefined;

export const state = {
  get pending(): PendingLogin | undefined {
    return pending;
  },
  setPending(value: PendingLogin | undefined): void {
    pending = value;
  },

  /** The signed-in user, loaded once per page load (or after sign-in). */
  async me(): Promise<Me> {
    me ??= await api.me();
    return me;
  },
  get cachedMe(): Me | undefined {
    return me;
  },
  forget(): void {
    me = undefined;
    pending = undefined;
    session.clear();
  },

  /** A message for the next page (e.g. "your session ended" on the sign-in page). */
  setFlash(kind: 'info' | 'error' | 'success', message: string): void {
    flash = { kind, message };
  },
  takeFlash(): { kind: 'info' | 'error' | 'success'; message: string } | undefined {
    const value = flash;
    flash = undefined;
    return value;
  },

  /** Where to go after sign-in when a protected page sent the user to sign in. */
  setReturnTo(path: string | undefined): void {
    returnTo = path;
  },
  takeReturnTo(): string | undefined {
    const value = returnTo;
    returnTo = undefined;
    return value;
  },
};
