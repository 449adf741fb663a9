/**
 * IPv4/IPv6 addresses and CIDR blocks for `IpAddress`/`NotIpAddress` (IAM User Guide, "Condition
 * operators › IP address condition operators": RFC 4632 CIDR format, IPv4 and IPv6; a value without
 * a prefix length is a single address).
 */

/** A parsed address: 4 bytes (IPv4) or 8 16-bit groups (IPv6). */
export interface IpValue {
  readonly v6: boolean;
  readonly words: readonly number[];
}

/** A CIDR block. */
export interface Cidr extends IpValue {
  readonly prefix: number;
}

function parseV4(text: string): number[] | undefined {
  const parts = text.split('.');
  if (parts.length !== 4) return undefined;
  const out: number[] = [];
  for (const p of parts) {
    if (!/^\d{1,3}$/.test(p)) return undefined;
    const n = Number(p);
    if (n > 255) return undefined;
    out.push(n);
  }
  return out;
}

function parseV6(text: string): number[] | undefined {
  let body = text;
  let tail: number[] = [];
  // An embedded IPv4 tail (`::ffff:192.0.2.1`) supplies the last two groups (RFC 4291 section 2.2).
  const lastColon = text.lastIndexOf(':');
  if (text.includes('.', lastColon)) {
    const v4 = parseV4(text.slice(lastColon + 1));
    if (!v4) return undefined;
    tail = [((v4[0] as number) << 8) | (v4[1] as number), ((v4[2] as number) << 8) | (v4[3] as number)];
    const head = text.slice(0, lastColon + 1);
    body = head.endsWith('::') ? head : text.slice(0, lastColon);
  }
  const target = 8 - tail.length;
  const groups = (s: string): number[] | undefined => {
    if (s === '') return [];
    const out: number[] = [];
    for (const g of s.split(':')) {
      if (!/^[0-9a-fA-F]{1,4}$/.test(g)) return undefined;
      out.push(parseInt(g, 16));
    }
    return out;
  };
  const halves = body.split('::');
  if (halves.length > 2) return undefined;
  const head = groups(halves[0] as string);
  if (!head) return undefined;
  let words = head;
  if (halves.length === 2) {
    const rest = groups(halves[1] as string);
    if (!rest) return undefined;
    const fill = target - head.length - rest.length;
    if (fill < 1) return undefined;
    words = [...head, ...new Array<number>(fill).fill(0), ...rest];
  }
  return words.length === target ? [...words, ...tail] : undefined;
}

/** Parses an address. `undefined` when it is not a valid IPv4 or IPv6 address. */
export function parseIp(text: string): IpValue | undefined {
  if (text.includes(':')) {
    const w = parseV6(text);
    return w ? { v6: true, words: w } : undefined;
  }
  const w = parseV4(text);
  return w ? { v6: false, words: w } : undefined;
}

/** Parses `address[/prefix]`. */
export function parseCidr(text: string): Cidr | undefined {
  const slash = text.indexOf('/');
  const ip = parseIp(slash < 0 ? text.trim() : text.slice(0, slash).trim());
  if (!ip) return undefined;
  const max = ip.v6 ? 128 : 32;
  if (slash < 0) return { ...ip, prefix: max };
  const ps = text.slice(slash + 1).trim();
  if (!/^\d{1,3}$/.test(ps)) return undefined;
  const prefix = Number(ps);
  return prefix <= max ? { ...ip, prefix } : undefined;
}

/** True when `ip` lies inside `cidr` (families must agree). */
export function cidrContains(cidr: Cidr, ip: IpValue): boolean {
  if (cidr.v6 !== ip.v6) return false;
  const bits = ip.v6 ? 16 : 8;
  let left = cidr.prefix;
  for (let i = 0; left > 0; i++, left -= bits) {
    const a = cidr.words[i] as number;
    const b = ip.words[i] as number;
    if (left >= bits) {
      if (a !== b) return false;
    } else {
      const shift = bits - left;
      if (a >> shift !== b >> shift) return false;
    }
  }
  return true;
}
