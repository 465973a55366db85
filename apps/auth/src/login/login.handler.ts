import { Controller } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { AuthSubjects, LoginRequest, type LoginReply } from '#contracts';
import { LoginUseCase } from './login.use-case.js';

@Controller()
export class LoginHandler {
  constructor(private readonly login: LoginUseCase) {}

  @MessagePattern(AuthSubjects.login.name)
  execute(@Payload() request: LoginRequest): Promise<LoginReply> {
    return this.login.execute(request);
  }
}
