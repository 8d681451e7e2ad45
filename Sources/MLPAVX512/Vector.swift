#if arch(x86_64)
import _Builtin_intrinsics.intel
#endif

/// The kernels' register: sixteen Float32 lanes (one zmm register with AVX-512).
typealias Vector = SIMD16<Float>

@inline(__always)
func load(_ p: UnsafePointer<Float>) -> Vector {
    UnsafeRawPointer(p).loadUnaligned(as: Vector.self)
}

@inline(__always)
func store(_ p: UnsafeMutablePointer<Float>, _ v: Vector) {
    UnsafeMutableRawPointer(p).storeBytes(of: v, as: Vector.self)
}

/// The first `lanes` (1...16) lanes on: a row's last, partial vector.
@inline(__always)
func laneMask(_ lanes: Int) -> UInt16 {
    UInt16(truncatingIfNeeded: (1 << lanes) - 1)
}

/// The lanes of `mask` from p, zeros elsewhere; memory past them is not touched.
@inline(__always)
func load(_ p: UnsafePointer<Float>, _ mask: UInt16) -> Vector {
    #if arch(x86_64)
    return _mm512_maskz_loadu_ps(mask, p)
    #else
    var v = Vector()
    for i in 0..<16 where mask & (1 << i) != 0 { v[i] = p[i] }
    return v
    #endif
}

/// Stores the lanes of `mask` only.
@inline(__always)
func store(_ p: UnsafeMutablePointer<Float>, _ v: Vector, _ mask: UInt16) {
    #if arch(x86_64)
    _mm512_mask_storeu_ps(p, mask, v)
    #else
    for i in 0..<16 where mask & (1 << i) != 0 { p[i] = v[i] }
    #endif
}
