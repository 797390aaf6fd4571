/** What every engine operation is given besides the member and the request. */
import type { Program } from '../program/schema.ts';

export interface EngineContext {
  program: Program;
  /** The current instant (ISO-8601); the engine never reads a clock. */
  now: string;
  storeId: string;
}

export interface Balances {
  points: number;
  pendingPoints: number;
  credit: number;
}
