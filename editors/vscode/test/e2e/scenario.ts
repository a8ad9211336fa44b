/**
 * One end-to-end scenario: a fresh code-server with the given extensions, a browser on the
 * workbench with `folder` open, the body, then teardown (browser, then code-server's whole
 * process tree). When the body fails, code-server's output and VS Code's logs (extension
 * host, output channels: the language clients and servers) are copied into the scenario's
 * artefacts folder next to its screenshots (always, with BORROWLENS_E2E_KEEP_LOGS=1).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

import { CodeServer, type CodeServerOptions } from './codeServer';
import { scenarioArtifacts } from './tools';
import { Workbench } from './workbench';

export interface Scenario {
  server: CodeServer;
  workbench: Workbench;
  artifacts: string;
}

export async function runScenario(
  name: string,
  folder: string,
  options: CodeServerOptions,
  body: (scenario: Scenario) => Promise<void>,
): Promise<void> {
  const artifacts = scenarioArtifacts(name);
  const started = Date.now();
  const timings: string[] = [];
  const mark = (what: string, since: number): number => timings.push(`${what}: ${((Date.now() - since) / 1000).toFixed(1)} s`);
  let server: CodeServer | undefined;
  let workbench: Workbench | undefined;
  let failed = true;
  try {
    const serverStarted = Date.now();
    server = await CodeServer.start(options);
    mark('code-server (extensions installed, HTTP up)', serverStarted);
    workbench = await Workbench.open(server.folderUrl(folder), artifacts);
    await body({ server, workbench, artifacts });
    failed = false;
  } finally {
    if (workbench) {
      timings.push(...workbench.steps.map((step) => `  ${step}`));
      await workbench.close();
    }
    if (server) {
      if (failed || process.env.BORROWLENS_E2E_KEEP_LOGS === '1') {
        try {
          server.collectLogs(path.join(artifacts, 'logs'));
        } catch (error) {
          timings.push(`(could not copy the logs: ${String(error)})`);
        }
      }
      await server.stop();
    }
    mark(`scenario ${name}${failed ? ' (FAILED)' : ''}`, started);
    fs.writeFileSync(path.join(artifacts, 'timings.txt'), `${timings.join('\n')}\n`);
    console.log(`[${name}] artefacts in ${artifacts}\n${timings.join('\n')}`);
  }
}
