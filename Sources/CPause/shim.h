// The CPU's spin-wait hint, for the engine's worker threads while they wait a few microseconds
// for the next block: x86-64's PAUSE (saves power and yields the core's pipeline to its sibling
// hyper-thread), arm64's YIELD. Header only; nothing to link.
#if defined(__x86_64__)
#include <immintrin.h>
static inline void runner_spin_pause(void) { _mm_pause(); }
#elif defined(__aarch64__)
static inline void runner_spin_pause(void) { __asm__ __volatile__("yield"); }
#else
static inline void runner_spin_pause(void) {}
#endif
