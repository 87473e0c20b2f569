"""The VAE network: shapes, the loss terms, and a save/load round trip through the Hub mixin."""

import torch

from genzoo.models.vae import VAE, kl_nats, negative_elbo


def tiny(**kwargs) -> VAE:
    torch.manual_seed(0)
    return VAE(hidden_channels=[8, 16], hidden_features=32, **kwargs)


def test_shapes_for_any_latent_size():
    for latent_dim in (2, 16):
        model = tiny(latent_dim=latent_dim)
        x = torch.rand(3, 1, 28, 28)
        out = model(x)
        assert out.logits.shape == x.shape
        assert out.mean.shape == out.logvar.shape == out.z.shape == (3, latent_dim)
        assert model.decode(out.z).min() >= 0 and model.decode(out.z).max() <= 1


def test_colour_and_other_sizes():
    model = tiny(image_size=32, in_channels=3, latent_dim=4)
    assert model(torch.rand(2, 3, 32, 32)).logits.shape == (2, 3, 32, 32)


def test_kl_is_zero_at_the_prior_and_positive_elsewhere():
    zeros = torch.zeros(4, 2)
    assert torch.allclose(kl_nats(zeros, zeros), torch.zeros(4))
    assert (kl_nats(torch.ones(4, 2), zeros) > 0).all()


def test_a_few_steps_lower_the_loss():
    model = tiny()
    x = (torch.rand(32, 1, 28, 28) > 0.7).float()
    optimizer = torch.optim.Adam(model.parameters(), lr=3e-3)
    losses = []
    for _ in range(30):
        terms = negative_elbo(model(x, generator=torch.Generator().manual_seed(1)), x)
        optimizer.zero_grad()
        terms["loss"].backward()
        optimizer.step()
        losses.append(terms["loss"].item())
    assert losses[-1] < losses[0] - 50


def test_save_and_load_round_trip(tmp_path):
    model = tiny(latent_dim=3, class_names=["a", "b"])
    model.save_pretrained(tmp_path)
    assert (tmp_path / "model.safetensors").exists()
    loaded = VAE.from_pretrained(tmp_path)
    assert loaded.latent_dim == 3 and loaded.class_names == ["a", "b"]
    z = torch.randn(5, 3)
    assert torch.equal(model.decode(z), loaded.decode(z))
