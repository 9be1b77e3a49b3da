import type { Migration } from '../postgres/index.js';

export const DEMO_SCHEMA = 'demo';
export const DEMO_COMPONENT = 'demo-app';

/**
 * The demo app's tables, in the `demo` schema. The e2e suite counts grants with
 * `select count(*) from demo.entitlements e join demo.users u on u.id = e.user_id where u.email = $1`,
 * so an entitlement row is one grant and is never updated into another.
 *
 * Exactly-once granting rests on `processed_events.event_id` being the primary key: the correct
 * app inserts the event id and the grant in one transaction. `entitlements` deliberately has no
 * unique constraint of its own, so that the planted bugs (which skip or race the event-id check)
 * show up as extra rows instead of being hidden by the schema.
 */
export const demoMigrations: Migration[] = [
  {
    version: 1,
    name: 'users, sessions, entitlements, processed_events, subscriptions',
    sql: `
      create table users (
        id uuid primary key default gen_random_uuid(),
        email text not null,
        password_hash text not null,
        stripe_customer_id text,
        upgrade_requested_at timestamptz,
        created_at timestamptz not null default now()
      );
      create unique index users_email_key on users (lower(email));

      create table sessions (
        id text primary key,
        user_id uuid not null references users (id) on delete cascade,
        csrf_token text not null,
        expires timestamptz not null
      );
      create index sessions_user_id_idx on sessions (user_id);

      create table processed_events (
        event_id text primary key,
        type text not null,
        created bigint not null,
        processed_at timestamptz not null default now()
      );

      create table entitlements (
        id bigint generated always as identity primary key,
        user_id uuid not null references users (id) on delete cascade,
        plan text not null check (plan in ('pro')),
        source_event_id text not null references processed_events (event_id),
        granted_at timestamptz not null default now(),
        revoked_at timestamptz
      );
      create index entitlements_user_id_idx on entitlements (user_id);

      create table subscriptions (
        stripe_subscription_id text primary key,
        user_id uuid references users (id) on delete cascade,
        status text not null,
        event_created bigint not null
      );
      create index subscriptions_user_id_idx on subscriptions (user_id);
    `,
  },
];
