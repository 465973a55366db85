import { Controller } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { DomainError } from '#common';
import { AccountsSubjects, CreateUserRequest, GetUserRequest, type UserView } from '#contracts';
import { CreateUserUseCase } from './create-user.use-case.js';
import { toUserView, UserRepository } from './user.repository.js';

@Controller()
export class UsersHandler {
  constructor(
    private readonly createUser: CreateUserUseCase,
    private readonly users: UserRepository,
  ) {}

  @MessagePattern(AccountsSubjects.createUser.name)
  create(@Payload() request: CreateUserRequest): Promise<UserView> {
    return this.createUser.execute(request);
  }

  @MessagePattern(AccountsSubjects.getUser.name)
  async get(@Payload() request: GetUserRequest): Promise<UserView> {
    const user = await this.users.findActive(request.userId);
    if (!user) throw new DomainError('USER_NOT_FOUND', 'No such user.');
    return toUserView(user);
  }
}
