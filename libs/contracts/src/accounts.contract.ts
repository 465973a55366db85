import { Type } from 'class-transformer';
import { IsEmail, IsIn, IsString, IsUUID, Length, MaxLength, MinLength, ValidateNested } from 'class-validator';
import { event, rpc } from '#common';
import { ActorDto, PASSWORD_MAX, PASSWORD_MIN, ROLES, type Role } from './identity.js';
import { IsUsername } from './validators.js';

export const ACCOUNT_NAME_MAX = 200;
export const EMAIL_MAX = 254;

export class CreateAccountRequest {
  @IsString()
  @Length(1, ACCOUNT_NAME_MAX)
  name!: string;

  @ValidateNested()
  @Type(() => ActorDto)
  actor!: ActorDto;
}

export interface AccountView {
  id: string;
  name: string;
}

export class CreateUserRequest {
  @IsUUID()
  accountId!: string;

  @IsUsername()
  username!: string;

  @IsString()
  @MinLength(PASSWORD_MIN)
  @MaxLength(PASSWORD_MAX)
  password!: string;

  @IsEmail()
  @MaxLength(EMAIL_MAX)
  email!: string;

  @IsIn(ROLES)
  role!: Role;

  @ValidateNested()
  @Type(() => ActorDto)
  actor!: ActorDto;
}

export interface UserView {
  id: string;
  username: string;
  email: string;
  role: Role;
  accountId: string;
}

export class GetUserRequest {
  @IsUUID()
  userId!: string;
}

export interface UserCreatedEvent {
  user: UserView;
  actor: ActorDto;
  at: string;
}

export interface AccountCreatedEvent {
  account: AccountView;
  actor: ActorDto;
  at: string;
}

export const AccountsSubjects = {
  createAccount: rpc<CreateAccountRequest, AccountView>('accounts.accounts.create'),
  createUser: rpc<CreateUserRequest, UserView>('accounts.users.create'),
  getUser: rpc<GetUserRequest, UserView>('accounts.users.get'),
} as const;

export const AccountsEvents = {
  accountCreated: event<AccountCreatedEvent>('accounts.events.account.created'),
  userCreated: event<UserCreatedEvent>('accounts.events.user.created'),
} as const;
