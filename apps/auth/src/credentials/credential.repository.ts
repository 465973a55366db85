import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import type { Repository } from 'typeorm';
import { DomainError, isUniqueViolation } from '#common';
import { CredentialEntity } from './credential.entity.js';

@Injectable()
export class CredentialRepository {
  constructor(@InjectRepository(CredentialEntity) private readonly repo: Repository<CredentialEntity>) {}

  findByUsername(username: string): Promise<CredentialEntity | null> {
    return this.repo.findOneBy({ username });
  }

  /** Creates or replaces the credential of a user; a username held by someone else is a conflict. */
  async upsert(userId: string, username: string, passwordHash: string): Promise<void> {
    try {
      await this.repo
        .createQueryBuilder()
        .insert()
        .values({ userId, username, passwordHash })
        .orUpdate(['username', 'password_hash', 'updated_at'], ['user_id'])
        .execute();
    } catch (err) {
      if (isUniqueViolation(err)) throw new DomainError('USERNAME_TAKEN', 'That username is already taken.');
      throw err;
    }
  }

  async delete(userId: string): Promise<boolean> {
    const result = await this.repo.delete({ userId });
    return (result.affected ?? 0) > 0;
  }
}
