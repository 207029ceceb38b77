import { describe, expect, it } from 'vitest';
import { parseScript } from './script.ts';

describe('parseScript', () => {
  it('reads directives in order and leaves other lines alone', () => {
    const { directives, unknown } = parseScript(
      [
        'Please fix the bug.',
        '@sim say hello   world ',
        '  @sim sleep 0.25',
        '@sim tool Grep',
        '@sim lines 3',
        '@sim lines 4 200',
        '@sim rate_limit 30',
        '@sim rate_limit 5 2',
        '@sim cost 0.42',
        '@sim fail disk on fire',
        '@sim exit 2',
        'mention @sim say inline is just text',
        '@simulate nothing',
      ].join('\r\n'),
    );
    expect(directives).toEqual([
      { kind: 'say', text: 'hello   world' },
      { kind: 'sleep', seconds: 0.25 },
      { kind: 'tool', name: 'Grep' },
      { kind: 'lines', count: 3, bytes: 80 },
      { kind: 'lines', count: 4, bytes: 200 },
      { kind: 'rate_limit', seconds: 30, times: 1 },
      { kind: 'rate_limit', seconds: 5, times: 2 },
      { kind: 'cost', usd: 0.42 },
      { kind: 'fail', text: 'disk on fire' },
      { kind: 'exit', code: 2 },
    ]);
    expect(unknown).toEqual([]);
  });

  it('reports @sim lines it cannot read instead of dropping them silently', () => {
    expect(parseScript('@sim sya hi\n@sim').unknown).toEqual(['@sim sya hi', '@sim']);
  });

  it('finds nothing in an ordinary prompt', () => {
    expect(parseScript('Refactor the parser; see @sim.ts').directives).toEqual([]);
  });
});
