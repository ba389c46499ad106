/* Shared prototype for fuzz targets (libFuzzer or the standalone replay). */
#ifndef TUBES_TESTS_FUZZ_H
#define TUBES_TESTS_FUZZ_H

#include <stddef.h>
#include <stdint.h>

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

#endif
