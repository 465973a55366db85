/**
 * `npm run support:key -- --label NAME`: mints a support API key and prints it once (only its hash
 * is stored). Runs against DATABASE_URL; without it, against the embedded PostgreSQL of `npm start`
 * (which must be running).
 */
import { parseArgs } from 'node:util';
import { mintSupportKey } from '../apps/auth/src/support-keys/mint-support-key.js';
import { readJson, redactUrl, statePath } from './lib/paths.js';

function usage(): never {
  process.stderr.write('usage: npm run support:key -- --label NAME\n');
  process.exit(2);
}

async function main(): Promise<void> {
  let label: string | undefined;
  try {
    const { values } = parseArgs({ options: { label: { type: 'string', short: 'l' }, help: { type: 'boolean', short: 'h' } } });
    if (values.help) usage();
    label = values.label?.trim();
  } catch (err) {
    process.stderr.write(`${(err as Error).message}\n`);
    usage();
  }
  if (!label) usage();

  let databaseUrl = process.env.DATABASE_URL?.trim();
  if (!databaseUrl) {
    const secrets = readJson<{ EMBEDDED_POSTGRES_PASSWORD?: string }>(statePath('secrets.json'));
    const port = Number(process.env.TWOFOLD_PG_PORT ?? 54329);
    const password = secrets?.EMBEDDED_POSTGRES_PASSWORD ? `:${encodeURIComponent(secrets.EMBEDDED_POSTGRES_PASSWORD)}` : '';
    databaseUrl = `postgres://postgres${password}@127.0.0.1:${port}/twofold`;
    process.stderr.write(`DATABASE_URL is not set: using the embedded PostgreSQL of \`npm start\` (${redactUrl(databaseUrl)}); it must be running.\n`);
  }

  try {
    const { keyId, key } = await mintSupportKey(databaseUrl, label);
    process.stderr.write(`Support API key "${label}" (id ${keyId}). It is shown this once; send it as the X-Api-Key header.\n`);
    process.stdout.write(`${key}\n`);
  } catch (err) {
    process.stderr.write(`Could not mint a support key against ${redactUrl(databaseUrl)}: ${(err as Error).message}\n`);
    process.exit(1);
  }
}

void main();
