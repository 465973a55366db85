import { accessToken, api, createAccount, createUser, e2eStack, enrolAuthenticator, login, totpCodeFor } from '#testing';
import { describeInBrowser, launchBrowser, scanQrCode, screenshot, signInWithKeyboard, type UiBrowser } from './browser.js';

/**
 * The web UI in a real browser: a user sets up an authenticator from Security → Authenticator, signs
 * out, and signs in again with a code computed from the secret they scanned; recovery codes; the forced
 * setup an account that requires MFA puts a user without one through.
 */
describeInBrowser('web UI: sign-in with MFA', () => {
  const stack = e2eStack();
  const http = api(stack.baseUrl);
  let browser: UiBrowser;

  beforeAll(async () => {
    browser = await launchBrowser();
  }, 30_000);
  afterAll(async () => {
    await browser?.close();
  });

  it('sets up an authenticator by scanning the QR code, then signs in with a code from it', async () => {
    const account = await createAccount(stack);
    const user = await createUser(stack, account.id);
    const { page, problems } = await browser.newPage();

    await page.goto(`${stack.baseUrl}/`);
    await page.waitForURL(/#\/login$/);
    await signInWithKeyboard(page, stack.baseUrl, user.username, user.password);
    await page.getByRole('heading', { level: 1, name: 'Authenticator' }).waitFor();
    await expectText(page.locator('.details'), 'Not set up');

    await page.getByRole('button', { name: 'Set up authenticator' }).click();
    await page.getByRole('heading', { name: 'Multi-Factor Authentication (MFA) Configuration' }).waitFor();
    for (const app of ['Microsoft Authenticator', 'Google Authenticator', 'FreeOTP', 'Authy']) {
      await page.getByRole('listitem').filter({ hasText: new RegExp(`^${app}$`) }).waitFor();
    }
    await page.locator('img.qr').waitFor();
    const reveal = page.getByRole('button', { name: 'Unable to scan? Show the code instead.' });
    expect(await reveal.getAttribute('aria-expanded')).toBe('false');
    await reveal.click();
    const manualKey = (await page.getByTestId('manual-key').textContent())!.trim();
    expect(manualKey).toMatch(/^([A-Z2-7]{4} )+[A-Z2-7]{1,4}$/);
    const secret = manualKey.replace(/\s+/g, '');
    // The QR code, scanned as an app would, carries the same secret as the typed key.
    const scanned = await scanQrCode(page);
    if (scanned !== undefined) {
      expect(scanned).toMatch(/^otpauth:\/\/totp\//);
      expect(new URL(scanned).searchParams.get('secret')).toBe(secret);
    }
    await screenshot(page, 'ui-01-authenticator-setup');

    // A wrong code first: a clear message, announced, and the field marked invalid.
    const codeField = page.getByLabel('Authentication Code');
    await codeField.fill('000000' === totpCodeFor(secret) ? '111111' : '000000');
    await page.getByRole('button', { name: 'Save', exact: true }).click();
    await expectText(page.getByRole('alert'), 'That code is not valid');
    expect(await codeField.getAttribute('aria-invalid')).toBe('true');

    await codeField.fill(totpCodeFor(secret));
    await page.getByRole('button', { name: 'Save', exact: true }).click();
    await page.getByRole('heading', { name: 'Save your recovery codes' }).waitFor();
    expect(await page.locator('.recovery-codes li').count()).toBe(10);
    await screenshot(page, 'ui-02-recovery-codes');
    await page.getByRole('button', { name: 'I saved them, continue' }).click();
    await expectText(page.locator('.details'), 'Enabled');
    await expectText(page.locator('.details'), 'Authenticator app');

    await page.getByRole('button', { name: 'Sign Out' }).click();
    await page.waitForURL(/#\/login$/);
    await expectText(page.locator('main'), 'You have signed out.');

    // Sign in again: the password alone is no longer enough.
    await signInWithKeyboard(page, stack.baseUrl, user.username, user.password);
    await page.getByRole('heading', { name: 'Multi-factor authentication' }).waitFor();
    const challengeCode = page.getByLabel('Authentication Code');
    expect(await challengeCode.getAttribute('autocomplete')).toBe('one-time-code');
    expect(await challengeCode.getAttribute('inputmode')).toBe('numeric');
    await page.getByRole('button', { name: 'Use a recovery code' }).waitFor();
    await expect(page.getByRole('button', { name: 'Email me a code' }).count()).resolves.toBe(0);
    await screenshot(page, 'ui-03-mfa-challenge');
    // The setup used the current time step, and each step counts once: the app's next code.
    await challengeCode.fill(totpCodeFor(secret, 1));
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { level: 1, name: 'Authenticator' }).waitFor();
    await expectText(page.locator('.details'), 'Enabled');
    await screenshot(page, 'ui-04-signed-in-with-mfa');
    expect(problems).toEqual([]);
    await page.close();
  }, 90_000);

  it('signs in with a recovery code instead of the app', async () => {
    const account = await createAccount(stack);
    const user = await createUser(stack, account.id);
    const { authenticator } = await enrolAuthenticator(stack, await accessToken(stack, user.username, user.password));
    const { page, problems } = await browser.newPage();

    await signInWithKeyboard(page, stack.baseUrl, user.username, user.password);
    await page.getByRole('button', { name: 'Use a recovery code' }).click();
    const field = page.getByLabel('Recovery Code');
    expect(await page.evaluate('document.activeElement.id')).toBe(await field.getAttribute('id'));
    expect(await field.getAttribute('inputmode')).toBe('text');
    await field.fill(authenticator.recoveryCodes[0]!);
    await page.getByRole('button', { name: 'Verify' }).click();
    await page.getByRole('heading', { level: 1, name: 'Authenticator' }).waitFor();
    expect((await page.locator('.details div', { hasText: 'Recovery codes remaining' }).locator('dd').textContent())?.trim()).toBe('9');
    expect(problems).toEqual([]);
    await page.close();
  }, 60_000);

  it('regenerates recovery codes and removes the authenticator, each proven with a current code', async () => {
    const account = await createAccount(stack);
    // Each TOTP step is accepted once: every user here spends the current step on enrolment, signs in
    // with a recovery code, and proves the change with the next step.
    for (const action of ['regenerate', 'remove'] as const) {
      const user = await createUser(stack, account.id);
      const { authenticator } = await enrolAuthenticator(stack, await accessToken(stack, user.username, user.password));
      const { page, problems } = await browser.newPage();
      await signInWithKeyboard(page, stack.baseUrl, user.username, user.password);
      await page.getByRole('button', { name: 'Use a recovery code' }).click();
      await page.getByLabel('Recovery Code').fill(authenticator.recoveryCodes[0]!);
      await page.keyboard.press('Enter');
      await page.getByRole('heading', { level: 1, name: 'Authenticator' }).waitFor();

      if (action === 'regenerate') {
        const card = page.getByRole('region', { name: 'Recovery codes' });
        await card.getByLabel('Authentication Code').fill(authenticator.code(1));
        await card.getByRole('button', { name: 'Regenerate recovery codes' }).click();
        await page.getByRole('heading', { name: 'Save your recovery codes' }).waitFor();
        await expectText(page.locator('main'), 'Your old recovery codes no longer work.');
        const fresh = (await page.locator('.recovery-codes li').allTextContents()).map((c) => c.trim());
        expect(fresh).toHaveLength(10);
        expect(fresh).not.toContain(authenticator.recoveryCodes[1]);
        await page.getByRole('button', { name: 'I saved them, continue' }).click();
        expect((await page.locator('.details div', { hasText: 'Recovery codes remaining' }).locator('dd').textContent())?.trim()).toBe('10');
      } else {
        const card = page.getByRole('region', { name: 'Remove authenticator' });
        await card.getByLabel('Authentication Code').fill(authenticator.code(1));
        await card.getByRole('button', { name: 'Remove authenticator' }).click();
        await expectText(page.locator('main'), 'Your authenticator was removed.');
        await expectText(page.locator('.details'), 'Not set up');
        await page.getByRole('button', { name: 'Set up authenticator' }).waitFor();
        await screenshot(page, 'ui-08-authenticator-removed');
        expect((await login(stack, user.username, user.password)).status).toBe('authenticated');
      }
      expect(problems).toEqual([]);
      await page.close();
    }
  }, 90_000);

  it('puts a user of an account that requires MFA through the forced setup, then shows the recovery codes once', async () => {
    const account = await createAccount(stack);
    const holder = await createUser(stack, account.id, { role: 'holder' });
    const user = await createUser(stack, account.id);
    const holderToken = await accessToken(stack, holder.username, holder.password);
    const put = await http.put(
      `/api/v1/accounts/${account.id}/security-settings`,
      { mfaRequired: true, allowEmailCodes: false, ipSafelist: [] },
      { token: holderToken },
    );
    expect(put.status).toBe(200);

    const { page, problems } = await browser.newPage();
    await browser.context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: stack.baseUrl });
    await signInWithKeyboard(page, stack.baseUrl, user.username, user.password);
    await page.getByRole('heading', { name: 'Multi-Factor Authenticator Setup' }).waitFor();
    await expectText(page.locator('main'), 'You need to set up a Mobile app Authenticator to activate your account.');
    // allowEmailCodes is off: no email option.
    await expect(page.getByRole('button', { name: 'Prefer Email Codes' }).count()).resolves.toBe(0);
    await page.locator('img.qr').waitFor();
    await page.getByRole('button', { name: 'Unable to scan? Show the code instead.' }).click();
    const secret = (await page.getByTestId('manual-key').textContent())!.replace(/\s+/g, '');
    await screenshot(page, 'ui-05-forced-setup');

    await page.getByLabel('Authentication Code').fill(totpCodeFor(secret));
    await page.getByRole('button', { name: 'Submit' }).click();
    await page.getByRole('heading', { name: 'Save your recovery codes' }).waitFor();
    const codes = (await page.locator('.recovery-codes li').allTextContents()).map((c) => c.trim());
    expect(codes).toHaveLength(10);

    await page.getByRole('button', { name: 'Copy codes' }).click();
    await expectText(page.locator('.recovery .notice'), 'copied');
    const clipboard = String(await page.evaluate('navigator.clipboard.readText()'));
    for (const code of codes) expect(clipboard).toContain(code);

    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Download as .txt' }).click()]);
    expect(download.suggestedFilename()).toBe('twofold-recovery-codes.txt');
    const saved = await download.path();
    const { readFileSync } = await import('node:fs');
    const text = readFileSync(saved, 'utf8');
    for (const code of codes) expect(text).toContain(code);
    await screenshot(page, 'ui-06-forced-setup-recovery-codes');

    await page.getByRole('button', { name: 'I saved them, continue' }).click();
    await page.getByRole('heading', { level: 1, name: 'Authenticator' }).waitFor();
    await expectText(page.locator('.details'), 'Enabled');

    // From now on the user is challenged like anyone with MFA.
    expect((await login(stack, user.username, user.password)).status).toBe('mfa_required');
    expect(problems).toEqual([]);
    await page.close();
  }, 90_000);

  it('refuses to remove the authenticator while the account requires MFA, and says why', async () => {
    const account = await createAccount(stack);
    const holder = await createUser(stack, account.id, { role: 'holder' });
    const user = await createUser(stack, account.id);
    const { authenticator } = await enrolAuthenticator(stack, await accessToken(stack, user.username, user.password));
    const put = await http.put(
      `/api/v1/accounts/${account.id}/security-settings`,
      { mfaRequired: true, allowEmailCodes: false, ipSafelist: [] },
      { token: await accessToken(stack, holder.username, holder.password) },
    );
    expect(put.status).toBe(200);

    const { page, problems } = await browser.newPage();
    await signInWithKeyboard(page, stack.baseUrl, user.username, user.password);
    await page.getByRole('button', { name: 'Use a recovery code' }).click();
    await page.getByLabel('Recovery Code').fill(authenticator.recoveryCodes[0]!);
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { level: 1, name: 'Authenticator' }).waitFor();
    const removeCard = page.getByRole('region', { name: 'Remove authenticator' });
    await removeCard.getByLabel('Authentication Code').fill(authenticator.code(1));
    await removeCard.getByRole('button', { name: 'Remove authenticator' }).click();
    await expectText(page.locator('main'), 'requires multi-factor authentication for all users');
    await screenshot(page, 'ui-07-remove-refused');
    await expectText(page.locator('.details'), 'Enabled');
    expect((await login(stack, user.username, user.password)).status).toBe('mfa_required');
    expect(problems).toEqual([]);
    await page.close();
  }, 60_000);
});

/** Waits until the locator's text contains `text` (the UI updates asynchronously). */
async function expectText(locator: import('playwright-core').Locator, text: string): Promise<void> {
  try {
    await locator.filter({ hasText: text }).first().waitFor({ timeout: 10_000 });
  } catch {
    const actual = await locator.allTextContents().catch(() => []);
    throw new Error(`expected text ${JSON.stringify(text)} in ${locator.toString()}; found ${JSON.stringify(actual)}`);
  }
}
