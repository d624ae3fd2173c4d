/*
 * The few <string.h> functions the validator sources use, for the
 * freestanding Wasm build (scripts/build-validator.sh), which has no libc.
 * Implemented in ../validator_wasm.c.
 */
#pragma once

#include <stddef.h>

void *memcpy(void *dst, const void *src, size_t n);
void *memmove(void *dst, const void *src, size_t n);
void *memset(void *dst, int c, size_t n);
int memcmp(const void *a, const void *b, size_t n);
int strcmp(const char *a, const char *b);
size_t strlen(const char *s);
