// A till's first sale, as a till vendor would make it (docs/till-guide.md): connect with
// the credentials `provision add-till` printed, identify the card, sell, read the answer.
// Usage: node till-sale.mjs PORT TILL-ID PASSWORD CARD-UID   (run from the release folder)
import { connectAsync } from 'mqtt';

const [port, till, password, uid] = process.argv.slice(2);
if (!port || !till || !password || !uid) {
  console.error('usage: node till-sale.mjs PORT TILL-ID PASSWORD CARD-UID');
  process.exit(2);
}
const base = `loyalty/v1/till/${till}`;
const client = await connectAsync(`mqtt://127.0.0.1:${port}`, {
  username: till,
  password,
  clientId: `${till}-qemu`,
  connectTimeout: 10_000,
});
const answers = new Map();
client.on('message', (topic, payload) => {
  const body = JSON.parse(payload.toString('utf8'));
  answers.get(body.requestId)?.(body);
  console.log(`${topic} ${payload.toString('utf8')}`);
});
await client.subscribeAsync(`${base}/res/#`, { qos: 1 });

const ask = (op, body, timeoutMs = 60_000) =>
  new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no answer to ${op} in ${timeoutMs} ms`)), timeoutMs);
    answers.set(body.requestId, (answer) => {
      clearTimeout(timer);
      resolve(answer);
    });
    client.publish(`${base}/req/${op}`, JSON.stringify(body), { qos: 1 });
  });

const stamp = Date.now().toString(36);
const identify = await ask('identify', { requestId: `qemu-id-${stamp}`, card: { uid } });
if (!identify.ok) throw new Error(`identify failed: ${JSON.stringify(identify.error)}`);
const sale = await ask('sale', {
  requestId: `qemu-sale-${stamp}`,
  saleId: `QEMU-${stamp}`,
  at: new Date().toISOString(),
  card: { uid },
  currency: 'AMD',
  lines: [{ lineId: '1', sku: 'SKU-QEMU', qty: 1, unitPrice: 500000, amount: 500000 }],
  payments: [{ method: 'cash', amount: 500000 }],
  total: 500000,
});
await client.endAsync();
if (!sale.ok) throw new Error(`sale failed: ${JSON.stringify(sale.error)}`);
console.log(`sale ${sale.saleId}: earned ${sale.earned.points} points, balance ${sale.balances.points}`);
