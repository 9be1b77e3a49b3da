import type pg from 'pg';
import type { Delivery } from './types.js';

export type NewDelivery = Omit<Delivery, 'id'>;

const ID_BLOCK = 256;
/** How long deliveries gather before they are written together. Reads never wait for it. */
const WRITE_WINDOW_MS = 20;

/**
 * Deliveries are written behind the answer: a delivery is an observation, not the event, so
 * the webhook sender and the replay caller need not wait for its row. Ids come from blocks
 * reserved ahead on the table's own sequence, so an answer can name its deliveries at once.
 * Those recorded within WRITE_WINDOW_MS go to Postgres in one statement, after the answers:
 * the writes' syscalls (and a Postgres backend waking up) stay off the callers' round trips, and
 * under load a statement carries tens of rows instead of two or three.
 *
 * Reads through this server see every delivery it answered with: they call `settled()`, which
 * writes what is waiting at once. A crash can lose deliveries not yet written (never an event:
 * those are stored before any answer).
 */
export class DeliveryLog {
  private waiting: Delivery[] = [];
  private timer: NodeJS.Timeout | undefined;
  private readonly writing = new Set<Promise<void>>();
  private ids: number[] = [];
  private refilling: Promise<void> | undefined;

  constructor(
    private readonly pool: pg.Pool,
    private readonly write: (delivery: Delivery) => Promise<unknown>,
  ) {}

  /** Names the deliveries; they are written shortly after. */
  async record(deliveries: NewDelivery[]): Promise<Delivery[]> {
    const ids = await this.takeIds(deliveries.length);
    const named = deliveries.map((d, i) => ({ id: ids[i]!, ...d }));
    this.waiting.push(...named);
    this.timer ??= setTimeout(() => this.flush(), WRITE_WINDOW_MS);
    return named;
  }

  /** Resolves once every delivery recorded so far is stored. */
  async settled(): Promise<void> {
    this.flush();
    await Promise.all([...this.writing]);
  }

  private flush(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    const batch = this.waiting.splice(0);
    if (batch.length === 0) return;
    const writing = Promise.all(batch.map((d) => this.write(d))).then(
      () => undefined,
      (error: Error) => console.error(`replay-server: could not store ${batch.length} deliveries: ${error.message}`),
    );
    this.writing.add(writing);
    void writing.finally(() => this.writing.delete(writing));
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
