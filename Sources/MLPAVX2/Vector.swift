#if arch(x86_64)
import _Builtin_intrinsics.intel
#endif

// The register and tile of this module's kernels: AVX2 with FMA, one ymm register of eight
// Float32 lanes; tiles of 6 rows x 2 registers (12 of the 16 registers hold sums). GEMM.swift
// and WeightStep.swift are MLPAVX512's, through symbolic links: the same kernels, and since
// every element is summed in one lane, in order, the same bits.

/// The kernels' register: eight Float32 lanes.
typealias Vector = SIMD8<Float>
/// Floats in a register.
let lanes = 8
/// Rows and registers of columns in a full tile.
let tileRows = 6
let tileVectors = 2

/// Which lanes of a register a masked load or store touches: all ones in each lane to touch,
/// as vmaskmovps wants it.
typealias LaneMask = SIMD8<Int32>

/// The first `count` (1...8) lanes.
@inline(__always)
func laneMask(_ count: Int) -> LaneMask {
    LaneMask(repeating: 0).replacing(with: -1, where: LaneMask(0, 1, 2, 3, 4, 5, 6, 7) .< Int32(count))
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
    return _mm256_maskload_ps(p, unsafeBitCast(mask, to: SIMD4<Int64>.self))
    #else
    var v = Vector()
    for i in 0..<lanes where mask[i] != 0 { v[i] = p[i] }
    return v
    #endif
}

/// Stores the lanes of `mask` only.
@inline(__always)
func store(_ p: UnsafeMutablePointer<Float>, _ v: Vector, _ mask: LaneMask) {
    #if arch(x86_64)
    _mm256_maskstore_ps(p, unsafeBitCast(mask, to: SIMD4<Int64>.self), v)
    #else
    for i in 0..<lanes where mask[i] != 0 { p[i] = v[i] }
    #endif
}

/// vsqrtps, correctly rounded in every lane.
@inline(__always)
func squareRoot(_ v: Vector) -> Vector {
    #if arch(x86_64)
    return _mm256_sqrt_ps(v)
    #else
    return v.squareRoot()
    #endif
}
