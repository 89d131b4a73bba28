"""helpers/padding.py: convolutions on images smaller than their window compute what nn.Conv2d computes,
gradients included, without multiplying the padding (08, 10)."""
import copy

import pytest
import torch
import torch.nn.functional as F
from torch import nn

from helpers import padding


# ---------------------------------------------------------------- skip_padding
def conv_cases():
    "(convolution, input) pairs of many shapes: one-pixel outputs of all kinds of kernel, stride and padding, and more."
    import random
    rng = random.Random(0)
    cases = []
    while len(cases) < 120:
        k = rng.choice([1, 2, 3, 5, 7])
        s, p = rng.choice([1, 2, 3]), rng.randint(0, k - 1)
        h, w = rng.randint(1, 5), rng.randint(1, 5)
        if len(cases) % 2:   # every other case: a size whose output is one pixel (h + 2p - k from 0 to s - 1)
            h, w = (max(1, k - 2 * p + rng.randint(0, s - 1)) for _ in "hw")
        if h + 2 * p < k or w + 2 * p < k:
            continue
        torch.manual_seed(len(cases))
        conv = nn.Conv2d(rng.randint(1, 4), rng.randint(1, 4), k, s, p, bias=rng.random() < 0.5).double()
        cases.append((conv, torch.randn(3, conv.in_channels, h, w, dtype=torch.double)))
    return cases


def test_skip_padding_computes_what_the_convolution_does_with_the_same_gradients():

    one_pixel = 0
    for conv, x in conv_cases():
        model = padding.skip_padding(nn.Sequential(copy.deepcopy(conv)))
        assert type(model[0]) is padding.SmallImageConv2d
        x1, x2 = x.clone().requires_grad_(), x.clone().requires_grad_()
        a, b = conv(x1), model(x2)
        assert a.shape == b.shape and torch.allclose(a, b, atol=1e-12)
        one_pixel += a.shape[-2:] == (1, 1)
        g = torch.randn_like(a)
        mine = [p for p in (x1, conv.weight, conv.bias) if p is not None]
        theirs = [p for p in (x2, model[0].weight, model[0].bias) if p is not None]
        for u, v in zip(torch.autograd.grad(a, mine, g), torch.autograd.grad(b, theirs, g)):
            assert torch.allclose(u, v, atol=1e-12)
    assert one_pixel >= 50   # the shortcut itself was tested, not only the fallback


def test_skip_padding_keeps_the_parameters_and_their_names_and_leaves_other_layers_alone():
    from torchvision.models import resnet18
    model = resnet18(num_classes=2)
    params, names = list(model.parameters()), list(model.state_dict())
    padding.skip_padding(model)
    assert all(a is b for a, b in zip(params, model.parameters())) and list(model.state_dict()) == names
    assert sum(type(m) is padding.SmallImageConv2d for m in model.modules()) == 20   # every conv of ResNet18
    assert padding.skip_padding(model) is model and list(model.state_dict()) == names   # a second call changes nothing
    unbatched = padding.skip_padding(nn.Sequential(nn.Conv2d(2, 3, 3, padding=1)))
    image = torch.randn(2, 1, 1)
    assert torch.allclose(unbatched(image), F.conv2d(image, unbatched[0].weight, unbatched[0].bias, padding=1))
    grouped = padding.skip_padding(nn.Sequential(nn.Conv2d(4, 4, 3, padding=1, groups=2),
                                               nn.Conv2d(4, 4, 3, padding=2, dilation=2),
                                               nn.Conv2d(4, 4, 3, padding=1, padding_mode="reflect")))
    assert all(type(m) is nn.Conv2d for m in grouped)


def test_skip_padding_gives_resnet18_on_a_digit_the_same_outputs_in_bfloat16_and_channels_last():

    from torchvision.models import resnet18
    torch.manual_seed(0)
    plain = resnet18(num_classes=2).eval()
    fast = padding.skip_padding(copy.deepcopy(plain)).eval()
    x = torch.randn(4, 3, 28, 28)
    with torch.no_grad():
        assert torch.allclose(plain(x), fast(x), atol=1e-5)
        xl = x.to(memory_format=torch.channels_last)
        plain_l, fast_l = plain.to(memory_format=torch.channels_last), fast.to(memory_format=torch.channels_last)
        with torch.autocast("cpu", dtype=torch.bfloat16):
            a, b = plain_l(xl).float(), fast_l(xl).float()
    assert torch.allclose(a, b, atol=0.05 * a.abs().max().item())


def test_small_images_use_the_matrix_product_in_either_memory_layout():
    "Stride-1 windows on images smaller than themselves (ResNet18's layer3 on 2 × 2) and one-pixel outputs."
    torch.manual_seed(1)
    products = 0
    for cin, cout, k, s, p, size in [(8, 6, 3, 1, 1, 2), (8, 6, 3, 1, 1, 1), (8, 6, 3, 2, 1, 2), (8, 6, 1, 2, 0, 2),
                                     (5, 7, 3, 1, 1, 3), (4, 4, 3, 2, 1, 4), (4, 4, 1, 2, 0, 4), (3, 2, 5, 1, 2, 2),
                                     (2, 3, 1, 3, 1, 1)]:   # the last: a window that meets padding only
        for channels_last in (False, True):
            conv = nn.Conv2d(cin, cout, k, s, p).double()
            x = torch.randn(3, cin, size, size, dtype=torch.double)
            if channels_last:
                conv, x = conv.to(memory_format=torch.channels_last), x.contiguous(memory_format=torch.channels_last)
            small = padding.skip_padding(nn.Sequential(copy.deepcopy(conv)))[0]
            products += padding._plan(small, size, size) is not None
            x1, x2 = x.clone().requires_grad_(), x.clone().requires_grad_()
            a, b = conv(x1), small(x2)
            assert a.shape == b.shape and torch.allclose(a, b, atol=1e-12)
            a.square().sum().backward()
            b.square().sum().backward()
            assert torch.allclose(x1.grad, x2.grad, atol=1e-12)
            assert torch.allclose(conv.weight.grad, small.weight.grad, atol=1e-12)
            assert torch.allclose(conv.bias.grad, small.bias.grad, atol=1e-12)
            fmt = torch.channels_last if channels_last else torch.contiguous_format
            assert small.weight.grad.is_contiguous(memory_format=fmt)   # the parameter's layout: no copy needed
    assert products == 10   # all but the 3 × 3 image and the two stride-2 windows on 4 × 4 (the conv multiplies less)


def _digit_model(seed=0):
    from torchvision.models import resnet18
    torch.manual_seed(seed)
    return resnet18(num_classes=2)


def test_drop_padding_weights_keeps_what_resnet18_computes_and_learns_on_digits():
    plain = _digit_model().double()   # double precision: the two ways differ by rounding only
    small = padding.drop_padding_weights(padding.skip_padding(copy.deepcopy(plain)),
                                         torch.zeros(1, 3, 28, 28, dtype=torch.double))
    count = lambda m: sum(p.numel() for p in m.parameters())   # noqa: E731
    # layer4's three 3 × 3 windows on 1 × 1 keep their centre, the stride-2 one entering it 2 × 2 of its 9
    dropped = 3 * 512 * 512 * 8 + 512 * 256 * 5
    assert count(plain) - count(small) == dropped
    kernels = [m.kernel_size for m in small.layer4.modules() if isinstance(m, nn.Conv2d)]
    assert kernels == [(2, 2), (1, 1), (1, 1), (1, 1), (1, 1)]
    assert small.training and all(m.training for m in small.modules())   # the probe left training mode on
    x = torch.randn(6, 3, 28, 28, dtype=torch.double)
    assert torch.allclose(plain.eval()(x), small.eval()(x), atol=1e-10)
    plain.train(), small.train()
    y = torch.tensor([0, 1, 1, 0, 1, 0])
    for model in (plain, small):   # one SGD step each, from the same weights
        opt = torch.optim.SGD(model.parameters(), lr=0.5)
        F.cross_entropy(model(x), y).backward()
        opt.step()
    after = dict(small.named_parameters())
    for name, p in plain.named_parameters():
        q = after[name]
        if q.shape != p.shape:   # the weights kept are the same slice of the plain model's
            k = small.get_submodule(name.rsplit(".", 1)[0])
            p = p[:, :, 1:, 1:] if k.kernel_size == (2, 2) else p[:, :, 1:2, 1:2]
        assert torch.allclose(p, q, atol=1e-10), name
    assert torch.allclose(plain.eval()(x), small.eval()(x), atol=1e-8)


def test_drop_padding_weights_refuses_other_image_sizes_and_changes_nothing_twice():
    small = padding.drop_padding_weights(padding.skip_padding(_digit_model()), torch.zeros(2, 3, 28, 28))
    n = sum(p.numel() for p in small.parameters())
    with pytest.raises(ValueError, match="2 × 2 image"):
        small(torch.zeros(2, 3, 64, 64))
    again = padding.drop_padding_weights(small, torch.zeros(2, 3, 28, 28))
    assert again is small and sum(p.numel() for p in small.parameters()) == n
    untouched = padding.drop_padding_weights(padding.skip_padding(_digit_model()), torch.zeros(1, 3, 224, 224))
    assert sum(p.numel() for p in untouched.parameters()) == sum(p.numel() for p in _digit_model().parameters())
