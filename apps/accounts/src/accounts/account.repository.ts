import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import type { Repository } from 'typeorm';
import { AccountEntity } from './account.entity.js';

@Injectable()
export class AccountRepository {
  constructor(@InjectRepository(AccountEntity) private readonly repo: Repository<AccountEntity>) {}

  async create(account: Pick<AccountEntity, 'id' | 'name'>): Promise<AccountEntity> {
    await this.repo.insert(account);
    return this.repo.findOneByOrFail({ id: account.id });
  }

  findById(id: string): Promise<AccountEntity | null> {
    return this.repo.findOneBy({ id });
  }
}
