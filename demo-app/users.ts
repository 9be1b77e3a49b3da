import type pg from 'pg';
import { inTransaction } from '../postgres/index.js';

export interface User {
  id: string;
  email: string;
  passwordHash: string;
  stripeCustomerId: string | null;
  upgradeRequestedAt: Date | null;
}

interface UserRow {
  id: string;
  email: string;
  password_hash: string;
  stripe_customer_id: string | null;
  upgrade_requested_at: Date | null;
}

const USER_COLUMNS = 'id, email, password_hash, stripe_customer_id, upgrade_requested_at';
const UNIQUE_VIOLATION = '23505';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Stripe hands ids back as free text (client_reference_id, metadata); only a uuid can be a user id. */
export function isUserId(value: unknown): value is string {
  return typeof value === 'string' && UUID.test(value);
}

function toUser(row: UserRow): User {
  return {
    id: row.id,
    email: row.email,
    passwordHash: row.password_hash,
    stripeCustomerId: row.stripe_customer_id,
    upgradeRequestedAt: row.upgrade_requested_at,
  };
}

/** The new user, or `duplicate` when the email (case-insensitively) is taken. */
export async function createUser(pool: pg.Pool, email: string, passwordHash: string): Promise<User | 'duplicate'> {
  try {
    const { rows } = await pool.query<UserRow>(
      `insert into demo.users (email, password_hash) values ($1, $2) returning ${USER_COLUMNS}`,
      [email, passwordHash],
    );
    return toUser(rows[0]!);
  } catch (error) {
    if ((error as { code?: string }).code === UNIQUE_VIOLATION) return 'duplicate';
    throw error;
  }
}

export async function findUserByEmail(db: pg.Pool | pg.PoolClient, email: string): Promise<User | undefined> {
  const { rows } = await db.query<UserRow>(`select ${USER_COLUMNS} from demo.users where lower(email) = lower($1)`, [email]);
  return rows[0] && toUser(rows[0]);
}

export async function findUserById(db: pg.Pool | pg.PoolClient, id: string): Promise<User | undefined> {
  if (!isUserId(id)) return undefined;
  const { rows } = await db.query<UserRow>(`select ${USER_COLUMNS} from demo.users where id = $1`, [id]);
  return rows[0] && toUser(rows[0]);
}

/** Pro means an entitlement that a webhook granted and nothing has revoked. */
export async function hasActiveEntitlement(pool: pg.Pool, userId: string): Promise<boolean> {
  const { rows } = await pool.query<{ pro: boolean }>(
    'select exists (select 1 from demo.entitlements where user_id = $1 and revoked_at is null) as pro',
    [userId],
  );
  return rows[0]?.pro === true;
}

/**
 * Records the user's Stripe customer and answers the one recorded: a concurrent upgrade may have
 * stored its own first (with the same idempotency key it is the same customer anyway).
 */
export async function storeStripeCustomer(pool: pg.Pool, userId: string, customerId: string): Promise<string> {
  const { rows } = await pool.query<{ stripe_customer_id: string }>(
    'update demo.users set stripe_customer_id = coalesce(stripe_customer_id, $2) where id = $1 returning stripe_customer_id',
    [userId, customerId],
  );
  if (!rows[0]) throw new Error(`user ${userId} was deleted while upgrading`);
  return rows[0].stripe_customer_id;
}

export async function markUpgradeRequested(pool: pg.Pool, userId: string): Promise<void> {
  await pool.query('update demo.users set upgrade_requested_at = now() where id = $1', [userId]);
}

/**
 * Sessions, entitlements and subscriptions go with the user (foreign keys cascade). Deleting the
 * Stripe customer first sets off webhooks (customer.subscription.deleted) that lock the
 * subscription row, then the user's; the cascade alone would lock them the other way round and
 * deadlock with them. So the subscriptions are locked first, in the webhooks' order: a deletion
 * racing its own webhooks waits for them instead.
 */
export async function deleteUser(pool: pg.Pool, userId: string): Promise<void> {
  // One order cannot cover every race: a subscription event that inserts the row the lock above
  // found missing, or a grant taking the user row after the subscription's, can still cross the
  // cascade. Postgres then aborts one side; a webhook answers 500 and Stripe retries it, and the
  // deletion, which a person is waiting for, tries again.
  for (let attempt = 1; ; attempt++) {
    try {
      await inTransaction(pool, async (client) => {
        await client.query('select 1 from demo.subscriptions where user_id = $1 for update', [userId]);
        await client.query('delete from demo.users where id = $1', [userId]);
      });
      return;
    } catch (error) {
      if ((error as { code?: string }).code !== DEADLOCK_DETECTED || attempt === DELETE_ATTEMPTS) throw error;
    }
  }
}

const DEADLOCK_DETECTED = '40P01';
const DELETE_ATTEMPTS = 3;
