// Structured JSON logs (pino). Every line of a request carries its request id (a child logger);
// the bearer token and every secret value the server holds are scrubbed from the final line, so
// no path of a log call can write one.
import pino, { type Logger } from 'pino';

export type { Logger };

export function createLogger(options: { level: string; secrets: () => readonly string[]; destination?: pino.DestinationStream }): Logger {
  const scrub = (line: string) => {
    let out = line.replace(/Bearer\s+[A-Za-z0-9._~+/=-]+/g, 'Bearer [REDACTED]').replace(/swk_[A-Za-z0-9_-]{20,}/g, '[REDACTED]');
    for (const value of options.secrets()) if (value.length >= 4) out = out.split(JSON.stringify(value).slice(1, -1)).join('[REDACTED]');
    return out;
  };
  return pino(
    {
      level: options.level,
      base: { service: 'stepwise-server' },
      redact: { paths: ['req.headers.authorization', 'headers.authorization', '*.apiKey', '*.secret', '*.token'], censor: '[REDACTED]' },
      hooks: { streamWrite: scrub },
    },
    options.destination ?? pino.destination(1),
  );
}
