import { plainToInstance } from 'class-transformer';
import { validateSync } from 'class-validator';
import { MfaStatusBatchRequest, TotpCodeRequest, VerifySecondFactorRequest } from './mfa.contract.js';

const USER = '6f1c1f5e-8f8a-4a53-9d3c-7d6b2f1e9a10';

function problems<T extends object>(cls: new () => T, plain: Record<string, unknown>): string[] {
  return validateSync(plainToInstance(cls, plain), { whitelist: true, forbidNonWhitelisted: true }).map((e) => e.property);
}

describe('MFA code fields', () => {
  it('takes a TOTP code only as a string of exactly six digits', () => {
    expect(problems(TotpCodeRequest, { userId: USER, code: '012345' })).toEqual([]);
    for (const code of [12345, 123456, '12345', '1234567', ' 123456', '12345a', '١٢٣٤٥٦', null, ['123456']]) {
      expect(problems(TotpCodeRequest, { userId: USER, code })).toEqual(['code']);
    }
  });

  it('checks the code against the chosen method', () => {
    expect(problems(VerifySecondFactorRequest, { userId: USER, method: 'totp', code: '123456' })).toEqual([]);
    expect(problems(VerifySecondFactorRequest, { userId: USER, method: 'recovery_code', code: '7QK2-M9XD-4HTR-0B6C' })).toEqual([]);
    expect(problems(VerifySecondFactorRequest, { userId: USER, method: 'recovery_code', code: '7qk2m9xd4htr0b6c' })).toEqual([]);
    expect(problems(VerifySecondFactorRequest, { userId: USER, method: 'recovery_code', code: '123456' })).toEqual(['code']);
    expect(problems(VerifySecondFactorRequest, { userId: USER, method: 'totp', code: '7QK2-M9XD-4HTR-0B6C' })).toEqual(['code']);
    expect(problems(VerifySecondFactorRequest, { userId: USER, method: 'recovery_code', code: '7QK2--M9XD-4HTR-0B6C' })).toEqual(['code']);
    expect(problems(VerifySecondFactorRequest, { userId: USER, method: 'sms', code: '123456' }).sort()).toEqual(['code', 'method']);
  });

  it('bounds a status batch to 100 user ids', () => {
    expect(problems(MfaStatusBatchRequest, { userIds: Array(100).fill(USER) })).toEqual([]);
    expect(problems(MfaStatusBatchRequest, { userIds: Array(101).fill(USER) })).toEqual(['userIds']);
    expect(problems(MfaStatusBatchRequest, { userIds: ['nope'] })).toEqual(['userIds']);
  });
});
