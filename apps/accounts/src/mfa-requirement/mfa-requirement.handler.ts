import { Injectable, type BeforeApplicationShutdown, type OnApplicationBootstrap } from '@nestjs/common';
import { DirectResponder, PrefixedClientNats } from '#common';
import { AccountsSubjects, parseMfaRequirementRequest, type MfaRequirementReply, type MfaRequirementRequest } from '#contracts';
import { MfaRequirementUseCase } from './mfa-requirement.use-case.js';

/**
 * `accounts.mfa-requirement.get`, which other services ask on every request of theirs. Its answer usually
 * comes from memory, so Nest's per-message pipeline would cost more than the answer: it is served by a
 * `DirectResponder` (same packet format, errors, request context, metrics and queue group as every other
 * handler; the payload checked by `parseMfaRequirementRequest`, held to the contract's class by a test).
 */
@Injectable()
export class MfaRequirementHandler implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly responder: DirectResponder<MfaRequirementRequest, MfaRequirementReply>;

  constructor(requirement: MfaRequirementUseCase, nats: PrefixedClientNats) {
    this.responder = new DirectResponder({
      nats,
      subject: AccountsSubjects.mfaRequirement,
      queue: 'accounts',
      parse: parseMfaRequirementRequest,
      handle: (request) => requirement.execute(request.userId),
    });
  }

  onApplicationBootstrap(): Promise<void> {
    return this.responder.start();
  }

  beforeApplicationShutdown(): Promise<void> {
    return this.responder.stop();
  }
}
