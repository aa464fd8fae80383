import type { Command } from '../io';
import { fmtCommand } from './fmt';
import { graphCommand } from './graph';
import { validateCommand } from './validate';

export const commands: Command[] = [validateCommand, graphCommand, fmtCommand];
