import { api, createAccount, createUser, strongPassword, uniqueSuffix, UnexpectedResponseError, type Role, type StackRef } from '#testing';
import { mintSupportKey } from '../../apps/auth/src/support-keys/mint-support-key.js';
import { readJson, statePath, writePrivateJson } from './paths.js';

/**
 * The demo data `npm start` seeds once and keeps in .twofold/demo.json (0600), one entry per
 * database (host:port/name), so switching between the embedded and an external PostgreSQL does
 * not re-seed each time.
 */
interface DemoFile {
  version: 2;
  databases: Record<string, DemoCredentials>;
}

export interface DemoCredentials {
  supportKey: string;
  supportKeyId: string;
  account: { id: string; name: string };
  holder: DemoUser;
  users: DemoUser[];
}

export interface DemoUser {
  id: string;
  username: string;
  password: string;
  email: string;
  role: Role;
}

export const DEMO_FILE = statePath('demo.json');
const DEMO_ACCOUNT = 'Demo Practice';
const DEMO_PEOPLE: { username: string; email: string; role: Role }[] = [
  { username: 'demo.holder', email: 'demo.holder@example.com', role: 'holder' },
  { username: 'alice', email: 'alice@example.com', role: 'user' },
  // Accents, an apostrophe, a hyphen and punctuation: the names real practices have.
  { username: "Zoë O'Brien-Núñez!", email: 'zoe.obrien-nunez@example.com', role: 'user' },
];

function databaseKey(databaseUrl: string): string {
  const url = new URL(databaseUrl);
  return `${url.hostname}:${url.port || '5432'}${url.pathname}`;
}

/** True when the stored holder can still sign in (any of the three login outcomes proves the password). */
async function holderStillValid(baseUrl: string, demo: DemoCredentials): Promise<boolean> {
  const response = await api(baseUrl).post('/api/v1/auth/login', { username: demo.holder.username, password: demo.holder.password });
  return response.status === 200;
}

async function createDemoUser(stack: StackRef, accountId: string, person: (typeof DEMO_PEOPLE)[number]): Promise<DemoUser> {
  const password = strongPassword();
  try {
    const user = await createUser(stack, accountId, { ...person, password });
    return { id: user.id, username: user.username, password, email: user.email, role: person.role };
  } catch (err) {
    // The database kept a demo user whose password we no longer know (demo.json was deleted): take a fresh name.
    const taken = err instanceof UnexpectedResponseError && err.response.status === 409;
    if (!taken) throw err;
    const username = `${person.username}-${uniqueSuffix(4)}`;
    const user = await createUser(stack, accountId, { ...person, username, password });
    return { id: user.id, username: user.username, password, email: user.email, role: person.role };
  }
}

/**
 * Seeds the demo account through the HTTP API unless .twofold/demo.json still works against this
 * database. The support key is minted directly in the auth schema (that is how a first support key
 * comes to exist) and kept with the demo credentials.
 */
export async function ensureDemo(baseUrl: string, databaseUrl: string): Promise<{ demo: DemoCredentials; seeded: boolean }> {
  const file = readJson<DemoFile>(DEMO_FILE);
  const databases = file?.version === 2 ? file.databases : {};
  const entry = databaseKey(databaseUrl);
  const stored = databases[entry];
  if (stored && (await holderStillValid(baseUrl, stored))) return { demo: stored, seeded: false };

  const { keyId, key } = await mintSupportKey(databaseUrl, 'npm start (demo)').catch((err: unknown) => {
    throw new Error(`seeding the demo: minting a support key failed: ${err instanceof Error ? err.message : String(err)}`);
  });
  const stack: StackRef = { baseUrl, supportKey: key };
  const account = await createAccount(stack, DEMO_ACCOUNT);
  const [holder, ...users] = await DEMO_PEOPLE.reduce<Promise<DemoUser[]>>(
    async (done, person) => [...(await done), await createDemoUser(stack, account.id, person)],
    Promise.resolve([]),
  );
  const demo: DemoCredentials = { supportKey: key, supportKeyId: keyId, account: { id: account.id, name: account.name }, holder: holder!, users };
  writePrivateJson(DEMO_FILE, { version: 2, databases: { ...databases, [entry]: demo } } satisfies DemoFile);
  return { demo, seeded: true };
}
