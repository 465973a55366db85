import { Controller } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { AccountsSubjects, GetManagedUserRequest, ListUsersRequest, ResetUserMfaRequest, type ManagedUserView, type Page } from '#contracts';
import { ManagedUsersUseCase } from './managed-users.use-case.js';

@Controller()
export class ManagedUsersHandler {
  constructor(private readonly managedUsers: ManagedUsersUseCase) {}

  @MessagePattern(AccountsSubjects.listManagedUsers.name)
  list(@Payload() request: ListUsersRequest): Promise<Page<ManagedUserView>> {
    return this.managedUsers.list(request);
  }

  @MessagePattern(AccountsSubjects.getManagedUser.name)
  get(@Payload() request: GetManagedUserRequest): Promise<ManagedUserView> {
    return this.managedUsers.get(request);
  }

  @MessagePattern(AccountsSubjects.resetUserMfa.name)
  resetMfa(@Payload() request: ResetUserMfaRequest): Promise<ManagedUserView> {
    return this.managedUsers.resetMfa(request);
  }
}
