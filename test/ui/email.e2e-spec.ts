import * as testing from '#testing';
import { accessToken, api, createAccount, createUser, e2eStack } from '#testing';
import { describeInBrowser, launchBrowser, screenshot, signInWithKeyboard, type UiBrowser } from './browser.js';

/**
 * Email codes in a real browser: a user whose account requires MFA and allows email codes chooses
 * "Prefer Email Codes" in the forced setup, confirms with the code from the mail (read from the stack's
 * real SMTP server), and signs in later with an emailed code.
 */
describeInBrowser('web UI: email codes', () => {
  const stack = e2eStack();
  const http = api(stack.baseUrl);
  // The stack's inbox (issue 5's real SMTP server on loopback); without it there is nothing to read.
  const mailUrl = (stack as { mailUrl?: string }).mailUrl;
  const Mailbox = (testing as { MailboxClient?: new (url: string) => Inbox }).MailboxClient;
  const withMail = mailUrl && Mailbox ? it : it.skip;
  let browser: UiBrowser;

  beforeAll(async () => {
    browser = await launchBrowser();
  }, 30_000);
  afterAll(async () => {
    await browser?.close();
  });

  /** The next mail with a code to `address` after mail number `after`. */
  async function codeFor(mailbox: Inbox, address: string, after: number): Promise<string> {
    const mail = await mailbox.waitFor(address, (m) => m.code !== null, { after, timeoutMs: 15_000 });
    return mail.code!;
  }

  withMail('sets up email codes in the forced setup and signs in with an emailed code', async () => {
    const mailbox = new Mailbox!(mailUrl!);
    const account = await createAccount(stack);
    const holder = await createUser(stack, account.id, { role: 'holder' });
    const user = await createUser(stack, account.id);
    const put = await http.put(
      `/api/v1/accounts/${account.id}/security-settings`,
      { mfaRequired: true, allowEmailCodes: true, ipSafelist: [] },
      { token: await accessToken(stack, holder.username, holder.password) },
    );
    expect(put.status).toBe(200);

    const { page, problems } = await browser.newPage();
    await signInWithKeyboard(page, stack.baseUrl, user.username, user.password);
    await page.getByRole('heading', { name: 'Multi-Factor Authenticator Setup' }).waitFor();
    await page.getByRole('button', { name: 'Prefer Email Codes' }).click();
    let after = await mailbox.lastId();
    await page.getByRole('button', { name: 'Email me a code' }).click();
    await page.getByText('We emailed a 6-digit code').waitFor();
    await page.getByLabel('Email Code').fill(await codeFor(mailbox, user.email, after));
    await screenshot(page, 'ui-40-forced-setup-email');
    await page.getByRole('button', { name: 'Submit' }).click();
    await page.getByRole('heading', { name: 'Save your recovery codes' }).waitFor();
    await page.getByRole('button', { name: 'I saved them, continue' }).click();
    await page.getByRole('heading', { level: 1, name: 'Authenticator' }).waitFor();
    await page.locator('.details').getByText('Email codes').waitFor();

    await page.getByRole('button', { name: 'Sign Out' }).click();
    await page.waitForURL(/#\/login$/);
    await signInWithKeyboard(page, stack.baseUrl, user.username, user.password);
    await page.getByRole('heading', { name: 'Multi-factor authentication' }).waitFor();
    after = await mailbox.lastId();
    await page.getByRole('button', { name: 'Email me a code' }).click();
    const field = page.getByLabel('Email Code');
    await field.waitFor();
    expect(await field.getAttribute('autocomplete')).toBe('one-time-code');
    await screenshot(page, 'ui-41-challenge-email');
    await field.fill(await codeFor(mailbox, user.email, after));
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { level: 1, name: 'Authenticator' }).waitFor();
    await page.locator('.details').getByText('Enabled').waitFor();
    expect(problems).toEqual([]);
    await page.close();
  }, 90_000);
});

/** What these tests use of `MailboxClient` (libs/testing/src/mail). */
interface Inbox {
  lastId(): Promise<number>;
  waitFor(address: string, match: (mail: { code: string | null }) => boolean, options: { after?: number; timeoutMs?: number }): Promise<{ code: string | null }>;
}
