import { html, nothing } from 'lit';
import '../elements/lg-qr.ts';
import type { View } from './context.ts';

/** The confirmation: the voucher code as text and QR, or the credit the wallet got. */
export const voucherView = ({ s, f, c }: View) => {
  const m = s.session;
  const o = s.outcome;
  if (!m || !o) return nothing;
  const currency = m.program.currency;
  const reward = o.kind === 'converted' ? undefined : m.rewards.find((r) => r.id === o.rewardId);
  return html`
    <section class="screen voucher" data-screen="voucher" aria-labelledby="voucher-title">
      <div class="voucher-text">
        <h1 id="voucher-title">${f.t.voucherTitle}</h1>
        ${reward ? html`<p class="subject">${f.name(reward.names)}</p>` : nothing}
        ${
          o.kind === 'voucher'
            ? html`<p class="label">${f.t.voucherCode}</p>
                <p class="code" dir="ltr" data-testid="voucher-code">${o.code}</p>
                <p>${f.t.voucherHint}</p>`
            : o.kind === 'credit'
              ? html`<p>${f.t.creditAdded(f.money(o.credit, currency))}</p>`
              : html`<p data-testid="converted">${f.t.converted(f.points(o.points), f.money(o.credit, currency))}</p>`
        }
        <p class="small">${f.t.newBalance}: <strong data-testid="new-points">${f.points(m.balances.points)}</strong> ·
          ${f.money(m.balances.credit, currency)}</p>
        <div class="row">
          <button type="button" class="btn" @click=${() => c.go('home')}>${f.t.back}</button>
          <button type="button" class="btn primary" data-testid="done" @click=${() => c.finish()}>${f.t.done}</button>
        </div>
      </div>
      ${o.kind === 'voucher' ? html`<lg-qr .value=${o.code} .label=${`${f.t.voucherCode} ${o.code}`}></lg-qr>` : nothing}
    </section>
  `;
};
