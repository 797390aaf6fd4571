import type { Command, CommandEntry } from '../command.ts';

/**
 * Every command, described here and loaded on use: starting the CLI must not pay for the
 * broker, the engine or exceljs when it only checks a file.
 */
export const commands: CommandEntry[] = [
  {
    words: ['start'],
    usage: 'start [--config FILE] [--mqtt-port N] [--http-port N]',
    summary:
      'Run the gateway; with no config, the embedded demo (data in ./data, simulated reader, demo program).',
    load: async () => (await import('./start.ts')).start,
  },
  {
    words: ['tap'],
    usage: 'tap READER UID [--config FILE]',
    summary: 'Tap a card on a simulated reader of the running gateway (loopback HTTP).',
    load: async () => (await import('./tap.ts')).tap,
  },
  {
    words: ['cards', 'write-token'],
    usage: 'cards write-token READER UID [--number N] [--config FILE]',
    summary:
      'Write the signed card token to the card on a PN532/MFRC522 reader of the running gateway (loopback HTTP).',
    load: async () => (await import('./cards-write-token.ts')).cardsWriteToken,
  },
  {
    words: ['till-sim'],
    usage: 'till-sim [--config FILE] [--till ID] [--rate N] [--count N] [--cards UID,UID]',
    summary: 'Publish realistic sales as a till would (demos and load); prints each answer and a summary.',
    load: async () => (await import('./till-sim.ts')).tillSim,
  },
  {
    words: ['config', 'check'],
    usage: 'config check FILE',
    summary: 'Validate a gateway config file; lists every problem as path: message (exit 2).',
    load: async () => (await import('./config-check.ts')).configCheck,
  },
  {
    words: ['program', 'check'],
    usage: 'program check FILE',
    summary: 'Validate a program file (YAML or JSON); lists every problem as path: message (exit 2).',
    load: async () => (await import('./program-check.ts')).programCheck,
  },
  {
    words: ['members', 'import'],
    usage: 'members import FILE (.csv|.xlsx) [--config FILE]',
    summary: 'Import members, cards and opening balances; a file with any bad row applies nothing.',
    load: async () => (await import('./members-import.ts')).membersImport,
  },
  {
    words: ['ledger', 'verify'],
    usage: 'ledger verify [--config FILE]',
    summary: 'Recompute every balance and lot from the ledger entries and report any drift (exit 1 if any).',
    load: async () => (await import('./ledger-verify.ts')).ledgerVerify,
  },
  {
    words: ['status'],
    usage: 'status [--config FILE] [--json]',
    summary:
      'The store from its database: entries, what hq has not acknowledged, whether uploads fail and why, what hq quarantined (exit 1 while uploads fail).',
    load: async () => (await import('./status.ts')).status,
  },
  {
    words: ['backup'],
    usage: 'backup FILE [--config FILE] [--force]',
    summary: 'Write an online, consistent copy of the store database to FILE (the gateway may keep running).',
    load: async () => (await import('./backup.ts')).backupCommand,
  },
];

/** First words of the command families that live beside the gateway, loaded only when named. */
export const FAMILY_WORDS = new Set(['provision', 'doctor', 'hq', 'demo']);

/** Provisioning and doctor (provisioning/), head office, enrollment and the chain demo (hq/). */
export const loadFamilies = async (): Promise<Command[]> => {
  const [{ provisioningCommands }, { hqCommands }] = await Promise.all([
    import('../../../../provisioning/src/index.ts'),
    import('../../../../hq/src/cli/index.ts'),
  ]);
  return [...provisioningCommands, ...hqCommands];
};

/** A loaded command as a list entry. */
export const entryOf = (command: Command): CommandEntry => ({ ...command, load: async () => command });
