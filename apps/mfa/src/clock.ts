import { Injectable } from '@nestjs/common';

/**
 * The time every MFA rule reads (TOTP steps, setup expiry, lockout). Injected, so integration tests can
 * move it: a test proves "a code from two steps back is refused" without waiting a minute.
 */
@Injectable()
export class Clock {
  now(): Date {
    return new Date();
  }
}
