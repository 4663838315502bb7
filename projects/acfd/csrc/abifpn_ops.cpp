// Copyright (c) OpenMMLab paper plugins contributors. All rights reserved.
//
// CPU kernels of ABi-FPN's fusion node (projects/acfd/abifpn.py), each one
// autograd node, on channels-last (N, H, W, C) float32/float64 maps:
//
// fusion_depthwise  a_i = relu(w_i) / (sum_j relu(w_j) + eps),
//                   F = sum_i a_i I_i,  D = F (*) K  (depthwise, zero padded)
//   with K the sum of the branch kernels (C, 1, kh, kw) centred in k x k
//   (ACFD's k x 1 and 1 x k branches, or one square kernel).
// pointwise_bn_relu Y = X W^T (X the (pixels, C) matrix of the map),
//                   out = max(gamma (Y - mean) / sqrt(var + eps) + beta, 0)
//   with training-mode batch statistics, updating the running ones as
//   nn.BatchNorm2d does.
//
// On the small maps of a feature pyramid PyTorch's kernels (oneDNN's
// depthwise convolution, batch norm) and the autograd graph of a dozen
// small operators cost far more per call than their arithmetic; here each
// node is two calls whose loops run over contiguous channels.
#include <ATen/Parallel.h>
#include <torch/extension.h>

#include <algorithm>
#include <cmath>
#include <vector>

namespace {

using torch::Tensor;
using torch::autograd::AutogradContext;
using torch::autograd::variable_list;

// Elements per parallel task (ATen's own grain): smaller maps run on the
// calling thread, where waking another one would cost more than it saves.
constexpr int64_t kGrain = 32768;

// at::parallel_for over rows of `row_size` elements.
template <typename F>
void for_rows(int64_t rows, int64_t row_size, const F& body) {
  const int64_t grain = std::max<int64_t>(1, kGrain / std::max<int64_t>(row_size, 1));
  at::parallel_for(0, rows, grain, body);
}

// Per-column sums over rows: `body(begin, end, acc)` adds the rows
// [begin, end) into acc (width values); partial sums per thread, then a
// total in double.
template <typename T, typename F>
std::vector<double> sum_rows(int64_t rows, int64_t row_size, int64_t width,
                             const F& body) {
  const int64_t threads = at::get_num_threads();
  std::vector<double> partial(threads * width, 0.0);
  for_rows(rows, row_size, [&](int64_t begin, int64_t end) {
    double* total = partial.data() + at::get_thread_num() * width;
    std::vector<T> acc(width);
    // blocks of rows summed in T (the vector loop), then added in double
    constexpr int64_t kBlock = 64;
    for (int64_t b = begin; b < end; b += kBlock) {
      std::fill(acc.begin(), acc.end(), T(0));
      body(b, std::min(end, b + kBlock), acc.data());
      for (int64_t j = 0; j < width; ++j) total[j] += acc[j];
    }
  });
  for (int64_t t = 1; t < threads; ++t)
    for (int64_t j = 0; j < width; ++j) partial[j] += partial[t * width + j];
  partial.resize(width);
  return partial;
}

Tensor empty_channels_last(int64_t n, int64_t c, int64_t h, int64_t w,
                           const at::TensorOptions& options) {
  return at::empty({n, c, h, w},
                   options.memory_format(at::MemoryFormat::ChannelsLast));
}

// The backwards write their results through raw pointers: not
// differentiable again, so a double backward (create_graph=True) is refused
// instead of returning gradients without a graph.
void check_first_order(const char* op) {
  TORCH_CHECK(!at::GradMode::is_enabled(), op,
              ": no higher-order gradients (create_graph=True); build ABiFPN "
              "with cpu_kernels=False for those");
}

Tensor channels_last(const Tensor& x) {
  return x.is_contiguous(at::MemoryFormat::ChannelsLast)
             ? x
             : x.contiguous(at::MemoryFormat::ChannelsLast);
}

// ---------------------------------------------------------------------------
// fusion_depthwise

struct Geometry {
  int64_t n, h, w, c, k, pad;
  int64_t rows() const { return n * h; }
  int64_t row_size() const { return w * c; }
  int64_t numel() const { return n * h * w * c; }
};

// The summed k x k kernel as a (k, k, C) buffer and which taps it uses.
template <typename T>
std::vector<T> combined_kernel(at::TensorList kernels, const Geometry& g,
                               std::vector<char>* used) {
  std::vector<T> out(g.k * g.k * g.c, T(0));
  used->assign(g.k * g.k, 0);
  for (const Tensor& kernel : kernels) {
    const int64_t kh = kernel.size(2), kw = kernel.size(3);
    const int64_t oy = (g.k - kh) / 2, ox = (g.k - kw) / 2;
    const T* src = kernel.data_ptr<T>();
    for (int64_t c = 0; c < g.c; ++c)
      for (int64_t y = 0; y < kh; ++y)
        for (int64_t x = 0; x < kw; ++x)
          out[((oy + y) * g.k + ox + x) * g.c + c] += src[(c * kh + y) * kw + x];
    for (int64_t y = 0; y < kh; ++y)
      for (int64_t x = 0; x < kw; ++x) (*used)[(oy + y) * g.k + ox + x] = 1;
  }
  return out;
}

// out[r, x] = sum_taps K[tap] in[r + s (dy - pad), x + s (dx - pad)] for the
// rows r in [begin, end): s = 1 is the forward correlation, s = -1 its
// transpose (the gradient with respect to the input).
template <typename T>
void depthwise_rows(const T* in, const T* kernel, const std::vector<char>& used,
                    const Geometry& g, int64_t s, T* out, int64_t begin,
                    int64_t end) {
  const int64_t row = g.row_size(), c = g.c;
  for (int64_t r = begin; r < end; ++r) {
    const int64_t n = r / g.h, y = r % g.h;
    T* o = out + r * row;
    std::fill(o, o + row, T(0));
    for (int64_t dy = 0; dy < g.k; ++dy) {
      const int64_t sy = y + s * (dy - g.pad);
      if (sy < 0 || sy >= g.h) continue;
      const T* irow = in + (n * g.h + sy) * row;
      for (int64_t dx = 0; dx < g.k; ++dx) {
        if (!used[dy * g.k + dx]) continue;
        const int64_t shift = s * (dx - g.pad);
        const int64_t x0 = std::max<int64_t>(0, -shift);
        const int64_t x1 = std::min<int64_t>(g.w, g.w - shift);
        const T* __restrict kk = kernel + (dy * g.k + dx) * c;
        for (int64_t x = x0; x < x1; ++x) {
          const T* __restrict ip = irow + (x + shift) * c;
          T* __restrict op = o + x * c;
          for (int64_t j = 0; j < c; ++j) op[j] += kk[j] * ip[j];
        }
      }
    }
  }
}

// dK[tap, c] = sum_{n, y, x} G[n, y, x, c] F[n, y + dy - pad, x + dx - pad, c]
template <typename T>
std::vector<double> kernel_grad(const T* grad, const T* feat,
                                const std::vector<char>& used,
                                const Geometry& g) {
  const int64_t row = g.row_size(), c = g.c;
  return sum_rows<T>(g.rows(), row, g.k * g.k * c,
                     [&](int64_t begin, int64_t end, T* acc) {
    for (int64_t r = begin; r < end; ++r) {
      const int64_t n = r / g.h, y = r % g.h;
      const T* grow = grad + r * row;
      for (int64_t dy = 0; dy < g.k; ++dy) {
        const int64_t sy = y + dy - g.pad;
        if (sy < 0 || sy >= g.h) continue;
        const T* frow = feat + (n * g.h + sy) * row;
        for (int64_t dx = 0; dx < g.k; ++dx) {
          if (!used[dy * g.k + dx]) continue;
          const int64_t shift = dx - g.pad;
          const int64_t x0 = std::max<int64_t>(0, -shift);
          const int64_t x1 = std::min<int64_t>(g.w, g.w - shift);
          T* __restrict a = acc + (dy * g.k + dx) * c;
          for (int64_t x = x0; x < x1; ++x) {
            const T* __restrict gp = grow + x * c;
            const T* __restrict fp = frow + (x + shift) * c;
            for (int64_t j = 0; j < c; ++j) a[j] += gp[j] * fp[j];
          }
        }
      }
    }
  });
}

// relu(w) / (sum relu(w) + eps), and that denominator.
template <typename T>
std::vector<double> fusion_coefficients(const Tensor& weight, double eps,
                                        double* total) {
  const T* p = weight.data_ptr<T>();
  std::vector<double> coef(weight.numel());
  *total = eps;
  for (int64_t i = 0; i < weight.numel(); ++i)
    *total += std::max<double>(p[i], 0.0);
  for (int64_t i = 0; i < weight.numel(); ++i)
    coef[i] = std::max<double>(p[i], 0.0) / *total;
  return coef;
}

Geometry geometry_of(const Tensor& map, int64_t kernel_size) {
  return {map.size(0), map.size(2), map.size(3), map.size(1), kernel_size,
          kernel_size / 2};
}

class FusionDepthwise : public torch::autograd::Function<FusionDepthwise> {
 public:
  static Tensor forward(AutogradContext* ctx, const Tensor& weight, double eps,
                        int64_t kernel_size, at::TensorList kernels,
                        at::TensorList inputs) {
    const Geometry g = geometry_of(inputs[0], kernel_size);
    variable_list maps;
    for (const Tensor& x : inputs) maps.push_back(channels_last(x));
    const auto options = maps[0].options();
    Tensor fused = empty_channels_last(g.n, g.c, g.h, g.w, options);
    Tensor out = empty_channels_last(g.n, g.c, g.h, g.w, options);
    AT_DISPATCH_FLOATING_TYPES(fused.scalar_type(), "fusion_depthwise", [&] {
      double total;
      const auto coef = fusion_coefficients<scalar_t>(weight, eps, &total);
      std::vector<const scalar_t*> src;
      for (const Tensor& m : maps) src.push_back(m.data_ptr<scalar_t>());
      scalar_t* f = fused.data_ptr<scalar_t>();
      at::parallel_for(0, g.numel(), kGrain, [&](int64_t b, int64_t e) {
        const scalar_t a0 = coef[0];
        for (int64_t i = b; i < e; ++i) f[i] = a0 * src[0][i];
        for (size_t m = 1; m < src.size(); ++m) {
          const scalar_t am = coef[m];
          const scalar_t* __restrict sm = src[m];
          for (int64_t i = b; i < e; ++i) f[i] += am * sm[i];
        }
      });
      std::vector<char> used;
      const auto k = combined_kernel<scalar_t>(kernels, g, &used);
      scalar_t* o = out.data_ptr<scalar_t>();
      for_rows(g.rows(), g.row_size(), [&](int64_t b, int64_t e) {
        depthwise_rows<scalar_t>(f, k.data(), used, g, 1, o, b, e);
      });
    });
    variable_list saved{weight, fused};
    saved.insert(saved.end(), kernels.begin(), kernels.end());
    saved.insert(saved.end(), maps.begin(), maps.end());
    ctx->save_for_backward(saved);
    ctx->saved_data["eps"] = eps;
    ctx->saved_data["kernel_size"] = kernel_size;
    ctx->saved_data["num_kernels"] = static_cast<int64_t>(kernels.size());
    return out;
  }

  static variable_list backward(AutogradContext* ctx, variable_list grads) {
    check_first_order("fusion_depthwise");
    const variable_list saved = ctx->get_saved_variables();
    const int64_t num_kernels = ctx->saved_data["num_kernels"].toInt();
    const Tensor& weight = saved[0];
    const Tensor& fused = saved[1];
    const std::vector<Tensor> kernels(saved.begin() + 2,
                                      saved.begin() + 2 + num_kernels);
    const std::vector<Tensor> maps(saved.begin() + 2 + num_kernels,
                                   saved.end());
    const int64_t num_inputs = static_cast<int64_t>(maps.size());
    const Geometry g =
        geometry_of(fused, ctx->saved_data["kernel_size"].toInt());
    const Tensor grad = channels_last(grads[0].to(fused.scalar_type()));
    const auto options = fused.options();

    variable_list out{at::empty({num_inputs}, weight.options()), Tensor(),
                      Tensor()};
    for (const Tensor& kernel : kernels)
      out.push_back(at::empty(kernel.sizes(), kernel.options()));
    for (int64_t i = 0; i < num_inputs; ++i)
      out.push_back(empty_channels_last(g.n, g.c, g.h, g.w, options));

    AT_DISPATCH_FLOATING_TYPES(fused.scalar_type(), "fusion_depthwise_bwd", [&] {
      double total;
      const auto coef = fusion_coefficients<scalar_t>(
          weight, ctx->saved_data["eps"].toDouble(), &total);
      std::vector<char> used;
      const auto k = combined_kernel<scalar_t>(kernels, g, &used);
      const scalar_t* gp = grad.data_ptr<scalar_t>();
      Tensor grad_fused = empty_channels_last(g.n, g.c, g.h, g.w, options);
      scalar_t* gf = grad_fused.data_ptr<scalar_t>();
      for_rows(g.rows(), g.row_size(), [&](int64_t b, int64_t e) {
        depthwise_rows<scalar_t>(gp, k.data(), used, g, -1, gf, b, e);
      });

      // the branch kernels' gradients: their windows of the k x k one
      const auto dk = kernel_grad<scalar_t>(gp, fused.data_ptr<scalar_t>(),
                                            used, g);
      for (int64_t b = 0; b < num_kernels; ++b) {
        const int64_t kh = kernels[b].size(2), kw = kernels[b].size(3);
        const int64_t oy = (g.k - kh) / 2, ox = (g.k - kw) / 2;
        scalar_t* dst = out[3 + b].data_ptr<scalar_t>();
        for (int64_t c = 0; c < g.c; ++c)
          for (int64_t y = 0; y < kh; ++y)
            for (int64_t x = 0; x < kw; ++x)
              dst[(c * kh + y) * kw + x] =
                  dk[((oy + y) * g.k + ox + x) * g.c + c];
      }

      // dI_i = a_i dF, and d a_i = <dF, I_i> in the same pass
      std::vector<const scalar_t*> src;
      std::vector<scalar_t*> dst;
      for (int64_t i = 0; i < num_inputs; ++i) {
        src.push_back(maps[i].data_ptr<scalar_t>());
        dst.push_back(out[3 + num_kernels + i].data_ptr<scalar_t>());
      }
      // per-channel partial dot products: a scalar accumulator would be a
      // sequential reduction (no reassociation, so no vector loop)
      const int64_t c = g.c;
      const auto partial = sum_rows<scalar_t>(
          g.numel() / c, c, num_inputs * c,
          [&](int64_t begin, int64_t end, scalar_t* acc) {
            for (int64_t i = 0; i < num_inputs; ++i) {
              const scalar_t a = coef[i];
              scalar_t* __restrict dot = acc + i * c;
              for (int64_t r = begin; r < end; ++r) {
                const scalar_t* __restrict gr = gf + r * c;
                const scalar_t* __restrict s = src[i] + r * c;
                scalar_t* __restrict d = dst[i] + r * c;
                for (int64_t j = 0; j < c; ++j) {
                  d[j] = a * gr[j];
                  dot[j] += gr[j] * s[j];
                }
              }
            }
          });
      std::vector<double> grad_coef(num_inputs, 0.0);
      for (int64_t i = 0; i < num_inputs; ++i)
        for (int64_t j = 0; j < c; ++j) grad_coef[i] += partial[i * c + j];
      // a_i = w_i / total: d w_j = (d a_j - sum_i d a_i a_i) / total where
      // w_j > 0 (the ReLU), 0 elsewhere
      double mixed = 0;
      for (int64_t i = 0; i < num_inputs; ++i) mixed += grad_coef[i] * coef[i];
      const scalar_t* w = weight.data_ptr<scalar_t>();
      scalar_t* dw = out[0].data_ptr<scalar_t>();
      for (int64_t j = 0; j < num_inputs; ++j)
        dw[j] = w[j] > 0 ? (grad_coef[j] - mixed) / total : 0.0;
    });
    return out;
  }
};

// ---------------------------------------------------------------------------
// pointwise_bn_relu

// The ReLU's gradient: both values read unconditionally, so that the
// compiler can vectorise the select (a conditional load of the gradient
// would be a branch per element, mispredicted on about half of them).
template <typename T>
inline T relu_grad(T out, T grad) {
  return out > T(0) ? grad : T(0);
}

class PointwiseBNReLU : public torch::autograd::Function<PointwiseBNReLU> {
 public:
  static Tensor forward(AutogradContext* ctx, const Tensor& input,
                        const Tensor& weight, const Tensor& gamma,
                        const Tensor& beta, Tensor running_mean,
                        Tensor running_var, double momentum, double eps) {
    const Tensor x = channels_last(input);
    const int64_t n = x.size(0), h = x.size(2), w = x.size(3);
    const int64_t rows = n * h * w, c = weight.size(0);
    TORCH_CHECK(rows > 1,
                "batch norm needs more than one value per channel in "
                "training, got an input of size ", x.sizes());
    const Tensor y = at::mm(x.permute({0, 2, 3, 1}).reshape({rows, x.size(1)}),
                            weight.reshape({c, -1}).t());
    Tensor out = empty_channels_last(n, c, h, w, y.options());
    // (mean, invstd) per channel, for the backward
    Tensor stats = at::empty({2, c}, y.options().dtype(at::kDouble));
    AT_DISPATCH_FLOATING_TYPES(y.scalar_type(), "pointwise_bn_relu", [&] {
      const scalar_t* yp = y.data_ptr<scalar_t>();
      const auto sum = sum_rows<scalar_t>(rows, c, c,
          [&](int64_t b, int64_t e, scalar_t* acc) {
            for (int64_t r = b; r < e; ++r)
              for (int64_t j = 0; j < c; ++j) acc[j] += yp[r * c + j];
          });
      std::vector<scalar_t> mean(c);
      for (int64_t j = 0; j < c; ++j) mean[j] = sum[j] / rows;
      const auto sq = sum_rows<scalar_t>(rows, c, c,
          [&](int64_t b, int64_t e, scalar_t* acc) {
            for (int64_t r = b; r < e; ++r)
              for (int64_t j = 0; j < c; ++j) {
                const scalar_t d = yp[r * c + j] - mean[j];
                acc[j] += d * d;
              }
          });
      const scalar_t* gm = gamma.data_ptr<scalar_t>();
      const scalar_t* bt = beta.data_ptr<scalar_t>();
      scalar_t* rm = running_mean.data_ptr<scalar_t>();
      scalar_t* rv = running_var.data_ptr<scalar_t>();
      double* st = stats.data_ptr<double>();
      std::vector<scalar_t> scale(c), shift(c);
      for (int64_t j = 0; j < c; ++j) {
        const double invstd = 1.0 / std::sqrt(sq[j] / rows + eps);
        st[j] = mean[j];
        st[c + j] = invstd;
        scale[j] = gm[j] * invstd;
        shift[j] = bt[j] - mean[j] * scale[j];
        rm[j] = (1 - momentum) * rm[j] + momentum * mean[j];
        rv[j] = (1 - momentum) * rv[j] + momentum * sq[j] / (rows - 1);
      }
      scalar_t* op = out.data_ptr<scalar_t>();
      for_rows(rows, c, [&](int64_t b, int64_t e) {
        for (int64_t r = b; r < e; ++r)
          for (int64_t j = 0; j < c; ++j) {
            const scalar_t z = yp[r * c + j] * scale[j] + shift[j];
            op[r * c + j] = z > 0 ? z : scalar_t(0);
          }
      });
    });
    ctx->save_for_backward({x, weight, gamma, y, stats, out});
    return out;
  }

  static variable_list backward(AutogradContext* ctx, variable_list grads) {
    check_first_order("pointwise_bn_relu");
    const variable_list saved = ctx->get_saved_variables();
    const Tensor &x = saved[0], &weight = saved[1], &gamma = saved[2];
    const Tensor &y = saved[3], &stats = saved[4], &out = saved[5];
    const int64_t n = x.size(0), h = x.size(2), w = x.size(3);
    const int64_t rows = y.size(0), c = y.size(1), cin = x.size(1);
    const Tensor grad = channels_last(grads[0].to(y.scalar_type()));
    Tensor gy = at::empty({rows, c}, y.options());
    Tensor grad_gamma = at::empty({c}, gamma.options());
    Tensor grad_beta = at::empty({c}, gamma.options());
    AT_DISPATCH_FLOATING_TYPES(y.scalar_type(), "pointwise_bn_relu_bwd", [&] {
      const scalar_t* gp = grad.data_ptr<scalar_t>();
      const scalar_t* op = out.data_ptr<scalar_t>();
      const scalar_t* yp = y.data_ptr<scalar_t>();
      const double* st = stats.data_ptr<double>();
      std::vector<scalar_t> mean(st, st + c), invstd(st + c, st + 2 * c);
      // the ReLU's gradient gz, then sum gz and sum gz (y - mean)
      const auto sums = sum_rows<scalar_t>(rows, c, 2 * c,
          [&](int64_t b, int64_t e, scalar_t* acc) {
            for (int64_t r = b; r < e; ++r)
              for (int64_t j = 0; j < c; ++j) {
                const scalar_t gz = relu_grad(op[r * c + j], gp[r * c + j]);
                acc[j] += gz;
                acc[c + j] += gz * (yp[r * c + j] - mean[j]);
              }
          });
      const scalar_t* gm = gamma.data_ptr<scalar_t>();
      scalar_t* dg = grad_gamma.data_ptr<scalar_t>();
      scalar_t* db = grad_beta.data_ptr<scalar_t>();
      // dY = gamma invstd (gz - mean(gz) - xhat mean(gz xhat)), xhat =
      // (y - mean) invstd: dY = A gz + B (y - mean) + C0
      std::vector<scalar_t> a(c), bcoef(c), c0(c);
      for (int64_t j = 0; j < c; ++j) {
        const double is = invstd[j];
        db[j] = sums[j];
        dg[j] = sums[c + j] * is;
        a[j] = gm[j] * is;
        bcoef[j] = -gm[j] * is * is * is * sums[c + j] / rows;
        c0[j] = -gm[j] * is * sums[j] / rows;
      }
      scalar_t* d = gy.data_ptr<scalar_t>();
      for_rows(rows, c, [&](int64_t b, int64_t e) {
        for (int64_t r = b; r < e; ++r)
          for (int64_t j = 0; j < c; ++j) {
            const scalar_t gz = relu_grad(op[r * c + j], gp[r * c + j]);
            d[r * c + j] =
                a[j] * gz + bcoef[j] * (yp[r * c + j] - mean[j]) + c0[j];
          }
      });
    });
    Tensor grad_x = empty_channels_last(n, cin, h, w, x.options());
    // the (rows, C) matrices of the channels-last maps
    Tensor grad_x_rows = grad_x.permute({0, 2, 3, 1}).view({rows, cin});
    at::mm_out(grad_x_rows, gy, weight.reshape({c, cin}));
    Tensor grad_w = at::mm(gy.t(), x.permute({0, 2, 3, 1}).reshape({rows, cin}))
                        .view(weight.sizes());
    return {grad_x, grad_w, grad_gamma, grad_beta,
            Tensor(), Tensor(), Tensor(), Tensor()};
  }
};

Tensor fusion_depthwise(const Tensor& weight, double eps, int64_t kernel_size,
                        std::vector<Tensor> kernels,
                        std::vector<Tensor> inputs) {
  TORCH_CHECK(!inputs.empty() && !kernels.empty(),
              "fusion_depthwise needs inputs and kernels");
  TORCH_CHECK(weight.dim() == 1 &&
                  weight.numel() == static_cast<int64_t>(inputs.size()),
              "fusion_depthwise: ", inputs.size(), " inputs for fusion "
              "weights of size ", weight.sizes());
  TORCH_CHECK(kernel_size % 2 == 1, "fusion_depthwise: kernel_size must be "
              "odd, got ", kernel_size);
  for (const Tensor& x : inputs)
    TORCH_CHECK(x.device().is_cpu() && x.dim() == 4 &&
                    x.sizes() == inputs[0].sizes() &&
                    x.scalar_type() == weight.scalar_type(),
                "fusion_depthwise: inputs must be CPU maps of one size and "
                "of the weights' dtype, got ", x.sizes(), " ",
                x.scalar_type());
  for (Tensor& kernel : kernels) {
    TORCH_CHECK(kernel.dim() == 4 && kernel.size(0) == inputs[0].size(1) &&
                    kernel.size(1) == 1 && kernel.size(2) % 2 == 1 &&
                    kernel.size(3) % 2 == 1 && kernel.size(2) <= kernel_size &&
                    kernel.size(3) <= kernel_size &&
                    kernel.scalar_type() == weight.scalar_type(),
                "fusion_depthwise: depthwise kernels must be (C, 1, kh, kw) "
                "with odd kh, kw <= kernel_size, got ", kernel.sizes());
    kernel = kernel.contiguous();
  }
  // as TensorLists, so that autograd sees every tensor of the two lists
  return FusionDepthwise::apply(weight.contiguous(), eps, kernel_size,
                                at::TensorList(kernels),
                                at::TensorList(inputs));
}

Tensor pointwise_bn_relu(const Tensor& input, const Tensor& weight,
                         const Tensor& gamma, const Tensor& beta,
                         Tensor running_mean, Tensor running_var,
                         double momentum, double eps) {
  const int64_t c = weight.size(0);
  TORCH_CHECK(input.dim() == 4 && weight.dim() == 4 &&
                  weight.size(1) == input.size(1) && weight.size(2) == 1 &&
                  weight.size(3) == 1,
              "pointwise_bn_relu: a (N, C, H, W) input and a (C_out, C, 1, 1) "
              "weight, got ", input.sizes(), " and ", weight.sizes());
  for (const Tensor& t : {gamma, beta, running_mean, running_var})
    TORCH_CHECK(t.dim() == 1 && t.size(0) == c && t.is_contiguous() &&
                    t.scalar_type() == input.scalar_type(),
                "pointwise_bn_relu: batch norm tensors must be contiguous, of "
                "size (", c, ") and the input's dtype, got ", t.sizes());
  TORCH_CHECK(input.device().is_cpu() &&
                  weight.scalar_type() == input.scalar_type(),
              "pointwise_bn_relu: CPU tensors of one dtype");
  return PointwiseBNReLU::apply(input, weight, gamma, beta, running_mean,
                                running_var, momentum, eps);
}

}  // namespace

PYBIND11_MODULE(TORCH_EXTENSION_NAME, m) {
  m.def("fusion_depthwise", &fusion_depthwise,
        "ABi-FPN fusion node: normalised weighted sum, then depthwise conv");
  m.def("pointwise_bn_relu", &pointwise_bn_relu,
        "ABi-FPN pointwise conv, training-mode batch norm and ReLU");
}
