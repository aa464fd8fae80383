// One question asked on the terminal, answered on stdin (the prompt goes to stderr, so stdout stays the command's output).
import { createInterface } from 'node:readline/promises';

export async function terminalAsk(question: string): Promise<string> {
  const readline = createInterface({ input: process.stdin, output: process.stderr });
  try {
    return await readline.question(question);
  } finally {
    readline.close();
  }
}
