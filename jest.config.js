// Jest runs the TypeScript sources directly through ts-jest (TypeScript 5.x: ts-jest needs the
// compiler API that TypeScript 7 no longer ships). Tests spawn real child processes, so they run
// with generous timeouts and never rely on the machine being fast.
/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.json' }] },
  // The package's own names, as tsconfig.json's paths map them (examples/electron-app imports them).
  moduleNameMapper: {
    '^skaffa-sidecars$': '<rootDir>/registry/index.ts',
    '^skaffa-sidecars/workspace$': '<rootDir>/sidecars/workspace/index.ts',
    '^skaffa-sidecars/markdown$': '<rootDir>/sidecars/markdown/manifest.ts',
    '^skaffa-sidecars/typescript$': '<rootDir>/sidecars/typescript/index.ts',
  },
  testTimeout: 30000,
  maxWorkers: 2,
  reporters: ['default', '<rootDir>/test/summary-reporter.js'],
};
