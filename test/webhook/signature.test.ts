import { createHmac, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { RequestRefusedError } from '../../lambdas/webhook/errors';
import { verifySignature } from '../../lambdas/webhook/signature';
import { fixtureText } from '../support/fixtures';

const KEY = randomBytes(32);
const SIGNING_TOKEN = `whsec_${KEY.toString('base64')}`;
const NOW_MS = 1_795_000_000_000;
const BODY = Buffer.from(fixtureText('job-hook-pending'));
const ID = '4f5e1a9c-2b7d-4a61-9d0e-7c1f2e3a4b5c';

function sign(id: string, timestamp: string, body: Buffer, key: Buffer = KEY): string {
  return `v1,${createHmac('sha256', key).update(`${id}.${timestamp}.`).update(body).digest('base64')}`;
}

function refusal(run: () => void): string {
  try {
    run();
  } catch (error) {
    if (error instanceof RequestRefusedError) return error.reason;
    throw error;
  }
  return 'accepted';
}

const timestamp = String(NOW_MS / 1000);

describe('verifySignature (Standard Webhooks, as GitLab signs hooks)', () => {
  it.each<[string, Parameters<typeof verifySignature>[0], Buffer, string]>([
    ['a valid signature', { id: ID, timestamp, signature: sign(ID, timestamp, BODY) }, BODY, 'accepted'],
    [
      'several signatures of which one is valid (a token being rotated)',
      {
        id: ID,
        timestamp,
        signature: `v1,${randomBytes(32).toString('base64')} ${sign(ID, timestamp, BODY)}`,
      },
      BODY,
      'accepted',
    ],
    [
      'a tampered body',
      { id: ID, timestamp, signature: sign(ID, timestamp, BODY) },
      Buffer.from(`${BODY} `),
      'bad_signature',
    ],
    [
      'a signature made with another key',
      { id: ID, timestamp, signature: sign(ID, timestamp, BODY, randomBytes(32)) },
      BODY,
      'bad_signature',
    ],
    [
      'a signature over another webhook-id',
      { id: 'other', timestamp, signature: sign(ID, timestamp, BODY) },
      BODY,
      'bad_signature',
    ],
    [
      'an unknown scheme only',
      { id: ID, timestamp, signature: sign(ID, timestamp, BODY).replace('v1,', 'v2,') },
      BODY,
      'bad_signature',
    ],
    [
      'a signature that is not base64 of a digest',
      { id: ID, timestamp, signature: 'v1,abc' },
      BODY,
      'bad_signature',
    ],
    [
      'a timestamp six minutes old',
      {
        id: ID,
        timestamp: String(NOW_MS / 1000 - 360),
        signature: sign(ID, String(NOW_MS / 1000 - 360), BODY),
      },
      BODY,
      'stale_signature',
    ],
    [
      'a timestamp six minutes ahead',
      {
        id: ID,
        timestamp: String(NOW_MS / 1000 + 360),
        signature: sign(ID, String(NOW_MS / 1000 + 360), BODY),
      },
      BODY,
      'stale_signature',
    ],
    [
      'a timestamp that is not a number',
      { id: ID, timestamp: 'yesterday', signature: sign(ID, 'yesterday', BODY) },
      BODY,
      'stale_signature',
    ],
    ['no webhook-signature header', { id: ID, timestamp, signature: undefined }, BODY, 'missing_signature'],
    [
      'no webhook-id header',
      { id: undefined, timestamp, signature: sign(ID, timestamp, BODY) },
      BODY,
      'missing_signature',
    ],
    [
      'no webhook-timestamp header',
      { id: ID, timestamp: undefined, signature: sign(ID, timestamp, BODY) },
      BODY,
      'missing_signature',
    ],
  ])('gives %s the verdict %s', (_label, headers, body, verdict) => {
    expect(refusal(() => verifySignature(headers, body, SIGNING_TOKEN, NOW_MS))).toBe(verdict);
  });

  it('accepts a timestamp four minutes old', () => {
    const old = String(NOW_MS / 1000 - 240);

    expect(
      refusal(() =>
        verifySignature(
          { id: ID, timestamp: old, signature: sign(ID, old, BODY) },
          BODY,
          SIGNING_TOKEN,
          NOW_MS,
        ),
      ),
    ).toBe('accepted');
  });
});
