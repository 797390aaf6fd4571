import type { IncomingMessage } from 'node:http';

/** True when the request comes from this machine (the Pi's own screen, a local CLI). */
export const isLoopback = (req: IncomingMessage): boolean => {
  const address = req.socket.remoteAddress ?? '';
  return address === '::1' || address.startsWith('127.') || address.startsWith('::ffff:127.');
};
