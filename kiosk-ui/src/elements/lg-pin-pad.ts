import { html, LitElement, type PropertyDeclarations } from 'lit';

const KEYS = ['1', '2', '3', '4', '5', '6', '7', '8', '9', 'del', '0', 'ok'] as const;

/**
 * An on-screen PIN pad (docs/program.md Redemption: spending needs the card PIN). Digits never
 * leave this element except in the `pin` event; it keeps 1-2-3 left to right even in RTL,
 * as phone keypads do. Emits `pin` (detail: the digits) on OK with 4 to 8 digits.
 */
export class LgPinPad extends LitElement {
  static override properties: PropertyDeclarations = {
    labels: { attribute: false },
    disabled: { type: Boolean },
    digits: { state: true },
  };

  declare labels: {
    delete: string;
    ok: string;
    entered: (count: string) => string;
    num: (n: number) => string;
  };
  declare disabled: boolean;
  declare digits: string;

  constructor() {
    super();
    this.digits = '';
    this.disabled = false;
  }

  protected override createRenderRoot(): HTMLElement {
    return this;
  }

  /** Forget the digits (after a wrong PIN, or when the screen goes). */
  clear(): void {
    this.digits = '';
  }

  #press(key: (typeof KEYS)[number]): void {
    if (this.disabled) return;
    if (key === 'del') this.digits = this.digits.slice(0, -1);
    else if (key === 'ok') {
      if (this.digits.length < 4) return;
      const pin = this.digits;
      this.digits = '';
      this.dispatchEvent(new CustomEvent('pin', { detail: pin, bubbles: true }));
    } else if (this.digits.length < 8) this.digits += key;
  }

  override render() {
    const l = this.labels;
    const dots = Array.from({ length: Math.max(4, this.digits.length) }, (_, i) => i < this.digits.length);
    return html`
      <div class="pin-dots" role="status" aria-live="polite" aria-label=${l.entered(l.num(this.digits.length))}>
        ${dots.map((on) => html`<span class=${on ? 'dot on' : 'dot'}></span>`)}
      </div>
      <div class="pin-grid" dir="ltr" role="group">
        ${KEYS.map((key) =>
          key === 'del'
            ? html`<button type="button" class="key key-del" aria-label=${l.delete} ?disabled=${this.disabled}
                @click=${() => this.#press(key)}>⌫</button>`
            : key === 'ok'
              ? html`<button type="button" class="key key-ok" data-testid="pin-ok"
                  ?disabled=${this.disabled || this.digits.length < 4} @click=${() => this.#press(key)}>${l.ok}</button>`
              : html`<button type="button" class="key" data-key=${key} aria-label=${l.num(Number(key))}
                  ?disabled=${this.disabled} @click=${() => this.#press(key)}>${l.num(Number(key))}</button>`,
        )}
      </div>
    `;
  }
}

customElements.define('lg-pin-pad', LgPinPad);
