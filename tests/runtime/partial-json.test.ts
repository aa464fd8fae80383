import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { partialStringField } from '../../main/runtime/partial-json';

describe('partialStringField', () => {
  it('reads a string that is still arriving', () => {
    expect(partialStringField('{"message": "Thanks for wa', 'message')).toBe('Thanks for wa');
    expect(partialStringField('{"message": "Line\\nTwo \\"quoted\\" \\u00e9', 'message')).toBe('Line\nTwo "quoted" é');
    expect(partialStringField('{"message": "cut \\', 'message')).toBe('cut ');
    expect(partialStringField('{"mess', 'message')).toBeNull();
  });

  it('agrees with JSON.parse on every prefix of any message', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 60 }), (message) => {
        const json = JSON.stringify({ message });
        let previous = '';
        for (let end = 0; end <= json.length; end++) {
          const partial = partialStringField(json.slice(0, end), 'message') ?? '';
          expect(message.startsWith(partial) || partial === previous).toBe(true);
          previous = partial;
        }
        expect(partialStringField(json, 'message')).toBe(message);
      }),
    );
  });
});
