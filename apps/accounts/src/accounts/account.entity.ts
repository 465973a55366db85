import { Column, CreateDateColumn, Entity, PrimaryColumn } from 'typeorm';

/** A tenant of the host product (a medical practice): it owns users and a security policy. */
@Entity({ name: 'accounts' })
export class AccountEntity {
  @PrimaryColumn('uuid')
  id!: string;

  @Column('text')
  name!: string;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;
}
