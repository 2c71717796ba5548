"""The facts the 2026 expert review corrected, pinned by running them on the installed torch.

Each test states one claim an overlay makes (the overlay is named) and fails if torch stops behaving that
way, so an upgrade that changes a default or a message shows up here before it makes an answer wrong.
"""

from __future__ import annotations

import inspect
import math
import warnings

import pytest
import torch
import torch.nn.functional as F
from torch import nn


def test_is_causal_is_aligned_top_left_and_causal_lower_right_fits_a_decode_step():
    # scaled-dot-product-attention, kv-cache: one query against 5 cached keys
    from torch.nn.attention.bias import causal_lower_right

    q, k, v = torch.randn(1, 1, 1, 8), torch.randn(1, 1, 5, 8), torch.randn(1, 1, 5, 8)
    top_left = F.scaled_dot_product_attention(q, k, v, is_causal=True)
    assert torch.allclose(top_left, v[:, :, :1])  # attends to key 0 only
    lower_right = F.scaled_dot_product_attention(q, k, v, attn_mask=causal_lower_right(1, 5))
    assert torch.allclose(lower_right, F.scaled_dot_product_attention(q, k, v), atol=1e-6)
    assert not torch.allclose(top_left, lower_right)


def test_a_fully_masked_row_is_nan_with_masked_fill_minus_inf():
    # scaled-dot-product-attention
    scores = torch.randn(4, 4)
    allowed = torch.ones(4, 4, dtype=torch.bool)
    allowed[0] = False
    weights = scores.masked_fill(~allowed, float("-inf")).softmax(-1)
    assert weights[0].isnan().all() and not weights[1:].isnan().any()


def test_cpu_sdpa_runs_a_fused_flash_kernel_and_math_is_the_fallback():
    # scaled-dot-product-attention, flashattention-sdpa-backends
    from torch.nn.attention import SDPBackend, sdpa_kernel
    from torch.profiler import ProfilerActivity, profile

    x = torch.randn(1, 2, 64, 16)

    def kernels() -> set[str]:
        with profile(activities=[ProfilerActivity.CPU]) as prof:
            F.scaled_dot_product_attention(x, x, x, is_causal=True)
        return {e.key for e in prof.key_averages()}

    assert "aten::_scaled_dot_product_flash_attention_for_cpu" in kernels()
    with sdpa_kernel(SDPBackend.MATH):
        assert "aten::_scaled_dot_product_attention_math" in kernels()


def test_float32_matmuls_do_not_use_tf32_by_default_but_cudnn_convolutions_do():
    # mixed-precision-autocast-gradscaler, tf32-fp8-matmul-precision
    assert torch.get_float32_matmul_precision() == "highest"
    assert torch.backends.cuda.matmul.allow_tf32 is False
    assert torch.backends.cudnn.allow_tf32 is True
    try:
        torch.set_float32_matmul_precision("high")
        assert torch.backends.cuda.matmul.allow_tf32 is True
    finally:
        torch.set_float32_matmul_precision("highest")


def test_float8_ranges():
    # tf32-fp8-matmul-precision: why FP8 needs scaling
    assert torch.finfo(torch.float8_e4m3fn).max == 448.0
    assert torch.finfo(torch.float8_e5m2).max == 57344.0
    assert torch.tensor([1e-4]).to(torch.float8_e4m3fn).float().item() == 0.0  # underflows unscaled


def test_export_is_non_strict_by_default_and_onnx_export_uses_dynamo():
    # torchscript-export-onnx
    assert inspect.signature(torch.export.export).parameters["strict"].default is False
    assert inspect.signature(torch.onnx.export).parameters["dynamo"].default is True


def test_gradcheck_raises_by_default():
    # custom-autograd-function-gradcheck: a wrong backward raises; False only with raise_exception=False
    from torch.autograd.gradcheck import GradcheckError

    class WrongExp(torch.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return x.exp()

        @staticmethod
        def backward(ctx, grad):
            (x,) = ctx.saved_tensors
            return grad * x.exp() * 1.1

    x = torch.randn(3, dtype=torch.float64, requires_grad=True)
    with pytest.raises(GradcheckError, match="Jacobian mismatch"):
        torch.autograd.gradcheck(WrongExp.apply, (x,))
    assert torch.autograd.gradcheck(WrongExp.apply, (x,), raise_exception=False) is False


def test_instance_norm_has_no_affine_parameters_by_default():
    # batchnorm-layernorm-groupnorm-rmsnorm
    norm = nn.InstanceNorm2d(3)
    assert norm.affine is False and norm.track_running_stats is False
    assert list(norm.parameters()) == []
    assert all(m.affine for m in (nn.BatchNorm2d(3), nn.GroupNorm(1, 3)))


def test_in_place_error_names_the_forward_op():
    # in-place-operations-autograd: "output 0 of Sigmoid" on torch 2.13, not "SigmoidBackward0"
    x = torch.randn(3, requires_grad=True)
    y = torch.sigmoid(x)
    y.mul_(2)
    with pytest.raises(RuntimeError, match=r"which is output 0 of Sigmoid, is at version 1; expected version 0"):
        y.sum().backward()


def test_adam_can_step_further_than_lr_after_near_zero_gradients():
    # adam-optimizer-minute: lr is not a bound on the step
    p = torch.zeros(1, requires_grad=True)
    opt = torch.optim.Adam([p], lr=0.1)
    p.grad = torch.tensor([1e-6])
    opt.step()
    state = opt.state[p]
    state["step"].fill_(5000)
    state["exp_avg"].fill_(1e-6)
    state["exp_avg_sq"].fill_(1e-12 * (1 - 0.999**5000))
    before = p.item()
    p.grad = torch.tensor([1.0])
    opt.step()
    assert before - p.item() > 3 * 0.1
    assert math.isclose(before - p.item(), 0.1 * 0.1 / math.sqrt(0.001 / (1 - 0.999**5001)), rel_tol=1e-3)


def test_backward_costs_twice_the_forward_flops():
    # backpropagation: backward ≈ 2x forward, forward + backward ≈ 3x
    from torch.utils.flop_counter import FlopCounterMode

    layer = nn.Linear(256, 128)
    x = torch.randn(32, 256, requires_grad=True)
    with FlopCounterMode(display=False) as forward:
        y = layer(x)
    with FlopCounterMode(display=False) as backward:
        y.sum().backward()
    assert forward.get_total_flops() == 2 * 32 * 256 * 128
    assert backward.get_total_flops() == 2 * forward.get_total_flops()


def test_lstm_forget_gate_is_the_whole_derivative_only_on_the_cell_state_path():
    # lstm-solve-vanishing-gradient-challenge: d c_t / d c_{t-1} = diag(f_t); h_{t-1} has its own paths
    torch.manual_seed(0)
    cell = nn.LSTMCell(4, 3)
    x, h, c = torch.randn(1, 4), torch.randn(1, 3), torch.randn(1, 3)
    jac = torch.autograd.functional.jacobian(lambda c0: cell(x, (h, c0))[1], c)[0, :, 0, :]
    gates = x @ cell.weight_ih.T + cell.bias_ih + h @ cell.weight_hh.T + cell.bias_hh
    forget = torch.sigmoid(gates.chunk(4, dim=1)[1])[0]  # PyTorch's gate order: input, forget, cell, output
    assert torch.allclose(jac, torch.diag(forget), atol=1e-6)
    jac_h = torch.autograd.functional.jacobian(lambda h0: cell(x, (h0, c))[1], h)[0, :, 0, :]
    assert jac_h.abs().max() > 1e-3  # the hidden-state path is not just the forget gate


def test_eager_quantization_api_is_deprecated():
    # quantization-ptq-qat-int8-int4: torch.ao.quantization warns; torchao is the current API
    import torch.ao.quantization as aq

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        aq.quantize_dynamic(nn.Sequential(nn.Linear(4, 4)), {nn.Linear}, dtype=torch.qint8)
    assert any("deprecated" in str(w.message) for w in caught)
