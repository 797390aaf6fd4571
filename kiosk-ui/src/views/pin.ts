import { html, nothing } from 'lit';
import '../elements/lg-pin-pad.ts';
import type { View } from './context.ts';

/** What the PIN confirms, in words: the reward's name, or the conversion. */
const subject = ({ s, f }: View): string => {
  const m = s.session;
  const p = s.pending;
  if (!m || !p) return '';
  if (p.kind === 'redeem') {
    const reward = m.rewards.find((r) => r.id === p.rewardId);
    return reward ? f.name(reward.names) : p.rewardId;
  }
  const rate = m.program.pointsToCredit;
  const credit = rate ? (p.points / rate.points) * rate.credit : 0;
  return f.t.converted(f.points(p.points), f.money(credit, m.program.currency));
};

export const pinView = (v: View) => {
  const { s, f, c } = v;
  if (!s.session || !s.pending) return nothing;
  const back = s.pending.kind === 'redeem' ? 'rewards' : 'convert';
  return html`
    <section class="screen pin" data-screen="pin" aria-labelledby="pin-title">
      <div class="pin-side">
        <h1 id="pin-title">${f.t.enterPin}</h1>
        <p class="subject">${subject(v)}</p>
        ${
          s.pinError
            ? html`<p class="error" role="alert" data-testid="pin-error">${s.pinError === 'PIN_INVALID' ? f.t.wrongPin : f.t.errorGeneric}</p>`
            : nothing
        }
        ${s.busy ? html`<p class="small" role="status">${f.t.busy}</p>` : nothing}
        <button type="button" class="btn ghost" @click=${() => c.go(back)}>${f.t.cancel}</button>
      </div>
      <lg-pin-pad
        .labels=${{ delete: f.t.pinDelete, ok: f.t.pinOk, entered: f.t.pinEntered, num: f.num }}
        ?disabled=${s.busy}
        @pin=${(e: CustomEvent<string>) => void c.submitPin(e.detail)}
      ></lg-pin-pad>
    </section>
  `;
};
