// A secret echoed back transformed (other letter case, base64, hex, spaced out, reversed) is
// redacted too, where that is cheap to find; ordinary text is left alone.
import { describe, expect, it } from 'vitest';
import { connectorDefinitionSchema } from '../../main/connectors/definition';
import { Redactor } from '../../main/connectors/redaction';
import { runHttpAction } from '../../main/connectors/http-action';
import { json, useServers } from './helpers';

const SECRET = 'sk_live_51HqLy/+PRIVATE=ME';
const LABEL = '[redacted:stripe_key]';
const base64 = (text: string) => Buffer.from(text, 'utf8').toString('base64');
const base64url = (text: string) => Buffer.from(text, 'utf8').toString('base64url');
const spaced = (text: string, separator: string) => [...text].join(separator);
const reversed = (text: string) => [...text].reverse().join('');

/** Everything of the secret that must not survive: its letters and digits, five or more in a row. */
function leaks(redacted: string): string[] {
  const letters = SECRET.replace(/[^A-Za-z0-9]/g, '');
  const found: string[] = [];
  const rest = redacted.split(LABEL).join(' ');
  const haystacks = [rest, rest.replace(/[^A-Za-z0-9]/g, '')];
  for (let start = 0; start + 5 <= letters.length; start++) {
    const piece = letters.slice(start, start + 5);
    for (const haystack of haystacks) if (haystack.toLowerCase().includes(piece.toLowerCase()) || haystack.toLowerCase().includes(reversed(piece).toLowerCase())) found.push(piece);
  }
  return found;
}

describe('redaction of transformed secrets', () => {
  const redactor = () => new Redactor().add('stripe_key', SECRET);

  it('catches the secret in another letter case, reversed, or spaced and separated', () => {
    const echoes = [
      SECRET.toUpperCase(),
      SECRET.toLowerCase(),
      `key was "${SECRET.toUpperCase()}".`,
      reversed(SECRET),
      spaced(SECRET, ' '),
      spaced(SECRET, '-'),
      spaced(SECRET.toUpperCase(), ' . '),
      `token: ${spaced(SECRET, '\n')} end`,
      spaced(reversed(SECRET), ' '),
    ];
    for (const echo of echoes) {
      const out = redactor().text(echo);
      expect(out, echo).toContain(LABEL);
      expect(leaks(out), `${echo} → ${out}`).toEqual([]);
    }
    expect(redactor().text(`before ${spaced(SECRET, ' ')} after`)).toMatch(/^before \[redacted:stripe_key\]\S* after$/);
  });

  it('catches base64 (standard and url-safe), alone or inside longer encoded text at any position, and hex', () => {
    const echoes = [base64(SECRET), base64url(SECRET), Buffer.from(SECRET).toString('hex'), Buffer.from(SECRET).toString('hex').toUpperCase()];
    for (const prefix of ['', 'a', 'ab', 'abc', 'token=', 'Bearer ']) {
      for (const suffix of ['', '&', '&x', '&xy']) {
        echoes.push(base64(`${prefix}${SECRET}${suffix}`), base64url(`${prefix}${SECRET}${suffix}`));
      }
    }
    for (const echo of echoes) {
      const out = redactor().text(`{"echo":"${echo}"}`);
      expect(out, echo).toContain(LABEL);
      // The secret's bytes in the middle are gone: what is left cannot be decoded back to it.
      const left = out.replace(LABEL, '');
      expect(Buffer.from(left.replace(/[^A-Za-z0-9+/_-]/g, ''), 'base64').toString('latin1')).not.toContain('PRIVATE');
      expect(left).not.toContain(Buffer.from('PRIVATE').toString('hex'));
    }
  });

  it('leaves ordinary text alone, and looks for a short secret only as it is', () => {
    const text = 'Order 1043 shipped on 2024-05-01. Refund of 24.00 EUR approved; see https://example.com/a/b?c=d.';
    expect(redactor().text(text)).toBe(text);
    const short = new Redactor().add('pin', 'ab12');
    expect(short.text('pin ab12, AB12')).toBe('pin [redacted:pin], [redacted:pin]');
    // Transformed forms of a secret under 8 characters would match ordinary text: not looked for.
    expect(short.text('a b 1 2 / 61623132 / 21ba')).toBe('a b 1 2 / 61623132 / 21ba');
    // Characters too far apart are not a spaced-out secret.
    const wide = spaced(SECRET, '          ');
    expect(redactor().text(wide)).toBe(wide);
  });

  it('keeps each form once however often a secret is registered, and a "$" in a name stays literal', () => {
    const once = new Redactor().add('stripe_key', SECRET);
    const often = new Redactor();
    for (let call = 0; call < 500; call++) often.add('stripe_key', SECRET);
    const sizes = (redactor: Redactor) => {
      const inner = redactor as unknown as { needles: unknown[]; loose: unknown[] };
      return [inner.needles.length, inner.loose.length];
    };
    expect(sizes(often)).toEqual(sizes(once));
    expect(new Redactor().add('a$&b', SECRET).text(SECRET.toUpperCase())).toBe('[redacted:a$&b]');
  });
});

describe('redaction of transformed secrets in a live call', () => {
  const serve = useServers();

  it('keeps what a server echoes back transformed out of the recorded answer and error', async () => {
    const server = await serve((req, res) => {
      const token = String(req.headers.authorization).slice('Bearer '.length);
      json(res, 400, { error: { message: `Bad key ${token.toUpperCase()} (${base64(`key:${token}`)})`, hex: Buffer.from(token).toString('hex'), spaced: spaced(token, ' '), reversed: reversed(token) } });
    });
    const definition = connectorDefinitionSchema.parse({
      name: 'stripe',
      baseUrl: `${server.url}/v1`,
      auth: { type: 'bearer', secret: 'stripe_key' },
      actions: [{ name: 'refund', description: 'Refund.', inputSchema: { type: 'object' }, method: 'GET', path: '/refunds' }],
    });
    if (definition.kind === 'mcp') throw new Error('an HTTP connector was expected');
    // The redactor learns the secret when the request's auth is built, as in every live call.
    const redactor = new Redactor();
    const run = await runHttpAction(definition, definition.actions[0]!, {}, { secrets: async () => SECRET, redactor, loopbackPortsForTesting: new Set([server.port]) });
    expect(server.requests[0]!.headers.authorization).toBe(`Bearer ${SECRET}`);
    expect(JSON.stringify(run.response)).toContain(SECRET.toUpperCase());
    // What the runtime records: the request, the answer and the error, each through the redactor.
    const recorded = JSON.stringify([run.request, redactor.value(run.response), redactor.text(run.error!.message)]);
    expect(recorded).toContain(LABEL);
    expect(leaks(recorded), recorded).toEqual([]);
  });
});
