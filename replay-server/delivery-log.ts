import type pg from 'pg';
import type { Delivery } from './types.js';

export type NewDelivery = Omit<Delivery, 'id'>;

const ID_BLOCK = 256;

/**
 * Deliveries are written behind the answer: a delivery is an observation, not the event, so
 * the webhook sender and the replay caller need not wait for its row. Ids come from blocks
 * reserved ahead on the table's own sequence, so an answer can name its deliveries at once.
 *
 * Reads through this server see every delivery it answered with: they wait for `settled()`.
 * A crash can lose deliveries still in flight (never an event: those are stored before any
 * answer).
 */
export class DeliveryLog {
  private readonly pending = new Set<Promise<unknown>>();
  private ids: number[] = [];
  private refilling: Promise<void> | undefined;

  constructor(
    private readonly pool: pg.Pool,
    private readonly write: (delivery: Delivery) => Promise<unknown>,
  ) {}

  /** Names the deliveries and starts writing them; resolves before they are stored. */
  async record(deliveries: NewDelivery[]): Promise<Delivery[]> {
    const ids = await this.takeIds(deliveries.length);
    const named = deliveries.map((d, i) => ({ id: ids[i]!, ...d }));
    const writing = Promise.all(named.map((d) => this.write(d))).catch((error: Error) => {
      console.error(`replay-server: could not store ${named.length} deliveries: ${error.message}`);
    });
    this.pending.add(writing);
    void writing.finally(() => this.pending.delete(writing));
    return named;
  }

  /** Resolves once every delivery recorded so far is stored. */
  async settled(): Promise<void> {
    await Promise.all([...this.pending]);
  }

  private async takeIds(count: number): Promise<number[]> {
    if (this.ids.length < count) {
      if (count > ID_BLOCK) return this.reserve(count);
      await this.refill();
      if (this.ids.length < count) return this.reserve(count);
    }
    const taken = this.ids.splice(0, count);
    if (this.ids.length < ID_BLOCK / 4) void this.refill().catch(() => {});
    return taken;
  }

  private refill(): Promise<void> {
    this.refilling ??= this.reserve(ID_BLOCK)
      .then((ids) => void this.ids.push(...ids))
      .finally(() => (this.refilling = undefined));
    return this.refilling;
  }

  private async reserve(count: number): Promise<number[]> {
    const { rows } = await this.pool.query({
      name: 'reserve-delivery-ids',
      text: "select nextval(pg_get_serial_sequence('vibes.replay_deliveries', 'id')) as id from generate_series(1, $1)",
      values: [count],
    });
    return rows.map((r) => Number(r.id));
  }
}
