export * from './identity.js';
export * from './validators.js';
export * from './health.contract.js';
export * from './auth.contract.js';
export * from './accounts.contract.js';
export * from './ip-safelist.js';
export * from './mfa.contract.js';
export * from './mfa-setup.contract.js';
