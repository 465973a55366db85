import { Column, CreateDateColumn, Entity, PrimaryColumn } from 'typeorm';

/** A support API key. Only the SHA-256 of the key is stored: keys are 256-bit random, so no slow hash is needed. */
@Entity({ name: 'support_keys' })
export class SupportKeyEntity {
  @PrimaryColumn('text')
  id!: string;

  @Column('text')
  label!: string;

  @Column('text', { name: 'key_hash', unique: true })
  keyHash!: string;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @Column('timestamptz', { name: 'revoked_at', nullable: true })
  revokedAt!: Date | null;
}
