import { Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { DomainError, RpcClient } from '#common';
import { AuthSubjects } from '#contracts';
import type { AuthenticatedRequest } from '../auth/principal.js';

/** Admits support tooling that presents a support API key in `X-Api-Key`. */
@Injectable()
export class SupportKeyGuard implements CanActivate {
  constructor(private readonly rpc: RpcClient) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<AuthenticatedRequest>();
    const key = request.headers['x-api-key'];
    if (typeof key !== 'string' || key.length === 0 || key.length > 256) {
      throw new DomainError('SUPPORT_KEY_INVALID', 'Send a support API key in the X-Api-Key header.');
    }
    const { keyId } = await this.rpc.request(AuthSubjects.verifySupportKey, { key });
    request.support = { keyId };
    return true;
  }
}
