/* Test harness only, never shipped: Wine 8 (Debian 12) lacks bcryptprimitives.dll, whose
 * ProcessPrng every Rust >= 1.78 program calls for random bytes (cryptography's _rust.pyd).
 * Windows 10 and 11 have the real one; Wine 9 has it too. This one asks RtlGenRandom. */
#include <windows.h>

BOOLEAN WINAPI SystemFunction036(PVOID buffer, ULONG length);

__declspec(dllexport) BOOL WINAPI ProcessPrng(PBYTE data, SIZE_T length)
{
    while (length > 0) {
        ULONG chunk = length > 0x40000000 ? 0x40000000 : (ULONG)length;
        if (!SystemFunction036(data, chunk))
            return FALSE;
        data += chunk;
        length -= chunk;
    }
    return TRUE;
}
