/** The shipped example flows, pointed at a test gateway (the port is the only change). */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { ROOT } from './gateway-fixture.ts';
import type { FlowNode } from './node-red-process.ts';

export const EXAMPLES_DIR = resolve(ROOT, 'flows/examples');

export function loadExample(name: string, patch: (node: FlowNode) => FlowNode = (n) => n): FlowNode[] {
  const nodes = JSON.parse(readFileSync(resolve(EXAMPLES_DIR, `${name}.json`), 'utf8')) as FlowNode[];
  return nodes.map(patch);
}

/** The example with its loyalty-gateway config node pointed at `mqttPort`. */
export function exampleFor(name: string, mqttPort: number, patch: (node: FlowNode) => FlowNode = (n) => n) {
  return loadExample(name, (n) => patch(n.type === 'loyalty-gateway' ? { ...n, port: mqttPort } : n));
}

/** Several flows in one deploy: config nodes they share appear once. */
export function combine(...flows: FlowNode[][]): FlowNode[] {
  const byId = new Map<string, FlowNode>();
  for (const node of flows.flat()) byId.set(node.id, node);
  return [...byId.values()];
}
