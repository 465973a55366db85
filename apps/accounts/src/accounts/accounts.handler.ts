import { Controller } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { AccountsSubjects, CreateAccountRequest, type AccountView } from '#contracts';
import { CreateAccountUseCase } from './create-account.use-case.js';

@Controller()
export class AccountsHandler {
  constructor(private readonly createAccount: CreateAccountUseCase) {}

  /** Accounts are provisioned by support (or the system seed), never by a signed-in user. */
  @MessagePattern(AccountsSubjects.createAccount.name)
  create(@Payload() request: CreateAccountRequest): Promise<AccountView> {
    return this.createAccount.execute(request);
  }
}
