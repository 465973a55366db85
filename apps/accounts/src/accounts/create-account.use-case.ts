import { Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { DomainError, EventPublisher } from '#common';
import { AccountsEvents, AccountsSubjects, type AccountView, type Actor, type CreateAccountRequest } from '#contracts';
import { IdempotencyKeyRepository } from '../idempotency/idempotency-key.repository.js';
import { idempotencyScope, requestFingerprint } from '../idempotency/request-fingerprint.js';
import { assertSameRequest } from '../idempotency/same-request.js';
import { AccountRepository } from './account.repository.js';

const OPERATION = AccountsSubjects.createAccount.name;

/**
 * Provisions an account (support or the system seed, never a signed-in user). With an idempotency key the
 * account and the key, with its answer, commit in one transaction: a retry answers the same account.
 */
@Injectable()
export class CreateAccountUseCase {
  constructor(
    private readonly accounts: AccountRepository,
    private readonly keys: IdempotencyKeyRepository,
    private readonly events: EventPublisher,
  ) {}

  async execute(request: CreateAccountRequest): Promise<AccountView> {
    const actor = request.actor as Actor;
    if (actor.type === 'user') throw new DomainError('FORBIDDEN', 'Only support can create accounts.');
    const id = randomUUID();
    const name = request.name.normalize('NFC');
    let view: AccountView;
    if (request.idempotencyKey === undefined) {
      const account = await this.accounts.create({ id, name });
      view = { id: account.id, name: account.name };
    } else {
      view = { id, name };
      const fingerprint = requestFingerprint(OPERATION, [name]);
      const claim = await this.keys.claim(
        { actorScope: idempotencyScope(actor), key: request.idempotencyKey, operation: OPERATION, fingerprint, resourceId: id, status: 'completed', response: view },
        async (manager) => void (await this.accounts.create({ id, name }, manager)),
      );
      if (!claim.claimed) {
        assertSameRequest(claim.existing, OPERATION, fingerprint);
        return claim.existing.response as AccountView;
      }
    }
    // The account exists once committed: its fact must not turn a done creation into an error answer.
    this.events.publishInBackground(AccountsEvents.accountCreated, { account: view, actor: request.actor, at: new Date().toISOString() });
    return view;
  }
}
