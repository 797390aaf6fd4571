import type { Command, CommandEntry } from '../../gateway/src/cli/command.ts';
import { makeClientCommands } from './clients.ts';
import { defaultContext, type ProvisionContext } from './context.ts';
import { makeDoctorCommand } from './doctor/doctor-command.ts';
import { type DoctorProbes, systemProbes } from './doctor/probes.ts';
import { makeInitCommand } from './init.ts';

export type { ProvisionContext } from './context.ts';
export type { DoctorProbes } from './doctor/probes.ts';

/** The commands with their seams filled in by the caller (tests: fixture trees, scripted prompts). */
export const makeProvisioningCommands = (
  ctx: ProvisionContext = defaultContext(),
  probes: DoctorProbes = systemProbes(),
): Command[] => [makeInitCommand(ctx), ...makeClientCommands(ctx), makeDoctorCommand(probes, ctx.env)];

/** Registered in gateway/src/cli/commands/index.ts: `provision init|add-*|rotate-secret`, `doctor`. */
export const provisioningCommands: Command[] = makeProvisioningCommands();

/**
 * The same commands in the CLI's list shape (gateway/src/cli/command.ts CommandEntry).
 * Not lazy: importing this module builds them, which costs little next to a run.
 */
export const provisioningEntries: CommandEntry[] = provisioningCommands.map((c) => ({
  words: c.words,
  usage: c.usage,
  summary: c.summary,
  load: async () => c,
}));
