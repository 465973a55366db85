/**
 * Browser-test plumbing: Debian's Chromium (/usr/bin/chromium) driven by playwright-core, which never
 * downloads a browser. One fresh profile per spec file, one page (so one sessionStorage) per test.
 * Screenshots go to test-results/ui/ (git-ignored).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';

export const CHROMIUM = process.env.TWOFOLD_CHROMIUM ?? '/usr/bin/chromium';
export const chromiumAvailable = existsSync(CHROMIUM);
export const SCREENSHOT_DIR = resolve('test-results', 'ui');

/** `describe` when Chromium is installed; otherwise the block is skipped, saying why. */
export function describeInBrowser(name: string, body: () => void): void {
  if (chromiumAvailable) {
    describe(name, body);
    return;
  }
  describe.skip(`${name} (skipped: ${CHROMIUM} is not installed; \`apt-get install chromium\`)`, body);
  process.stderr.write(`\nUI browser tests skipped: ${CHROMIUM} is not installed (apt-get install chromium).\n`);
}

const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export interface UiBrowser {
  context: BrowserContext;
  /** A new tab with its own sessionStorage, watched for script errors and CSP violations. */
  newPage(): Promise<WatchedPage>;
  close(): Promise<void>;
}

export interface WatchedPage {
  page: Page;
  /** Uncaught exceptions and console errors other than failed API answers (4xx are expected in tests). */
  problems: string[];
}

export async function launchBrowser(): Promise<UiBrowser> {
  const profile = mkdtempSync(join(tmpdir(), 'twofold-ui-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: CHROMIUM_ARGS,
    viewport: { width: 1280, height: 900 },
    acceptDownloads: true,
    locale: 'en-US',
    timezoneId: 'UTC',
  });
  return {
    context,
    async newPage() {
      const page = await context.newPage();
      page.setDefaultTimeout(10_000);
      const problems: string[] = [];
      page.on('pageerror', (error) => problems.push(`pageerror: ${error.message}`));
      page.on('console', (message) => {
        if (message.type() !== 'error') return;
        const text = message.text();
        // Chromium logs every non-2xx fetch; the UI shows those to the person, they are not faults.
        if (/^Failed to load resource: the server responded with a status of 4\d\d/.test(text)) return;
        problems.push(`console: ${text}`);
      });
      return { page, problems };
    },
    async close() {
      await context.close().catch(() => undefined);
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

/** Saves a screenshot as test-results/ui/<name>.png: the whole page, or the viewport (for modal dialogs). */
export async function screenshot(page: Page, name: string, options: { fullPage?: boolean } = {}): Promise<string> {
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  const path = join(SCREENSHOT_DIR, `${name}.png`);
  await page.screenshot({ path, fullPage: options.fullPage ?? true });
  return path;
}

/**
 * Decodes the QR code image shown on the page with Debian's zbarimg, when it is installed; answers the
 * decoded text, or undefined without zbarimg.
 */
export async function scanQrCode(page: Page, selector = 'img.qr'): Promise<string | undefined> {
  if (!existsSync('/usr/bin/zbarimg')) return undefined;
  const src = await page.locator(selector).getAttribute('src');
  const match = /^data:image\/png;base64,(.+)$/.exec(src ?? '');
  if (!match) throw new Error(`the QR code is not a PNG data URL: ${String(src).slice(0, 40)}`);
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  const file = join(SCREENSHOT_DIR, `qr-${process.pid}-${Date.now()}.png`);
  writeFileSync(file, Buffer.from(match[1]!, 'base64'));
  try {
    return execFileSync('/usr/bin/zbarimg', ['--quiet', '--raw', file], { encoding: 'utf8' }).trim();
  } finally {
    rmSync(file, { force: true });
  }
}

/** Signs in through the sign-in page with the keyboard only. */
export async function signInWithKeyboard(page: Page, baseUrl: string, username: string, password: string): Promise<void> {
  await page.goto(`${baseUrl}/#/login`);
  await page.getByLabel('Username').focus();
  await page.keyboard.type(username);
  await page.keyboard.press('Tab');
  await page.keyboard.type(password);
  await page.keyboard.press('Enter');
}
