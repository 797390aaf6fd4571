import type { Command } from '../../../gateway/src/cli/command.ts';
import { enrollCommand } from '../../../gateway/src/sync/enroll-command.ts';
import { hqMembersImport, hqProgramPublish, hqStart, hqToken } from './commands.ts';
import { demoCommand } from './demo.ts';
import { hqQuarantine } from './quarantine-command.ts';

/** Register these in gateway/src/cli/commands/index.ts (docs/protocol.md §3). */
export const hqCommands: Command[] = [
  hqStart,
  hqToken,
  hqMembersImport,
  hqProgramPublish,
  hqQuarantine,
  enrollCommand,
  demoCommand,
];
