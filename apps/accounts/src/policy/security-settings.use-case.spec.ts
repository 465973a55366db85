import { defaultPolicy } from './security-policy.repository.js';
import { diffPolicies } from './security-settings.use-case.js';

describe('policy diff for the audit log and the policy.changed event', () => {
  const before = { ...defaultPolicy('a'), ipSafelist: ['10.0.0.0/24', '203.0.113.7'] };

  it('names only the settings that changed, and the safelist entries added and removed', () => {
    const after = { ...before, mfaRequired: true, ipSafelist: ['203.0.113.7', '2001:db8::/32'] };
    expect(diffPolicies(before, after)).toEqual({
      changes: { mfaRequired: { from: false, to: true } },
      safelist: { added: ['2001:db8::/32'], removed: ['10.0.0.0/24'] },
    });
  });

  it('reports no safelist change when only the order changed', () => {
    expect(diffPolicies(before, { ...before, ipSafelist: ['203.0.113.7', '10.0.0.0/24'] })).toEqual({ changes: {}, safelist: undefined });
  });
});
