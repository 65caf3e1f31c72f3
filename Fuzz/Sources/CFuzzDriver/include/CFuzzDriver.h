#ifndef SIGNET_CFUZZDRIVER_H
#define SIGNET_CFUZZDRIVER_H
#include <stddef.h>
#include <stdint.h>

// libFuzzer's entry point for programs with their own main (LLVM 12 and later). SwiftPM links every executable
// target with main pointing at `<module>_main`, so each target's main calls this rather than libFuzzer's main.
int LLVMFuzzerRunDriver(int *argc, char ***argv, int (*callback)(const uint8_t *data, size_t size));

#endif
