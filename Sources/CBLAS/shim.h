// The C BLAS interface the engine uses, and nothing else.
//
// Linux: BLIS (Debian's libblis-dev). At the engine's shapes (batch 32 x 784/512/256) it runs
// single-threaded SGEMM 2.5x faster than Debian's OpenBLAS 0.3.21 on the project's machine
// (BENCHMARKS.md). BLIS ships no pkg-config file and puts its headers under a multiarch,
// per-threading-model folder, so the few standard prototypes are declared here; `link "blis"`
// resolves to whichever BLIS build the system's alternatives select.
// macOS: Accelerate.
#ifdef __APPLE__
#include <Accelerate/Accelerate.h>
#else
#include <stdint.h>

enum CBLAS_ORDER { CblasRowMajor = 101, CblasColMajor = 102 };
enum CBLAS_TRANSPOSE { CblasNoTrans = 111, CblasTrans = 112, CblasConjTrans = 113 };

/// C = alpha * op(A) * op(B) + beta * C (the reference CBLAS signature, 32-bit integers).
void cblas_sgemm(enum CBLAS_ORDER order, enum CBLAS_TRANSPOSE transA, enum CBLAS_TRANSPOSE transB,
                 int m, int n, int k, float alpha, const float *a, int lda, const float *b, int ldb,
                 float beta, float *c, int ldc);

/// BLIS: threads per BLAS call (process-wide); BLIS version; the kernel set chosen for this CPU.
void bli_thread_set_num_threads(int64_t n);
const char *bli_info_get_version_str(void);
int bli_arch_query_id(void);
const char *bli_arch_string(int id);
#endif
