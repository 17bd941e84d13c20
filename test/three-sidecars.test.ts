/**
 * The pluggability proof: the example that registers the workspace (Rust), markdown (Rust) and
 * diff (Node) sidecars by manifest alone starts all three, gets a real answer from each, and
 * leaves no process behind.
 */
import { runThreeSidecars } from '../examples/three-sidecars';
import { isAlive } from './helpers';
import { makeWorkspace } from './workspace/fixture';

test('three sidecars in two languages start, answer and shut down', async () => {
  const root = makeWorkspace({ 'README.md': '# Fixture\n\n## Usage\ntext\n\n### Details\n' });
  const report = await runThreeSidecars(root);
  expect(report.started.map((s) => [s.name, s.state])).toEqual([
    ['workspace', 'ready'],
    ['markdown', 'ready'],
    ['diff', 'ready'],
  ]);
  expect(report.readme.path).toBe('README.md');
  expect(report.outline).toEqual(['Fixture (line 1)', '  Usage (line 3)', '    Details (line 6)']);
  expect(report.diff).toEqual({ added: 1, removed: 1 });
  for (const s of report.started) expect(isAlive(s.pid!)).toBe(false);
});
