import QRCode from 'qrcode';

/** A QR code as an SVG document, drawn here: the secret it holds never goes to another service. */
export async function qrSvg(text: string): Promise<string> {
  return QRCode.toString(text, { type: 'svg', errorCorrectionLevel: 'M', margin: 2 });
}
