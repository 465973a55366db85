import { ApiProperty } from '@nestjs/swagger';
import { IsEmail, IsIn, IsString, Length, MaxLength, MinLength } from 'class-validator';
import { ACCOUNT_NAME_MAX, EMAIL_MAX, IsUsername, PASSWORD_MAX, PASSWORD_MIN, ROLES, USERNAME_MAX, type Role } from '#contracts';

export class CreateAccountBody {
  @ApiProperty({ example: 'Riverside Family Practice', maxLength: ACCOUNT_NAME_MAX })
  @IsString()
  @Length(1, ACCOUNT_NAME_MAX)
  name!: string;
}

export class CreateUserBody {
  @ApiProperty({
    example: "Zoë O'Brien-Núñez!",
    maxLength: USERNAME_MAX,
    description: 'Any printable characters; stored NFC-normalised; unique across the deployment.',
  })
  @IsUsername()
  username!: string;

  @ApiProperty({ minLength: PASSWORD_MIN, maxLength: PASSWORD_MAX })
  @IsString()
  @MinLength(PASSWORD_MIN)
  @MaxLength(PASSWORD_MAX)
  password!: string;

  @ApiProperty({ example: 'zoe@example.com' })
  @IsEmail()
  @MaxLength(EMAIL_MAX)
  email!: string;

  @ApiProperty({ enum: ROLES })
  @IsIn(ROLES)
  role!: Role;
}

export class AccountResponse {
  @ApiProperty() id!: string;
  @ApiProperty() name!: string;
}

export class UserResponse {
  @ApiProperty() id!: string;
  @ApiProperty() username!: string;
  @ApiProperty() email!: string;
  @ApiProperty({ enum: ROLES }) role!: string;
  @ApiProperty() accountId!: string;
}
