import { ApiProperty } from '@nestjs/swagger';
import { IsIn, IsString, IsUUID } from 'class-validator';
import { IsSecondFactorCode, IsTotpCode, MFA_METHODS, RECOVERY_CODE_PATTERN, TOTP_CODE_PATTERN, type MfaMethod } from '#contracts';

export class TotpCodeBody {
  @ApiProperty({ example: '492039', pattern: TOTP_CODE_PATTERN.source, description: 'The current 6-digit code of the authenticator app, as a string.' })
  @IsString()
  @IsTotpCode()
  code!: string;
}

export class VerifyMfaBody {
  @ApiProperty({ format: 'uuid', description: 'From the `mfa_required` answer of POST /auth/login.' })
  @IsUUID()
  challengeId!: string;

  @ApiProperty({ enum: MFA_METHODS })
  @IsIn(MFA_METHODS)
  method!: MfaMethod;

  @ApiProperty({
    example: '492039',
    description: `TOTP or emailed code: 6 digits (${TOTP_CODE_PATTERN.source}). Recovery code: 16 letters and digits, dashes optional, any case (${RECOVERY_CODE_PATTERN.source}).`,
  })
  @IsSecondFactorCode()
  code!: string;
}

export class SendChallengeEmailCodeBody {
  @ApiProperty({ format: 'uuid', description: 'From the `mfa_required` answer of POST /auth/login (its `methods` include "email").' })
  @IsUUID()
  challengeId!: string;
}

export class EmailCodeSentResponse {
  @ApiProperty({ example: 'z•••@example.com', description: 'Where the code went, masked.' })
  sentTo!: string;

  @ApiProperty({ example: 600, description: 'Seconds the code stays valid (it works once).' })
  expiresIn!: number;

  @ApiProperty({ example: 60, description: 'Seconds before another code can be sent.' })
  resendAfterSeconds!: number;

  @ApiProperty({ example: 4, description: 'How many more codes can be sent.' })
  sendsRemaining!: number;
}

export class TotpSetupResponse {
  @ApiProperty({ example: 'otpauth://totp/Twofold:zoe?secret=JBSW…&issuer=Twofold&algorithm=SHA1&digits=6&period=30' })
  otpauthUrl!: string;

  @ApiProperty({ description: 'The otpauth URL as a QR code: a PNG data URL (data:image/png;base64,…).' })
  qrCode!: string;

  @ApiProperty({ example: 'JBSW Y3DP EHPK 3PXP JBSW Y3DP EHPK 3PXP', description: 'The secret in groups of four, for typing it in ("Unable to scan?").' })
  manualKey!: string;

  @ApiProperty({ example: 600, description: 'Seconds left to confirm the setup with a code.' })
  expiresIn!: number;
}

export class RecoveryCodesResponse {
  @ApiProperty({ type: [String], example: ['7QK2-M9XD-4HTR-0B6C'], description: 'Ten single-use codes, shown this once. Store them safely.' })
  recoveryCodes!: string[];
}

export class MfaStatusResponse {
  @ApiProperty() enabled!: boolean;
  @ApiProperty({ enum: MFA_METHODS, isArray: true }) methods!: string[];
  @ApiProperty() recoveryCodesRemaining!: number;
  @ApiProperty({ description: 'Your account requires MFA: it cannot be removed, and a reset means setting it up again.' })
  requiredByAccount!: boolean;
  @ApiProperty({ description: 'Your account lets users choose emailed codes instead of an app.' })
  emailCodesAllowed!: boolean;
}

export class AuthenticatedResponse {
  @ApiProperty({ enum: ['authenticated'] }) status!: string;
  @ApiProperty({ description: 'EdDSA-signed JWT; its `amr` is ["pwd","otp","mfa"].' }) accessToken!: string;
  @ApiProperty() expiresIn!: number;
  @ApiProperty({ enum: ['Bearer'] }) tokenType!: string;
}
