import { Column, Entity, PrimaryColumn } from 'typeorm';

/** An account's security policy. The safelist is stored in normal form (see `ip-safelist.ts`). */
@Entity({ name: 'security_policies' })
export class SecurityPolicyEntity {
  @PrimaryColumn('uuid', { name: 'account_id' })
  accountId!: string;

  @Column('boolean', { name: 'mfa_required' })
  mfaRequired!: boolean;

  @Column('boolean', { name: 'allow_email_codes' })
  allowEmailCodes!: boolean;

  @Column('text', { name: 'ip_safelist', array: true })
  ipSafelist!: string[];

  @Column('integer')
  version!: number;

  @Column('timestamptz', { name: 'updated_at' })
  updatedAt!: Date;
}
