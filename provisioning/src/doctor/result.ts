/** One line of the doctor's report; `fix` is the one command or step that makes it right. */
export interface DoctorResult {
  check: string;
  status: 'ok' | 'warn' | 'fail';
  message: string;
  fix?: string;
}

export const ok = (check: string, message: string): DoctorResult => ({ check, status: 'ok', message });
export const warn = (check: string, message: string, fix?: string): DoctorResult =>
  fix === undefined ? { check, status: 'warn', message } : { check, status: 'warn', message, fix };
export const fail = (check: string, message: string, fix: string): DoctorResult => ({
  check,
  status: 'fail',
  message,
  fix,
});
