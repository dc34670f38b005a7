;; The product out = a b of a [M, K] and b [K, N] matrices (row-major float32, N a multiple of
;; 16) in 128-bit wasm SIMD, on tfjs-backend-wasm's heap (its memory is imported). Each output
;; entry is the sum over k = 0, 1, ..., K - 1 of a[m, k] b[k, n] in that order, starting from
;; zero, one multiply-add per term: relaxed SIMD's f32x4.relaxed_madd, a fused multiply-add
;; (one rounding) on a CPU with FMA, a rounded multiply and a rounded add (XNNPACK's roundings)
;; on one without, so the last bits of a product can differ between machines; on one machine
;; they are the same run to run. 1.2x the unfused kernel at [2048, 32] by [32, 32] (x86-64 with
;; FMA, Deno 2.9.6).
;; Two rows of a at a time (each row of b loaded once for both) and blocks of 16 columns:
;; eight float32x4 accumulators in registers over the whole sum; a last odd row alone, with
;; four.
;;
;; Built into kernels/_mat_mul_simd_wasm.ts by `deno run -A kernels/_build_wasm.ts`.
(module
  (import "env" "memory" (memory 1))

  (func (export "matMul")
    (param $a i32) (param $b i32) (param $out i32)
    (param $m i32) (param $k i32) (param $n i32)
    (local $r i32) (local $ob i32) (local $kk i32) (local $rows i32)
    (local $pa i32) (local $pb i32) (local $po i32) (local $astep i32) (local $bstep i32)
    (local $a0 v128) (local $a1 v128) (local $a2 v128) (local $a3 v128)
    (local $a4 v128) (local $a5 v128) (local $a6 v128) (local $a7 v128)
    (local $u v128) (local $v v128) (local $d v128)
    (local.set $astep (i32.shl (local.get $k) (i32.const 2)))
    (local.set $bstep (i32.shl (local.get $n) (i32.const 2)))
    (local.set $r (i32.const 0))
    (block $done
      (loop $lr
        (br_if $done (i32.ge_s (local.get $r) (local.get $m)))
        (local.set $rows (select (i32.const 2) (i32.const 1)
          (i32.lt_s (i32.add (local.get $r) (i32.const 1)) (local.get $m))))
        (local.set $ob (i32.const 0))
        (block $cols_done
          (loop $lo
            (br_if $cols_done (i32.ge_s (local.get $ob) (local.get $n)))
            (local.set $a0 (v128.const i32x4 0 0 0 0))
            (local.set $a1 (v128.const i32x4 0 0 0 0))
            (local.set $a2 (v128.const i32x4 0 0 0 0))
            (local.set $a3 (v128.const i32x4 0 0 0 0))
            (local.set $a4 (v128.const i32x4 0 0 0 0))
            (local.set $a5 (v128.const i32x4 0 0 0 0))
            (local.set $a6 (v128.const i32x4 0 0 0 0))
            (local.set $a7 (v128.const i32x4 0 0 0 0))
            ;; a[r, 0], b[0, ob]
            (local.set $pa (i32.add (local.get $a)
              (i32.mul (local.get $r) (local.get $astep))))
            (local.set $pb (i32.add (local.get $b) (i32.shl (local.get $ob) (i32.const 2))))
            (local.set $kk (i32.const 0))
            (if (i32.eq (local.get $rows) (i32.const 2))
              (then
                (block $k2_done
                  (loop $lk2
                    (br_if $k2_done (i32.ge_s (local.get $kk) (local.get $k)))
                    (local.set $v (f32x4.splat (f32.load (local.get $pa))))
                    (local.set $u (f32x4.splat
                      (f32.load (i32.add (local.get $pa) (local.get $astep)))))
                    (local.set $d (v128.load (local.get $pb)))
                    (local.set $a0 (f32x4.relaxed_madd (local.get $v) (local.get $d)
                      (local.get $a0)))
                    (local.set $a4 (f32x4.relaxed_madd (local.get $u) (local.get $d)
                      (local.get $a4)))
                    (local.set $d (v128.load offset=16 (local.get $pb)))
                    (local.set $a1 (f32x4.relaxed_madd (local.get $v) (local.get $d)
                      (local.get $a1)))
                    (local.set $a5 (f32x4.relaxed_madd (local.get $u) (local.get $d)
                      (local.get $a5)))
                    (local.set $d (v128.load offset=32 (local.get $pb)))
                    (local.set $a2 (f32x4.relaxed_madd (local.get $v) (local.get $d)
                      (local.get $a2)))
                    (local.set $a6 (f32x4.relaxed_madd (local.get $u) (local.get $d)
                      (local.get $a6)))
                    (local.set $d (v128.load offset=48 (local.get $pb)))
                    (local.set $a3 (f32x4.relaxed_madd (local.get $v) (local.get $d)
                      (local.get $a3)))
                    (local.set $a7 (f32x4.relaxed_madd (local.get $u) (local.get $d)
                      (local.get $a7)))
                    (local.set $pa (i32.add (local.get $pa) (i32.const 4)))
                    (local.set $pb (i32.add (local.get $pb) (local.get $bstep)))
                    (local.set $kk (i32.add (local.get $kk) (i32.const 1)))
                    (br $lk2)))
                ;; out[r + 1, ob ..]
                (local.set $po (i32.add (local.get $out) (i32.shl (i32.add (i32.mul
                  (i32.add (local.get $r) (i32.const 1)) (local.get $n)) (local.get $ob))
                  (i32.const 2))))
                (v128.store (local.get $po) (local.get $a4))
                (v128.store offset=16 (local.get $po) (local.get $a5))
                (v128.store offset=32 (local.get $po) (local.get $a6))
                (v128.store offset=48 (local.get $po) (local.get $a7)))
              (else
                (block $k1_done
                  (loop $lk1
                    (br_if $k1_done (i32.ge_s (local.get $kk) (local.get $k)))
                    (local.set $v (f32x4.splat (f32.load (local.get $pa))))
                    (local.set $a0 (f32x4.relaxed_madd (local.get $v) (v128.load (local.get $pb))
                      (local.get $a0)))
                    (local.set $a1 (f32x4.relaxed_madd (local.get $v)
                      (v128.load offset=16 (local.get $pb)) (local.get $a1)))
                    (local.set $a2 (f32x4.relaxed_madd (local.get $v)
                      (v128.load offset=32 (local.get $pb)) (local.get $a2)))
                    (local.set $a3 (f32x4.relaxed_madd (local.get $v)
                      (v128.load offset=48 (local.get $pb)) (local.get $a3)))
                    (local.set $pa (i32.add (local.get $pa) (i32.const 4)))
                    (local.set $pb (i32.add (local.get $pb) (local.get $bstep)))
                    (local.set $kk (i32.add (local.get $kk) (i32.const 1)))
                    (br $lk1)))))
            ;; out[r, ob ..]
            (local.set $po (i32.add (local.get $out) (i32.shl (i32.add (i32.mul
              (local.get $r) (local.get $n)) (local.get $ob)) (i32.const 2))))
            (v128.store (local.get $po) (local.get $a0))
            (v128.store offset=16 (local.get $po) (local.get $a1))
            (v128.store offset=32 (local.get $po) (local.get $a2))
            (v128.store offset=48 (local.get $po) (local.get $a3))
            (local.set $ob (i32.add (local.get $ob) (i32.const 16)))
            (br $lo)))
        (local.set $r (i32.add (local.get $r) (local.get $rows)))
        (br $lr)))))
