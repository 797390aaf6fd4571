import QRCode from 'qrcode';
import type { Output } from '../../gateway/src/cli/command.ts';

/** What a till (or kiosk, or integration) needs to join the store's broker. */
export interface BrokerCredentials {
  host: string;
  port: number;
  username: string;
  password: string;
}

/**
 * Shows new credentials this one time: they live only in a 0600 secret file afterwards.
 * The QR code carries the same JSON, so a till with a camera or scanner types nothing.
 * 'utf8' half blocks rather than 'terminal': no ANSI colours, so it survives SSH and logs.
 */
export const showCredentials = async (io: Output, creds: BrokerCredentials): Promise<void> => {
  const payload = JSON.stringify(creds);
  io.out(`  host:     ${creds.host}`);
  io.out(`  port:     ${creds.port}`);
  io.out(`  username: ${creds.username}`);
  io.out(`  password: ${creds.password}`);
  io.out('Scan it from the till or device (JSON: host, port, username, password):');
  io.out(await QRCode.toString(payload, { type: 'utf8', errorCorrectionLevel: 'M' }));
  io.out(`This password is shown only now. Lost it? loyalty-edge provision rotate-secret ${creds.username}`);
};
