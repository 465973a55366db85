import { Controller } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { randomUUID } from 'node:crypto';
import { DomainError, EventPublisher } from '#common';
import { AccountsEvents, AccountsSubjects, CreateAccountRequest, type AccountView } from '#contracts';
import { AccountRepository } from './account.repository.js';

@Controller()
export class AccountsHandler {
  constructor(
    private readonly accounts: AccountRepository,
    private readonly events: EventPublisher,
  ) {}

  /** Accounts are provisioned by support (or the system seed), never by a signed-in user. */
  @MessagePattern(AccountsSubjects.createAccount.name)
  async create(@Payload() request: CreateAccountRequest): Promise<AccountView> {
    if (request.actor.type === 'user') throw new DomainError('FORBIDDEN', 'Only support can create accounts.');
    const account = await this.accounts.create({ id: randomUUID(), name: request.name.normalize('NFC') });
    const view = { id: account.id, name: account.name };
    await this.events.publish(AccountsEvents.accountCreated, { account: view, actor: request.actor, at: new Date().toISOString() });
    return view;
  }
}
