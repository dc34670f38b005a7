/**
 * Where the WGSL soft K-means kernels keep their per-sample working memory (the forward
 * "trace" and the backward "sweep"), and the WGSL helpers the programs share.
 *
 * Everything is stored in vec4 blocks so that one load brings four values: clusters are
 * grouped four to a block (KB = ceil(K/4) blocks, padded clusters hold 0), positions four to
 * a quad in the transposed input (NQ = ceil(N/4) quads, padded positions hold 0), channels
 * four to a quad when x itself is read (DQ = ceil(D/4)). On CPU-emulated GPUs such as
 * lavapipe every load instruction is a per-invocation loop, so loads per flop is what costs;
 * on real GPUs the same blocks make neighbouring invocations read neighbouring addresses.
 *
 * @module
 */

/** Smallest squared distance fed to the square root: d = sqrt(max(s, MIN_SQUARED_DISTANCE)). */
export const MIN_SQUARED_DISTANCE = 1e-10;

/** Smallest denominator of the center update: o_k = sum_n c_kn u_n / max(sum_n c_kn, MIN_MASS). */
export const MIN_MASS = 1e-8;

/** Shape of one soft K-means problem. */
export interface SoftKMeansDims {
  /** Batch size B. */
  batch: number;
  /** Positions N. */
  positions: number;
  /** Channels D. */
  channels: number;
  /** Clusters K. */
  clusters: number;
  /** Iterations T. */
  iterations: number;
}

/**
 * Per-sample layout of the forward trace `[B, 4 * traceSize]`, in vec4 units:
 * the transposed input xT `[D, NQ]` (positions 4q..4q+3 of channel d), centers o^0..o^T
 * `[(T+1), D, KB]`, assignments c^1..c^T `[T, KB, 4 NQ]` and squared distances s^1..s^T
 * `[T, KB, 4 NQ]` (clusters 4j..4j+3 of position n), assignment masses S^1..S^T `[T, KB]`.
 */
export interface TraceLayout {
  /** Offset of xT. */
  transposed: number;
  /** Offset of o^0 (o^t starts at `centers + t*D*KB`). */
  centers: number;
  /** Offset of c^1 (c^t starts at `assignments + (t-1)*KB*4NQ`). */
  assignments: number;
  /** Offset of s^1. */
  squaredDistances: number;
  /** Offset of S^1. */
  masses: number;
  /** vec4s per sample. */
  size: number;
}

/** Cluster blocks KB, position quads NQ and channel quads DQ of `dims`. */
export function blockCounts(dims: SoftKMeansDims): { kb: number; nq: number; dq: number } {
  return {
    kb: Math.ceil(dims.clusters / 4),
    nq: Math.ceil(dims.positions / 4),
    dq: Math.ceil(dims.channels / 4),
  };
}

/** The trace layout for `dims`. */
export function traceLayout(dims: SoftKMeansDims): TraceLayout {
  const { channels: d, iterations: t } = dims;
  const { kb, nq } = blockCounts(dims);
  const transposed = 0;
  const centers = transposed + d * nq;
  const assignments = centers + (t + 1) * d * kb;
  const squaredDistances = assignments + t * kb * 4 * nq;
  const masses = squaredDistances + t * kb * 4 * nq;
  return { transposed, centers, assignments, squaredDistances, masses, size: masses + t * kb };
}

/**
 * Per-sample layout of the backward sweep `[B, 4 * sweepSize]`, in vec4 units: center
 * gradients g^0..g^T `[(T+1), D, KB]` (g^t = dL/do^t), squared-distance gradients
 * h^1..h^T `[T, KB, 4 NQ]` (h^t = dL/ds^t) and the projections P^1..P^T `[T, KB]`
 * (P^t_k = g^t_k . o^t_k; written only by the split programs, the per-sample one keeps them
 * in workgroup memory).
 */
export interface SweepLayout {
  /** Offset of g^0. */
  centerGrads: number;
  /** Offset of h^1. */
  distanceGrads: number;
  /** Offset of P^1. */
  projections: number;
  /** vec4s per sample. */
  size: number;
}

/** The backward sweep layout for `dims`. */
export function sweepLayout(dims: SoftKMeansDims): SweepLayout {
  const { channels: d, iterations: t } = dims;
  const { kb, nq } = blockCounts(dims);
  const distanceGrads = (t + 1) * d * kb;
  const projections = distanceGrads + t * kb * 4 * nq;
  return { centerGrads: 0, distanceGrads, projections, size: projections + t * kb };
}

/**
 * How the split programs share one sample's work among invocations: the channels of the
 * distance sums (and of g . u in the backward pass) in `channelTiles` tiles of
 * `channelsPerTile`, and the positions of the center sums in `positionTiles` tiles of
 * `positionsPerTile`; each tile writes a partial sum that a later pass adds up.
 */
export interface SoftKMeansSplit {
  /** Channel tiles DT of the distance sums. */
  channelTiles: number;
  /** Channels per tile DPT. */
  channelsPerTile: number;
  /** Position tiles NT of the center sums. */
  positionTiles: number;
  /** Positions per tile NPT. */
  positionsPerTile: number;
}

/**
 * Fewest channels or positions a tile is given. It binds only for small batches (at the
 * paper shape from B = 16 on, the target is met with larger tiles), where the partial sums
 * are small enough to stay in the GPU's cache.
 */
export const MIN_TILE = 4;

/**
 * The split of `dims` that gives each pass at least `targetInvocations` invocations where
 * the sizes allow (tiles of at least {@linkcode MIN_TILE}): the distance pass runs
 * B x KB x NQ x DT invocations, the center pass B x KB x DQ x NT.
 */
export function splitFor(dims: SoftKMeansDims, targetInvocations: number): SoftKMeansSplit {
  const { kb, nq, dq } = blockCounts(dims);
  const tiles = (perTile: number, length: number) => {
    const wanted = Math.ceil(targetInvocations / perTile);
    const most = Math.max(1, Math.floor(length / MIN_TILE));
    const count = Math.max(1, Math.min(wanted, most));
    const size = Math.ceil(length / count);
    return { count: Math.ceil(length / size), size };
  };
  const c = tiles(dims.batch * kb * nq, dims.channels);
  const p = tiles(dims.batch * kb * dq, dims.positions);
  return {
    channelTiles: c.count,
    channelsPerTile: c.size,
    positionTiles: p.count,
    positionsPerTile: p.size,
  };
}

/** WGSL `const` declarations of a {@linkcode SoftKMeansSplit} and the batch size. */
export function splitWgsl(dims: SoftKMeansDims, split: SoftKMeansSplit): string {
  return `
  const B : i32 = ${dims.batch};
  const DT : i32 = ${split.channelTiles};
  const DPT : i32 = ${split.channelsPerTile};
  const NT : i32 = ${split.positionTiles};
  const NPT : i32 = ${split.positionsPerTile};
`;
}

/** A shader-cache key naming the batch, every baked-in dimension and the split. */
export function splitKey(dims: SoftKMeansDims, split: SoftKMeansSplit): string {
  return `${dims.batch}_${dimsKey(dims)}_${split.channelTiles}_${split.channelsPerTile}_` +
    `${split.positionTiles}_${split.positionsPerTile}`;
}

/** True when x `[B, N, D]` can be bound as vec4s (D a multiple of 4). */
export function channelsAligned(dims: SoftKMeansDims): boolean {
  return dims.channels % 4 === 0;
}

/**
 * WGSL `const` declarations of the dimensions and offsets, and `clusterMask(j)`: 1.0 for the
 * real clusters of block j, 0.0 for the padding past K.
 */
export function layoutWgsl(dims: SoftKMeansDims): string {
  const tr = traceLayout(dims);
  const sw = sweepLayout(dims);
  const { kb, nq, dq } = blockCounts(dims);
  return `
  const N : i32 = ${dims.positions};
  const D : i32 = ${dims.channels};
  const K : i32 = ${dims.clusters};
  const T : i32 = ${dims.iterations};
  const KB : i32 = ${kb};
  const NQ : i32 = ${nq};
  const N4 : i32 = ${4 * nq};
  const DQ : i32 = ${dq};
  const DKB : i32 = ${dims.channels * kb};
  const KBN4 : i32 = ${kb * 4 * nq};
  const TRACE : i32 = ${tr.size};
  const OFF_XT : i32 = ${tr.transposed};
  const OFF_O : i32 = ${tr.centers};
  const OFF_C : i32 = ${tr.assignments};
  const OFF_S : i32 = ${tr.squaredDistances};
  const OFF_M : i32 = ${tr.masses};
  const SWEEP : i32 = ${sw.size};
  const OFF_G : i32 = ${sw.centerGrads};
  const OFF_H : i32 = ${sw.distanceGrads};
  const OFF_P : i32 = ${sw.projections};
  const MIN_SQ : f32 = ${MIN_SQUARED_DISTANCE.toExponential()};
  const MIN_MASS : f32 = ${MIN_MASS.toExponential()};

  fn clusterMask(j : i32) -> vec4<f32> {
    let k = vec4<i32>(4 * j) + vec4<i32>(0, 1, 2, 3);
    return select(vec4<f32>(0.0), vec4<f32>(1.0), k < vec4<i32>(K));
  }
`;
}

/**
 * WGSL `loadX(b, n, q)`: channels 4q..4q+3 of position n of sample b of the input `x`
 * (0 past D): one vec4 load when `x` is bound as vec4s ({@linkcode channelsAligned}), else
 * four scalar loads.
 */
export function loadXWgsl(dims: SoftKMeansDims): string {
  const body = channelsAligned(dims) ? `return x[(b * N + n) * DQ + q];` : `
    let base = (b * N + n) * D;
    let c = q * 4;
    return vec4<f32>(
      x[base + c],
      select(0.0, x[base + min(c + 1, D - 1)], c + 1 < D),
      select(0.0, x[base + min(c + 2, D - 1)], c + 2 < D),
      select(0.0, x[base + min(c + 3, D - 1)], c + 3 < D));`;
  return `
  fn loadX(b : i32, n : i32, q : i32) -> vec4<f32> {
    ${body}
  }
`;
}

/** The component width `x` is bound with (4 when {@linkcode channelsAligned}). */
export function xComponents(dims: SoftKMeansDims): number {
  return channelsAligned(dims) ? 4 : 1;
}

/**
 * `line(i)` for i = 0..3, joined: a statement written out once per vec4 lane, so the values
 * stay in registers (a loop over a local array may be spilled to memory by the compiler).
 */
export function unroll4(line: (i: number) => string): string {
  return [0, 1, 2, 3].map(line).join("\n");
}

/** A shader-cache key naming every baked-in dimension. */
export function dimsKey(dims: SoftKMeansDims): string {
  return `${dims.positions}_${dims.channels}_${dims.clusters}_${dims.iterations}`;
}
