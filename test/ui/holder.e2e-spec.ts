import type { Locator } from 'playwright-core';
import { accessToken, api, createAccount, createUser, e2eStack, enrolAuthenticator, login, type UserCredentials } from '#testing';
import { describeInBrowser, launchBrowser, screenshot, signInWithKeyboard, type UiBrowser } from './browser.js';

/**
 * The account holder's pages in a real browser: find a user by exact username among 11 and reset their
 * MFA behind a confirmation; a safelist that would lock the holder out is refused with the API's
 * reason; turning enforcement on first says how many users have no MFA yet; the audit log.
 */
describeInBrowser('web UI: account holders', () => {
  const stack = e2eStack();
  const http = api(stack.baseUrl);
  let browser: UiBrowser;

  beforeAll(async () => {
    browser = await launchBrowser();
  }, 30_000);
  afterAll(async () => {
    await browser?.close();
  });

  async function practice(): Promise<{ accountId: string; holder: UserCredentials }> {
    const account = await createAccount(stack);
    const holder = await createUser(stack, account.id, { role: 'holder', username: `aaa-holder-${account.id.slice(0, 6)}` });
    return { accountId: account.id, holder };
  }

  it('finds a user by exact username among 11 and resets their MFA after saying what will happen', async () => {
    const { accountId, holder } = await practice();
    const special = 'specialchar!@!@ù%$%^^&(%@#$%$%*()é';
    const target = await createUser(stack, accountId, { username: special });
    await enrolAuthenticator(stack, await accessToken(stack, target.username, target.password));
    for (let i = 0; i < 9; i++) await createUser(stack, accountId, { username: `user-${String(i).padStart(2, '0')}-${accountId.slice(0, 4)}` });

    const { page, problems } = await browser.newPage();
    await signInWithKeyboard(page, stack.baseUrl, holder.username, holder.password);
    await page.getByRole('link', { name: 'Practice Security Settings' }).click();
    await page.getByRole('heading', { level: 1, name: 'Account Security Settings' }).waitFor();
    await page.getByRole('link', { name: 'User Settings' }).click();
    await page.getByRole('heading', { name: 'Practice Users' }).waitFor();
    await expectText(page.locator('.summary'), 'Showing 10 of 11 results');
    expect(await page.locator('tbody tr').count()).toBe(10);
    await page.getByText('Username must be an exact match').waitFor();
    await screenshot(page, 'ui-10-user-list');

    await page.getByRole('link', { name: 'Next page ›' }).click();
    await expectText(page.locator('.summary'), 'Showing 1 of 11 results');
    await expectText(page.locator('.pager'), 'Page 2 of 2');

    // Partial names find nobody: the match is full and exact.
    const search = page.getByRole('searchbox', { name: 'Find user' });
    await search.fill('specialchar');
    await search.press('Enter');
    await expectText(page.locator('.summary'), 'No user has the username');

    await search.fill(special);
    await search.press('Enter');
    await expectText(page.locator('.summary'), 'Showing 1 of 1 result');
    await page.getByRole('link', { name: special }).click();

    await page.getByRole('heading', { level: 1, name: 'User Security Settings' }).waitFor();
    const status = page.locator('.details div', { hasText: 'Current MFA Status' }).locator('dd');
    await expectText(status, 'Enabled');
    await screenshot(page, 'ui-11-user-page');

    // Keyboard only: open the confirmation, which starts on Cancel; Escape backs out, changing nothing.
    await page.getByRole('button', { name: 'Reset MFA' }).focus();
    await page.keyboard.press('Enter');
    const dialog = page.getByRole('dialog', { name: `Reset MFA for ${special}?` });
    await dialog.waitFor();
    await expectText(dialog, `Resetting ${special}'s Multi-Factor Authentication will remove the Authenticator from their account`);
    await expectText(dialog, 'will sign in with their password alone');
    expect(await page.evaluate('document.activeElement.textContent')).toBe('Cancel');
    await screenshot(page, 'ui-12-reset-confirmation', { fullPage: false });
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'detached' });
    await expectText(status, 'Enabled');

    await page.keyboard.press('Enter'); // focus went back to "Reset MFA"
    await dialog.waitFor();
    await page.keyboard.press('Shift+Tab'); // from Cancel to the confirm button
    await page.keyboard.press('Enter');
    await expectText(page.getByRole('status'), `MFA was reset for ${special}`);
    await expectText(status, 'Not set up');
    await screenshot(page, 'ui-13-reset-done');

    // The account does not require MFA: the user now signs in with the password alone.
    expect((await login(stack, target.username, target.password)).status).toBe('authenticated');
    expect(problems).toEqual([]);
    await page.close();
  }, 90_000);

  it('refuses a safelist that would lock the holder out, with the reason, and saves one that includes them', async () => {
    const { accountId, holder } = await practice();
    const { page, problems } = await browser.newPage();
    await signInWithKeyboard(page, stack.baseUrl, holder.username, holder.password);
    await page.getByRole('link', { name: 'Practice Security Settings' }).click();
    await page.getByRole('heading', { name: 'IP Safelist' }).waitFor();
    await page.getByText('There are currently no IPs Safelisted.').waitFor();

    const entry = page.getByLabel('IP address or range');
    await entry.fill('203.0.113.0/24');
    await entry.press('Enter');
    await page.getByRole('list', { name: 'Safelisted addresses' }).getByText('203.0.113.0/24').waitFor();
    await page.getByRole('button', { name: 'Save IP safelist' }).click();
    const safelist = page.getByRole('region', { name: 'IP Safelist' });
    // Through 127.0.0.1 (the browser's address here) the API refuses and names the holder's address.
    await expectText(safelist.getByRole('alert'), 'would lock you out');
    await expectText(safelist.getByRole('alert'), '127.0.0.1');
    // The refusal tells the page the holder's address, offered as a one-click fix.
    expect(await page.getByTestId('my-address').textContent()).toBe('127.0.0.1');
    expect(await entry.getAttribute('aria-invalid')).toBeNull();
    await screenshot(page, 'ui-20-safelist-refused');
    const token = await accessToken(stack, holder.username, holder.password);
    expect((await http.get(`/api/v1/accounts/${accountId}/security-settings`, { token })).body.ipSafelist).toEqual([]);

    // Invalid entries are named.
    await entry.fill('not-an-ip');
    await entry.press('Enter');
    await page.getByRole('button', { name: 'Save IP safelist' }).click();
    await expectText(safelist.getByRole('alert'), 'not-an-ip');
    await page.getByRole('button', { name: 'Remove not-an-ip' }).click();

    await page.getByRole('button', { name: 'Add my address' }).click();
    await page.getByRole('list', { name: 'Safelisted addresses' }).getByText('your address').waitFor();
    await page.getByRole('button', { name: 'Save IP safelist' }).click();
    await expectText(safelist.locator('.notice-success'), 'Saved. Access is now restricted to 2 entries.');
    expect((await http.get(`/api/v1/accounts/${accountId}/security-settings`, { token })).body.ipSafelist).toEqual(['203.0.113.0/24', '127.0.0.1']);
    await screenshot(page, 'ui-21-safelist-saved');
    expect(problems).toEqual([]);
    await page.close();
  }, 90_000);

  it('says how many users have no MFA before requiring it for all, and the audit log shows the change', async () => {
    const { accountId, holder } = await practice();
    const withMfa = await createUser(stack, accountId);
    await enrolAuthenticator(stack, await accessToken(stack, withMfa.username, withMfa.password));
    await createUser(stack, accountId);
    await createUser(stack, accountId);

    const { page, problems } = await browser.newPage();
    await signInWithKeyboard(page, stack.baseUrl, holder.username, holder.password);
    await page.getByRole('link', { name: 'Practice Security Settings' }).click();
    const requireAll = page.getByLabel('Require multi-factor authentication for ALL users');
    await requireAll.waitFor();
    expect(await requireAll.isChecked()).toBe(false);
    await requireAll.check();
    await page.getByRole('button', { name: 'Save MFA preferences' }).click();
    const dialog = page.getByRole('dialog', { name: 'Require MFA for ALL users?' });
    await dialog.waitFor();
    // The holder and two users have none; one user has an authenticator.
    await expectText(dialog, '3 of 4 users have no MFA yet.');
    await screenshot(page, 'ui-30-enforcement-warning', { fullPage: false });
    await dialog.getByRole('button', { name: 'Require MFA' }).click();
    await expectText(page.locator('.notice-success'), 'now required for ALL users');
    // Saved, not just ticked: a fresh load of the page reads it back from the API.
    await page.reload();
    await requireAll.waitFor();
    expect(await requireAll.isChecked()).toBe(true);

    await page.getByRole('link', { name: 'Audit Log' }).click();
    await page.getByRole('heading', { level: 1, name: 'Audit Log' }).waitFor();
    await expectText(page.locator('tbody'), 'Settings changed');
    await screenshot(page, 'ui-31-audit-log');
    expect(problems).toEqual([]);
    await page.close();
  }, 90_000);
});

async function expectText(locator: Locator, text: string): Promise<void> {
  try {
    await locator.filter({ hasText: text }).first().waitFor({ timeout: 10_000 });
  } catch {
    const actual = await locator.allTextContents().catch(() => []);
    throw new Error(`expected text ${JSON.stringify(text)} in ${locator.toString()}; found ${JSON.stringify(actual)}`);
  }
}
