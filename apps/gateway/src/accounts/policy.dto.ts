import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { ArrayMaxSize, IsArray, IsBoolean, IsInt, IsOptional, IsString, Length, Matches, Max, MaxLength, Min } from 'class-validator';
import {
  PAGE_MAX,
  PAGE_SIZE_MAX,
  RESET_REASON_MAX,
  ROLES,
  SAFELIST_ENTRY_MAX_LENGTH,
  SAFELIST_MAX_ENTRIES,
  USERNAME_MAX,
} from '#contracts';

/** A query-string integer: digits only become a number; anything else stays a string and fails `IsInt`. */
const QueryInt = () =>
  Transform(({ value }: { value: unknown }) => (typeof value === 'string' && /^[0-9]{1,9}$/.test(value) ? Number(value) : value));

export class SecuritySettingsBody {
  @ApiProperty({ description: 'Every user must set up MFA before any session is issued.' })
  @IsBoolean()
  mfaRequired!: boolean;

  @ApiProperty({ description: 'Users may choose emailed codes instead of an authenticator app.' })
  @IsBoolean()
  allowEmailCodes!: boolean;

  @ApiProperty({
    type: [String],
    maxItems: SAFELIST_MAX_ENTRIES,
    example: ['203.0.113.7', '198.51.100.0/24', '2001:db8::/32'],
    description:
      'IPv4/IPv6 addresses and CIDR ranges; empty allows any address. Stored normalised (host bits cleared, ' +
      'IPv4-mapped IPv6 as IPv4, /32 and /128 as plain addresses) and de-duplicated.',
  })
  @IsArray()
  @ArrayMaxSize(SAFELIST_MAX_ENTRIES)
  @IsString({ each: true })
  @MaxLength(SAFELIST_ENTRY_MAX_LENGTH * 2, { each: true })
  ipSafelist!: string[];
}

export class SecuritySettingsResponse extends SecuritySettingsBody {
  @ApiProperty({
    type: String,
    nullable: true,
    description: 'Your address as Twofold sees it (trusted proxies applied): a safelist must include it.',
  })
  currentIp!: string | null;
}

export class PageQuery {
  @ApiPropertyOptional({ default: 1, minimum: 1 })
  @QueryInt()
  @IsInt({ message: 'page must be a whole number' })
  @Min(1)
  @Max(PAGE_MAX)
  page: number = 1;

  @ApiPropertyOptional({ default: 10, minimum: 1, maximum: PAGE_SIZE_MAX })
  @QueryInt()
  @IsInt({ message: 'pageSize must be a whole number' })
  @Min(1)
  @Max(PAGE_SIZE_MAX)
  pageSize: number = 10;
}

export class ListUsersQuery extends PageQuery {
  @ApiPropertyOptional({
    description: 'Full and exact username (compared after Unicode NFC); no wildcards. Empty lists everyone.',
    example: 'specialchar!@!@ù%$%^^&(%@#$%$%*()é',
  })
  @IsOptional()
  @IsString()
  @MaxLength(USERNAME_MAX * 4)
  username?: string;
}

export class UserMfaResponse {
  @ApiProperty({ enum: ['enabled', 'not_set_up'] }) status!: string;
  @ApiProperty({ type: [String] }) methods!: string[];
}

export class ManagedUserResponse {
  @ApiProperty() id!: string;
  @ApiProperty() username!: string;
  @ApiProperty() email!: string;
  @ApiProperty({ enum: ROLES }) role!: string;
  @ApiProperty({ type: UserMfaResponse }) mfa!: UserMfaResponse;
}

export class ManagedUserPageResponse {
  @ApiProperty({ type: [ManagedUserResponse] }) items!: ManagedUserResponse[];
  @ApiProperty() total!: number;
  @ApiProperty() page!: number;
  @ApiProperty() pageSize!: number;
}

export class AuditEventResponse {
  @ApiProperty() id!: string;
  @ApiProperty({ example: 'login.failed' }) type!: string;
  @ApiProperty({ nullable: true, example: { type: 'support', keyId: 'a1b2c3d4e5f6' } }) actor!: Record<string, unknown> | null;
  @ApiProperty({ nullable: true }) targetUserId!: string | null;
  @ApiProperty({ nullable: true }) ip!: string | null;
  @ApiProperty() at!: string;
  @ApiProperty() details!: Record<string, unknown>;
}

export class AuditEventPageResponse {
  @ApiProperty({ type: [AuditEventResponse] }) items!: AuditEventResponse[];
  @ApiProperty() total!: number;
  @ApiProperty() page!: number;
  @ApiProperty() pageSize!: number;
}

export class SupportResetBody {
  @ApiProperty({ minLength: 1, maxLength: RESET_REASON_MAX, example: 'Holder lost their phone; identity checked by callback (ticket 4711).' })
  @IsString()
  @Length(1, RESET_REASON_MAX)
  @Matches(/\S/, { message: 'reason must not be blank' })
  reason!: string;
}
