// The floating-point control state of the calling thread, as far as the engine uses it: whether
// subnormal ("denormal") floats are flushed to zero. Header only; nothing to link.
//
// x86-64: MXCSR bits FTZ (results that would be subnormal become zero, 0x8000) and DAZ
// (subnormal inputs read as zero, 0x0040). Elsewhere both calls do nothing: arm64 CPUs handle
// subnormals at full speed.
#if defined(__x86_64__)
#include <xmmintrin.h>

/// The thread's current mode, to restore later.
static inline unsigned int runner_float_mode(void) { return _mm_getcsr(); }

/// Sets the thread's mode (a value from runner_float_mode).
static inline void runner_set_float_mode(unsigned int mode) { _mm_setcsr(mode); }

/// `mode` with subnormals flushed to zero, as inputs and as results.
static inline unsigned int runner_flushing_subnormals(unsigned int mode) { return mode | 0x8040u; }
#else
static inline unsigned int runner_float_mode(void) { return 0; }
static inline void runner_set_float_mode(unsigned int mode) { (void)mode; }
static inline unsigned int runner_flushing_subnormals(unsigned int mode) { return mode; }
#endif
