/**
 * Reads which platform and CPU an executable was built for, from its header alone: ELF (Linux),
 * Mach-O thin or universal (macOS) and PE (Windows). The pack step uses it so a platform package
 * can never ship a binary for another platform than its name, `os` and `cpu` fields say (a
 * cross-build that silently fell back to the host, a stale file in target/, a wrong --target).
 */
'use strict';
const fs = require('node:fs');

const ELF_MACHINES = { 0x03: 'ia32', 0x28: 'arm', 0x3e: 'x64', 0xb7: 'arm64' };
const MACHO_CPUS = { 0x00000007: 'ia32', 0x01000007: 'x64', 0x0000000c: 'arm', 0x0100000c: 'arm64' };
const PE_MACHINES = { 0x014c: 'ia32', 0x01c4: 'arm', 0x8664: 'x64', 0xaa64: 'arm64' };

/**
 * The platform (Node's names) and CPU architectures of an executable's bytes; `arches` has more
 * than one entry only for a universal Mach-O. Throws when the format is not recognised.
 * @param {Buffer} b the file's first bytes (4 KiB is plenty)
 * @returns {{ platform: 'linux' | 'darwin' | 'win32', arches: string[] }}
 */
function detect(b) {
  if (b.length >= 20 && b.readUInt32BE(0) === 0x7f454c46) {
    const machine = b[5] === 2 ? b.readUInt16BE(18) : b.readUInt16LE(18);
    return { platform: 'linux', arches: [ELF_MACHINES[machine] ?? `elf-machine-0x${machine.toString(16)}`] };
  }
  if (b.length >= 8 && (b.readUInt32LE(0) === 0xfeedfacf || b.readUInt32LE(0) === 0xfeedface)) {
    const cpu = b.readUInt32LE(4);
    return { platform: 'darwin', arches: [MACHO_CPUS[cpu] ?? `macho-cpu-0x${cpu.toString(16)}`] };
  }
  if (b.length >= 8 && b.readUInt32BE(0) === 0xcafebabe) {
    const n = b.readUInt32BE(4);
    const arches = [];
    for (let i = 0; i < n && 8 + i * 20 + 4 <= b.length; i++) {
      const cpu = b.readUInt32BE(8 + i * 20);
      arches.push(MACHO_CPUS[cpu] ?? `macho-cpu-0x${cpu.toString(16)}`);
    }
    return { platform: 'darwin', arches };
  }
  if (b.length >= 0x40 && b.toString('latin1', 0, 2) === 'MZ') {
    const pe = b.readUInt32LE(0x3c);
    if (pe + 6 <= b.length && b.readUInt32BE(pe) === 0x50450000) {
      const machine = b.readUInt16LE(pe + 4);
      return { platform: 'win32', arches: [PE_MACHINES[machine] ?? `pe-machine-0x${machine.toString(16)}`] };
    }
  }
  throw new Error('not an ELF, Mach-O or PE executable');
}

/**
 * Fails unless `file` is an executable for `platform`/`arch` (Node's names).
 * @param {string} file
 * @param {string} platform
 * @param {string} arch
 */
function checkBinary(file, platform, arch) {
  const fd = fs.openSync(file, 'r');
  const head = Buffer.alloc(4096);
  let n;
  try {
    n = fs.readSync(fd, head, 0, head.length, 0);
  } finally {
    fs.closeSync(fd);
  }
  let found;
  try {
    found = detect(head.subarray(0, n));
  } catch (e) {
    throw new Error(`${file}: ${e.message}; expected a ${platform}-${arch} executable`);
  }
  if (found.platform !== platform || !found.arches.includes(arch)) {
    throw new Error(`${file} is a ${found.platform}-${found.arches.join('+')} executable, not ${platform}-${arch}: refusing to pack it`);
  }
  return found;
}

/**
 * For an ELF file, whether it still carries a symbol table or DWARF debug info (section names
 * `.symtab`, `.debug_*`), which the shipping profile strips; undefined for other formats, whose
 * stripping cargo's `strip = true` does the same way but whose headers this does not read.
 * @param {string} file
 * @returns {boolean | undefined}
 */
function elfHasDebugSections(file) {
  const b = fs.readFileSync(file);
  if (b.length < 64 || b.readUInt32BE(0) !== 0x7f454c46 || b[4] !== 2 || b[5] !== 1) return undefined; // 64-bit little-endian only
  const shoff = Number(b.readBigUInt64LE(0x28));
  const shentsize = b.readUInt16LE(0x3a);
  const shnum = b.readUInt16LE(0x3c);
  const shstrndx = b.readUInt16LE(0x3e);
  if (shoff === 0 || shoff + shnum * shentsize > b.length || shstrndx >= shnum) return undefined;
  const section = (i) => shoff + i * shentsize;
  const strtab = Number(b.readBigUInt64LE(section(shstrndx) + 0x18));
  for (let i = 0; i < shnum; i++) {
    const nameAt = strtab + b.readUInt32LE(section(i));
    const name = b.toString('latin1', nameAt, b.indexOf(0, nameAt));
    if (name === '.symtab' || name.startsWith('.debug_')) return true;
  }
  return false;
}

module.exports = { detect, checkBinary, elfHasDebugSections };
