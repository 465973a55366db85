import { exportJWK, generateKeyPair, SignJWT, type CryptoKey } from 'jose';
import type { RpcClient } from '#common';
import { TokenVerifier } from './token-verifier.js';

/** Local verification with auth's keys, and the memory of verified tokens (which must never outlive `exp`). */
describe('gateway token verifier', () => {
  let jwksCalls: number;
  let verifier: TokenVerifier;
  let privateKey: CryptoKey;

  beforeAll(async () => {
    const pair = await generateKeyPair('EdDSA', { extractable: true });
    privateKey = pair.privateKey as CryptoKey;
    const jwk = { ...(await exportJWK(pair.publicKey)), kid: 'k1', alg: 'EdDSA', use: 'sig' };
    jwksCalls = 0;
    const rpc = {
      request: async () => {
        jwksCalls++;
        return { keys: [jwk] };
      },
    } as unknown as RpcClient;
    verifier = new TokenVerifier(rpc);
  });

  afterEach(() => {
    verifier.now = () => Date.now();
  });

  function token(expiresInSeconds: number, claims: Record<string, unknown> = {}): Promise<string> {
    const now = Math.floor(Date.now() / 1000);
    return new SignJWT({ sid: '5f0c1d2e-3a4b-4c5d-8e6f-7a8b9c0d1e2f', acc: 'a', role: 'user', amr: ['pwd'], ...claims })
      .setProtectedHeader({ alg: 'EdDSA', kid: 'k1', typ: 'at+jwt' })
      .setSubject('u')
      .setIssuer('twofold')
      .setAudience('twofold')
      .setIssuedAt(now)
      .setExpirationTime(now + expiresInSeconds)
      .sign(privateKey);
  }

  it('accepts a valid token, again and again', async () => {
    const t = await token(60);
    expect((await verifier.verify(t)).sub).toBe('u');
    expect((await verifier.verify(t)).sub).toBe('u');
    expect(jwksCalls).toBe(1);
  });

  it('refuses a remembered token once it has expired', async () => {
    const t = await token(2);
    await verifier.verify(t);
    const later = Date.now() + 3_000;
    verifier.now = () => later;
    await expect(verifier.verify(t)).rejects.toMatchObject({ code: 'TOKEN_INVALID' });
  });

  it('never remembers a token that failed, nor lets a tampered copy of a good one through', async () => {
    const t = await token(60);
    await verifier.verify(t);
    const [h, p, s] = t.split('.');
    const claims = JSON.parse(Buffer.from(p!, 'base64url').toString());
    const elevated = `${h}.${Buffer.from(JSON.stringify({ ...claims, role: 'holder' })).toString('base64url')}.${s}`;
    await expect(verifier.verify(elevated)).rejects.toMatchObject({ code: 'TOKEN_INVALID' });
    await expect(verifier.verify(elevated)).rejects.toMatchObject({ code: 'TOKEN_INVALID' });
  });

  it('answers claims nobody can change for the next request', async () => {
    const t = await token(60);
    const claims = await verifier.verify(t);
    expect(() => ((claims as { role: string }).role = 'holder')).toThrow();
    expect((await verifier.verify(t)).role).toBe('user');
  });

  it('remembers per issuer and audience', async () => {
    const t = await token(60);
    await verifier.verify(t);
    await expect(verifier.verify(t, 'twofold', 'someone-else')).rejects.toMatchObject({ code: 'TOKEN_INVALID' });
  });
});
