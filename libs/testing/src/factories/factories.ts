import { api, UnexpectedResponseError } from '../http/api-client.js';
import { strongPassword, uniqueSuffix } from '../infra/secrets.js';

/** What the factories need to reach a running Twofold: the gateway and a support API key. */
export interface StackRef {
  baseUrl: string;
  supportKey: string;
}

export interface AccountRef {
  id: string;
  name: string;
}

export type Role = 'holder' | 'user';

export interface UserCredentials {
  id: string;
  accountId: string;
  username: string;
  password: string;
  email: string;
  role: Role;
}

export interface CreateUserOptions {
  role?: Role;
  /** Taken as is: pass your own to test Unicode or punctuation; default `user-<random>`. */
  username?: string;
  password?: string;
  email?: string;
}

export interface LoginResult {
  status: 'authenticated' | 'mfa_required' | 'mfa_setup_required' | string;
  accessToken?: string;
  expiresIn?: number;
  challengeId?: string;
  methods?: string[];
  setupToken?: string;
  [key: string]: unknown;
}

/** Creates an account through the support API. The name gets a random suffix unless given. */
export async function createAccount(stack: StackRef, name?: string): Promise<AccountRef> {
  const response = await api(stack.baseUrl).post<AccountRef>(
    '/api/v1/support/accounts',
    { name: name ?? `Practice ${uniqueSuffix(8)}` },
    { apiKey: stack.supportKey },
  );
  if (response.status !== 201) throw new UnexpectedResponseError('createAccount', response);
  return response.body;
}

/** Creates a user (role `user` unless told) with a unique username and a strong password; returns its credentials. */
export async function createUser(stack: StackRef, accountId: string, options: CreateUserOptions = {}): Promise<UserCredentials> {
  const suffix = uniqueSuffix(10);
  const username = options.username ?? `user-${suffix}`;
  const password = options.password ?? strongPassword();
  const email = options.email ?? `user-${suffix}@example.com`;
  const role = options.role ?? 'user';
  const response = await api(stack.baseUrl).post<{ id: string; accountId: string; username: string; email: string; role: Role }>(
    `/api/v1/support/accounts/${encodeURIComponent(accountId)}/users`,
    { username, password, email, role },
    { apiKey: stack.supportKey },
  );
  if (response.status !== 201) throw new UnexpectedResponseError('createUser', response);
  return { id: response.body.id, accountId, username: response.body.username, password, email: response.body.email, role };
}

/** POST /api/v1/auth/login; throws unless the API answers 200. */
export async function login(stack: Pick<StackRef, 'baseUrl'>, username: string, password: string): Promise<LoginResult> {
  const response = await api(stack.baseUrl).post<LoginResult>('/api/v1/auth/login', { username, password });
  if (response.status !== 200) throw new UnexpectedResponseError('login', response);
  return response.body;
}

/** Logs in a user without MFA and answers the access token; throws when another step is required. */
export async function accessToken(stack: Pick<StackRef, 'baseUrl'>, username: string, password: string): Promise<string> {
  const result = await login(stack, username, password);
  if (result.status !== 'authenticated' || !result.accessToken) {
    throw new Error(`login of ${username} answered status ${result.status}, not authenticated`);
  }
  return result.accessToken;
}

export interface HolderOfAccount {
  accountId: string;
  holder: UserCredentials;
  /** The holder's access token (the holder has no MFA yet). */
  token: string;
}

/** A new account with one holder, signed in: the start of most holder stories. */
export async function createHolderAccount(stack: StackRef): Promise<HolderOfAccount> {
  const account = await createAccount(stack);
  const holder = await createUser(stack, account.id, { role: 'holder' });
  return { accountId: account.id, holder, token: await accessToken(stack, holder.username, holder.password) };
}
