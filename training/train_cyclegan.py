"""Train CycleGAN between two image folders without pairs, and write a Hub folder.

    python training/train_cyclegan.py --preset cyclegan-emoji-twemoji-noto

The two training sets are shuffled independently, so no step ever sees an emoji with its twin.
The held-out emoji of the test split do come in true pairs (the same emoji in both styles):
the metrics score each direction against that truth. See `Settings` (`--help` lists them).
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field, replace
from pathlib import Path

import torch
from diffusers.training_utils import EMAModel
from torch.utils.data import DataLoader, TensorDataset

from genzoo import adversarial, training
from genzoo.data import PairedImages, load_pairs, load_split
from genzoo.evaluation import Metric, evaluate_translation
from genzoo.images import make_grid
from genzoo.model_cards import finish_hub_folder, parameter_count
from genzoo.model_cards.cyclegan import GRID_FILE, cyclegan_card
from genzoo.models.cyclegan import CycleGAN
from genzoo.models.pix2pix import PatchDiscriminator
from genzoo.pipelines.translation import save_examples, translate_batches, varied_examples
from genzoo.selection import BestWeights, SelectionSettings, TranslationJudge, judging


@dataclass
class Settings(training.RunSettings, SelectionSettings):
    """Training settings for CycleGAN; every one is a command-line option."""

    domain_a: str = field(default="data/emoji-fluent-flat", metadata={"help": "style A"})
    domain_b: str = field(default="data/emoji-fluent-modern", metadata={"help": "style B"})
    dataset_name: str = "fluent emoji, flat <-> modern"
    dataset_license: str = "mit"
    image_size: int = 64
    generator_channels: int = 64
    residual_blocks: int = 6
    upsample: str = field(default="resize", metadata={"help": "'resize' or 'transpose'"})
    learn_change: bool = field(
        default=False,
        metadata={"help": "generators add a learned change to their input (start at identity)"},
    )
    discriminator_channels: int = 64
    discriminator_layers: int = 2
    cycle_weight: float = field(default=10.0, metadata={"help": "lambda of the cycle losses"})
    identity_weight: float = field(default=0.5, metadata={"help": "x cycle_weight"})
    a_cycle_fraction: float = field(default=1.0, metadata={"help": "A->B->A, x cycle_weight"})
    b_cycle_fraction: float = field(default=1.0, metadata={"help": "B->A->B, x cycle_weight"})
    cycle_noise: float = field(default=0.0, metadata={"help": "std, before the way back"})
    a_edge_weight: float = field(
        default=0.0,
        metadata={
            "help": "penalise translations into A busier than A's real images (total variation, "
            "see adversarial.excess_edges): colouring in otherwise paints noise"
        },
    )
    ema_decay: float = field(
        default=0.0,
        metadata={"help": "keep and ship an exponential moving average of the generators (0: off)"},
    )
    pool_size: int = 50
    flip: bool = True
    examples: int = field(default=24, metadata={"help": "held-out pairs shipped for the gallery"})
    pair_note: str = field(default="", metadata={"help": "the card's word on why this pair"})


TWEMOJI_NOTO = (
    "Why this pair: Noto and Twemoji draw the same emoji in colour, differing in palette, outline "
    "and shading, so a translation has only to change the style, and the held-out emoji, drawn in "
    "both, give each direction a true answer to score against. Colouring in from high-contrast "
    "black and white, the first bundled pair, is ill-posed without pairs: nothing in a "
    "black-and-white emoji says which colours it had."
)
PRESETS = {
    # The bundled model, two threads (their count changes the sums, and a GAN's path with them),
    # each generator from its own best step on training pairs (genzoo.selection).
    "cyclegan-emoji-twemoji-noto": dict(
        domain_a="data/emoji-twitter",
        domain_b="data/emoji-google",
        dataset_name="emoji, Twemoji <-> Noto",
        dataset_license="cc-by-4.0",
        output_dir="checkpoints/cyclegan-emoji-twemoji-noto",
        title="CycleGAN, Twemoji <-> Noto, 64 px",
        generator_channels=16,
        discriminator_channels=32,
        epochs=10,
        batch_size=8,
        sample_every=50,
        checkpoint_every=250,
        learn_change=True,
        a_edge_weight=30.0,
        ema_decay=0.995,
        select_every=250,
        pair_note=TWEMOJI_NOTO,
    ),
    # Not bundled any more: colouring in lost to the identity baseline (the run's story:
    # docs/experiments/cyclegan.md).
    "cyclegan-emoji-flat-high-contrast": dict(
        domain_b="data/emoji-fluent-high-contrast",
        dataset_name="fluent emoji, flat <-> high contrast",
        output_dir="runs/cyclegan-emoji-flat-high-contrast/hub",
        run_dir="runs/cyclegan-emoji-flat-high-contrast",
        title="CycleGAN, Fluent emoji flat colour <-> high-contrast black and white, 64 px",
        generator_channels=16,
        discriminator_channels=32,
        epochs=20,
        batch_size=8,
        sample_every=250,
    ),
    # Not bundled: this short run lost to the identity baseline on every metric (the run's story:
    # docs/experiments/cyclegan.md).
    "cyclegan-emoji-flat-modern": dict(
        output_dir="runs/cyclegan-emoji-flat-modern/hub",
        run_dir="runs/cyclegan-emoji-flat-modern",
        title="CycleGAN, Fluent emoji flat <-> modern 3-D, 64 px",
        generator_channels=16,
        discriminator_channels=32,
        epochs=6,
        batch_size=8,
        sample_every=250,
        upsample="transpose",
    ),
}


def main(argv: list[str] | None = None) -> None:
    settings, command, accelerator = training.begin(Settings, PRESETS, argv, __file__)
    domain_a, domain_b, test_pairs = load_data(settings)
    model, discriminators = build_models(settings)
    best = BestWeights(settings.run_path / "selected", model.directions)
    ema = train(settings, model, discriminators, domain_a, domain_b, test_pairs, accelerator, best)
    if accelerator.is_main_process:
        model = shipped_weights(settings, model, ema, best).cpu()
        metrics, translations = measure(model, test_pairs)
        save_hub_folder(settings, model, test_pairs, metrics, translations, command, best)
        training.push_if_asked(settings)
    accelerator.end_training()


def load_data(settings: Settings) -> tuple[torch.Tensor, torch.Tensor, PairedImages]:
    """Every training image of each style (uint8), and the held-out true pairs."""
    size, limit = settings.image_size, settings.train_limit or None
    domain_a = load_split(settings.domain_a, "train", size, 3, limit).images
    domain_b = load_split(settings.domain_b, "train", size, 3, limit).images
    test_pairs = load_pairs(
        settings.domain_a, settings.domain_b, "test", size, limit=settings.test_limit or None
    )
    return domain_a, domain_b, test_pairs


def build_models(settings: Settings) -> tuple[CycleGAN, list[PatchDiscriminator]]:
    model = CycleGAN(
        image_size=settings.image_size,
        base_channels=settings.generator_channels,
        blocks=settings.residual_blocks,
        upsample=settings.upsample,
        learn_change=settings.learn_change,
        domain_a=Path(settings.domain_a).name,
        domain_b=Path(settings.domain_b).name,
    )
    discriminators = [
        PatchDiscriminator(
            base_channels=settings.discriminator_channels, layers=settings.discriminator_layers
        )
        for _ in "ab"
    ]
    return model, discriminators


def train(
    settings: Settings,
    model: CycleGAN,
    discriminators: list[PatchDiscriminator],
    domain_a: torch.Tensor,
    domain_b: torch.Tensor,
    test_pairs: PairedImages,
    accelerator,
    best: BestWeights,
) -> EMAModel | None:
    """The loop: both generators on fooling their discriminators, cycling back and keeping
    images already in their target style (identity), and the generators' moving average
    stepped; then both discriminators on real images against fakes drawn from the pools."""
    a_to_b, b_to_a, d_a, d_b, g_optimizer, d_optimizer, loader = prepare(
        settings, model, discriminators, domain_a, accelerator
    )
    ema = generators_average(settings, model, accelerator)
    pools = image_pools(settings, accelerator)
    draw = training.Draws(settings.seed, accelerator).torch
    total = training.total_steps(settings.epochs, len(loader), settings.max_steps)
    checkpoints = training.Checkpoints(accelerator, settings.run_path)
    start = checkpoints.resume() if settings.resume else 0
    training.start_logging(accelerator, "cyclegan", settings)
    gan_loss, losses = adversarial.GANLoss("lsgan"), training.RunningLosses()
    shown = varied_examples(test_pairs, 8)
    fixed = to_model(test_pairs.a[shown]), to_model(test_pairs.b[shown])

    def draw_grid(step: int) -> None:
        save_grid(model, *fixed, settings.run_path, step, accelerator)

    judge = judge_on_training_pairs(settings, model, ema, best, accelerator)
    steps = training.Steps(accelerator, loader, start, total, settings, checkpoints)
    for step, (index_a,) in steps:
        real_a, real_b = real_batch(settings, domain_a, domain_b, index_a, draw, accelerator)
        rate = adversarial.set_linear_decay(
            [g_optimizer, d_optimizer], settings.learning_rate, step, total
        )
        a_to_b.train(), b_to_a.train()
        with adversarial.frozen(d_a, d_b), accelerator.autocast():
            fake_a, fake_b, terms = generator_losses(
                settings, (a_to_b, b_to_a), (d_a, d_b), real_a, real_b, gan_loss
            )
        training.optimizer_step(accelerator, g_optimizer, terms.pop("loss"))
        if ema is not None:
            ema.step(generator_parameters(model))
        with accelerator.autocast():
            d_loss = adversarial.discriminator_loss(
                d_a, real_a, pools[0].query(fake_a), gan_loss
            ) + adversarial.discriminator_loss(d_b, real_b, pools[1].query(fake_b), gan_loss)
        training.optimizer_step(accelerator, d_optimizer, d_loss)

        losses.add(d=d_loss, **terms)
        steps.end(step, losses, draw_grid, lr=rate)
        if settings.select_every and (step % settings.select_every == 0 or step == total):
            judge(step)
    return ema


def prepare(
    settings: Settings,
    model: CycleGAN,
    discriminators: list[PatchDiscriminator],
    domain_a: torch.Tensor,
    accelerator,
) -> tuple:
    """Both generators, both discriminators, their two optimizers and the loader, prepared by
    `accelerator`. An epoch is a pass over A; B's images are drawn at random, as in Zhu et al.'s
    code."""
    loader = DataLoader(
        TensorDataset(torch.arange(len(domain_a))),
        settings.batch_size,
        shuffle=True,
        drop_last=True,
    )
    g_optimizer = adversarial.adam(generator_parameters(model), settings.learning_rate)
    d_optimizer = adversarial.adam(
        itertools.chain(*(d.parameters() for d in discriminators)), settings.learning_rate
    )
    # The generators are prepared one by one so that each is wrapped (for DDP) on its own.
    return accelerator.prepare(
        model.a_to_b, model.b_to_a, *discriminators, g_optimizer, d_optimizer, loader
    )


def generators_average(settings: Settings, model: CycleGAN, accelerator) -> EMAModel | None:
    """The generators' moving average, if asked for: it smooths their step-to-step swings
    (Yazıcı et al., 2019)."""
    if not settings.ema_decay:
        return None
    return training.moving_average(generator_parameters(model), settings.ema_decay, accelerator)


def image_pools(settings: Settings, accelerator) -> tuple[adversarial.ImagePool, ...]:
    """A pool of past fakes for each discriminator, kept in the run's checkpoints."""
    pools = (
        adversarial.ImagePool(settings.pool_size, 1),
        adversarial.ImagePool(settings.pool_size, 2),
    )
    accelerator.register_for_checkpointing(*pools)
    return pools


def real_batch(
    settings: Settings,
    domain_a: torch.Tensor,
    domain_b: torch.Tensor,
    index_a: torch.Tensor,
    draw: torch.Generator,
    accelerator,
) -> tuple[torch.Tensor, torch.Tensor]:
    """A's images at the loader's indices and as many of B's, drawn at random, in [-1, 1] and
    flipped at random, on the accelerator's device."""
    index_b = torch.randint(len(domain_b), (len(index_a),), generator=draw)
    (real_a,) = adversarial.random_flip(to_model(domain_a[index_a.cpu()]), enabled=settings.flip)
    (real_b,) = adversarial.random_flip(to_model(domain_b[index_b]), enabled=settings.flip)
    return real_a.to(accelerator.device), real_b.to(accelerator.device)


def generator_losses(
    settings: Settings,
    generators: tuple[torch.nn.Module, torch.nn.Module],
    discriminators: tuple[torch.nn.Module, torch.nn.Module],
    real_a: torch.Tensor,
    real_b: torch.Tensor,
    gan_loss: adversarial.GANLoss,
) -> tuple[torch.Tensor, torch.Tensor, dict[str, torch.Tensor]]:
    """Both translations (fake A, fake B) and the generators' losses: fooling the
    discriminators, the way back (cycle), leaving an image already in the target style alone
    (identity), and A's excess edges; their weighted sum as `loss`."""
    a_to_b, b_to_a = generators
    d_a, d_b = discriminators
    cycle_weight = settings.cycle_weight
    identity_weight = settings.cycle_weight * settings.identity_weight
    fake_b, fake_a = a_to_b(real_a), b_to_a(real_b)
    g_gan = gan_loss(d_b(fake_b), True) + gan_loss(d_a(fake_a), True)
    noise = settings.cycle_noise
    g_cycle = (
        settings.a_cycle_fraction * (b_to_a(with_noise(fake_b, noise)) - real_a).abs().mean()
        + settings.b_cycle_fraction * (a_to_b(with_noise(fake_a, noise)) - real_b).abs().mean()
    )
    g_identity = (a_to_b(real_b) - real_b).abs().mean() + (b_to_a(real_a) - real_a).abs().mean()
    g_edges = adversarial.excess_edges(fake_a, real_a)
    loss = (
        g_gan
        + cycle_weight * g_cycle
        + identity_weight * g_identity
        + settings.a_edge_weight * g_edges
    )
    terms = dict(g_gan=g_gan, cycle=g_cycle, identity=g_identity, edges=g_edges, loss=loss)
    return fake_a, fake_b, terms


def with_noise(images: torch.Tensor, std: float) -> torch.Tensor:
    """A translation on its way back, with Gaussian noise of `std` added. A generator can hide
    its input in patterns too faint to see, for the other to decode on the way back (Chu et al.,
    2017); noise drowns them, so colour must come from shape."""
    if not std:  # draw nothing, so runs without it replay exactly
        return images
    return images + std * torch.randn_like(images)


def judge_on_training_pairs(settings: Settings, model: CycleGAN, ema, best, accelerator):
    """`judge(step)`: the generators (their average, if kept) judged on training pairs, and kept
    by `best` if they stand best (see genzoo.selection)."""
    if not (settings.select_every and accelerator.is_main_process):
        return lambda step: None
    best.start(settings.resume)
    pairs = load_pairs(settings.domain_a, settings.domain_b, "train", settings.image_size)
    judge = TranslationJudge(pairs, settings.selection_pairs)
    return judging(best, judge, model, list(generator_parameters(model)), ema)


def generator_parameters(model: CycleGAN):
    return itertools.chain(model.a_to_b.parameters(), model.b_to_a.parameters())


def to_model(images: torch.Tensor) -> torch.Tensor:
    """uint8 images -> floats in [-1, 1], as the generators take them."""
    return images.float() / 127.5 - 1


@torch.no_grad()
def save_grid(model: CycleGAN, a, b, run_dir: Path, step: int, accelerator) -> None:
    """Rows of A | A->B | A->B->A | B | B->A | B->A->B for the same held-out pairs."""
    if accelerator.is_main_process:
        model.eval()
        device = model.device
        a, b = a.to(device), b.to(device)
        a_b, b_a = model.a_to_b(a), model.b_to_a(b)
        columns = [a, a_b, model.b_to_a(a_b), b, b_a, model.a_to_b(b_a)]
        rows = torch.stack([c.float().cpu() for c in columns], 1).flatten(0, 1)
        grid = make_grid((rows + 1) / 2, rows=len(a), padding=1)
        training.save_sample(grid, run_dir, "translations", step, accelerator)


def shipped_weights(
    settings: Settings, model: CycleGAN, ema: EMAModel | None, best: BestWeights
) -> CycleGAN:
    """The generators to ship, in float32 for inference: each from its own best judged step if
    the run judged them, else their moving average if it kept one, else the last weights."""
    if settings.select_every:
        best.load_into(model)
    elif ema is not None:
        ema.copy_to(generator_parameters(model))
    return model.float().eval()


def measure(
    model: CycleGAN, test_pairs: PairedImages
) -> tuple[list[Metric], tuple[torch.Tensor, torch.Tensor]]:
    """Both directions on the held-out true pairs: the metrics, and the translations A -> B and
    B -> A (in [0, 1])."""
    a, b = test_pairs.a.float() / 255, test_pairs.b.float() / 255
    a_metrics, a_b = direction_metrics(model, "a_to_b", a, b, model.directions["a_to_b"])
    b_metrics, b_a = direction_metrics(model, "b_to_a", b, a, model.directions["b_to_a"])
    return a_metrics + b_metrics, (a_b, b_a)


def direction_metrics(
    model: CycleGAN, direction: str, inputs: torch.Tensor, targets: torch.Tensor, label: str
) -> tuple[list[Metric], torch.Tensor]:
    outputs = translate_batches(getattr(model, direction), inputs)
    metrics = [
        replace(m, key=f"{direction}_{m.key}", name=f"{label}: {m.name}")
        for m in evaluate_translation(outputs, targets, inputs)
    ]
    return metrics, outputs


def save_hub_folder(
    settings: Settings,
    model: CycleGAN,
    test_pairs: PairedImages,
    metrics: list[Metric],
    translations: tuple[torch.Tensor, torch.Tensor],
    command: str,
    best: BestWeights,
) -> None:
    """Weights of both generators, config, held-out examples, a grid and the card."""
    folder = Path(settings.output_dir)
    model.save_pretrained(folder)
    save_examples(folder, test_pairs, settings.examples)
    a, b = test_pairs.a.float() / 255, test_pairs.b.float() / 255
    a_b, b_a = translations
    shown = varied_examples(test_pairs, 8)
    rows = torch.stack([a[shown], a_b[shown], b[shown], b_a[shown]], 1).flatten(0, 1)
    make_grid(rows, rows=len(shown), padding=1).save(folder / GRID_FILE)
    facts = cyclegan_card(
        settings,
        command,
        parameters=parameter_count(model),
        domains=(model.domain_a, model.domain_b),
        metrics=metrics,
        held_out=len(test_pairs.keys),
        selection_notes=best.notes(),
    )
    finish_hub_folder(folder, facts, settings)


if __name__ == "__main__":
    main()
