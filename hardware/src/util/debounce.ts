/**
 * Pure tap debouncer (docs/protocol.md 3: repeated reads within the debounce window are one tap).
 * A card is "present" from its first sighting until it is judged gone; only a new arrival is
 * a tap. Two ways to judge "gone":
 * - `expire(at)`, for readers that only ever report sightings (line readers, simulated):
 *   unseen for `removalMs`;
 * - `poll(seen, at)`, for readers that poll (MFRC522, PN532): missing from at least
 *   `minMissedPolls` consecutive polls *and* unseen for `removalMs`. Absence is evidence
 *   from a poll, never mere elapsed time, so a stalled event loop or a slow reader cannot
 *   turn a card held on the reader into a second tap.
 */
export type DebounceEvent = { type: 'tap'; uid: string } | { type: 'removed'; uid: string };

export interface DebounceOptions {
  removalMs: number;
  /** Polled readers: consecutive polls without the card before it counts as removed (default 2). */
  minMissedPolls?: number;
}

interface Presence {
  lastSeen: number;
  missed: number;
}

export class TapDebouncer {
  readonly #present = new Map<string, Presence>();
  readonly #removalMs: number;
  readonly #minMissed: number;

  constructor(options: DebounceOptions) {
    this.#removalMs = options.removalMs;
    this.#minMissed = options.minMissedPolls ?? 2;
  }

  seen(uid: string, at: number): DebounceEvent[] {
    const known = this.#present.get(uid);
    this.#present.set(uid, { lastSeen: at, missed: 0 });
    return known ? [] : [{ type: 'tap', uid }];
  }

  expire(at: number): DebounceEvent[] {
    return this.#remove((p) => at - p.lastSeen >= this.#removalMs);
  }

  /** One completed poll that saw exactly the cards in `seen`. */
  poll(seen: readonly string[], at: number): DebounceEvent[] {
    for (const [uid, p] of this.#present) if (!seen.includes(uid)) p.missed++;
    const events = this.#remove((p) => p.missed >= this.#minMissed && at - p.lastSeen >= this.#removalMs);
    for (const uid of seen) events.push(...this.seen(uid, at));
    return events;
  }

  /** Forgets every card, reporting each as removed (the reader went offline or stopped). */
  clear(): DebounceEvent[] {
    return this.#remove(() => true);
  }

  get present(): string[] {
    return [...this.#present.keys()];
  }

  #remove(gone: (p: Presence) => boolean): DebounceEvent[] {
    const events: DebounceEvent[] = [];
    for (const [uid, p] of this.#present) {
      if (!gone(p)) continue;
      this.#present.delete(uid);
      events.push({ type: 'removed', uid });
    }
    return events;
  }
}
