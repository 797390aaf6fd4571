import type { Command } from '../command.ts';
import { configCheck } from './config-check.ts';

export const commands: Command[] = [configCheck];
