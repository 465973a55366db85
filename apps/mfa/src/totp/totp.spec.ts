import { base32Encode, codeForStep, manualKey, matchStep, otpauthUrl, stepAt } from './totp.js';

// RFC 6238 Appendix B: SHA-1 seed "12345678901234567890"; the 6-digit codes are the last six of the 8-digit ones.
const RFC_SECRET = Buffer.from('12345678901234567890', 'ascii');

describe('TOTP', () => {
  it('computes the RFC 6238 test vectors (SHA-1, 30 s)', () => {
    const vectors: Array<[number, string]> = [
      [59, '287082'],
      [1111111109, '081804'],
      [1111111111, '050471'],
      [1234567890, '005924'],
      [2000000000, '279037'],
    ];
    for (const [time, code] of vectors) expect(codeForStep(RFC_SECRET, stepAt(new Date(time * 1000)))).toBe(code);
  });

  it('accepts the previous, current and next step and refuses two steps away (±1 drift)', () => {
    const now = new Date(1_800_000_015_000);
    const step = stepAt(now);
    expect(matchStep(RFC_SECRET, codeForStep(RFC_SECRET, step), now)).toBe(step);
    expect(matchStep(RFC_SECRET, codeForStep(RFC_SECRET, step - 1), now)).toBe(step - 1);
    expect(matchStep(RFC_SECRET, codeForStep(RFC_SECRET, step + 1), now)).toBe(step + 1);
    expect(matchStep(RFC_SECRET, codeForStep(RFC_SECRET, step - 2), now)).toBeUndefined();
    expect(matchStep(RFC_SECRET, codeForStep(RFC_SECRET, step + 2), now)).toBeUndefined();
  });

  it('refuses codes of the wrong shape without throwing', () => {
    const now = new Date();
    for (const code of ['', '12345', '1234567', 'abcdef', '١٢٣٤٥٦']) expect(matchStep(RFC_SECRET, code, now)).toBeUndefined();
  });

  it('encodes base32 like RFC 4648 and groups the manual key by four', () => {
    expect(base32Encode(Buffer.from('foobar'))).toBe('MZXW6YTBOI');
    expect(base32Encode(RFC_SECRET)).toBe('GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ');
    expect(manualKey('GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ')).toBe('GEZD GNBV GY3T QOJQ GEZD GNBV GY3T QOJQ');
  });

  it('builds an otpauth URI whose label survives any punctuation and Unicode in the username', () => {
    const username = "Zoë O'Brien: #1 & co/?";
    const url = otpauthUrl('Twofold Health', username, 'GEZDGNBV');
    expect(url).toBe(
      "otpauth://totp/Twofold%20Health:Zo%C3%AB%20O%27Brien%3A%20%231%20%26%20co%2F%3F?secret=GEZDGNBV&issuer=Twofold%20Health&algorithm=SHA1&digits=6&period=30",
    );
    const parsed = new URL(url);
    const label = parsed.pathname.replace(/^\/\//, '').replace(/^\//, '');
    const [issuer, account] = label.split(':').map(decodeURIComponent);
    expect(issuer).toBe('Twofold Health');
    expect(account).toBe(username);
    expect(parsed.searchParams.get('issuer')).toBe('Twofold Health');
  });
});
