// Which client addresses are this machine's: the only ones the hub's local secret is accepted from.

/** Whether a client address is this machine's (IPv4 or IPv6 loopback, or IPv4 mapped in IPv6). */
export function isLoopbackAddress(address: string): boolean {
  return address === '::1' || /^(::ffff:)?127\.\d+\.\d+\.\d+$/.test(address);
}
