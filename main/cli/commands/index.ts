import type { Command } from '../io';
import { chatCommand } from './chat';
import { draftCommand } from './draft';
import { fmtCommand } from './fmt';
import { graphCommand } from './graph';
import { improveCommand } from './improve';
import { validateCommand } from './validate';
import { exportCommand, importCommand, keysCommand, verifyCommand } from './bundles';
import { connectorsCommand } from './connectors';
import { knowledgeCommand } from './knowledge';
import { publishCommand } from './publish';
import { serveCommand, serveKeysCommand } from './serve';
import { simulateCommand } from './simulate';
import { simulationsCommand } from './simulations';
import { workspaceCommand } from './workspace';

export const commands: Command[] = [validateCommand, graphCommand, fmtCommand, workspaceCommand, knowledgeCommand, publishCommand, exportCommand, verifyCommand, importCommand, keysCommand, chatCommand, connectorsCommand, simulateCommand, simulationsCommand, draftCommand, improveCommand, serveCommand, serveKeysCommand];
