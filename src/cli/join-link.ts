// The link that signs a browser in with a pair code, and the same as a QR code for a phone.

/** `<hub>/join#CODE`: the code rides in the fragment, which browsers never send to a server. */
export function joinLink(hubUrl: string, code: string): string {
  return `${hubUrl.replace(/\/+$/, '')}/join#${code}`;
}

/** The link as a QR code drawn with Unicode half blocks, for a terminal. */
export async function qrText(link: string): Promise<string> {
  const { renderUnicodeCompact } = await import('uqr'); // only `--qr` needs it
  return renderUnicodeCompact(link, { border: 2 });
}
