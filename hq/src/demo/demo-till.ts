import type { Socket } from 'node:net';
import mqtt, { type MqttClient } from 'mqtt';
import { basket } from '../../../gateway/src/cli/commands/till-sim.ts';

/** Demo members' cards (gateway/demo/members.csv); 0A1B2C3D is left for a person to try. */
const CARDS = ['04A1B2C3', '04A1B2C3D4E5F6', '04C0FFEE112233'];

/**
 * A simulated till of `loyalty-edge demo`: a realistic sale (till-sim's baskets) every few
 * seconds over real MQTT, each answer printed as one line, so the demo's balances move.
 */
export class DemoTill {
  private client: MqttClient | null = null;
  private timer: NodeJS.Timeout | null = null;
  private first: NodeJS.Timeout | null = null;
  private n = 0;
  /** requestId → the card of the sale (an anonymous sale has none). */
  private readonly cards = new Map<string, string | null>();
  private readonly prefix = `demo-${Date.now().toString(36)}`;

  constructor(
    private readonly opts: {
      url: string;
      tillId: string;
      secret: string;
      label: string;
      say: (line: string) => void;
      everyMs?: number;
      /** Before the first sale: the stores' tills take turns, so each sees the other's sales. */
      offsetMs?: number;
    },
  ) {}

  async start(): Promise<void> {
    const { tillId } = this.opts;
    const client = await mqtt.connectAsync(this.opts.url, {
      username: tillId,
      password: this.opts.secret,
      reconnectPeriod: 1000,
    });
    (client.stream as Partial<Socket>).setNoDelay?.(true); // docs/till-guide.md: Nagle
    this.client = client;
    await client.subscribeAsync(`loyalty/v1/till/${tillId}/res/#`, { qos: 1 });
    client.on('message', (_topic, payload) => {
      const res = JSON.parse(payload.toString()) as {
        requestId: string;
        ok: boolean;
        earned?: { points: number };
        balances?: { points: number };
        error?: { code: string };
      };
      const card = this.cards.get(res.requestId);
      if (card === undefined) return;
      this.cards.delete(res.requestId);
      const what = !res.ok
        ? `refused: ${res.error?.code}`
        : card === null
          ? 'no card, nothing earned'
          : `card ${card}: +${res.earned?.points ?? 0} points, balance ${res.balances?.points} points`;
      this.opts.say(`${this.opts.label}: sale ${res.requestId}, ${what}`);
    });
    const every = this.opts.everyMs ?? 15_000;
    this.first = setTimeout(() => {
      this.sell();
      this.timer = setInterval(() => this.sell(), every);
    }, this.opts.offsetMs ?? every);
  }

  private sell(): void {
    const sale = basket(CARDS, this.n++, this.prefix);
    this.cards.set(sale.requestId, sale.card?.uid ?? null);
    this.client?.publish(`loyalty/v1/till/${this.opts.tillId}/req/sale`, JSON.stringify(sale), { qos: 1 });
  }

  async stop(): Promise<void> {
    if (this.first) clearTimeout(this.first);
    if (this.timer) clearInterval(this.timer);
    await this.client?.endAsync();
    this.client = null;
  }
}
