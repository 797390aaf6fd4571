import { html, nothing } from 'lit';
import type { KioskMemberSession } from '../../../gateway/src/kiosk/wire.ts';
import type { View } from './context.ts';

/** Share of the way from this tier's threshold to the next (drawing only; the gateway says what is missing). */
const progress = (s: KioskMemberSession): number => {
  const { current, next } = s.tierProgress;
  if (!next) return 100;
  const span = next.threshold - current.threshold;
  const done = next.threshold - next.missing - current.threshold;
  return span > 0 ? Math.max(0, Math.min(100, Math.round((done / span) * 100))) : 100;
};

/**
 * The member's home. In a chain store the balance is the chain's, and a line under it says
 * how much of it this store can spend (`spendableHere`); nothing when standalone.
 * The name is isolated (FSI…PDI) so a Cyrillic name reads right in a Persian greeting.
 */
export const homeView = ({ s, f, c }: View) => {
  const m = s.session;
  if (!m) return nothing;
  const { t } = f;
  const currency = m.program.currency;
  const next = m.tierProgress.next;
  const pct = progress(m);
  const here = m.balances.spendableHere;
  const tierText = next ? t.toNextTier(f.points(next.missing), f.name(next.names)) : t.topTier;
  return html`
    <section class="screen home" data-screen="home" aria-labelledby="member-name">
      <div class="home-main">
        <h1 id="member-name" data-testid="member-name">${t.hello(`\u2068${m.member.displayName}\u2069`)}</h1>
        ${m.card.status === 'suspended' ? html`<p class="notice" role="note">${t.suspended}</p>` : nothing}
        <div class="tier">
          <div class="tier-row">
            <span class="label">${t.tier}</span>
            <strong class="tier-name" data-testid="tier-name">${f.name(m.tierProgress.current.names)}</strong>
          </div>
          <div class="bar" role="progressbar" aria-label=${tierText} aria-valuemin="0" aria-valuemax="100"
            aria-valuenow=${pct}>
            <span class="bar-fill" style=${`inline-size:${pct}%`}></span>
          </div>
          <p class="small">${tierText}</p>
        </div>
        ${
          m.expiringSoon.length > 0
            ? html`<ul class="expiring" data-testid="expiring">
                ${m.expiringSoon.map((e) => html`<li>${t.expiring(f.points(e.points), f.date(e.at))}</li>`)}
              </ul>`
            : nothing
        }
        ${
          m.offers.length > 0
            ? html`<div class="offers">
                <h2>${t.offers}</h2>
                <ul>
                  ${m.offers.map(
                    (o) =>
                      html`<li><span>${f.name(o.names)}</span>
                        <strong>${o.kind === 'discount' ? t.offerDiscount(f.percent(o.percent ?? 0)) : t.offerMultiplier(f.num(o.factor ?? 1))}</strong></li>`,
                  )}
                </ul>
              </div>`
            : nothing
        }
      </div>
      <div class="balances">
        <div class="balance" data-testid="balance-points">
          <span class="label">${f.name(m.program.names.points)}</span>
          <span class="big" data-testid="points-value">${f.num(m.balances.points)}</span>
        </div>
        <div class="balance" data-testid="balance-credit">
          <span class="label">${f.name(m.program.names.credit)}</span>
          <span class="mid" data-testid="credit-value">${f.money(m.balances.credit, currency)}</span>
        </div>
        ${
          here
            ? html`<p class="small spendable-here" data-testid="spendable-here">${t.spendableHere(
                f.points(here.points),
                here.credit !== m.balances.credit ? f.money(here.credit, currency) : undefined,
              )}</p>`
            : nothing
        }
      </div>
      <nav class="actions" aria-label=${t.title}>
        <button type="button" class="btn primary" data-testid="go-rewards" @click=${() => c.go('rewards')}>${t.rewards}</button>
        <button type="button" class="btn" data-testid="go-history" @click=${() => c.go('history')}>${t.history}</button>
        ${
          m.program.pointsToCredit
            ? html`<button type="button" class="btn" data-testid="go-convert" @click=${() => c.go('convert')}>${t.convert}</button>`
            : nothing
        }
        <button type="button" class="btn ghost" data-testid="done" @click=${() => c.finish()}>${t.done}</button>
      </nav>
    </section>
  `;
};
