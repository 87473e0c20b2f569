"""A Gated PixelCNN (van den Oord et al., 2016) for 8-bit grayscale images, Hub-ready.

The network gives, for every pixel, a distribution over its 256 values that depends only on the
pixels before it in raster order (the rows above, then the pixels to its left), so that the
product of these distributions is the exact likelihood of an image. Two stacks keep it causal
without the blind spot of the first PixelCNN: a vertical stack whose features at row r have seen
only the rows above r, and a horizontal stack whose features at (r, c) have seen the rows above
and the pixels (r, < c). Each layer is gated, tanh(a) * sigmoid(b), and the vertical stack feeds
the horizontal one at every layer. The first layer shifts its input one row down (vertical) and
one pixel right (horizontal), as PixelCNN++ does; every later layer may then see its own
position.

The output head, chosen by `output`, is either a 256-way softmax per pixel or, as in PixelCNN++
(Salimans et al., 2017), a mixture of `mixture_components` discretised logistics. Both give
`log_prob` (nats per pixel) and `value_log_probs` (every value's log-probability, which the
sampler in `genzoo.samplers.autoregressive` draws from). Every hyper-parameter is a constructor
argument, so `save_pretrained` records it in config.json.

`RasterPass` runs the same network one pixel at a time, in raster order, keeping what the pixels
before have computed (the caches of Fast PixelCNN++, Ramachandran et al., 2017): the vertical
stack once a row, the horizontal stack and the head once a pixel, at that pixel's column only.
"""

from __future__ import annotations

import collections
import functools
import math

import torch
import torch.nn.functional as F
from huggingface_hub import PyTorchModelHubMixin
from torch import nn

LEVELS = 256  # 8-bit pixels
SOFTMAX = "softmax"
LOGISTIC_MIXTURE = "logistic_mixture"
OUTPUTS = (SOFTMAX, LOGISTIC_MIXTURE)


class DownConv(nn.Conv2d):
    """A convolution whose output at row r sees the rows r - kernel_size // 2 .. r, over
    kernel_size columns centred on its own; `shifted`, the rows one further up, r - 1 and above.
    Padded above and at the sides, never below (the padding is the convolution's own, and the
    rows it adds below are cut off: what keeps channels-last tensors channels-last)."""

    def __init__(self, in_channels: int, out_channels: int, kernel_size: int, shifted=False):
        reach = kernel_size // 2
        padding = (reach + shifted, reach)
        super().__init__(in_channels, out_channels, (reach + 1, kernel_size), padding=padding)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return super().forward(x)[:, :, : x.shape[2]]


class RightConv(nn.Conv2d):
    """A convolution along a row whose output at column c sees the columns
    c - kernel_size // 2 .. c; `shifted`, the columns one further left, c - 1 and before."""

    def __init__(self, in_channels: int, out_channels: int, kernel_size: int, shifted=False):
        reach = kernel_size // 2
        padding = (0, reach + shifted)
        super().__init__(in_channels, out_channels, (1, reach + 1), padding=padding)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return super().forward(x)[:, :, :, : x.shape[3]]


def pixel_inputs(x: torch.Tensor) -> torch.Tensor:
    """(B, 1, ...) pixels in 0..255 -> (B, 2, ...): the pixel scaled to [-1, 1], and a channel
    of ones that tells the zero padding from black."""
    scaled = x.float() / 127.5 - 1
    return torch.cat([scaled, torch.ones_like(scaled)], 1)


def gate(x: torch.Tensor) -> torch.Tensor:
    """tanh of the first half of the channels times the sigmoid of the second."""
    value, gate_ = x.chunk(2, dim=1)
    return torch.tanh(value) * torch.sigmoid(gate_)


class GatedLayer(nn.Module):
    """One layer of both stacks. The vertical stack goes on from its own features; the
    horizontal stack adds the vertical's, through a 1x1 convolution, before its gate, and keeps a
    residual connection."""

    def __init__(self, channels: int, kernel_size: int):
        super().__init__()
        self.vertical = DownConv(channels, 2 * channels, kernel_size)
        self.vertical_to_horizontal = nn.Conv2d(2 * channels, 2 * channels, 1)
        self.horizontal = RightConv(channels, 2 * channels, kernel_size)
        self.horizontal_out = nn.Conv2d(channels, channels, 1)

    def forward(
        self, vertical: torch.Tensor, horizontal: torch.Tensor
    ) -> tuple[torch.Tensor, torch.Tensor]:
        v = self.vertical(vertical)  # (B, 2C, H, W)
        h = self.horizontal(horizontal) + self.vertical_to_horizontal(v)
        return gate(v), horizontal + self.horizontal_out(gate(h))


class GatedPixelCNN(
    nn.Module,
    PyTorchModelHubMixin,
    library_name="genzoo",
    tags=["pixelcnn", "autoregressive", "genzoo", "image-generation"],
    pipeline_tag="unconditional-image-generation",
    license="mit",
):
    def __init__(
        self,
        *,
        image_size: int = 28,
        channels: int = 64,
        layers: int = 10,
        kernel_size: int = 3,
        head_channels: int = 128,
        output: str = SOFTMAX,
        mixture_components: int = 5,
    ):
        super().__init__()
        if output not in OUTPUTS:
            raise ValueError(f"output must be one of {OUTPUTS}, not {output!r}")
        if kernel_size < 3 or kernel_size % 2 == 0:
            raise ValueError(f"kernel_size must be odd and at least 3, not {kernel_size}")
        self.image_size, self.output = image_size, output
        self.mixture_components = mixture_components
        # the pixel, and a channel of ones that tells the zero padding from black
        self.first_vertical = DownConv(2, channels, kernel_size, shifted=True)
        self.first_horizontal = RightConv(2, channels, kernel_size, shifted=True)
        self.layers = nn.ModuleList(GatedLayer(channels, kernel_size) for _ in range(layers))
        self.head = nn.Sequential(
            nn.ReLU(),
            nn.Conv2d(channels, head_channels, 1),
            nn.ReLU(),
            nn.Conv2d(head_channels, self.parameters_per_pixel, 1),
        )

    @property
    def parameters_per_pixel(self) -> int:
        """The head's outputs per pixel: 256 logits, or each component's weight, mean and scale."""
        return LEVELS if self.output == SOFTMAX else 3 * self.mixture_components

    @property
    def device(self) -> torch.device:
        return next(self.parameters()).device

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """(B, 1, H, W) pixels in 0..255 (any dtype) -> (B, P, H, W): each pixel's distribution's
        parameters, from the pixels before it only. H may be fewer rows than the image: the
        rows given come out as they would for the whole image."""
        x = pixel_inputs(x)
        vertical = self.first_vertical(x)
        horizontal = vertical + self.first_horizontal(x)
        for layer in self.layers:
            vertical, horizontal = layer(vertical, horizontal)
        return self.head(horizontal)

    def raster(self, count: int) -> RasterPass:
        """An incremental forward for drawing `count` images in raster order: see `RasterPass`."""
        return RasterPass(self, count)

    def log_prob(self, x: torch.Tensor) -> torch.Tensor:
        """(B, 1, H, W) pixels in 0..255 -> (B, 1, H, W) log p(x_i | x_<i) in nats."""
        return self.pixel_log_prob(self(x), x)

    def pixel_log_prob(self, params: torch.Tensor, x: torch.Tensor) -> torch.Tensor:
        """(B, P, H, W) the head's parameters for images `x` (B, 1, H, W) in 0..255 -> (B, 1, H,
        W) each pixel's log-probability in nats (a training loop's loss, after its forward)."""
        params = params.float()  # log-probabilities in float32, even under autocast
        if self.output == SOFTMAX:
            return F.log_softmax(params, 1).gather(1, x.long())
        return logistic_mixture_log_prob(params, x.long())

    def bits_per_dim(self, x: torch.Tensor) -> torch.Tensor:
        """(B, 1, H, W) pixels in 0..255 -> (B,) -log2 p(x) over the number of pixels: exact."""
        return -self.log_prob(x).flatten(1).mean(1) / math.log(2)

    def value_log_probs(self, params: torch.Tensor) -> torch.Tensor:
        """(B, P, H, W) the head's parameters (H, W may be 1) -> (B, 256, H, W): the
        log-probability of each value."""
        params = params.float()
        if self.output == SOFTMAX:
            return F.log_softmax(params, 1)
        values = torch.arange(LEVELS, device=params.device).view(1, LEVELS, 1, 1, 1)
        per_value = logistic_mixture_log_prob(params.unsqueeze(1), values)  # (B, 256, 1, H, W)
        return per_value.squeeze(2)

    def draw(self, params: torch.Tensor, uniform: torch.Tensor) -> torch.Tensor:
        """(B, P, H, W) the head's parameters and (B, 1, H, W) uniform noise in [0, 1) ->
        (B, 1, H, W) uint8 values drawn by inverting each pixel's cumulative distribution: the
        same noise draws the same values, whichever the head."""
        cumulative = self.value_log_probs(params).double().exp().cumsum(1)  # (B, 256, H, W)
        cumulative = cumulative / cumulative[:, -1:]
        below = (cumulative < uniform.double()).sum(1, keepdim=True)
        return below.clamp(max=LEVELS - 1).to(torch.uint8)


def logistic_mixture_log_prob(params: torch.Tensor, x: torch.Tensor) -> torch.Tensor:
    """log P(x) in nats under a mixture of K discretised logistics (PixelCNN++).

    `params` (..., 3K, H, W): each component's weight logit, mean (pixels scaled to [-1, 1])
    and log-scale; `x` (..., 1, ...) values in 0..255, broadcast against them. Value v is the bin
    of width 2/255 around its centre 2v/255 - 1, the end bins reaching to infinity, so the 256
    probabilities add up to one."""
    weight_logits, means, log_scales = params.chunk(3, dim=-3)
    log_scales = log_scales.clamp(min=-7.0)
    inverse_scale = torch.exp(-log_scales)
    centre = x.float() * (2 / (LEVELS - 1)) - 1
    half_bin = 1 / (LEVELS - 1)
    upper = (centre - means + half_bin) * inverse_scale
    lower = (centre - means - half_bin) * inverse_scale
    # log(sigmoid(upper) - sigmoid(lower)), stably: log sigmoid(upper) + log sigmoid(-lower)
    # + log(1 - exp(lower - upper)); the end bins drop the term of their missing edge
    first, last = x == 0, x == LEVELS - 1
    below = torch.where(last, 0.0, F.logsigmoid(upper))
    above = torch.where(first, 0.0, F.logsigmoid(-lower))
    width = 2 * half_bin * inverse_scale
    inside = torch.where(first | last, 0.0, torch.log(-torch.expm1(-width)))
    component = below + above + inside + F.log_softmax(weight_logits, dim=-3)
    return torch.logsumexp(component, dim=-3, keepdim=True)


class RasterPass:
    """`GatedPixelCNN`'s forward run one pixel at a time, in raster order, over `count` images,
    keeping what the pixels before computed (the caches of Fast PixelCNN++, Ramachandran et al.,
    2017).

    The vertical stack's features at row r depend only on the rows above, so `begin_row(images,
    r)` computes them once for the whole row, each layer from the rows it reaches in the layer
    below, kept from earlier rows. The horizontal stack's features at (r, c) depend on them and on
    the columns c - reach .. c of the layer below, so `pixel(images, r, c)` computes every layer at
    column c alone, from the columns before it kept from earlier calls, and the head there: the
    parameters `model(images)[:, :, r, c]` gives, up to float rounding. Call `begin_row` once the
    rows above r are final, for every row in order; then `pixel` once the pixels before (r, c) are
    final, for the columns of the row in order, as far as needed."""

    def __init__(self, model: GatedPixelCNN, count: int):
        size, channels = model.image_size, model.first_vertical.out_channels
        self.model, self.reach = model, model.first_vertical.kernel_size[0] - 1
        zeros = functools.partial(torch.zeros, device=model.device)
        # the vertical stack's features of each layer's input (the first layer's output, then
        # each gated layer's but the last) in the rows a layer reaches up to, newest last:
        # (B, C, W) each
        self.vertical = [collections.deque(maxlen=self.reach + 1) for _ in model.layers]
        # the horizontal stack's likewise, along the current row, column-major and padded on the
        # left with the zeros the convolutions pad with: (B, reach + W, C)
        self.horizontal = [zeros(count, self.reach + size, channels) for _ in model.layers]
        # the current row's inputs, (B, reach + 1 + W, 2): the ones channel zero in the padding
        self.inputs = zeros(count, self.reach + 1 + size, 2)
        self.inputs[:, self.reach + 1 :, 1] = 1
        self.first_weights = _window_matrix(model.first_horizontal)
        self.layer_weights = [
            (_window_matrix(layer.horizontal), _pointwise_matrix(layer.horizontal_out))
            for layer in model.layers
        ]
        # the head is ReLU, 1x1, ReLU, 1x1: `pixel` applies the ReLUs
        self.head_weights = [_pointwise_matrix(model.head[1]), _pointwise_matrix(model.head[3])]
        self.row_terms: list[torch.Tensor] = []

    def begin_row(self, images: torch.Tensor, row: int) -> None:
        """The vertical stack at `row` of `images` (B, 1, H, W) in 0..255, whose rows above are
        final; and what it adds to each horizontal layer along the row."""
        model, reach = self.model, self.reach
        above = pixel_inputs(images[:, :, max(0, row - reach - 1) : row + 1])
        vertical = model.first_vertical(above)[:, :, -1]  # (B, C, W)
        terms = [vertical + model.first_horizontal.bias[:, None]]
        self.vertical[0].append(vertical)
        for index, layer in enumerate(model.layers):
            reached = torch.stack(tuple(self.vertical[index]), 2)  # rows row - reach .. row
            features = layer.vertical(reached)[:, :, -1:]  # (B, 2C, 1, W)
            terms.append(
                layer.vertical_to_horizontal(features)[:, :, 0] + layer.horizontal.bias[:, None]
            )
            if index + 1 < len(model.layers):
                self.vertical[index + 1].append(gate(features)[:, :, 0])
        self.row_terms = [term.transpose(1, 2).contiguous() for term in terms]  # (B, W, ·)

    def pixel(self, images: torch.Tensor, row: int, column: int) -> torch.Tensor:
        """(B, P, 1, 1): the head's parameters at (row, column) of `images`, whose pixels before
        it are final."""
        reach, count = self.reach, len(images)
        if column > 0:
            self.inputs[:, reach + column] = pixel_inputs(images[:, :, row, column - 1])
        window = self.inputs[:, column : column + reach + 1].reshape(count, -1)
        horizontal = torch.addmm(self.row_terms[0][:, column], window, self.first_weights)
        for index, (along, (out_bias, out)) in enumerate(self.layer_weights):
            self.horizontal[index][:, reach + column] = horizontal
            window = self.horizontal[index][:, column : column + reach + 1].reshape(count, -1)
            features = torch.addmm(self.row_terms[index + 1][:, column], window, along)
            horizontal = horizontal + torch.addmm(out_bias, gate(features), out)
        (hidden_bias, hidden), (out_bias, out) = self.head_weights
        hidden_features = torch.addmm(hidden_bias, horizontal.relu(), hidden).relu_()
        params = torch.addmm(out_bias, hidden_features, out)
        return params[:, :, None, None]


def _window_matrix(conv: nn.Conv2d) -> torch.Tensor:
    """A (1, K) convolution's weight as the (K * in, out) matrix that multiplies a window of K
    columns, column-major (K, in) and flattened."""
    weight = conv.weight[:, :, 0]  # (out, in, K)
    return weight.permute(2, 1, 0).reshape(-1, weight.shape[0])


def _pointwise_matrix(conv: nn.Conv2d) -> tuple[torch.Tensor, torch.Tensor]:
    """A 1x1 convolution's bias and (in, out) weight matrix, as `torch.addmm` takes them."""
    return conv.bias, conv.weight[:, :, 0, 0].T
