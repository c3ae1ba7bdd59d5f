import { describe, expect, it } from 'vitest';
import { clientAddressKey } from './clientAddress';

describe('clientAddressKey', () => {
  it('keeps an IPv4 address, also when mapped into IPv6', () => {
    expect(clientAddressKey('127.0.0.2')).toBe('127.0.0.2');
    expect(clientAddressKey('::ffff:10.1.2.3')).toBe('10.1.2.3');
  });

  it('counts IPv6 addresses by their /64, however they are written', () => {
    expect(clientAddressKey('2001:db8:0:1::7')).toBe('2001:db8:0:1::/64');
    expect(clientAddressKey('2001:0db8:0000:0001:aaaa:bbbb:cccc:dddd')).toBe('2001:db8:0:1::/64');
    expect(clientAddressKey('fe80::1%eth0')).toBe('fe80:0:0:0::/64');
    expect(clientAddressKey('::1')).toBe('0:0:0:0::/64');
    expect(clientAddressKey('2001:db8:0:2::7')).not.toBe(clientAddressKey('2001:db8:0:1::7'));
  });

  it('names a missing address', () => {
    expect(clientAddressKey(undefined)).toBe('unknown');
  });
});
