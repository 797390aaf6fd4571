import type { Command } from '../command.ts';
import { backupCommand } from './backup.ts';
import { configCheck } from './config-check.ts';
import { ledgerVerify } from './ledger-verify.ts';
import { membersImport } from './members-import.ts';
import { programCheck } from './program-check.ts';
import { start } from './start.ts';
import { tap } from './tap.ts';

export const commands: Command[] = [
  start,
  tap,
  configCheck,
  programCheck,
  membersImport,
  ledgerVerify,
  backupCommand,
];
