/**
 * What a sidecar inherits from main's environment, seen from inside the sidecar (the fake echoes
 * `process.env`): by default secrets, Electron's and Node's own variables stay behind; `minimal`
 * keeps only the basics; a list adds names to `minimal`; `all` passes everything; variables from
 * the manifest's `launch()` always arrive.
 */
import type { EnvPolicy } from '../registry';
import { isScrubbed, sidecarEnv } from '../registry/internal';
import { fakeManifest } from './fixtures/fake-manifest';
import { makeRegistry } from './helpers';

const MAIN_ENV = {
  PATH: process.env.PATH,
  HOME: '/home/someone',
  LC_ALL: 'C.UTF-8',
  FOO: 'bar',
  MYAPP_MODE: 'dev',
  ELECTRON_RUN_AS_NODE: '1',
  NODE_OPTIONS: '--no-warnings',
  npm_config__authToken: 'npm-secret',
  GITHUB_TOKEN: 'gh-secret',
  AWS_SECRET_ACCESS_KEY: 'aws-secret',
  OPENAI_API_KEY: 'api-secret',
  DB_PASSWORD: 'pw',
};

async function envSeen(env?: EnvPolicy): Promise<Record<string, string>> {
  const manifest = { ...fakeManifest('env'), env, launch: () => ({ args: ['--name', 'env'], env: { FROM_LAUNCH: 'yes' } }) };
  const registry = makeRegistry([manifest], { resolve: { env: MAIN_ENV } });
  const { env: seen } = (await registry.call('env', 'test/env', {})) as { env: Record<string, string> };
  return seen;
}

const SECRETS = ['ELECTRON_RUN_AS_NODE', 'NODE_OPTIONS', 'npm_config__authToken', 'GITHUB_TOKEN', 'AWS_SECRET_ACCESS_KEY', 'OPENAI_API_KEY', 'DB_PASSWORD'];

test('by default secrets and Electron/Node/npm variables stay in main; the rest is inherited', async () => {
  const seen = await envSeen();
  for (const name of SECRETS) expect(seen).not.toHaveProperty(name);
  expect(seen).toMatchObject({ FOO: 'bar', MYAPP_MODE: 'dev', HOME: '/home/someone', FROM_LAUNCH: 'yes' });
});

test('minimal keeps only the basics', async () => {
  const seen = await envSeen({ inherit: 'minimal' });
  expect(Object.keys(seen).sort()).toEqual(['FROM_LAUNCH', 'HOME', 'LC_ALL', 'PATH'].filter((k) => k !== 'PATH' || MAIN_ENV.PATH));
});

test('a list adds names and prefixes to minimal', async () => {
  const seen = await envSeen({ inherit: ['FOO', 'MYAPP_*'] });
  expect(seen).toMatchObject({ FOO: 'bar', MYAPP_MODE: 'dev', HOME: '/home/someone', FROM_LAUNCH: 'yes' });
  for (const name of SECRETS) expect(seen).not.toHaveProperty(name);
});

test('all passes everything', async () => {
  const seen = await envSeen({ inherit: 'all' });
  for (const name of SECRETS) expect(seen).toHaveProperty(name);
});

test('the scrubbing rule on its own', () => {
  expect(['SSH_AUTH_SOCK', 'STRIPE_KEY', 'Electron_Enable_Logging', 'NODE_CHANNEL_FD'].every(isScrubbed)).toBe(true);
  expect(['PATH', 'KEYBOARD_LAYOUT', 'TOKENIZERS_PARALLELISM', 'NODE_ENV', 'CARGO_HOME'].some(isScrubbed)).toBe(false);
  expect(sidecarEnv({ A: 'x', B: undefined }, { inherit: 'all' }, { C: 'y' })).toEqual({ A: 'x', C: 'y' });
});

test('a manifest with an unknown env policy is rejected naming the field', () => {
  expect(() => makeRegistry([{ ...fakeManifest('bad'), env: { inherit: 'everything' as never } }])).toThrow(/env/);
});
