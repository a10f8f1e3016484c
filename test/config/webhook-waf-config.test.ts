import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../lib/config/load';
import { shipped } from '../support/template';

const withWaf = (waf: unknown): string =>
  JSON.stringify({ ...shipped, webhook: { ...shipped.webhook, waf } });

describe('configuration: webhook WAF', () => {
  it('is off unless webhook.waf is given', () => {
    expect(shipped.webhook.waf).toBeUndefined();
  });

  it('turns on with its defaults from an empty block: 3,000 requests per IP in 5 minutes, nothing exempt', () => {
    expect(parseConfig(withWaf({})).webhook.waf).toEqual({
      requestsPerIp: 3000,
      windowSeconds: 300,
      exemptSourceCidrs: [],
      createAccountLogRole: true,
    });
  });

  it('takes IPv4 and IPv6 ranges to exempt', () => {
    const waf = parseConfig(withWaf({ exemptSourceCidrs: ['203.0.113.0/24', '2001:db8::/32'] })).webhook.waf;

    expect(waf?.exemptSourceCidrs).toEqual(['203.0.113.0/24', '2001:db8::/32']);
  });

  it.each<[string, unknown, RegExp]>([
    ['a limit below WAF’s minimum of 10', { requestsPerIp: 9 }, /webhook\.waf\.requestsPerIp/],
    [
      'a window WAF does not offer',
      { windowSeconds: 30 },
      /webhook\.waf\.windowSeconds.*60, 120, 300 or 600/s,
    ],
    [
      'an address that is not a CIDR',
      { exemptSourceCidrs: ['gitlab.com'] },
      /webhook\.waf\.exemptSourceCidrs\[0\].*CIDR/s,
    ],
    ['an unknown key', { limit: 100 }, /webhook\.waf.*limit/s],
    ['true instead of a block', true, /webhook\.waf/],
  ])('refuses %s, naming the key', (_, waf, message) => {
    expect(() => parseConfig(withWaf(waf))).toThrow(message);
  });
});
