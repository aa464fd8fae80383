// A suite's runs as JUnit XML, so CI systems show each simulation try as a test case: one
// <testsuite> per Procedure, a <failure> (or <error>) that says which checks failed, whose failure
// each is and why, and the transcript in <system-out>. Written with a tiny escaping writer.

export interface JunitCase {
  procedure: string;
  name: string;
  seconds: number;
  status: 'passed' | 'failed' | 'error';
  /** One line per failed check. */
  failures: string[];
  summary: string;
  output: string;
}

/** Text for XML content and attribute values: markup escaped, characters XML 1.0 forbids removed. */
export function escapeXml(text: string): string {
  return (
    text
      // eslint-disable-next-line no-control-regex
      .replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/g, '')
      .replace(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, '')
      .replace(/&/g, '&amp;')
      .replace(/</g, '&lt;')
      .replace(/>/g, '&gt;')
      .replace(/"/g, '&quot;')
      .replace(/'/g, '&apos;')
  );
}

const attributes = (values: Record<string, string | number>) =>
  Object.entries(values)
    .map(([name, value]) => ` ${name}="${escapeXml(String(value))}"`)
    .join('');

const seconds = (value: number) => value.toFixed(3);

export function junitXml(cases: readonly JunitCase[], name = 'stepwise simulate'): string {
  const count = (list: readonly JunitCase[], status: JunitCase['status']) => list.filter((entry) => entry.status === status).length;
  const total = (list: readonly JunitCase[]) => list.reduce((sum, entry) => sum + entry.seconds, 0);
  const procedures = [...new Set(cases.map((entry) => entry.procedure))];
  const lines = ['<?xml version="1.0" encoding="UTF-8"?>'];
  lines.push(`<testsuites${attributes({ name, tests: cases.length, failures: count(cases, 'failed'), errors: count(cases, 'error'), time: seconds(total(cases)) })}>`);
  for (const procedure of procedures) {
    const mine = cases.filter((entry) => entry.procedure === procedure);
    lines.push(`  <testsuite${attributes({ name: procedure, tests: mine.length, failures: count(mine, 'failed'), errors: count(mine, 'error'), skipped: 0, time: seconds(total(mine)) })}>`);
    for (const entry of mine) {
      lines.push(`    <testcase${attributes({ classname: procedure, name: entry.name, time: seconds(entry.seconds) })}>`);
      if (entry.status !== 'passed') {
        const tag = entry.status === 'failed' ? 'failure' : 'error';
        lines.push(`      <${tag}${attributes({ message: entry.summary, type: entry.status })}>${escapeXml(entry.failures.join('\n'))}</${tag}>`);
      }
      if (entry.output) lines.push(`      <system-out>${escapeXml(entry.output)}</system-out>`);
      lines.push('    </testcase>');
    }
    lines.push('  </testsuite>');
  }
  lines.push('</testsuites>');
  return `${lines.join('\n')}\n`;
}
