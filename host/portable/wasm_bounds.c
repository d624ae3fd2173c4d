#include "wasm_bounds.h"

bool wasm_bounds_ok(uint64_t mem_size, uint32_t ptr, uint32_t len)
{
    /* ptr <= mem_size first, so mem_size - ptr cannot wrap. */
    if ((uint64_t)ptr > mem_size) {
        return false;
    }
    return (uint64_t)len <= mem_size - (uint64_t)ptr;
}

bool wasm_bounds_ok_i32(uint64_t mem_size, int32_t ptr, int32_t len)
{
    /* Wasm addresses are unsigned: a negative i32 is an offset >= 2 GiB. */
    return wasm_bounds_ok(mem_size, (uint32_t)ptr, (uint32_t)len);
}

size_t wasm_bounds_copy_len(size_t body_len, size_t capacity)
{
    return body_len < capacity ? body_len : capacity;
}

uint64_t wasm_bounds_memory_size(uint64_t pages, uint64_t bytes_per_page)
{
    if (pages != 0 && bytes_per_page > UINT64_MAX / pages) {
        return UINT64_MAX;
    }
    return pages * bytes_per_page;
}
