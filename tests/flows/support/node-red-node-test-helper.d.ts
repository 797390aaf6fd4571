/** The part of node-red-node-test-helper 0.3.6 the tests use (it ships no types). */
declare module 'node-red-node-test-helper' {
  import type { EventEmitter } from 'node:events';

  export interface TestNode extends EventEmitter {
    id: string;
    type: string;
    credentials?: Record<string, unknown>;
    receive(msg: Record<string, unknown>): void;
    [key: string]: unknown;
  }

  interface Helper {
    init(runtimePath: string, userSettings?: Record<string, unknown>): void;
    startServer(): Promise<void>;
    stopServer(): Promise<void>;
    load(
      nodes: unknown | unknown[],
      flow: Array<Record<string, unknown>>,
      credentials?: Record<string, Record<string, unknown>>,
    ): Promise<void>;
    unload(): Promise<void>;
    getNode(id: string): TestNode;
  }

  const helper: Helper;
  export default helper;
}
