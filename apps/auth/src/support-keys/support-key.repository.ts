import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { IsNull, type Repository } from 'typeorm';
import { SupportKeyEntity } from './support-key.entity.js';

@Injectable()
export class SupportKeyRepository {
  constructor(@InjectRepository(SupportKeyEntity) private readonly repo: Repository<SupportKeyEntity>) {}

  findActiveByHash(keyHash: string): Promise<SupportKeyEntity | null> {
    return this.repo.findOneBy({ keyHash, revokedAt: IsNull() });
  }
}
