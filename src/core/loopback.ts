// Which addresses and host names are this machine's: the only ones the hub's local secret is
// accepted from or sent to.

/** Whether a client address is this machine's (IPv4 or IPv6 loopback, or IPv4 mapped in IPv6). */
export function isLoopbackAddress(address: string): boolean {
  return address === '::1' || /^(::ffff:)?127\.\d+\.\d+\.\d+$/.test(address);
}

/** Whether a host name or address (IPv6 with or without brackets) names this machine's loopback. */
export function isLoopbackHost(host: string): boolean {
  const name = host.replace(/^\[(.*)\]$/, '$1');
  return name === 'localhost' || name === '::1' || /^127\.\d+\.\d+\.\d+$/.test(name);
}
