import { Controller, Inject } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { timingSafeEqual } from 'node:crypto';
import { DomainError } from '#common';
import { AuthSubjects, VerifySupportKeyRequest, type VerifySupportKeyReply } from '#contracts';
import { AUTH_CONFIG, type AuthConfig } from '../auth.config.js';
import { hashSupportKey } from './support-key.js';
import { SupportKeyRepository } from './support-key.repository.js';

export const BOOTSTRAP_KEY_ID = 'bootstrap';

@Controller()
export class SupportKeysHandler {
  private readonly bootstrapHash?: Buffer;

  constructor(
    private readonly keys: SupportKeyRepository,
    @Inject(AUTH_CONFIG) config: AuthConfig,
  ) {
    if (config.SUPPORT_BOOTSTRAP_KEY) this.bootstrapHash = Buffer.from(hashSupportKey(config.SUPPORT_BOOTSTRAP_KEY), 'hex');
  }

  @MessagePattern(AuthSubjects.verifySupportKey.name)
  async verify(@Payload() request: VerifySupportKeyRequest): Promise<VerifySupportKeyReply> {
    const hash = hashSupportKey(request.key);
    if (this.bootstrapHash && timingSafeEqual(this.bootstrapHash, Buffer.from(hash, 'hex'))) {
      return { keyId: BOOTSTRAP_KEY_ID };
    }
    const key = await this.keys.findActiveByHash(hash);
    if (!key) throw new DomainError('SUPPORT_KEY_INVALID', 'The support API key is missing, unknown or revoked.');
    return { keyId: key.id };
  }
}
