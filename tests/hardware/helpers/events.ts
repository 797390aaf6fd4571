import type { Reader, ReaderEvents } from '../../../hardware/src/types.ts';

type Source = Pick<Reader, 'on'>;

/** Waits for a reader event (optionally matching) with a timeout: no sleeps to "let things settle". */
export function nextEvent<K extends keyof ReaderEvents>(
  source: Source,
  event: K,
  timeoutMs = 3_000,
  match: (payload: ReaderEvents[K]) => boolean = () => true,
): Promise<ReaderEvents[K]> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      off();
      reject(new Error(`timed out after ${timeoutMs} ms waiting for ${event}`));
    }, timeoutMs);
    const off = source.on(event, (payload) => {
      if (!match(payload)) return;
      clearTimeout(timer);
      off();
      resolve(payload);
    });
  });
}

/** Records every payload of a reader event. */
export function record<K extends keyof ReaderEvents>(source: Source, event: K): ReaderEvents[K][] {
  const seen: ReaderEvents[K][] = [];
  source.on(event, (payload) => seen.push(payload));
  return seen;
}
