import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import { calculateJwkThumbprint, exportJWK, importPKCS8, SignJWT, type CryptoKey, type JWK } from 'jose';
import { createPrivateKey, createPublicKey } from 'node:crypto';
import type { AccessTokenClaims } from '#contracts';
import { AUTH_CONFIG, type AuthConfig } from '../auth.config.js';

/**
 * Signs access tokens with the deployment's Ed25519 key. Only this service holds the private key; the
 * gateway verifies with the public half it fetches over NATS (`auth.jwks.get`), like an OIDC JWKS.
 */
@Injectable()
export class TokenSigner implements OnModuleInit {
  private privateKey!: CryptoKey;
  private publicJwk!: JWK;
  private kid!: string;

  constructor(@Inject(AUTH_CONFIG) private readonly config: AuthConfig) {}

  async onModuleInit(): Promise<void> {
    this.privateKey = await importPKCS8(this.config.JWT_PRIVATE_KEY, 'EdDSA');
    const publicKey = createPublicKey(createPrivateKey(this.config.JWT_PRIVATE_KEY));
    const jwk = await exportJWK(publicKey);
    this.kid = await calculateJwkThumbprint(jwk);
    this.publicJwk = { ...jwk, kid: this.kid, alg: 'EdDSA', use: 'sig' };
  }

  get ttlSeconds(): number {
    return this.config.ACCESS_TOKEN_TTL_SECONDS;
  }

  jwks(): { keys: JWK[] } {
    return { keys: [this.publicJwk] };
  }

  async sign(claims: Pick<AccessTokenClaims, 'sub' | 'sid' | 'acc' | 'role' | 'amr'>, expiresAt: Date): Promise<string> {
    return new SignJWT({ sid: claims.sid, acc: claims.acc, role: claims.role, amr: claims.amr })
      .setProtectedHeader({ alg: 'EdDSA', kid: this.kid, typ: 'at+jwt' })
      .setSubject(claims.sub)
      .setIssuer(this.config.JWT_ISSUER)
      .setAudience(this.config.JWT_AUDIENCE)
      .setIssuedAt()
      .setExpirationTime(Math.floor(expiresAt.getTime() / 1000))
      .sign(this.privateKey);
  }
}
