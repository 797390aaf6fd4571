import { networkInterfaces } from 'node:os';
import { createInterface } from 'node:readline/promises';

/** Asks one question; returns the answer, or `fallback` for an empty line. */
export type Prompt = (question: string, fallback: string) => Promise<string>;

/**
 * What provisioning commands need from the outside world, in one object
 * (architecture.md: dependencies passed in one context, no singletons), so tests drive
 * the real logic with a fixed host, scripted answers and crash points.
 */
export interface ProvisionContext {
  env: NodeJS.ProcessEnv;
  now: () => Date;
  /** The address tills should use to reach this Pi's broker (printed and put in the QR code). */
  hostAddress: () => string;
  /** Present only when a person is at a terminal; otherwise flags and defaults decide. */
  prompt: Prompt | undefined;
  /** Called between durable steps; the crash tests kill the process here. */
  step: (name: string) => void;
}

/** The first LAN IPv4 address: what a till on the shop network connects to. */
export const lanAddress = (): string => {
  for (const list of Object.values(networkInterfaces())) {
    for (const a of list ?? []) if (a.family === 'IPv4' && !a.internal) return a.address;
  }
  return '127.0.0.1';
};

const terminalPrompt: Prompt = async (question, fallback) => {
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  try {
    const answer = (
      await rl.question(fallback === '' ? `${question}: ` : `${question} [${fallback}]: `)
    ).trim();
    return answer === '' ? fallback : answer;
  } finally {
    rl.close();
  }
};

export const defaultContext = (): ProvisionContext => ({
  env: process.env,
  now: () => new Date(),
  hostAddress: lanAddress,
  prompt: process.stdin.isTTY === true ? terminalPrompt : undefined,
  step: () => {},
});
