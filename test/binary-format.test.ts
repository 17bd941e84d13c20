/**
 * The pack step's platform check (sidecars/binary-format.js) on real and hand-made headers: the
 * host's release binary passes for the host and fails for any other platform or CPU, and ELF,
 * thin and universal Mach-O and PE headers are each recognised with their CPU, so a platform
 * package can never ship a binary built for another machine; and the strip check tells the
 * shipping build (no symbols) from the debug build.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { checkBinary, detect, elfHasDebugSections } = require('../sidecars/binary-format.js') as {
  checkBinary(file: string, platform: string, arch: string): { platform: string; arches: string[] };
  detect(b: Buffer): { platform: string; arches: string[] };
  elfHasDebugSections(file: string): boolean | undefined;
};

const REPO = path.resolve(__dirname, '..');
const built = ['release', 'debug'].map((p) => path.join(REPO, 'target', p, process.platform === 'win32' ? 'skaffa-markdown.exe' : 'skaffa-markdown')).find((f) => fs.existsSync(f))!;

function elf(machine: number): Buffer {
  const b = Buffer.alloc(64);
  b.writeUInt32BE(0x7f454c46, 0);
  b[4] = 2; // 64-bit
  b[5] = 1; // little-endian
  b.writeUInt16LE(machine, 18);
  return b;
}

function machO(cpu: number): Buffer {
  const b = Buffer.alloc(32);
  b.writeUInt32LE(0xfeedfacf, 0);
  b.writeUInt32LE(cpu, 4);
  return b;
}

function universal(cpus: number[]): Buffer {
  const b = Buffer.alloc(8 + 20 * cpus.length);
  b.writeUInt32BE(0xcafebabe, 0);
  b.writeUInt32BE(cpus.length, 4);
  cpus.forEach((cpu, i) => b.writeUInt32BE(cpu, 8 + i * 20));
  return b;
}

function pe(machine: number): Buffer {
  const b = Buffer.alloc(0x100);
  b.write('MZ', 0, 'latin1');
  b.writeUInt32LE(0x80, 0x3c);
  b.writeUInt32BE(0x50450000, 0x80);
  b.writeUInt16LE(machine, 0x84);
  return b;
}

test('the real build passes for this machine and fails for any other platform or CPU', () => {
  expect(checkBinary(built, process.platform, process.arch)).toMatchObject({ platform: process.platform, arches: [process.arch] });
  const otherArch = process.arch === 'arm64' ? 'x64' : 'arm64';
  expect(() => checkBinary(built, process.platform, otherArch)).toThrow(`not ${process.platform}-${otherArch}: refusing to pack it`);
  const otherOs = process.platform === 'darwin' ? 'linux' : 'darwin';
  expect(() => checkBinary(built, otherOs, process.arch)).toThrow(/refusing to pack it/);
});

test('ELF, Mach-O (thin and universal) and PE headers name their platform and CPU', () => {
  expect(detect(elf(0x3e))).toEqual({ platform: 'linux', arches: ['x64'] });
  expect(detect(elf(0xb7))).toEqual({ platform: 'linux', arches: ['arm64'] });
  expect(detect(machO(0x0100000c))).toEqual({ platform: 'darwin', arches: ['arm64'] });
  expect(detect(machO(0x01000007))).toEqual({ platform: 'darwin', arches: ['x64'] });
  expect(detect(universal([0x01000007, 0x0100000c]))).toEqual({ platform: 'darwin', arches: ['x64', 'arm64'] });
  expect(detect(pe(0x8664))).toEqual({ platform: 'win32', arches: ['x64'] });
  expect(detect(pe(0xaa64))).toEqual({ platform: 'win32', arches: ['arm64'] });
  expect(() => detect(Buffer.from('#!/bin/sh\necho hi\n'))).toThrow(/not an ELF, Mach-O or PE/);
});

test('a script or a file for another platform is refused by name', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'skaffa-format-'));
  try {
    const script = path.join(dir, 'skaffa-workspace');
    fs.writeFileSync(script, '#!/bin/sh\n');
    expect(() => checkBinary(script, 'linux', 'x64')).toThrow(`${script}: not an ELF, Mach-O or PE executable; expected a linux-x64 executable`);
    const exe = path.join(dir, 'skaffa-workspace.exe');
    fs.writeFileSync(exe, pe(0x8664));
    expect(() => checkBinary(exe, 'linux', 'x64')).toThrow(`${exe} is a win32-x64 executable, not linux-x64`);
    expect(checkBinary(exe, 'win32', 'x64').platform).toBe('win32');
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

(process.platform === 'linux' ? test : test.skip)('the strip check tells the release build from the debug build', () => {
  const exe = (p: string) => path.join(REPO, 'target', p, 'skaffa-markdown');
  expect(elfHasDebugSections(exe('debug'))).toBe(true);
  expect(elfHasDebugSections(exe('release'))).toBe(false);
  expect(elfHasDebugSections(path.join(REPO, 'package.json'))).toBeUndefined();
});
