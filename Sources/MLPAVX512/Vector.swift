#if arch(x86_64)
import _Builtin_intrinsics.intel
#endif

// The register and tile of this module's kernels (GEMM.swift, WeightStep.swift): AVX-512, one
// zmm register of sixteen Float32 lanes; tiles of 8 rows x 3 registers (24 of the 32 registers
// hold sums). MLPAVX2/Vector.swift is the same for AVX2.

/// The kernels' register: sixteen Float32 lanes.
typealias Vector = SIMD16<Float>
/// Floats in a register.
let lanes = 16
/// Rows and registers of columns in a full tile.
let tileRows = 8
let tileVectors = 3

/// Which lanes of a register a masked load or store touches (a row's last, partial vector).
typealias LaneMask = UInt16

/// The first `count` (1...16) lanes.
@inline(__always)
func laneMask(_ count: Int) -> LaneMask {
    UInt16(truncatingIfNeeded: (1 << count) - 1)
}

@inline(__always)
func load(_ p: UnsafePointer<Float>) -> Vector {
    UnsafeRawPointer(p).loadUnaligned(as: Vector.self)
}

@inline(__always)
func store(_ p: UnsafeMutablePointer<Float>, _ v: Vector) {
    UnsafeMutableRawPointer(p).storeBytes(of: v, as: Vector.self)
}

/// The lanes of `mask` from p, zeros elsewhere; memory past them is not touched.
@inline(__always)
func load(_ p: UnsafePointer<Float>, _ mask: LaneMask) -> Vector {
    #if arch(x86_64)
    return _mm512_maskz_loadu_ps(mask, p)
    #else
    var v = Vector()
    for i in 0..<lanes where mask & (1 << i) != 0 { v[i] = p[i] }
    return v
    #endif
}

/// Stores the lanes of `mask` only.
@inline(__always)
func store(_ p: UnsafeMutablePointer<Float>, _ v: Vector, _ mask: LaneMask) {
    #if arch(x86_64)
    _mm512_mask_storeu_ps(p, mask, v)
    #else
    for i in 0..<lanes where mask & (1 << i) != 0 { p[i] = v[i] }
    #endif
}

/// vsqrtps, correctly rounded in every lane (SIMD16's squareRoot() goes lane by lane through
/// sqrtf in Swift 6.3, many times slower).
@inline(__always)
func squareRoot(_ v: Vector) -> Vector {
    #if arch(x86_64)
    return _mm512_sqrt_ps(v)
    #else
    return v.squareRoot()
    #endif
}
