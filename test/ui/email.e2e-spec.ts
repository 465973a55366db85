import { accessToken, api, createAccount, createUser, e2eStack, login, MailboxClient } from '#testing';
import { describeInBrowser, launchBrowser, screenshot, signInWithKeyboard, type UiBrowser } from './browser.js';

/**
 * Email codes in a real browser: a user whose account requires MFA and allows email codes chooses
 * "Prefer Email Codes" in the forced setup, confirms with the code from the mail (read from the stack's
 * real SMTP server), and signs in later with an emailed code.
 */
describeInBrowser('web UI: email codes', () => {
  const stack = e2eStack();
  const http = api(stack.baseUrl);
  // The stack's inbox: a real SMTP server on loopback that the services send every mail to.
  const mailbox = new MailboxClient(stack.mailUrl);
  let browser: UiBrowser;

  beforeAll(async () => {
    browser = await launchBrowser();
  }, 30_000);
  afterAll(async () => {
    await browser?.close();
  });

  /** The next mail with a code to `address` after mail number `after`. */
  async function codeFor(address: string, after: number): Promise<string> {
    const mail = await mailbox.waitFor(address, (m) => m.code !== null, { after, timeoutMs: 15_000 });
    return mail.code!;
  }

  it('sets up email codes in the forced setup and signs in with an emailed code', async () => {
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
    await page.getByLabel('Email Code').fill(await codeFor(user.email, after));
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
    await field.fill(await codeFor(user.email, after));
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { level: 1, name: 'Authenticator' }).waitFor();
    await page.locator('.details').getByText('Enabled').waitFor();
    expect(problems).toEqual([]);
    await page.close();
  }, 90_000);

  it('chooses email codes in Security → Authenticator, then removes them with an emailed code', async () => {
    const account = await createAccount(stack);
    const user = await createUser(stack, account.id);
    const { page, problems } = await browser.newPage();
    await signInWithKeyboard(page, stack.baseUrl, user.username, user.password);
    await page.getByRole('heading', { level: 1, name: 'Authenticator' }).waitFor();
    await page.getByRole('button', { name: 'Prefer email codes' }).click();
    await page.getByRole('heading', { name: 'Email codes' }).waitFor();
    let after = await mailbox.lastId();
    await page.getByRole('button', { name: 'Email me a code' }).click();
    await page.getByRole('textbox', { name: 'Email Code' }).fill(await codeFor(user.email, after));
    await page.getByRole('button', { name: 'Save', exact: true }).click();
    await page.getByRole('heading', { name: 'Save your recovery codes' }).waitFor();
    await page.getByRole('button', { name: 'I saved them, continue' }).click();
    await page.locator('.details').getByText('Email codes').waitFor();
    await screenshot(page, 'ui-42-email-codes-enabled');

    // Without an app, the change is proven with a code sent by email on request.
    const remove = page.getByRole('region', { name: 'Remove email codes' });
    after = await mailbox.lastId();
    await remove.getByRole('button', { name: 'Email me a code' }).click();
    await remove.getByText('We emailed a 6-digit code').waitFor();
    await remove.getByRole('textbox', { name: 'Email Code' }).fill(await codeFor(user.email, after));
    await remove.getByRole('button', { name: 'Remove email codes' }).click();
    await page.getByText('Your email codes were removed.').waitFor();
    await page.locator('.details').getByText('Not set up').waitFor();
    expect((await login(stack, user.username, user.password)).status).toBe('authenticated');
    expect(problems).toEqual([]);
    await page.close();
  }, 90_000);
});

