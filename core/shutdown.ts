type Closer = () => Promise<void> | void;

const closers: Closer[] = [];
let installed = false;
let closing: Promise<void> | undefined;

/**
 * Registers work to do when the process is asked to stop (SIGINT, SIGTERM). Closers run in
 * reverse order of registration, so a server stops before the database it writes to.
 */
export function onShutdown(closer: Closer): void {
  closers.push(closer);
  if (installed) return;
  installed = true;
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.once(signal, () => {
      void shutdown().then(() => process.exit(signal === 'SIGINT' ? 130 : 143));
    });
  }
}

export function shutdown(): Promise<void> {
  closing ??= (async () => {
    for (const closer of closers.reverse()) {
      try {
        await closer();
      } catch (error) {
        console.error(`error while shutting down: ${(error as Error).message}`);
      }
    }
  })();
  return closing;
}
