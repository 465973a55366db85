import { Injectable } from '@nestjs/common';
import { createLocalJWKSet, errors as joseErrors, jwtVerify, type JSONWebKeySet } from 'jose';
import { DomainError, RpcClient } from '#common';
import { AuthSubjects, type AccessTokenClaims } from '#contracts';

const JWKS_REFRESH_MIN_MS = 10_000;

/**
 * Verifies access tokens locally with auth's public keys, fetched over NATS and cached; an unknown key
 * id (key rotation) triggers one refetch, at most every 10 s, so garbage tokens cannot hammer auth.
 */
@Injectable()
export class TokenVerifier {
  private keySet?: ReturnType<typeof createLocalJWKSet>;
  private fetchedAt = 0;
  private inflight?: Promise<void>;

  constructor(private readonly rpc: RpcClient) {}

  async verify(token: string, issuer = 'twofold', audience = 'twofold'): Promise<AccessTokenClaims> {
    if (!this.keySet) await this.refresh();
    try {
      return await this.check(token, issuer, audience);
    } catch (err) {
      if (err instanceof joseErrors.JWKSNoMatchingKey && Date.now() - this.fetchedAt > JWKS_REFRESH_MIN_MS) {
        await this.refresh();
        return this.check(token, issuer, audience).catch((again: unknown) => {
          throw invalid(again);
        });
      }
      throw invalid(err);
    }
  }

  private async check(token: string, issuer: string, audience: string): Promise<AccessTokenClaims> {
    const { payload } = await jwtVerify(token, this.keySet!, { issuer, audience, algorithms: ['EdDSA'], typ: 'at+jwt' });
    const claims = payload as unknown as AccessTokenClaims;
    if (typeof claims.sub !== 'string' || typeof claims.sid !== 'string' || typeof claims.acc !== 'string' || !Array.isArray(claims.amr)) {
      throw new DomainError('TOKEN_INVALID', 'The access token is invalid.');
    }
    return claims;
  }

  private refresh(): Promise<void> {
    this.inflight ??= this.rpc
      .request(AuthSubjects.jwks, {})
      .then((jwks) => {
        this.keySet = createLocalJWKSet(jwks as JSONWebKeySet);
        this.fetchedAt = Date.now();
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
