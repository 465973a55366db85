import { normalizeUsername, usernameProblem, USERNAME_MAX } from './identity.js';

describe('usernames', () => {
  it.each([
    'alice',
    "Zoë O'Brien-Núñez!",
    'specialchar!@!@ù%$%^^&(%@#$%$%*()é',
    '山田太郎',
    'имя.фамилия',
    'a b',
    'x'.repeat(USERNAME_MAX),
  ])('accepts printable names of any script and punctuation: %s', (name) => {
    expect(usernameProblem(name)).toBeUndefined();
  });

  it.each([
    ['', 'empty'],
    ['x'.repeat(USERNAME_MAX + 1), 'too long'],
    ['bad\u0000name', 'NUL'],
    ['tab\tname', 'control character'],
    ['line\u2028sep', 'line separator'],
    ['evil\u202Egnp.exe', 'bidi override that disguises a name'],
    [' padded', 'leading white space'],
    ['padded ', 'trailing white space'],
    ['\uE000private', 'private use character'],
  ])('refuses %j (%s)', (name) => {
    expect(usernameProblem(name)).toBeDefined();
  });

  it('refuses non-strings', () => {
    expect(usernameProblem(42)).toBe('must be a string');
    expect(usernameProblem({ toString: () => 'alice' })).toBe('must be a string');
  });

  it('normalises to NFC so the same visible name is the same username', () => {
    const decomposed = 'Zoe\u0308'; // e + combining diaeresis
    const composed = 'Zo\u00EB';
    expect(decomposed).not.toBe(composed);
    expect(normalizeUsername(decomposed)).toBe(composed);
  });

  it('counts the length in characters after NFC, not in UTF-16 units', () => {
    expect(usernameProblem('😀'.repeat(USERNAME_MAX))).toBeUndefined();
    expect(usernameProblem('e\u0301'.repeat(USERNAME_MAX))).toBeUndefined();
  });
});
