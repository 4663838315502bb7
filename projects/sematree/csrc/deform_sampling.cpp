// Copyright (c) OpenMMLab paper plugins contributors. All rights reserved.
//
// Inference-time CPU sampling of a modulated deformable convolution (DCNv2,
// projects/sematree/sampled_deform_conv.py): the columns
//
//   cols[n, p, k * C + c] = m[n, g, k, p] x_c(p * s - pad + p_k * d + delta)
//
// with bilinear interpolation reading zeros outside the image (mmcv's
// modulated_deform_conv2d), g = c / (C / G) the deform group of channel c,
// (dy, dx) = offset[n, (g K + k) 2 + {0, 1}, p] (mmcv's layout). The input
// is channels-last, so each of the four corners of a sampling point is C / G
// contiguous values and the loop over channels vectorises; the columns come
// out as (pixels, K * C) rows, ready for one GEMM with the weight in (C_out,
// kh, kw, C) order. PyTorch's grid_sample, the path this replaces without
// gradients, spends several times the GEMM's memory traffic on the same
// columns and parallelises over its batch only.
#include <ATen/Parallel.h>
#include <torch/extension.h>

#include <cmath>

namespace {

using torch::Tensor;

template <typename T>
void sample_rows(const T* x, const T* offset, const T* mask, T* cols,
                 int64_t h, int64_t w, int64_t c, int64_t ho, int64_t wo,
                 int64_t kh, int64_t kw, int64_t groups,
                 std::array<int64_t, 6> geometry, int64_t begin,
                 int64_t end) {
  const auto [sh, sw, ph, pw, dh, dw] = geometry;
  const int64_t k_all = kh * kw, cg = c / groups, plane = ho * wo;
  for (int64_t row = begin; row < end; ++row) {
    const int64_t n = row / ho, oy = row % ho;
    const T* img = x + n * h * w * c;
    const T* off = offset + n * 2 * groups * k_all * plane;
    const T* msk = mask + n * groups * k_all * plane;
    for (int64_t ox = 0; ox < wo; ++ox) {
      const int64_t p = oy * wo + ox;
      T* out = cols + (n * plane + p) * k_all * c;
      for (int64_t g = 0; g < groups; ++g) {
        for (int64_t k = 0; k < k_all; ++k) {
          const int64_t ki = k / kw, kj = k % kw;
          const T y = oy * sh - ph + ki * dh +
                      off[((g * k_all + k) * 2) * plane + p];
          const T xx = ox * sw - pw + kj * dw +
                       off[((g * k_all + k) * 2 + 1) * plane + p];
          const T m = msk[(g * k_all + k) * plane + p];
          T* __restrict dst = out + k * c + g * cg;
          std::fill(dst, dst + cg, T(0));
          if (!(y > -1 && xx > -1 && y < h && xx < w)) continue;
          const int64_t y0 = static_cast<int64_t>(std::floor(y));
          const int64_t x0 = static_cast<int64_t>(std::floor(xx));
          const T ly = y - y0, lx = xx - x0;
          const T corner_w[4] = {(1 - ly) * (1 - lx) * m, (1 - ly) * lx * m,
                                 ly * (1 - lx) * m, ly * lx * m};
          const int64_t cy[4] = {y0, y0, y0 + 1, y0 + 1};
          const int64_t cx[4] = {x0, x0 + 1, x0, x0 + 1};
          for (int q = 0; q < 4; ++q) {
            if (cy[q] < 0 || cy[q] >= h || cx[q] < 0 || cx[q] >= w) continue;
            const T* __restrict src = img + (cy[q] * w + cx[q]) * c + g * cg;
            const T a = corner_w[q];
            for (int64_t j = 0; j < cg; ++j) dst[j] += a * src[j];
          }
        }
      }
    }
  }
}

// (N, Ho * Wo, kh * kw * C) modulated columns of a channels-last input.
Tensor deform_columns(const Tensor& input, const Tensor& offset,
                      const Tensor& mask, int64_t kh, int64_t kw,
                      std::vector<int64_t> stride, std::vector<int64_t> padding,
                      std::vector<int64_t> dilation, int64_t groups) {
  TORCH_CHECK(!at::GradMode::is_enabled() ||
                  !(input.requires_grad() || offset.requires_grad() ||
                    mask.requires_grad()),
              "deform_columns has no backward: call it without gradients");
  TORCH_CHECK(input.dim() == 4 && offset.dim() == 4 && mask.dim() == 4 &&
                  input.device().is_cpu(),
              "deform_columns: 4-D CPU tensors");
  const int64_t n = input.size(0), c = input.size(1), h = input.size(2),
                w = input.size(3), ho = offset.size(2), wo = offset.size(3);
  TORCH_CHECK(groups > 0 && c % groups == 0 &&
                  offset.size(0) == n && offset.size(1) == 2 * groups * kh * kw &&
                  mask.size(0) == n && mask.size(1) == groups * kh * kw &&
                  mask.size(2) == ho && mask.size(3) == wo,
              "deform_columns: offset (N, 2 G K, Ho, Wo) and mask (N, G K, "
              "Ho, Wo) for G dividing C, got ", offset.sizes(), " and ",
              mask.sizes());
  TORCH_CHECK(stride.size() == 2 && padding.size() == 2 && dilation.size() == 2,
              "deform_columns: stride, padding and dilation are pairs");
  const Tensor x = input.contiguous(at::MemoryFormat::ChannelsLast);
  const Tensor off = offset.contiguous().to(x.scalar_type());
  const Tensor msk = mask.contiguous().to(x.scalar_type());
  Tensor cols = at::empty({n, ho * wo, kh * kw * c}, x.options());
  const std::array<int64_t, 6> geometry{stride[0],  stride[1],  padding[0],
                                        padding[1], dilation[0], dilation[1]};
  AT_DISPATCH_FLOATING_TYPES(x.scalar_type(), "deform_columns", [&] {
    const int64_t row_size = std::max<int64_t>(wo * kh * kw * c, 1);
    at::parallel_for(0, n * ho, std::max<int64_t>(1, 32768 / row_size),
                     [&](int64_t begin, int64_t end) {
      sample_rows<scalar_t>(x.data_ptr<scalar_t>(), off.data_ptr<scalar_t>(),
                            msk.data_ptr<scalar_t>(), cols.data_ptr<scalar_t>(),
                            h, w, c, ho, wo, kh, kw, groups, geometry, begin,
                            end);
    });
  });
  return cols;
}

}  // namespace

PYBIND11_MODULE(TORCH_EXTENSION_NAME, m) {
  m.def("deform_columns", &deform_columns,
        "DCNv2 modulated bilinear columns of a channels-last CPU input");
}
