/**
 * How the registry wraps a local launch in skaffa-reaper (registry/launch/contain.ts), without
 * starting processes: the command line main spawns, both ways to opt out, and the fallback when
 * the reaper cannot be found (said once, and the sidecar still starts).
 */
import { SidecarError } from '../core/errors';
import type { ILogger } from '../core/logger';
import type { SpawnRequest } from '../core/process/contract';
import type { IBinaryResolver } from '../registry/binary/contract';
import { Containment } from '../registry/launch/contain';
import { defineSidecar, type LaunchOptions } from '../registry';

const manifest = defineSidecar({ name: 'm', binary: { name: 'skaffa-m' }, methods: { 'x/y': { params: {}, result: {} } } });
const local: SpawnRequest = { command: '/bin/skaffa-m', args: ['--root', '/w'], env: { A: '1' }, cwd: '/c' };

function setup(found: boolean, options: LaunchOptions = {}) {
  const warnings: string[] = [];
  const logger: ILogger = { debug() {}, info() {}, error() {}, warn: (m) => warnings.push(m) };
  const resolver: IBinaryResolver = {
    resolve: (name, spec) => {
      if (!found) throw new SidecarError('BINARY_NOT_FOUND', `no ${name}`, { sidecar: name });
      return { path: `/bin/${'name' in spec ? spec.name : ''}`, source: 'dev', candidates: [] };
    },
  };
  return { warnings, containment: new Containment(resolver, logger, options, 4242) };
}

test('a local launch runs under the reaper, watching main, with the sidecar command after --', () => {
  const { containment } = setup(true);
  expect(containment.wrap(manifest, local)).toEqual({
    command: '/bin/skaffa-reaper',
    args: ['--parent', '4242', '--', '/bin/skaffa-m', '--root', '/w'],
    env: { A: '1' },
    cwd: '/c',
  });
});

test('contain: false in the manifest or in the launch options starts the sidecar directly', () => {
  expect(setup(true).containment.wrap({ ...manifest, contain: false }, local)).toBe(local);
  expect(setup(true, { contain: false }).containment.wrap(manifest, local)).toBe(local);
});

test('a missing reaper is said once in the log and the sidecar starts directly', () => {
  const { containment, warnings } = setup(false);
  expect(containment.wrap(manifest, local)).toBe(local);
  expect(containment.wrap(manifest, local)).toBe(local);
  expect(warnings).toHaveLength(1);
  expect(warnings[0]).toMatch(/skaffa-reaper not found.*no reaper/);
});
