import http from 'node:http';
import express from 'express';
import pg from 'pg';
import Stripe from 'stripe';
import { serveToParent } from './child-server.js';

/**
 * The bench's app, in its own process as an app would be: a webhook endpoint written as Stripe's
 * docs write one (express.raw, then `stripe.webhooks.constructEvent`) that does what a real
 * handler does (and the demo app does): in one transaction, record the event id (a duplicate
 * changes nothing) and grant the customer's entitlement. It tells its parent its URL over IPC.
 */
const secret = process.env.BENCH_WEBHOOK_SECRET;
const databaseUrl = process.env.BENCH_APP_DATABASE_URL;
if (!secret || !databaseUrl || !process.send) {
  throw new Error('run by bench/replay.ts (BENCH_WEBHOOK_SECRET, BENCH_APP_DATABASE_URL and an IPC channel)');
}

const pool = new pg.Pool({ connectionString: databaseUrl, max: 20 });
await pool.query(`
  create schema if not exists bench_app;
  create table if not exists bench_app.processed_events (event_id text primary key, type text not null, processed_at timestamptz not null default now());
  create table if not exists bench_app.entitlements (email text primary key, plan text not null, source_event_id text not null);`);

const app = express();
app.post('/webhook', express.raw({ type: () => true }), async (req, res) => {
  let event: Stripe.Event;
  try {
    event = Stripe.webhooks.constructEvent(req.body as Buffer, req.headers['stripe-signature'] ?? '', secret);
  } catch (error) {
    return void res.status(400).send(`Webhook Error: ${(error as Error).message}`);
  }
  await processExactlyOnce(pool, event);
  res.json({ received: true });
});

async function processExactlyOnce(pool: pg.Pool, event: Stripe.Event): Promise<void> {
  const client = await pool.connect();
  try {
    await client.query('begin');
    const { rowCount } = await client.query(
      'insert into bench_app.processed_events (event_id, type) values ($1, $2) on conflict (event_id) do nothing',
      [event.id, event.type],
    );
    const session = event.data.object as Stripe.Checkout.Session;
    const email = session.customer_details?.email;
    if (rowCount === 1 && email) {
      await client.query(
        `insert into bench_app.entitlements (email, plan, source_event_id) values ($1, 'pro', $2)
         on conflict (email) do update set source_event_id = excluded.source_event_id`,
        [email, event.id],
      );
    }
    await client.query('commit');
  } catch (error) {
    await client.query('rollback').catch(() => {});
    throw error;
  } finally {
    client.release();
  }
}

const server = http.createServer(app);
await serveToParent(server, '/webhook');
