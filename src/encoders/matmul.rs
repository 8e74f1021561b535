//! Batched products of many small matrices (attention: one per sequence and head), spread over
//! the thread pool by batch.
//!
//! candle's CPU matmul runs the batch one matrix after another and splits each across every
//! thread; for attention's hundreds of 50×50 products per layer, the thread handshakes cost more
//! than the arithmetic. Here each thread takes whole matrices and multiplies them alone with the
//! same gemm kernels, so every product is computed exactly as a one-thread gemm computes it.
//! Other devices, and shapes this does not cover, use candle's matmul.

use candle_core::{CpuStorage, CustomOp2, DType, Layout, Result, Shape, Tensor};
use rayon::prelude::*;

/// `lhs · rhs` over leading batch dimensions: `[..., m, k] · [..., k, n] → [..., m, n]`.
/// Either operand may be transposed in its last two dimensions (as `.t()` leaves it).
pub fn batched_matmul(lhs: &Tensor, rhs: &Tensor) -> Result<Tensor> {
    if lhs.device().is_cpu()
        && lhs.dtype() == DType::F32
        && rhs.dtype() == DType::F32
        && lhs.rank() >= 3
        && lhs.rank() == rhs.rank()
        && batch_stride(lhs.layout()).is_some()
        && batch_stride(rhs.layout()).is_some()
    {
        return lhs.apply_op2_no_bwd(rhs, &BatchedMatmul);
    }
    lhs.matmul(rhs)
}

/// The distance between consecutive matrices when the batch dimensions collapse into one.
fn batch_stride(layout: &Layout) -> Option<usize> {
    let (dims, strides) = (layout.dims(), layout.stride());
    let rank = dims.len();
    let mut expected = strides[rank - 3];
    for i in (0..rank - 3).rev() {
        expected *= dims[i + 1];
        if dims[i] > 1 && strides[i] != expected {
            return None;
        }
    }
    Some(strides[rank - 3])
}

struct BatchedMatmul;

impl CustomOp2 for BatchedMatmul {
    fn name(&self) -> &'static str {
        "batched-matmul"
    }

    fn cpu_fwd(
        &self,
        s1: &CpuStorage,
        l1: &Layout,
        s2: &CpuStorage,
        l2: &Layout,
    ) -> Result<(CpuStorage, Shape)> {
        let (CpuStorage::F32(lhs), CpuStorage::F32(rhs)) = (s1, s2) else {
            candle_core::bail!("batched-matmul: f32 only");
        };
        let (ld, rd) = (l1.dims(), l2.dims());
        let rank = ld.len();
        let (m, k, n) = (ld[rank - 2], ld[rank - 1], rd[rank - 1]);
        if rd[rank - 2] != k || ld[..rank - 2] != rd[..rank - 2] {
            candle_core::bail!("batched-matmul: shapes {ld:?} and {rd:?} do not multiply");
        }
        let batch: usize = ld[..rank - 2].iter().product();
        let (ls, rs) = (l1.stride(), l2.stride());
        let (lhs_skip, rhs_skip) = (
            batch_stride(l1).expect("checked"),
            batch_stride(l2).expect("checked"),
        );
        let (lhs, rhs) = (&lhs[l1.start_offset()..], &rhs[l2.start_offset()..]);
        let mut out = vec![0f32; batch * m * n];
        out.par_chunks_mut(m * n).enumerate().for_each(|(i, dst)| {
            // SAFETY: the operands' layouts bound every index gemm reads (matrix i starts at
            // i·skip and spans its strides), and `dst` is this matrix's own m×n block.
            unsafe {
                gemm::gemm(
                    m,
                    n,
                    k,
                    dst.as_mut_ptr(),
                    1,
                    n as isize,
                    false,
                    lhs.as_ptr().add(i * lhs_skip),
                    ls[rank - 1] as isize,
                    ls[rank - 2] as isize,
                    rhs.as_ptr().add(i * rhs_skip),
                    rs[rank - 1] as isize,
                    rs[rank - 2] as isize,
                    0.0,
                    1.0,
                    false,
                    false,
                    false,
                    gemm::Parallelism::None,
                )
            }
        });
        let mut shape = ld[..rank - 2].to_vec();
        shape.extend([m, n]);
        Ok((CpuStorage::F32(out), Shape::from(shape)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use candle_core::Device;

    fn seq(shape: &[usize], scale: f32) -> Tensor {
        let n: usize = shape.iter().product();
        let values: Vec<f32> = (0..n)
            .map(|i| ((i * 37 % 101) as f32 - 50.0) * scale)
            .collect();
        Tensor::from_vec(values, shape, &Device::Cpu).unwrap()
    }

    #[test]
    fn matches_candles_matmul_plain_and_transposed() {
        let q = seq(&[2, 3, 5, 4], 0.01);
        let k = seq(&[2, 3, 6, 4], 0.02);
        let v = seq(&[2, 3, 6, 4], 0.03);
        let scores = batched_matmul(&q, &k.t().unwrap()).unwrap();
        let reference = q.matmul(&k.t().unwrap()).unwrap();
        assert_eq!(scores.dims(), [2, 3, 5, 6]);
        let flat = |t: &Tensor| t.flatten_all().unwrap().to_vec1::<f32>().unwrap();
        for (a, b) in flat(&scores).iter().zip(flat(&reference)) {
            assert!((a - b).abs() < 1e-6);
        }
        let context = batched_matmul(&scores, &v).unwrap();
        for (a, b) in flat(&context)
            .iter()
            .zip(flat(&reference.matmul(&v).unwrap()))
        {
            assert!((a - b).abs() < 1e-6);
        }
        let back = batched_matmul(&scores.t().unwrap(), &q).unwrap();
        assert_eq!(back.dims(), [2, 3, 6, 4]);
        for (a, b) in flat(&back)
            .iter()
            .zip(flat(&scores.t().unwrap().matmul(&q).unwrap()))
        {
            assert!((a - b).abs() < 1e-6);
        }
    }
}
