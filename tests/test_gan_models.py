"""The GAN models (DCGAN, pix2pix U-Net and PatchGAN, CycleGAN) and the adversarial machinery
they share: shapes, Hub round trips, losses, the image pool, flips and schedules."""

import json

import pytest
import torch
from huggingface_hub import ModelCard
from torch import nn

from genzoo import adversarial, training
from genzoo.models.cyclegan import CycleGAN, ResnetGenerator
from genzoo.models.dcgan import Discriminator, Generator, init_weights
from genzoo.models.pix2pix import PatchDiscriminator, UNetGenerator


@pytest.fixture(autouse=True)
def seeded():
    torch.manual_seed(0)


# DCGAN


@pytest.mark.parametrize(("size", "channels"), [(32, 1), (32, 3), (64, 3), (64, 1), (16, 3)])
def test_dcgan_shapes(size, channels):
    generator = Generator(latent_dim=12, image_size=size, channels=channels, base_channels=8)
    discriminator = Discriminator(image_size=size, channels=channels, base_channels=8)
    images = generator(torch.randn(3, 12))
    assert images.shape == (3, channels, size, size)
    assert images.min() >= -1 and images.max() <= 1  # tanh
    assert discriminator(images).shape == (3, 1)  # one logit per image
    assert generator.image_size == size and generator.latent_dim == 12


@pytest.mark.parametrize("size", [4, 12, 48, 100])
def test_dcgan_refuses_sizes_that_are_not_powers_of_two(size):
    with pytest.raises(ValueError, match="power of two"):
        Generator(image_size=size, base_channels=4)
    with pytest.raises(ValueError, match="power of two"):
        Discriminator(image_size=size, base_channels=4)


def test_dcgan_generator_is_per_sample_in_eval_mode():
    """Batch norm uses running statistics in eval mode: a sample does not depend on its batch,
    which is what lets a seed's k-th sample look the same in a grid of any size."""
    generator = Generator(latent_dim=8, image_size=16, channels=3, base_channels=8).eval()
    z = torch.randn(6, 8)
    with torch.no_grad():
        together = generator(z)
        alone = torch.cat([generator(z[i : i + 1]) for i in range(6)])
    torch.testing.assert_close(together, alone, atol=1e-5, rtol=0)


def test_init_weights_follow_the_dcgan_recipe():
    layer = nn.Conv2d(64, 128, 4)
    norm = nn.BatchNorm2d(4096)
    init_weights(nn.Sequential(layer, norm))
    assert abs(layer.weight.std().item() - 0.02) < 0.001 and abs(layer.weight.mean()) < 0.001
    assert torch.count_nonzero(layer.bias) == 0
    assert abs(norm.weight.mean().item() - 1) < 0.002 and abs(norm.weight.std() - 0.02) < 0.002


# pix2pix


@pytest.mark.parametrize(
    ("size", "in_channels", "out_channels"), [(64, 3, 3), (32, 1, 3), (8, 3, 1)]
)
def test_unet_shapes(size, in_channels, out_channels):
    net = UNetGenerator(
        image_size=size,
        in_channels=in_channels,
        out_channels=out_channels,
        base_channels=8,
        max_channels=32,
    )
    output = net(torch.rand(2, in_channels, size, size) * 2 - 1)
    assert output.shape == (2, out_channels, size, size)
    assert output.min() >= -1 and output.max() <= 1
    assert len(net.down) == len(net.up) == size.bit_length() - 1  # down to 1 x 1


@pytest.mark.parametrize("size", [48, 63, 100])
def test_unet_refuses_sizes_that_are_not_powers_of_two(size):
    with pytest.raises(ValueError, match=f"power of two; got {size}"):
        UNetGenerator(image_size=size, base_channels=4)


def test_unet_dropout_only_in_training():
    net = UNetGenerator(image_size=16, base_channels=8, max_channels=16)
    x = torch.rand(1, 3, 16, 16) * 2 - 1
    net.eval()
    with torch.no_grad():
        assert torch.equal(net(x), net(x))
    net.train()
    with torch.no_grad():
        assert not torch.equal(net(x), net(x))


def test_unet_skips_carry_the_input_to_the_output():
    """Each pixel of the output depends on the input (the U-Net's skip connections)."""
    net = UNetGenerator(image_size=16, base_channels=8, max_channels=16).eval()
    x = (torch.rand(1, 3, 16, 16) * 2 - 1).requires_grad_()
    net(x)[0, :, 3, 5].sum().backward()
    assert x.grad[0, :, 3, 5].abs().sum() > 0


@pytest.mark.parametrize(("layers", "field"), [(2, 34), (3, 70)])
def test_patch_discriminator_judges_patches_of_its_receptive_field(layers, field):
    """The convolutions give each logit a field of 34 px (2 layers) or 70 px (3), as documented.
    Instance norm's statistics span the whole image, so they are left out of this measurement."""
    net = PatchDiscriminator(channels=6, base_channels=8, layers=layers)
    x = torch.randn(1, 6, 128, 128, requires_grad=True)
    logits = net(x)
    assert logits.ndim == 4 and logits.shape[:2] == (1, 1) and min(logits.shape[2:]) > 1
    for index, layer in enumerate(net.net):
        if isinstance(layer, nn.InstanceNorm2d):
            net.net[index] = nn.Identity()
    logits = net(x)
    row, column = logits.shape[2] // 2, logits.shape[3] // 2
    logits[0, 0, row, column].backward()
    seen = x.grad[0].abs().sum(0) > 0
    rows, columns = seen.any(1).nonzero(), seen.any(0).nonzero()
    assert rows.max() - rows.min() + 1 == field
    assert columns.max() - columns.min() + 1 == field


# CycleGAN


@pytest.mark.parametrize("upsample", ["transpose", "resize"])
@pytest.mark.parametrize(("height", "width"), [(64, 64), (32, 48), (36, 20), (8, 12)])
def test_cyclegan_round_trip_keeps_any_size_divisible_by_four(height, width, upsample):
    model = CycleGAN(base_channels=4, blocks=2, image_size=64, upsample=upsample).eval()
    x = torch.rand(2, 3, height, width) * 2 - 1
    with torch.no_grad():
        there = model.translate(x, "a_to_b")
        back = model.translate(there, "b_to_a")
    assert there.shape == back.shape == x.shape
    assert there.min() >= -1 and there.max() <= 1
    assert not torch.equal(model.a_to_b(x), model.b_to_a(x))  # two separate generators
    assert torch.equal(model(x), model.a_to_b(x))


def test_cyclegan_rejects_an_unknown_direction():
    model = CycleGAN(base_channels=4, blocks=1)
    with pytest.raises(ValueError, match="direction must be"):
        model.translate(torch.zeros(1, 3, 8, 8), "sideways")


def test_resize_upsampling_has_no_transposed_convolutions():
    def kinds(upsample: str) -> set[str]:
        net = ResnetGenerator(base_channels=4, blocks=1, upsample=upsample)
        return {type(m).__name__ for m in net.modules()}

    assert "ConvTranspose2d" in kinds("transpose") and "Upsample" not in kinds("transpose")
    assert "ConvTranspose2d" not in kinds("resize") and "Upsample" in kinds("resize")
    with pytest.raises(ValueError, match="upsample must be"):
        ResnetGenerator(upsample="bicubic")


def test_resnet_generator_has_the_requested_blocks():
    net = ResnetGenerator(channels=3, base_channels=4, blocks=5)
    residual = [m for m in net.modules() if type(m).__name__ == "ResidualBlock"]
    assert len(residual) == 5


# Hub round trips: save_pretrained, then the class's stock from_pretrained


def _hub_round_trip(model: nn.Module, folder, inputs: torch.Tensor):
    model.eval().save_pretrained(folder)
    loaded = type(model).from_pretrained(folder).eval()
    with torch.no_grad():
        assert torch.equal(model(inputs), loaded(inputs))
    for name, value in model.state_dict().items():
        assert torch.equal(loaded.state_dict()[name], value), name
    config = json.loads((folder / "config.json").read_text())
    tags = ModelCard.load(folder / "README.md").data.tags
    return loaded, config, tags


def test_dcgan_hub_round_trip(tmp_path):
    model = Generator(latent_dim=7, image_size=16, channels=1, base_channels=8)
    for parameter in model.parameters():  # not the initial weights
        parameter.data.add_(torch.randn_like(parameter) * 0.01)
    loaded, config, tags = _hub_round_trip(model, tmp_path, torch.randn(4, 7))
    assert config == {"latent_dim": 7, "image_size": 16, "channels": 1, "base_channels": 8}
    assert (loaded.latent_dim, loaded.image_size, loaded.channels) == (7, 16, 1)
    assert {"dcgan", "gan", "genzoo"} <= set(tags)


def test_pix2pix_hub_round_trip_keeps_the_styles(tmp_path):
    model = UNetGenerator(
        image_size=16,
        base_channels=8,
        max_channels=16,
        source_style="emoji-openmoji-line",
        target_style="emoji-openmoji-color",
    )
    loaded, config, tags = _hub_round_trip(model, tmp_path, torch.rand(2, 3, 16, 16) * 2 - 1)
    assert config["source_style"] == loaded.source_style == "emoji-openmoji-line"
    assert config["target_style"] == loaded.target_style == "emoji-openmoji-color"
    assert config["image_size"] == 16 and config["max_channels"] == 16
    assert {"pix2pix", "gan", "genzoo", "image-to-image"} <= set(tags)


def test_cyclegan_hub_round_trip_keeps_the_domains(tmp_path):
    model = CycleGAN(image_size=32, base_channels=4, blocks=2, domain_a="flat", domain_b="modern")
    inputs = torch.rand(2, 3, 32, 32) * 2 - 1
    loaded, config, tags = _hub_round_trip(model, tmp_path, inputs)
    assert (loaded.domain_a, loaded.domain_b) == ("flat", "modern")
    assert config["domain_a"] == "flat" and config["blocks"] == 2 and config["base_channels"] == 4
    with torch.no_grad():
        assert torch.equal(model.b_to_a(inputs), loaded.b_to_a(inputs))
    assert {"cyclegan", "gan", "genzoo"} <= set(tags)


def test_a_generator_that_learns_the_change_starts_as_the_identity_and_can_leave_it(tmp_path):
    model = CycleGAN(image_size=16, base_channels=4, blocks=1, learn_change=True)
    inputs = torch.rand(2, 3, 16, 16) * 2 - 1
    with torch.no_grad():
        assert torch.equal(model.a_to_b(inputs), inputs)
    (model.a_to_b(inputs) - 0.5).abs().mean().backward()
    assert model.a_to_b.net[-1].weight.grad.abs().sum() > 0  # the head learns from step one
    loaded, config, _ = _hub_round_trip(model, tmp_path, inputs)
    assert config["learn_change"] is True and loaded.a_to_b.learn_change
    with torch.no_grad():
        outputs = model.a_to_b(inputs * 4)
    assert outputs.min() >= -1 and outputs.max() <= 1


# The adversarial machinery


def test_lsgan_loss_is_zero_for_perfect_logits():
    loss = adversarial.GANLoss("lsgan")
    assert loss(torch.ones(4, 1, 3, 3), True).item() == 0
    assert loss(torch.zeros(4, 1, 3, 3), False).item() == 0
    assert loss(torch.zeros(5), True).item() == pytest.approx(1.0)
    assert loss(torch.full((5,), 3.0), False).item() == pytest.approx(9.0)


def test_vanilla_loss_is_cross_entropy_and_symmetric():
    loss = adversarial.GANLoss("vanilla")
    logits = torch.randn(16)
    assert loss(logits, True).item() == pytest.approx(loss(-logits, False).item(), rel=1e-6)
    assert loss(torch.zeros(3), True).item() == pytest.approx(torch.log(torch.tensor(2.0)).item())
    assert loss(torch.full((3,), 20.0), True).item() < 1e-6  # confident and right
    assert loss(torch.full((3,), 20.0), False).item() > 19  # confident and wrong


def test_unknown_gan_loss():
    with pytest.raises(ValueError, match="'vanilla' or 'lsgan'"):
        adversarial.GANLoss("wasserstein")


def test_discriminator_loss_halves_the_sum_and_detaches_the_fakes():
    discriminator = nn.Linear(4, 1)
    generator = nn.Linear(2, 4)
    real, fake = torch.randn(8, 4), generator(torch.randn(8, 2))
    gan_loss = adversarial.GANLoss("lsgan")
    loss = adversarial.discriminator_loss(discriminator, real, fake, gan_loss)
    expected = 0.5 * (gan_loss(discriminator(real), True) + gan_loss(discriminator(fake), False))
    assert loss.item() == pytest.approx(expected.item())
    loss.backward()
    assert discriminator.weight.grad is not None
    assert generator.weight.grad is None  # the generator is not trained by D's loss


def test_frozen_stops_weight_gradients_but_not_the_flow_through():
    discriminator = nn.Linear(3, 1)
    x = torch.randn(2, 3, requires_grad=True)
    with adversarial.frozen(discriminator):
        assert not any(p.requires_grad for p in discriminator.parameters())
        discriminator(x).sum().backward()
    assert discriminator.weight.grad is None and x.grad is not None
    assert all(p.requires_grad for p in discriminator.parameters())


def test_frozen_restores_requires_grad_even_after_an_error():
    first, second = nn.Linear(2, 2), nn.Linear(2, 2)
    second.bias.requires_grad_(False)  # frozen before: stays frozen after
    with pytest.raises(RuntimeError), adversarial.frozen(first, second):
        raise RuntimeError("boom")
    assert first.weight.requires_grad and first.bias.requires_grad
    assert second.weight.requires_grad and not second.bias.requires_grad


def _numbered(start: int, count: int) -> torch.Tensor:
    """Images (count, 1, 2, 2), image i filled with the number start + i."""
    return torch.arange(start, start + count).float().view(-1, 1, 1, 1).expand(-1, 1, 2, 2)


def test_image_pool_fills_up_then_mixes_in_old_images():
    pool = adversarial.ImagePool(size=4, seed=0)
    first = _numbered(0, 4)
    assert torch.equal(pool.query(first), first)  # filling: every image goes through
    assert len(pool.images) == 4
    seen, old = [], 0
    for batch in range(1, 30):
        images = _numbered(10 * batch, 3)
        out = pool.query(images)
        assert out.shape == images.shape
        numbers = out[:, 0, 0, 0].tolist()
        old += sum(n not in images[:, 0, 0, 0].tolist() for n in numbers)
        seen += numbers
        assert len(pool.images) == 4  # never grows past its size
    assert 0.25 * 87 < old < 0.75 * 87  # about half come from the pool
    assert all(n in range(0, 300) for n in seen)  # only images it was given


def test_image_pool_returns_detached_images_and_is_seeded():
    images = torch.randn(6, 3, 4, 4, requires_grad=True)
    out = adversarial.ImagePool(size=2, seed=5).query(images)
    assert not out.requires_grad
    a, b = adversarial.ImagePool(2, seed=1), adversarial.ImagePool(2, seed=1)
    for start in range(0, 40, 4):
        assert torch.equal(a.query(_numbered(start, 4)), b.query(_numbered(start, 4)))


def test_image_pool_of_size_zero_passes_through():
    pool = adversarial.ImagePool(size=0)
    images = torch.randn(5, 3, 4, 4)
    assert pool.query(images) is images
    assert pool.images == []


def test_only_translations_busier_than_the_real_style_pay_for_their_edges():
    torch.manual_seed(0)
    flat = torch.zeros(4, 3, 16, 16)
    flat[..., 4:12, 4:12] = 1.0  # a square: few edges
    noisy = (flat + 0.5 * torch.randn_like(flat)).requires_grad_()
    assert adversarial.excess_edges(flat * 0.5, flat) == 0  # calmer than the reals: free
    excess = adversarial.excess_edges(noisy, flat)
    assert excess > 0.5
    excess.backward()
    assert noisy.grad.abs().sum() > 0


def test_random_flip_keeps_pairs_aligned():
    torch.manual_seed(3)
    source = torch.randn(64, 3, 5, 7)
    target = source * 2 + 1
    flipped_source, flipped_target = adversarial.random_flip(source, target)
    assert torch.allclose(flipped_target, flipped_source * 2 + 1)
    mirrored = [torch.equal(flipped_source[i], source[i].flip(-1)) for i in range(64)]
    kept = [torch.equal(flipped_source[i], source[i]) for i in range(64)]
    assert all(m or k for m, k in zip(mirrored, kept, strict=True))
    assert 10 < sum(mirrored) < 54  # a random part of the batch, not all or none


def test_diff_augment_blanks_a_square_and_lets_gradients_through():
    torch.manual_seed(0)
    white = torch.ones(16, 3, 32, 32, requires_grad=True)
    out = adversarial.diff_augment(white)
    assert out.shape == white.shape
    # colour changes keep a flat image flat, a shift repeats its edges: only the cutout is 0
    blanked = (out == 0).all(1).sum((1, 2))
    assert ((blanked >= 8 * 8) & (blanked <= 15 * 15)).all()
    others = out.masked_select(out != 0).detach()
    assert others.min() >= 0.5 and others.max() <= 1.5
    out.sum().backward()
    assert white.grad.abs().sum() > 0


def test_diff_augment_shifts_content_and_differs_per_image():
    torch.manual_seed(1)
    dot = torch.full((64, 1, 32, 32), -1.0)
    dot[:, :, 16, 16] = 1.0
    out = adversarial.diff_augment(dot).flatten(1)
    peak = out.max(1, keepdim=True).values
    survived = (out == peak).sum(1) == 1  # the dot, unless the blanked square covered it
    assert survived.float().mean() > 0.5
    brightest = out[survived].argmax(1)
    rows, columns = brightest // 32, brightest % 32
    moved = (rows != 16) | (columns != 16)
    assert moved.float().mean() > 0.5  # shifted by up to 4 pixels either way
    assert ((rows - 16).abs() <= 4).all() and ((columns - 16).abs() <= 4).all()
    assert not torch.equal(out[0], out[1])


def test_random_flip_disabled_changes_nothing():
    x = torch.randn(8, 3, 4, 4)
    (out,) = adversarial.random_flip(x, enabled=False)
    assert out is x


def test_linear_decay_schedule():
    optimizers = [torch.optim.SGD(nn.Linear(2, 2).parameters(), lr=0.1) for _ in range(2)]
    rates = {
        step: adversarial.set_linear_decay(optimizers, 1.0, step, 200)
        for step in (0, 50, 100, 150, 190, 200, 250)
    }
    assert rates[0] == rates[50] == rates[100] == 1.0  # constant for the first half
    assert rates[150] == pytest.approx(0.5) and rates[190] == pytest.approx(0.1)
    assert rates[200] == 0.0 and rates[250] == 0.0
    adversarial.set_linear_decay(optimizers, 2e-4, 175, 200)
    assert all(o.param_groups[0]["lr"] == pytest.approx(5e-5) for o in optimizers)
    assert adversarial.set_linear_decay(optimizers, 3e-4, 0, 0) == 3e-4  # no total: constant


def test_running_losses_means_and_pop():
    losses = training.RunningLosses()
    losses.add(d=torch.tensor(1.0), g=2.0)
    losses.add(d=3.0)
    losses.add(d=torch.tensor(5.0), g=torch.tensor(4.0))
    assert losses.means() == {"d": pytest.approx(3.0), "g": pytest.approx(3.0)}
    assert losses.pop() == {"d": pytest.approx(3.0), "g": pytest.approx(3.0)}
    assert losses.means() == {}
    losses.add(l1=0.5)
    assert losses.pop() == {"l1": 0.5}
