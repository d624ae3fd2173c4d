/*
 * Range checks for (ptr, len) pairs the core hands the host, against the
 * size of its linear memory. All arithmetic is overflow-safe: ptr + len is
 * never computed in a type that can wrap.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* True when [ptr, ptr + len) lies inside a memory of mem_size bytes.
 * A zero-length range is valid anywhere up to and including mem_size. */
bool wasm_bounds_ok(uint64_t mem_size, uint32_t ptr, uint32_t len);

/* Same check for i32 values as they come out of wasm, read as the unsigned
 * offsets they are (so -1 is 0xFFFFFFFF, far outside a small memory). */
bool wasm_bounds_ok_i32(uint64_t mem_size, int32_t ptr, int32_t len);

/* Number of body bytes to copy for a request of body_len bytes into a
 * buffer of capacity bytes: min(body_len, capacity). */
size_t wasm_bounds_copy_len(size_t body_len, size_t capacity);

/* Size in bytes of a memory of `pages` pages of `bytes_per_page` each,
 * saturating at UINT64_MAX instead of wrapping. */
uint64_t wasm_bounds_memory_size(uint64_t pages, uint64_t bytes_per_page);

#ifdef __cplusplus
}
#endif
