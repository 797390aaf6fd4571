import type { Output } from './command.ts';

/** The process's own streams; progress is rewritten in place on a TTY and throttled otherwise. */
export const processOutput = (): Output => {
  let lastProgressAt = 0;
  const tty = process.stderr.isTTY === true;
  return {
    out: (line) => process.stdout.write(`${line}\n`),
    err: (line) => process.stderr.write(`${line}\n`),
    progress: (line) => {
      if (tty) {
        process.stderr.write(`\r\x1b[K${line}`);
        return;
      }
      const now = performance.now();
      if (now - lastProgressAt >= 1000) {
        lastProgressAt = now;
        process.stderr.write(`${line}\n`);
      }
    },
  };
};
