/**
 * Pure tap debouncer. Readers report every sighting of a card (`seen`) and call `expire`
 * on each poll; a card is "present" until it has not been seen for `removalMs`. A card held
 * on the reader therefore stays one tap however long it is held, and a re-presented card
 * is a new tap once it has been gone for `removalMs` (protocol.md 3: repeated reads within
 * the debounce window are one tap).
 */
export type DebounceEvent = { type: 'tap'; uid: string } | { type: 'removed'; uid: string };

export interface DebounceOptions {
  /** How long a card may go unseen before it counts as removed. */
  removalMs: number;
}

export class TapDebouncer {
  readonly #lastSeen = new Map<string, number>();

  constructor(private readonly options: DebounceOptions) {}

  seen(uid: string, at: number): DebounceEvent[] {
    const events = this.expire(at);
    const present = this.#lastSeen.has(uid);
    this.#lastSeen.set(uid, at);
    if (!present) events.push({ type: 'tap', uid });
    return events;
  }

  expire(at: number): DebounceEvent[] {
    const events: DebounceEvent[] = [];
    for (const [uid, last] of this.#lastSeen) {
      if (at - last >= this.options.removalMs) {
        this.#lastSeen.delete(uid);
        events.push({ type: 'removed', uid });
      }
    }
    return events;
  }

  /** Forgets every card, reporting each as removed (used when a reader goes offline). */
  clear(): DebounceEvent[] {
    const events: DebounceEvent[] = [...this.#lastSeen.keys()].map((uid) => ({ type: 'removed', uid }));
    this.#lastSeen.clear();
    return events;
  }

  get present(): string[] {
    return [...this.#lastSeen.keys()];
  }
}
