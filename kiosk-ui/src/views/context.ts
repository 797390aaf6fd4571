import type { Controller } from '../controller.ts';
import type { Format } from '../i18n/index.ts';
import type { KioskState } from '../store.ts';

/** What every view renders from: the state, the language's formatting, and the actions. */
export interface View {
  s: Readonly<KioskState>;
  f: Format;
  c: Controller;
}
