import { timingSafeEqual } from 'node:crypto';
import type { Request, Response } from 'express';
import { readCookie, setCookie } from './cookies.js';
import { randomToken, type Session } from './sessions.js';

/**
 * Signed-in forms carry the session's own token (synchronizer pattern). Signed-out forms (sign up,
 * log in) have no session yet, so they use a double-submit cookie: a cross-site page can neither
 * read that cookie nor set it, so it cannot produce the matching form field.
 */
const CSRF_COOKIE = 'demo_csrf';
export const CSRF_FIELD = '_csrf';
const CSRF_COOKIE_SECONDS = 24 * 60 * 60;

/** The token to put into the forms of the page being rendered. */
export function csrfTokenFor(req: Request, res: Response, session: Session | undefined): string {
  if (session) return session.csrfToken;
  let token = readCookie(req, CSRF_COOKIE);
  if (!token) {
    token = randomToken();
    setCookie(res, CSRF_COOKIE, token, CSRF_COOKIE_SECONDS);
  }
  return token;
}

/**
 * True when the posted `_csrf` field matches the token this browser was given: the session's once
 * signed in, the double-submit cookie only before. Signed in, the cookie is not accepted: anyone
 * who can plant a cookie (a sibling subdomain can) could then forge every signed-in form.
 */
export function hasValidCsrfToken(req: Request, session: Session | undefined): boolean {
  const body = req.body as Record<string, unknown> | undefined;
  const sent = body?.[CSRF_FIELD];
  if (typeof sent !== 'string' || sent === '') return false;
  const expected = session ? session.csrfToken : readCookie(req, CSRF_COOKIE);
  return expected !== undefined && expected !== '' && sameString(sent, expected);
}

function sameString(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}
