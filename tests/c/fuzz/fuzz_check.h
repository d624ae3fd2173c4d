/* The harnesses' invariant check: a violated property stops libFuzzer at
 * once (it records the input), in any build, sanitizers or not. */
#pragma once

#define CHECK(cond)                                                                                                    \
    do {                                                                                                               \
        if (!(cond)) {                                                                                                 \
            __builtin_trap();                                                                                          \
        }                                                                                                              \
    } while (0)
