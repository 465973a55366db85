import { ApiProperty } from '@nestjs/swagger';
import { IsString, Length } from 'class-validator';
import { USERNAME_MAX } from '#contracts';

export class LoginBody {
  @ApiProperty({ example: 'demo.holder', maxLength: USERNAME_MAX * 4 })
  @IsString()
  @Length(1, USERNAME_MAX * 4)
  username!: string;

  @ApiProperty({ example: 'correct horse battery staple', maxLength: 1024 })
  @IsString()
  @Length(1, 1024)
  password!: string;
}

export class LoginResponse {
  @ApiProperty({ enum: ['authenticated', 'mfa_required', 'mfa_setup_required'] })
  status!: string;

  @ApiProperty({ required: false, description: 'Present when status is "authenticated": an EdDSA-signed JWT.' })
  accessToken?: string;

  @ApiProperty({ required: false, description: 'Seconds until the token (or challenge) expires.' })
  expiresIn?: number;

  @ApiProperty({ required: false, description: 'Present when status is "mfa_required".' })
  challengeId?: string;

  @ApiProperty({ required: false, type: [String], description: 'Second-factor methods the user can use.' })
  methods?: string[];

  @ApiProperty({ required: false, description: 'Present when status is "mfa_setup_required".' })
  setupToken?: string;
}
