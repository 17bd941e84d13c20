/*
 * A one-function stand-in for Windows' bcryptprimitives.dll, used only when the Windows build's
 * tests run under wine. Rust's standard library fills its random seeds with ProcessPrng from
 * bcryptprimitives.dll at start-up, and Debian's wine 8 does not have that export, so every Rust
 * program dies before main. Placed beside the .exe (and preferred over wine's built-in copy by
 * WINEDLLOVERRIDES), this forwards ProcessPrng to BCryptGenRandom from bcrypt.dll, which wine
 * implements with the system's random source. Real Windows never sees this file.
 */
#include <windows.h>

typedef LONG NTSTATUS;
#define BCRYPT_USE_SYSTEM_PREFERRED_RNG 0x00000002

__declspec(dllimport) NTSTATUS WINAPI BCryptGenRandom(void *alg, PUCHAR buf, ULONG len, ULONG flags);

/* Same contract as the real export: fill `len` bytes, TRUE on success (it never fails on Windows). */
__declspec(dllexport) BOOL WINAPI ProcessPrng(PBYTE data, SIZE_T len) {
    while (len > 0) {
        /* BCryptGenRandom takes a 32-bit length, so large requests go in chunks. */
        ULONG chunk = len > 0x40000000 ? 0x40000000 : (ULONG)len;
        if (BCryptGenRandom(NULL, data, chunk, BCRYPT_USE_SYSTEM_PREFERRED_RNG) < 0) {
            return FALSE;
        }
        data += chunk;
        len -= chunk;
    }
    return TRUE;
}
