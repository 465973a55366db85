import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import type { EntityManager, Repository } from 'typeorm';
import { AccountEntity } from './account.entity.js';

@Injectable()
export class AccountRepository {
  constructor(@InjectRepository(AccountEntity) private readonly repo: Repository<AccountEntity>) {}

  async create(account: Pick<AccountEntity, 'id' | 'name'>, manager?: EntityManager): Promise<AccountEntity> {
    const repo = manager ? manager.getRepository(AccountEntity) : this.repo;
    await repo.insert(account);
    return repo.findOneByOrFail({ id: account.id });
  }

  findById(id: string): Promise<AccountEntity | null> {
    return this.repo.findOneBy({ id });
  }
}
