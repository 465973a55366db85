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

/**
 * Saves a screenshot as test-results/ui/<name>.png (the whole page, or the viewport for modal dialogs),
 * and checks the screen it shows with `accessibilityProblems`.
 */
export async function screenshot(page: Page, name: string, options: { fullPage?: boolean } = {}): Promise<string> {
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  const path = join(SCREENSHOT_DIR, `${name}.png`);
  await page.screenshot({ path, fullPage: options.fullPage ?? true });
  expect({ screen: name, problems: await accessibilityProblems(page) }).toEqual({ screen: name, problems: [] });
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

/**
 * Basic accessibility checks of what is on screen: every form control has a label, every button and link
 * a name, every image alt text, ids are unique, ARIA references point at existing elements, one h1.
 * Answers the problems found (empty when fine). A small stand-in for a full checker such as axe-core.
 */
export async function accessibilityProblems(page: Page): Promise<string[]> {
  // A string, so the test code needs no DOM typings; it runs in the page through the DevTools protocol.
  return (await page.evaluate(`(() => {
    const problems = [];
    const visible = (el) => !!(el.offsetWidth || el.offsetHeight || el.getClientRects().length) && !el.closest('[hidden]');
    const describe = (el) => el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') + (el.className ? '.' + String(el.className).split(' ').join('.') : '');
    const text = (el) => (el.getAttribute('aria-label') || el.textContent || '').trim();
    for (const el of document.querySelectorAll('input, select, textarea')) {
      if (!visible(el) || el.type === 'hidden') continue;
      const labelled = (el.labels && el.labels.length) || el.getAttribute('aria-label') || el.getAttribute('aria-labelledby');
      if (!labelled) problems.push('no label: ' + describe(el));
    }
    for (const el of document.querySelectorAll('button, a[href]')) {
      if (visible(el) && !text(el)) problems.push('no accessible name: ' + describe(el));
    }
    for (const el of document.querySelectorAll('img')) {
      if (!el.hasAttribute('alt')) problems.push('no alt: ' + describe(el));
    }
    const ids = new Map();
    for (const el of document.querySelectorAll('[id]')) ids.set(el.id, (ids.get(el.id) || 0) + 1);
    for (const [id, count] of ids) if (count > 1) problems.push('duplicate id: ' + id);
    for (const attr of ['aria-describedby', 'aria-labelledby', 'aria-controls', 'for']) {
      for (const el of document.querySelectorAll('[' + attr + ']')) {
        for (const ref of el.getAttribute(attr).split(/\\s+/).filter(Boolean)) {
          if (!document.getElementById(ref)) problems.push(attr + ' points at missing #' + ref + ' from ' + describe(el));
        }
      }
    }
    const h1s = [...document.querySelectorAll('h1')].filter(visible).length;
    if (h1s !== 1) problems.push(h1s + ' visible h1 elements');
    if (!document.documentElement.lang) problems.push('no lang on <html>');
    return problems;
  })()`)) as string[];
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
