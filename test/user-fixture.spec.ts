import { test, expect } from '../helpers/index.js';
import { testPassword } from '../helpers/password.js';

// Sign-up forms commonly ask for a lower and an upper case letter, a digit and a symbol, in 12 characters or more.
const RULES: [string, RegExp][] = [['a lower case letter', /[a-z]/], ['an upper case letter', /[A-Z]/], ['a digit', /\d/], ['a symbol', /[^A-Za-z0-9]/], ['12 characters or more', /^.{12,}$/]];

test("the user's password meets common sign-up password rules, every time", async ({ user }) => {
  const passwords = [user.password, ...Array.from({ length: 2000 }, testPassword)];
  for (const password of passwords) {
    const broken = RULES.filter(([, rule]) => !rule.test(password)).map(([name]) => name);
    expect(broken, `password ${password} lacks`).toEqual([]);
  }
  expect(new Set(passwords).size).toBe(passwords.length);
});

test.describe('one test after another, in one worker', () => {
  test.describe.configure({ mode: 'serial' });
  const seen: { email: string; password: string }[] = [];
  test('the first test gets a user', ({ user }) => {
    seen.push({ email: user.email, password: user.password });
  });
  test("the next test's user has another email and another password", ({ user }) => {
    expect(seen).toHaveLength(1);
    expect(user.email).not.toBe(seen[0]!.email);
    expect(user.password).not.toBe(seen[0]!.password);
  });
});

test.describe('with user options', () => {
  test.use({ userOptions: { emailPrefix: 'QA', emailDomain: 'test.example' } });
  test("the user's email takes the prefix and domain of user options (lower-cased), the test's tag between them", async ({ user }) => {
    expect(user.email).toBe(`qa+${user.tag}@test.example`);
    expect(user.tag).toContain(user.run);
  });
});
