import { html, LitElement, nothing, type PropertyDeclarations, type PropertyValues } from 'lit';
import QRCode from 'qrcode';

/** The voucher code as a QR code (an SVG data URL: no canvas, no network). */
export class LgQr extends LitElement {
  static override properties: PropertyDeclarations = {
    value: { type: String },
    label: { type: String },
    src: { state: true },
  };

  declare value: string;
  declare label: string;
  declare src: string;

  constructor() {
    super();
    this.value = '';
    this.label = '';
    this.src = '';
  }

  protected override createRenderRoot(): HTMLElement {
    return this;
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    if (!changed.has('value')) return;
    const value = this.value;
    if (!value) {
      this.src = '';
      return;
    }
    QRCode.toString(value, { type: 'svg', margin: 1, errorCorrectionLevel: 'M' })
      .then((svg) => {
        if (this.value === value) this.src = `data:image/svg+xml;charset=utf-8,${encodeURIComponent(svg)}`;
      })
      .catch(() => {
        this.src = '';
      });
  }

  override render() {
    return this.src
      ? html`<img class="qr" src=${this.src} alt=${this.label} width="160" height="160" />`
      : nothing;
  }
}

customElements.define('lg-qr', LgQr);
