// Second half of the UI build (`npm run build`): `tsc -p apps/gateway/ui/tsconfig.json` compiles the
// scripts to dist/apps/gateway/ui/js; this copies the static files beside them. No network, no bundler.
import { cpSync, existsSync, mkdirSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const source = join(here, 'public');
const target = join(here, '..', '..', '..', 'dist', 'apps', 'gateway', 'ui');

mkdirSync(target, { recursive: true });
for (const name of readdirSync(source)) cpSync(join(source, name), join(target, name), { recursive: true });
if (!existsSync(join(target, 'js', 'main.js'))) {
  console.error(`build-ui: ${join(target, 'js', 'main.js')} is missing: did \`tsc -p apps/gateway/ui/tsconfig.json\` run?`);
  process.exit(1);
}
