"""Convolutions on images smaller than their window: skip the multiplications that can only meet zero padding.

Introduced in 08_resnet18; also used by helpers.ladder (10_your_own_digits). ResNet18 on 28 × 28 digits
runs its last stage on 1 × 1 images and the stage before on 2 × 2: there a padded 3 × 3 window meets
the image with a few of its weights only, the rest multiply zeros.
"""
import torch
import torch.nn.functional as F
from torch import nn


def _plan(conv, h, w):
    """How `conv` can compute an `h` × `w` image as one matrix product: the output size, the part of the
    image the windows reach, and where each output pixel's window sits on the weights; None where the
    plain convolution multiplies less (or the windows stick out of the weights, which never happens for
    the images here)."""
    (kh, kw), (sh, sw), (ph, pw) = conv.kernel_size, conv.stride, conv.padding
    ho, wo = (h + 2 * ph - kh) // sh + 1, (w + 2 * pw - kw) // sw + 1
    if ho < 1 or wo < 1:
        return None
    rows, cols = min(h, (ho - 1) * sh + kh - ph), min(w, (wo - 1) * sw + kw - pw)   # the pixels windows reach
    if rows < 1 or cols < 1:   # the windows meet padding only (padding as wide as the window)
        return None
    starts = [(ph - i * sh, pw - j * sw) for i in range(ho) for j in range(wo)]
    inside = all(0 <= r and r + rows <= kh and 0 <= c and c + cols <= kw for r, c in starts)
    if not inside or (ho * wo > 1 and rows * cols >= kh * kw):   # a product would multiply more than the conv
        return None
    return ho, wo, rows, cols, starts


class SmallImageConv2d(nn.Conv2d):
    """A `nn.Conv2d` that notices when its image is smaller than its window (08). Each output pixel's window
    then meets the image with only some of its weights (on a 1 × 1 image with padding 1, the centre of a
    3 × 3 window alone; on a 2 × 2 image, 4 of its 9 weights): the others meet zeros. It computes the
    whole output as one matrix product of the image's pixels with the weights that meet them: the same
    numbers as the convolution, to float rounding, and the same gradients (zero for the weights that
    meet only padding), without multiplying zeros. For larger images it is the plain convolution.
    `only_for`, set by `drop_padding_weights`, is the one image size its weights are meant for."""
    only_for = None

    def _conv_forward(self, x, weight, bias):
        if self.only_for is not None and tuple(x.shape[-2:]) != self.only_for:
            raise ValueError(f"this layer kept only the weights that meet a {self.only_for[0]} × {self.only_for[1]} "
                             f"image (drop_padding_weights), but got {x.shape[-2]} × {x.shape[-1]}: build the "
                             "model again without drop_padding_weights for other image sizes")
        plan = _plan(self, *x.shape[-2:]) if x.dim() == 4 else None
        if plan is None:
            return super()._conv_forward(x, weight, bias)
        ho, wo, rows, cols, starts = plan
        if weight.is_contiguous(memory_format=torch.channels_last) and not weight.is_contiguous():
            w = weight.permute(0, 2, 3, 1)   # out × rows × cols × in, a view: the gradient comes back channels-last
            taps = [w[:, r:r + rows, c:c + cols, :] for r, c in starts]
        else:
            taps = [weight[:, :, r:r + rows, c:c + cols].permute(0, 2, 3, 1) for r, c in starts]
        big = torch.cat([t.reshape(weight.shape[0], -1) for t in taps])   # every output pixel's weights, stacked
        pixels = x[:, :, :rows, :cols].permute(0, 2, 3, 1).reshape(x.shape[0], -1)
        out = F.linear(pixels, big, None if bias is None else bias.repeat(ho * wo))
        out = out.view(x.shape[0], ho, wo, -1).permute(0, 3, 1, 2)   # channels-last, as convolutions give it
        return out if x.is_contiguous(memory_format=torch.channels_last) else out.contiguous()


def _swap(model, make):
    "Replace every child `m` of `model` (at any depth) for which `make(m)` gives a module with that module."
    for parent in list(model.modules()):
        for name, child in list(parent.named_children()):
            new = make(child)
            if new is not None:
                new.train(child.training)
                setattr(parent, name, new)
    return model


def skip_padding(model) -> nn.Module:
    """`model` with each of its plain `nn.Conv2d` layers (zero padding given as numbers, no groups, no
    dilation) replaced by a `SmallImageConv2d` that shares its weights: the same parameters under the same
    names (a state dict loads either way), so the model learns exactly what it did. Build the optimizer
    after, or keep the same one: the parameters are the same tensors. Hooks registered on the old layers
    are not carried over. Changes `model` and returns it; a second call changes nothing.
    Used in: 08_resnet18, 10_your_own_digits."""
    def make(conv):
        if (type(conv) is nn.Conv2d and conv.groups == 1 and conv.dilation == (1, 1)
                and conv.padding_mode == "zeros" and not isinstance(conv.padding, str)):
            new = SmallImageConv2d(conv.in_channels, conv.out_channels, conv.kernel_size, conv.stride,
                                   conv.padding, bias=conv.bias is not None, device="meta")
            new.weight, new.bias = conv.weight, conv.bias
            return new
    return _swap(model, make)


def drop_padding_weights(model, x) -> nn.Module:
    """After `skip_padding`: every `SmallImageConv2d` whose output is one pixel for images like the batch
    `x` keeps only the weights that meet the image, as a smaller convolution without padding (08). A 3 × 3
    window with padding 1 on a 1 × 1 image becomes a 1 × 1 window: the same outputs and the same training
    (the dropped weights only ever met zeros, so their gradient was always 0), with fewer parameters for
    the backward pass and the optimizer to write. The model then works on images of `x`'s size only; the
    changed layers say so if given another. New parameters: build the optimizer after.
    Used in: 08_resnet18."""
    sizes = {}

    def note_size(conv, inputs, output):
        sizes[conv] = inputs[0].shape[-2:], output.shape[-2:]
    hooks = [m.register_forward_hook(note_size) for m in model.modules() if type(m) is SmallImageConv2d]
    training = {m: m.training for m in model.modules()}
    try:
        with torch.no_grad():
            model.eval()(x.to(next(model.parameters()).device))
    finally:
        for h in hooks:
            h.remove()
        for m, t in training.items():
            m.train(t)

    def make(conv):
        if conv not in sizes or tuple(sizes[conv][1]) != (1, 1) or conv.only_for is not None:
            return None
        (h, w) = sizes[conv][0]
        _, _, rows, cols, ((r, c),) = _plan(conv, h, w)
        new = SmallImageConv2d(conv.in_channels, conv.out_channels, (rows, cols), conv.stride, 0,
                               bias=conv.bias is not None, device="meta")
        new.weight = nn.Parameter(conv.weight.detach()[:, :, r:r + rows, c:c + cols].clone(), conv.weight.requires_grad)
        new.bias, new.only_for = conv.bias, (h, w)
        return new
    return _swap(model, make)
