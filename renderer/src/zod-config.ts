// zod probes for eval (new Function) to speed up parsing; the app's CSP forbids eval, so the probe
// would be reported as a violation. Imported first, before any schema is used.
import { z } from 'zod';

z.config({ jitless: true });
