/** Something the dashboard should show: a new event, new deliveries of events, or an import. */
export type Change =
  | { kind: 'event'; id: string }
  | { kind: 'deliveries'; eventIds: string[] }
  | { kind: 'import'; count: number };

export interface ChangeSubscriber {
  change(change: Change): void;
  /** The server is closing: end whatever the subscriber holds open. */
  close(): void;
}

/**
 * An in-process bus from the store to the open dashboards. Publishing is a size check when
 * nobody listens, so the capture and replay paths pay nothing for it outside a dashboard
 * session. It only knows this process's changes: another server on the same database
 * publishes to its own dashboards.
 */
export class ChangeFeed {
  private readonly subscribers = new Set<ChangeSubscriber>();

  get listening(): boolean {
    return this.subscribers.size > 0;
  }

  publish(change: Change): void {
    for (const subscriber of this.subscribers) subscriber.change(change);
  }

  subscribe(subscriber: ChangeSubscriber): () => void {
    this.subscribers.add(subscriber);
    return () => void this.subscribers.delete(subscriber);
  }

  close(): void {
    for (const subscriber of [...this.subscribers]) subscriber.close();
    this.subscribers.clear();
  }
}
