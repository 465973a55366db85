import { Injectable } from '@nestjs/common';
import { createLocalJWKSet, errors as joseErrors, jwtVerify, type JSONWebKeySet } from 'jose';
import { DomainError, RpcClient } from '#common';
import { AuthSubjects, type AccessTokenClaims } from '#contracts';

const JWKS_REFRESH_MIN_MS = 10_000;
const MAX_VERIFIED = 10_000;

/**
 * Verifies access tokens locally with auth's public keys, fetched over NATS and cached; an unknown key
 * id (key rotation) triggers one refetch, at most every 10 s, so garbage tokens cannot hammer auth.
 * A token whose signature was checked is remembered (the exact string, for its issuer and audience)
 * until it expires, so its next requests skip the Ed25519 check; a new key set forgets them all, and
 * expiry is checked on every use. Only tokens that passed are remembered: garbage cannot fill it.
 */
@Injectable()
export class TokenVerifier {
  private keySet?: ReturnType<typeof createLocalJWKSet>;
  private fetchedAt = 0;
  private inflight?: Promise<void>;
  private readonly verified = new Map<string, AccessTokenClaims>();
  /** The clock; replaced in unit tests. */
  now: () => number = () => Date.now();

  constructor(private readonly rpc: RpcClient) {}

  async verify(token: string, issuer = 'twofold', audience = 'twofold'): Promise<AccessTokenClaims> {
    const key = `${issuer}\u0000${audience}\u0000${token}`;
    const known = this.verified.get(key);
    if (known) {
      if (known.exp * 1000 > this.now()) return known;
      this.verified.delete(key);
    }
    const claims = await this.verifyUncached(token, issuer, audience);
    this.verified.set(key, Object.freeze(claims));
    // Tokens live equally long, so the expired ones come first: they go as new ones arrive (and the bound,
    // ~1 KB a token, holds the memory under 10 MB whatever the traffic).
    const now = this.now();
    for (const [oldest, known] of this.verified) {
      if (known.exp * 1000 > now && this.verified.size <= MAX_VERIFIED) break;
      this.verified.delete(oldest);
    }
    return claims;
  }

  private async verifyUncached(token: string, issuer: string, audience: string): Promise<AccessTokenClaims> {
    if (!this.keySet) await this.refresh();
    try {
      return await this.check(token, issuer, audience);
    } catch (err) {
      if (err instanceof joseErrors.JWKSNoMatchingKey && this.now() - this.fetchedAt > JWKS_REFRESH_MIN_MS) {
        await this.refresh();
        return this.check(token, issuer, audience).catch((again: unknown) => {
          throw invalid(again);
        });
      }
      throw invalid(err);
    }
  }

  private async check(token: string, issuer: string, audience: string): Promise<AccessTokenClaims> {
    const { payload } = await jwtVerify(token, this.keySet!, { issuer, audience, algorithms: ['EdDSA'], typ: 'at+jwt', currentDate: new Date(this.now()) });
    const claims = payload as unknown as AccessTokenClaims;
    if (typeof claims.sub !== 'string' || typeof claims.sid !== 'string' || typeof claims.acc !== 'string' || !Array.isArray(claims.amr) || typeof claims.exp !== 'number') {
      throw new DomainError('TOKEN_INVALID', 'The access token is invalid.');
    }
    return claims;
  }

  private refresh(): Promise<void> {
    this.inflight ??= this.rpc
      .request(AuthSubjects.jwks, {})
      .then((jwks) => {
        this.keySet = createLocalJWKSet(jwks as JSONWebKeySet);
        this.fetchedAt = this.now();
        this.verified.clear();
      })
      .finally(() => {
        this.inflight = undefined;
      });
    return this.inflight;
  }
}

function invalid(err: unknown): DomainError {
  if (err instanceof DomainError) return err;
  if (err instanceof joseErrors.JWTExpired) return new DomainError('TOKEN_INVALID', 'The access token has expired. Sign in again.');
  return new DomainError('TOKEN_INVALID', 'The access token is invalid.');
}
