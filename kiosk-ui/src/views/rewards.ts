import { html, nothing } from 'lit';
import type { KioskReward } from '../../../gateway/src/kiosk/wire.ts';
import { spendable, type View } from './context.ts';

/**
 * Why a reward cannot be had now, as the gateway's flags say (docs/program.md Redemption); what
 * is missing counts from what this store can spend, as `affordable` does.
 */
const reason = ({ f }: View, r: KioskReward, points: number): string | null => {
  if (!r.tierAllowed) return f.t.tierLocked;
  if (r.stockLeft !== null && r.stockLeft <= 0) return f.t.outOfStock;
  if (!r.affordable) return f.t.notEnough(f.points(r.cost.points - points));
  return r.available ? null : f.t.outOfStock;
};

export const rewardsView = (v: View) => {
  const { s, f, c } = v;
  const m = s.session;
  if (!m) return nothing;
  return html`
    <section class="screen rewards" data-screen="rewards" aria-labelledby="rewards-title">
      <header class="screen-head">
        <button type="button" class="btn ghost back" @click=${() => c.go('home')}>${f.t.back}</button>
        <h1 id="rewards-title">${f.t.rewards}</h1>
        <span class="pill" data-testid="points-pill">${f.points(m.balances.points)}</span>
      </header>
      <ul class="reward-list">
        ${m.rewards.map((r) => {
          const why = reason(v, r, spendable(m.balances).points);
          return html`<li class=${why ? 'reward locked' : 'reward'} data-reward=${r.id}>
            <div class="reward-text">
              <strong>${f.name(r.names)}</strong>
              <span class="small">${f.points(r.cost.points)}${r.stockLeft !== null ? html` · ${f.t.left(f.num(r.stockLeft))}` : nothing}</span>
              ${why ? html`<span class="small why">${why}</span>` : nothing}
            </div>
            <button type="button" class="btn primary" ?disabled=${why !== null || m.card.status !== 'active'}
              aria-label=${`${f.t.redeem}: ${f.name(r.names)}`} @click=${() => c.chooseReward(r.id)}>${f.t.redeem}</button>
          </li>`;
        })}
      </ul>
    </section>
  `;
};
