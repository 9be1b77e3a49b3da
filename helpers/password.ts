import { randomBytes } from 'node:crypto';

/**
 * A test user's password, new for every test: random, and of every class a sign-up form's
 * password rules ask for (a lower and an upper case letter, a digit, a symbol, 20 characters),
 * so that no app refuses it one test in fifteen, as it would a random string without a digit.
 */
export function testPassword(): string {
  return `Vb7!${randomBytes(12).toString('base64url')}`;
}
