import { createHash, randomBytes } from 'node:crypto';
import type { Request, Response } from 'express';
import type pg from 'pg';
import { clearCookie, readCookie, setCookie } from './cookies.js';

export const SESSION_COOKIE = 'demo_session';
const SESSION_DAYS = 14;

export interface Session {
  id: string;
  userId: string;
  csrfToken: string;
}

export function randomToken(): string {
  return randomBytes(32).toString('base64url');
}

// The table keeps a hash of the cookie, so a leaked database dump cannot be replayed as sessions.
function sessionId(cookieValue: string): string {
  return createHash('sha256').update(cookieValue).digest('hex');
}

export async function startSession(pool: pg.Pool, res: Response, userId: string): Promise<void> {
  const cookieValue = randomToken();
  await pool.query(
    `insert into demo.sessions (id, user_id, csrf_token, expires) values ($1, $2, $3, now() + make_interval(days => $4))`,
    [sessionId(cookieValue), userId, randomToken(), SESSION_DAYS],
  );
  setCookie(res, SESSION_COOKIE, cookieValue, SESSION_DAYS * 24 * 60 * 60);
}

export async function findSession(pool: pg.Pool, req: Request): Promise<Session | undefined> {
  const cookieValue = readCookie(req, SESSION_COOKIE);
  if (!cookieValue) return undefined;
  const { rows } = await pool.query<{ id: string; user_id: string; csrf_token: string }>(
    'select id, user_id, csrf_token from demo.sessions where id = $1 and expires > now()',
    [sessionId(cookieValue)],
  );
  const row = rows[0];
  return row && { id: row.id, userId: row.user_id, csrfToken: row.csrf_token };
}

export async function endSession(pool: pg.Pool, res: Response, session: Session | undefined): Promise<void> {
  if (session) await pool.query('delete from demo.sessions where id = $1', [session.id]);
  clearCookie(res, SESSION_COOKIE);
}
