import { EXIT, type Output, UsageError } from '../../gateway/src/cli/command.ts';
import { ValidationError } from '../../gateway/src/core/errors.ts';
import type { ProvisionContext } from '../../provisioning/src/context.ts';
import type { DoctorProbes } from '../../provisioning/src/doctor/probes.ts';
import { makeProvisioningCommands } from '../../provisioning/src/index.ts';

export interface Captured extends Output {
  stdout: string[];
  stderr: string[];
  text(): string;
}

export const capture = (): Captured => {
  const stdout: string[] = [];
  const stderr: string[] = [];
  return {
    stdout,
    stderr,
    out: (line) => stdout.push(line),
    err: (line) => stderr.push(line),
    progress: () => {},
    text: () => [...stdout, ...stderr].join('\n'),
  };
};

export const testContext = (over: Partial<ProvisionContext> = {}): ProvisionContext => ({
  env: {},
  now: () => new Date('2026-11-23T10:00:00Z'),
  hostAddress: () => '192.168.1.50',
  prompt: undefined,
  step: () => {},
  ...over,
});

/** Probes that find nothing wrong outside the fixture tree; each test overrides what it studies. */
export const quietProbes = (over: Partial<DoctorProbes> = {}): DoctorProbes => ({
  hardware: {},
  freeBytes: async () => 10 * 1024 ** 3,
  canWrite: async () => true,
  run: async () => ({ code: 0, stdout: 'yes\n', stderr: '' }),
  systemdRunning: () => false,
  listen: async () => 'free',
  httpGet: async () => ({ status: 200, body: '{}' }),
  ...over,
});

/**
 * Runs one command the way main() does (UsageError → exit 2 with the message), without
 * the registry: the gateway registers these commands in its own file.
 */
export const runCommand = async (
  words: string,
  args: string[],
  ctx: ProvisionContext = testContext(),
  probes: DoctorProbes = quietProbes(),
): Promise<{ code: number; io: Captured }> => {
  const io = capture();
  const command = makeProvisioningCommands(ctx, probes).find((c) => c.words.join(' ') === words);
  if (!command) throw new Error(`no command ${words}`);
  try {
    return { code: await command.run(args, io), io };
  } catch (error) {
    if (error instanceof UsageError || error instanceof ValidationError) {
      io.err(error.message);
      return { code: EXIT.invalid, io };
    }
    throw error;
  }
};
