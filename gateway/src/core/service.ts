/**
 * Every long-lived part is a service: started in order, stopped in reverse, timers and
 * listeners released (architecture.md: habits).
 */
export interface Service {
  readonly name: string;
  start(): Promise<void> | void;
  stop(): Promise<void> | void;
}

/** Start services in order; if one fails, stop the ones already started (in reverse) and rethrow. */
export const startAll = async (services: readonly Service[]): Promise<() => Promise<void>> => {
  const started: Service[] = [];
  const stopAll = async () => {
    for (const service of [...started].reverse()) {
      try {
        await service.stop();
      } catch {
        // Stopping goes on: one part that fails to stop must not keep the others running.
      }
    }
    started.length = 0;
  };
  try {
    for (const service of services) {
      await service.start();
      started.push(service);
    }
  } catch (error) {
    await stopAll();
    throw error;
  }
  return stopAll;
};
