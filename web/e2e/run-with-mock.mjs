// Runs the browser test against the mock server (e2e/mock-server.mjs) on a free port, twice:
// once with a common name and once with a rare-character name outside the BMP (王𠀾).
import { startMock } from './mock-server.mjs';
import { runE2E } from './run.mjs';

const { server, url } = await startMock({ port: 0, quiet: true });
let failed = 0;
try {
  for (const [name, prefix] of [['张三', 'mock-'], ['王𠀾', 'mock-rare-']]) {
    const r = await runE2E({ url, login: 'police1', password: 'demo1234', name, prefix });
    if (r.failed > 0 || r.passed === 0) failed++;
  }
} finally {
  server.close();
}
process.exitCode = failed ? 1 : 0;
