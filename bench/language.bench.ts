// Parse, validate and graph a generated 2,000-line Procedure: the work the editor redoes on every
// keystroke. Budget: median under 5 ms for all three together. The code is measured as the app
// ships it (bundled for the browser), and the text changes on every run as it does when typing.
import type * as Language from '../shared/procedure';
import type { ValidationContext } from '../shared/procedure';
import { importBundled } from './bundle';
import { largeProcedure } from './fixtures/large-procedure';
import { ms, time } from './stats';

const BUDGET_MS = 5;

export async function run(): Promise<boolean> {
  const { parse, toGraph, validate } = await importBundled<typeof Language>('shared/procedure/index.ts');
  const text = largeProcedure(2000);
  const lineCount = text.split('\n').length;
  const context: ValidationContext = {
    connectors: { shop: { actions: ['get_order'] } },
    procedures: { 'Large procedure': { calls: ['Verify identity'] }, 'Verify identity': { calls: [] } },
  };
  const document = parse(text).document;
  const graph = toGraph(document);
  const diagnostics = validate(document, context, graph);

  // A keystroke in the middle of the body: each run sees a different text.
  const middle = text.indexOf('## Step 50');
  let keystrokes = 0;
  const typed = () => {
    keystrokes += 1;
    return `${text.slice(0, middle)}Typed ${'x'.repeat(keystrokes % 7)}\n${text.slice(middle)}`;
  };
  // An edit in the front matter, which also re-reads the YAML header.
  let renames = 0;
  const renamed = () => text.replace('name: Large procedure', `name: Large procedure ${++renames}`);
  const all = (source: string) => {
    const parsed = parse(source).document;
    validate(parsed, context, toGraph(parsed));
  };

  const parseTime = time(() => parse(typed()));
  const validateTime = time(() => validate(document, context, graph));
  const graphTime = time(() => toGraph(document));
  const keystroke = time(() => all(typed()));
  const headerEdit = time(() => all(renamed()));

  console.log(`language: ${lineCount}-line Procedure, ${document.steps.length} steps, ${graph.nodes.length} nodes, ${graph.edges.length} edges, ${diagnostics.length} diagnostics`);
  console.log(`  parse                                  median ${ms(parseTime.median)}  p95 ${ms(parseTime.p95)}`);
  console.log(`  validate                               median ${ms(validateTime.median)}  p95 ${ms(validateTime.p95)}`);
  console.log(`  toGraph                                median ${ms(graphTime.median)}  p95 ${ms(graphTime.p95)}`);
  console.log(`  all three, after a keystroke in a step median ${ms(keystroke.median)}  p95 ${ms(keystroke.p95)}`);
  console.log(`  all three, after an edit of the header median ${ms(headerEdit.median)}  p95 ${ms(headerEdit.p95)}`);
  const pass = keystroke.median < BUDGET_MS && headerEdit.median < BUDGET_MS;
  console.log(`  budget: median < ${BUDGET_MS} ms for both: ${pass ? 'PASS' : 'FAIL'}`);
  return pass;
}
