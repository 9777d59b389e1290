// Unit checks of what the contract test does not reach: every site's URLs and the escaping functions on their own.
import { describe, expect, it } from 'vitest';
import { datadogUrls } from './api.ts';
import { logLiteralTerm, logPhrase, metricScope, toLogQuery } from './query.ts';

describe('Datadog sites', () => {
  it('answers the API and app URLs of US1, EU, US3, US5 and AP1, and the overrides', () => {
    const urls = (site: 'US1' | 'EU' | 'US3' | 'US5' | 'AP1') => datadogUrls({ site });
    expect(urls('US1')).toEqual({ api: 'https://api.datadoghq.com', app: 'https://app.datadoghq.com' });
    expect(urls('EU')).toEqual({ api: 'https://api.datadoghq.eu', app: 'https://app.datadoghq.eu' });
    expect(urls('US3')).toEqual({ api: 'https://api.us3.datadoghq.com', app: 'https://us3.datadoghq.com' });
    expect(urls('US5')).toEqual({ api: 'https://api.us5.datadoghq.com', app: 'https://us5.datadoghq.com' });
    expect(urls('AP1')).toEqual({ api: 'https://api.ap1.datadoghq.com', app: 'https://ap1.datadoghq.com' });
    expect(datadogUrls({ site: 'EU', url: 'http://proxy:8080', externalUrl: 'https://acme.datadoghq.eu/' })).toEqual({ api: 'http://proxy:8080', app: 'https://acme.datadoghq.eu' });
  });
});

describe('Datadog query escaping', () => {
  it('quotes phrases and escapes every special character of a wildcard term', () => {
    expect(logPhrase('a "b" \\ c')).toBe('"a \\"b\\" \\\\ c"');
    expect(logLiteralTerm('a b:c*(d)|e\\')).toBe('a\\ b\\:c\\*\\(d\\)\\|e\\\\');
    expect(toLogQuery({ services: ['checkout', 'cart'], levels: ['ERROR'], text: 'x' }, { service: 'service', environment: 'env' })).toBe(
      'service:("checkout" OR "cart") status:"error" "x"',
    );
    expect(toLogQuery({}, { service: 'service', environment: 'env' })).toBe('*');
    expect(toLogQuery({ levels: ['WARN', 'UNKNOWN'] }, { service: 'service', environment: 'env' })).toMatch(/^\(status:\("warn" OR "warning"\) OR -status:\("debug" OR .*"fatal"\)\)$/);
  });

  it('writes metric tag filters in the boolean syntax and refuses what a tag cannot hold', () => {
    expect(metricScope({ services: ['checkout', 'cart'], environment: 'production', labels: [{ name: 'host', op: 'NOT_EQUALS', value: 'h1' }] }, { service: 'service', environment: 'env' })).toBe(
      '(service:checkout OR service:cart) AND env:production AND !host:h1',
    );
    expect(() => metricScope({ environment: 'prod} by {host' }, { service: 'service', environment: 'env' })).toThrow(/cannot be a Datadog tag value/);
  });
});
