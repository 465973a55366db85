import { Controller } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { AuthSubjects, normalizeUsername, SetCredentialRequest, UserRef } from '#contracts';
import { CredentialRepository } from './credential.repository.js';
import { PasswordHasher } from './password-hasher.js';

@Controller()
export class CredentialsHandler {
  constructor(
    private readonly credentials: CredentialRepository,
    private readonly hasher: PasswordHasher,
  ) {}

  @MessagePattern(AuthSubjects.setCredential.name)
  async set(@Payload() request: SetCredentialRequest): Promise<{ userId: string }> {
    const passwordHash = await this.hasher.hash(request.password);
    await this.credentials.upsert(request.userId, normalizeUsername(request.username), passwordHash);
    return { userId: request.userId };
  }

  @MessagePattern(AuthSubjects.deleteCredential.name)
  async delete(@Payload() request: UserRef): Promise<{ deleted: boolean }> {
    return { deleted: await this.credentials.delete(request.userId) };
  }
}
