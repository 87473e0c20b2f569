"""Publish a trained VAE to a local stand-in for the Hub, then load it back online and offline.

`huggingface_hub` reads HF_ENDPOINT, HF_HUB_OFFLINE and HF_HUB_CACHE when it is first imported, so
the client side (genzoo.hub.publish / load_model) runs in subprocesses with those variables set.
The server (tests/hub_server.py) speaks the Hub's HTTP API but stores files as plain git blobs:
these tests prove the project's publish -> download -> load path, not LFS/xet storage or the real
Hub's model-card checks.
"""

from __future__ import annotations

import dataclasses
import importlib
import json
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import torch

from genzoo.models.vae import VAE, negative_elbo
from genzoo.pipelines import clip as clip_pipeline
from tests.helpers import REPO, TOKEN, client_env
from tests.hub_server import HubServer

REPO_ID = "alice/tiny-vae"
NOWHERE = "http://127.0.0.1:9"  # the discard port: nothing answers there

PUBLISH = """
import sys
from genzoo.hub import publish
print(publish(sys.argv[1], sys.argv[2]))
"""

LOAD = """
import json, sys, torch
from genzoo.hub import load_model
ref, revision, latents, out = sys.argv[1:]
model = load_model(ref, family="vae", revision=revision)
latents = torch.load(latents, weights_only=True)
torch.save({"decoded": model.decode(latents), "state": model.state_dict()}, out)
print(json.dumps({"config": model._hub_mixin_config, "latent_dim": model.latent_dim}))
"""

LOAD_MISSING = """
import json
from genzoo.hub import ModelNotFoundError, load_model
try:
    load_model("nobody/missing", family="vae")
except ModelNotFoundError as error:
    print(json.dumps({"message": str(error), "cause": type(error.__cause__).__name__}))
"""


def train_tiny_vae(folder: Path) -> VAE:
    """A few optimizer steps on random images, so the weights are not the initial ones."""
    torch.manual_seed(0)
    model = VAE(latent_dim=2, hidden_channels=[8, 16], hidden_features=32)
    initial = {name: value.clone() for name, value in model.state_dict().items()}
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-2)
    images = torch.rand(16, 1, 28, 28)
    for _ in range(5):
        loss = negative_elbo(model(images), images)["loss"]
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    assert not torch.equal(initial["to_mean.weight"], model.state_dict()["to_mean.weight"])
    model.eval().save_pretrained(folder)
    return model


def run_client(code: str, env: dict, *args: str) -> str:
    """Run `code` in a fresh interpreter; return the last line it printed."""
    result = subprocess.run(
        [sys.executable, "-c", code, *args],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert TOKEN not in result.stdout + result.stderr, "the token leaked into the client's output"
    assert result.returncode == 0, result.stderr
    return result.stdout.strip().splitlines()[-1]


def load(env: dict, revision: str, tmp_path: Path) -> tuple[dict, dict]:
    """load_model(REPO_ID, revision) in a fresh process: its config, decoded latents and weights."""
    out = tmp_path / "loaded.pt"
    info = run_client(LOAD, env, REPO_ID, revision, str(tmp_path / "latents.pt"), str(out))
    return json.loads(info), torch.load(out, weights_only=True)


@pytest.mark.slow  # Python processes as the Hub's clients
def test_publish_then_load_online_and_offline(tmp_path: Path) -> None:
    folder = tmp_path / "tiny-vae"
    original = train_tiny_vae(folder)
    (folder / "checkpoints").mkdir()
    (folder / "checkpoints" / "last.pt").write_bytes(b"run-only state, never published")
    config = json.loads((folder / "config.json").read_text())
    assert config["latent_dim"] == 2 and config["hidden_channels"] == [8, 16]
    latents = torch.linspace(-3, 3, 16).reshape(8, 2)
    torch.save(latents, tmp_path / "latents.pt")
    with torch.no_grad():
        expected = original.decode(latents)
    cache = tmp_path / "cache"  # empty: filled by the online load, read by the offline one

    with HubServer() as hub:
        publisher = client_env(tmp_path, tmp_path / "publisher-cache", hub.url)
        commit_url = run_client(PUBLISH, publisher, str(folder), REPO_ID)
        sha = hub.head(REPO_ID)
        assert commit_url == f"{hub.url}/{REPO_ID}/commit/{sha}"
        published = hub.repos[REPO_ID].commits[sha]
        assert set(published) == {".gitattributes", "README.md", "config.json", "model.safetensors"}
        for name in ["README.md", "config.json", "model.safetensors"]:
            assert published[name] == (folder / name).read_bytes()

        info, loaded = load(client_env(tmp_path, cache, hub.url), sha, tmp_path)
        assert ("GET", f"/{REPO_ID}/resolve/{sha}/model.safetensors") in hub.requests
        # Every request to the Hub, upload and download, carried the token and no other credential.
        to_hub = [r for r in hub.requests if not r[1].startswith("/lfs-upload/")]
        assert len(hub.authorizations) == len(to_hub)  # LFS storage URLs are given no token
        assert set(hub.authorizations) == {f"Bearer {TOKEN}"}

    assert info == {"config": config, "latent_dim": 2}
    assert torch.equal(loaded["decoded"], expected)
    assert loaded["state"].keys() == original.state_dict().keys()
    for name, value in original.state_dict().items():
        assert torch.equal(loaded["state"][name], value), name

    # The server is gone: the same repo id at the pinned commit now loads from the cache alone.
    info, loaded = load(client_env(tmp_path, cache, hub.url, offline=True), sha, tmp_path)
    assert info == {"config": config, "latent_dim": 2}
    assert torch.equal(loaded["decoded"], expected)


@pytest.mark.slow  # Python processes as the Hub's clients
def test_offline_and_not_cached_says_what_to_do(tmp_path: Path) -> None:
    env = client_env(tmp_path, tmp_path / "empty-cache", NOWHERE, offline=True)
    answer = json.loads(run_client(LOAD_MISSING, env))
    assert answer["cause"] == "LocalEntryNotFoundError"
    assert "HF_HUB_OFFLINE" in answer["message"]
    assert "hf download nobody/missing" in answer["message"]


def test_training_script_pushes_to_the_hub(tmp_path: Path, tiny_mnist: Path) -> None:
    """`--push-to-hub --hub-model-id` at the end of a (tiny) training run publishes its folder."""
    with HubServer() as hub:
        result = subprocess.run(
            [
                sys.executable, "training/train_vae.py", "--dataset", str(tiny_mnist),
                "--output_dir", str(tmp_path / "out"), "--run_dir", str(tmp_path / "run"),
                "--hidden_channels", "8", "16", "--hidden_features", "32", "--batch_size", "16",
                "--max_steps", "2", "--push-to-hub", "--hub-model-id", "alice/trained-vae",
            ],
            cwd=REPO,
            env=client_env(tmp_path, tmp_path / "cache", hub.url) | {"PYTHONPATH": str(REPO)},
            capture_output=True,
            text=True,
            timeout=300,
        )  # fmt: skip
        assert result.returncode == 0, result.stderr[-3000:]
        assert TOKEN not in result.stdout + result.stderr
        published = hub.repos["alice/trained-vae"].commits[hub.head("alice/trained-vae")]
    assert {"config.json", "model.safetensors", "README.md", "examples.safetensors"} <= set(
        published
    )
    assert published["model.safetensors"] == (tmp_path / "out" / "model.safetensors").read_bytes()
    assert "published:" in result.stdout


LOAD_CLIP = """
import json, sys
import torch
from PIL import Image
from transformers import AutoModel, AutoProcessor
model = AutoModel.from_pretrained(sys.argv[1])
processor = AutoProcessor.from_pretrained(sys.argv[1])
captions = sys.argv[3].splitlines()
inputs = processor(text=captions, images=Image.open(sys.argv[2]), return_tensors="pt", padding=True)
with torch.no_grad():
    probabilities = model(**inputs).logits_per_image.softmax(-1)[0].tolist()
print(json.dumps([sum(p.numel() for p in model.parameters()), probabilities]))
"""


LOAD_DATASET = """
import json, sys
import datasets
test = datasets.load_dataset(sys.argv[1], split="test")
first = test[0]
pixels = list(first["image"].getdata())[:64]
print(json.dumps([len(test), test.features["label"].names, first["label"], pixels]))
"""


@pytest.mark.slow  # Debian's Fashion-MNIST
def test_one_command_publishes_the_bundled_models_complete_and_their_data(tmp_path: Path) -> None:
    """`python -m genzoo.publish` pushes the chosen models and the built datasets their cards
    name (skipping, and saying so, those not built); stock `datasets` loads one back."""
    from genzoo.data import build, load_split
    from genzoo.models.clip import TEXT_SHARD
    from genzoo.registry import repo_id

    fashion = build("fashion-mnist", tmp_path / "data" / "fashion-mnist", limit=12)
    with HubServer() as hub:
        env = client_env(tmp_path, tmp_path / "cache", hub.url)
        result = subprocess.run(
            [sys.executable, "-m", "genzoo.publish", "--owner", "bob",
             "--only", "clip-emoji", "dcgan-fashion-mnist", "--data", str(tmp_path / "data")],
            cwd=REPO, env=env, capture_output=True, text=True, timeout=600,
        )  # fmt: skip
        assert result.returncode == 0, result.stderr
        assert TOKEN not in result.stdout + result.stderr
        assert "emoji-google: skipped" in result.stdout and "make data" in result.stdout
        models = {"bob/clip-emoji", "bob/dcgan-fashion-mnist"}
        assert set(hub.repos) == models | {"datasets/bob/fashion-mnist"}
        data = hub.repos["datasets/bob/fashion-mnist"]
        pushed = data.commits[hub.head("bob/fashion-mnist", repo_type="dataset")]
        assert {"data/train-00000-of-00001.parquet", "data/test-00000-of-00001.parquet"} <= set(
            pushed
        )
        card = pushed["README.md"].decode()
        assert "license: mit" in card and "Keep this card with the data" in card  # ours, kept
        count, names, label, pixels = json.loads(run_client(LOAD_DATASET, env, "bob/fashion-mnist"))
        local = load_split(fashion, "test", 28, 1)
        assert count == len(local.images) == 12 and names == local.class_names
        assert label == int(local.labels[0]) and pixels == local.images[0].flatten()[:64].tolist()
        assert repo_id("clip-emoji", "bob") == "bob/clip-emoji"
        pushed = hub.repos["bob/clip-emoji"].commits[hub.head("bob/clip-emoji")]
        assert TEXT_SHARD in pushed  # MiniLM's shard travels, so the repo is complete
        # stock transformers code, given only the repo id, ranks captions as the gallery does
        picture, captions = tmp_path / "example.png", "a red apple\na cat face\na blue car"
        clip_pipeline.example_image("clip-emoji", 0).save(picture)
        parameters, stock = json.loads(
            run_client(LOAD_CLIP, env, "bob/clip-emoji", str(picture), captions)
        )
    assert parameters > 22_000_000  # MiniLM's 22.7 M and the trained image tower
    ranking = clip_pipeline.rank_captions("clip-emoji", picture, captions).as_label()
    gallery = [ranking[caption] for caption in captions.splitlines()]
    assert stock == pytest.approx(gallery, abs=1e-4)


def test_published_folders_carry_no_machine_path() -> None:
    for path in (REPO / "checkpoints").rglob("*"):
        if path.suffix in (".json", ".md") and not path.is_symlink():
            text = path.read_text()
            assert "_name_or_path" not in text, path
            assert not re.search(r"(/home/|/work/|/tmp/|/root/|/Users/)", text), path


def test_readme_front_matter_configures_the_space_with_every_bundled_model() -> None:
    import gradio
    from huggingface_hub import RepoCard

    from genzoo.publish import trained_on
    from genzoo.registry import BUNDLED, repo_id

    space = RepoCard.load(REPO / "README.md").data
    assert space.sdk == "gradio" and space.sdk_version == gradio.__version__
    assert (REPO / space.app_file).is_file()
    assert space.models == [repo_id(name) for name in BUNDLED]
    assert space.datasets == [repo_id(name) for name in trained_on(list(BUNDLED))]
    assert len(space.short_description) <= 60  # what Spaces accept
    import tomllib

    project = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]
    wanted = [
        line for line in (REPO / "requirements.txt").read_text().splitlines() if line[:1].isalnum()
    ]
    assert wanted == project["dependencies"]  # what the Space installs is what genzoo pins


BUNDLED_CARDS = sorted(REPO.glob("checkpoints/*/README.md"))


@pytest.mark.parametrize("card", BUNDLED_CARDS, ids=lambda card: card.parent.name)
def test_the_cards_command_reproduces_the_bundled_settings(card: Path) -> None:
    """Each bundled model was made by the one command its card gives: that command's settings
    (the preset's, today) are the ones it was trained with, as its `training_config.json` says.
    A setting added since must default to what was done before it existed. Where the run was
    written, and whether it went on from a checkpoint, are not what it trained."""
    from genzoo.cards import card_runs
    from genzoo.training import parse_settings

    runs = card_runs(str(card.parent))  # the last run made the weights from the ones before
    text = runs[-1]["command"] if runs else card.read_text()
    command = re.search(r"python training/(\w+)\.py (.*?)`?$", text, re.MULTILINE)
    assert command, f"{card} gives no training command"
    script = importlib.import_module(f"training.{command[1]}")
    settings = dataclasses.asdict(
        parse_settings(script.Settings, script.PRESETS, shlex.split(command[2]))
    )
    trained = json.loads((card.parent / "training_config.json").read_text())
    defaults = dataclasses.asdict(parse_settings(script.Settings, {}, []))
    where = {"output_dir", "run_dir", "resume", "push_to_hub", "hub_model_id", "hub_private"}
    for name, value in json.loads(json.dumps(settings)).items():
        if name in where:
            continue
        expected = trained[name] if name in trained else json.loads(json.dumps(defaults[name]))
        assert value == expected, f"{card.parent.name}: --{name} {value}, trained with {expected}"


def test_each_card_says_where_its_run_was_written() -> None:
    """An empty `--run_dir` stands for runs/<name>; the card says which folder that was."""
    from genzoo.training import RunSettings, settings_dict

    assert settings_dict(RunSettings(output_dir="checkpoints/x"))["run_dir"] == "runs/x"
    for config in (REPO / "checkpoints").glob("*/training_config.json"):
        assert json.loads(config.read_text())["run_dir"].startswith("runs/"), config


def test_each_card_names_the_library_that_loads_it() -> None:
    """The Hub shows a library's own loading snippet: diffusers' and transformers' for the
    folders they load, and the mixin's (with its tags) for genzoo's own classes."""
    from huggingface_hub import ModelCard

    from genzoo.registry import BUNDLED

    stock = {"text-to-image": "diffusers", "clip": "transformers", "autoencoder-kl": "diffusers"}
    for entry in BUNDLED.values():
        data = ModelCard.load(entry.folder / "README.md").data
        assert data.library_name == stock.get(entry.family, "genzoo"), entry.name
        if entry.family not in stock:
            assert {"model_hub_mixin", "pytorch_model_hub_mixin"} <= set(data.tags), entry.name
    autoencoder = ModelCard.load(BUNDLED["text-to-image-emoji"].folder / "vae" / "README.md")
    assert autoencoder.data.library_name == "diffusers"


def test_each_bundled_model_shows_how_it_learned() -> None:
    """Every bundled folder carries its training curve, its steps in order, and every model that
    draws pictures its time-lapse of sample grids (the CLIP ranks captions and draws none). The
    autoencoder's, trained before folders kept them, come from a rerun of its presets, and its
    card says so."""
    from PIL import Image

    from genzoo.hub import load_training_curve, timelapse_path
    from genzoo.registry import BUNDLED

    for entry in BUNDLED.values():
        steps = [row["step"] for row in load_training_curve(entry.name)]
        assert len(steps) >= 10 and steps == sorted(steps), entry.name
        if entry.family != "clip":
            assert timelapse_path(entry.name), entry.name
            with Image.open(timelapse_path(entry.name)) as timelapse:
                assert timelapse.n_frames >= 5, entry.name
    assert "come from a rerun" in (BUNDLED["autoencoder-emoji"].folder / "README.md").read_text()


USE_INSTALLED = """
import json
from genzoo.hub import ModelNotFoundError, load_model
from genzoo.pipelines.gan import sample
from genzoo.registry import CHECKPOINTS_DIR, bundled
found = [entry.name for entry in bundled("dcgan")]
try:
    load_model("vae-mnist")
    missing = ""
except ModelNotFoundError as error:
    missing = str(error)
print(json.dumps({"checkpoints": str(CHECKPOINTS_DIR), "found": found,
                  "size": sample("dcgan-fashion-mnist", 4, 0).size if found else None,
                  "missing": missing}))
"""


@pytest.mark.slow  # Python processes as the Hub's clients
def test_an_installed_genzoo_takes_the_published_models(tmp_path: Path) -> None:
    """`pip install .` copies no checkpoints/: the installed package loads each bundled model's
    published copy (`genzoo/<name>`), and says where to get one it cannot reach."""
    from genzoo.registry import HUB_OWNER

    source = tmp_path / "source"  # a copy, so the build writes nothing into the checkout
    source.mkdir()
    for name in ("pyproject.toml", "README.md", "genzoo"):
        copy = shutil.copytree if (REPO / name).is_dir() else shutil.copy
        copy(REPO / name, source / name)
    site = tmp_path / "site"
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "-q", "--no-deps", "--no-build-isolation",
         "--target", str(site), str(source)],
        check=True, capture_output=True, timeout=300,
    )  # fmt: skip
    with HubServer() as hub:
        env = client_env(tmp_path, tmp_path / "cache", hub.url)
        subprocess.run(
            [sys.executable, "-m", "genzoo.publish", "--owner", HUB_OWNER,
             "--only", "dcgan-fashion-mnist"],
            cwd=REPO, env=env, check=True, capture_output=True, timeout=300,
        )  # fmt: skip
        installed = env | {"PYTHONPATH": str(site)}
        installed.pop("GENZOO_CHECKPOINTS", None)
        done = subprocess.run(
            [sys.executable, "-c", USE_INSTALLED],
            cwd=tmp_path, env=installed, capture_output=True, text=True, timeout=300,
        )  # fmt: skip
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert result["checkpoints"].startswith(str(site)) and not Path(result["checkpoints"]).exists()
    assert result["found"] == ["dcgan-fashion-mnist"]  # published; dcgan-emoji-faces is not
    assert result["size"][0] > 0
    assert "genzoo/vae-mnist" in result["missing"] and "GENZOO_CHECKPOINTS" in result["missing"]


def test_model_index_holds_only_the_models_own_results() -> None:
    """Floors, identities and ceilings are no result of the model: they sit beside model-index,
    under genzoo_references, each naming a metric the model has."""
    from huggingface_hub import ModelCard

    for path in BUNDLED_CARDS + sorted(REPO.glob("checkpoints/*/vae/README.md")):
        data = ModelCard.load(path).data
        results = {r.metric_type for r in data.eval_results or []}
        assert not any("reference" in r.metric_name.lower() for r in data.eval_results or [])
        assert {r["metric"] for r in data.get("genzoo_references") or []} <= results, path


VALIDATE = """
import json, sys
from huggingface_hub import RepoCard
answers = []
for path in sys.argv[2:]:
    try:
        RepoCard.load(path).validate(sys.argv[1])
        answers.append("valid")
    except ValueError as error:
        answers.append("refused: " + " ".join(str(error).split()))
print(json.dumps(answers))
"""


@pytest.mark.slow  # Python processes as the Hub's clients
def test_the_loopback_hub_checks_cards_as_the_hub_does(tmp_path: Path) -> None:
    """`RepoCard.validate` against the loopback Hub (the client also calls it before every
    commit of a README): the Space's card passes; a short description over 60 characters, or a
    model id that is not one, is refused; so is a dataset named in prose, and every bundled model's
    card passes."""
    space = (REPO / "README.md").read_text()
    too_long = tmp_path / "long.md"
    too_long.write_text(re.sub(r"short_description: .*", "short_description: " + "x" * 61, space))
    bad_ids = tmp_path / "ids.md"
    bad_ids.write_text("---\nlicense: mit\nmodels:\n- the emoji model, v2\n---\n# A space\n")
    prose = tmp_path / "prose.md"  # a dataset named in words, as genzoo's cards once did
    prose.write_text("---\nlicense: mit\ndatasets:\n- emoji, five colour styles\n---\n# A model\n")
    model_cards = [
        str(path) for path in BUNDLED_CARDS + sorted(REPO.glob("checkpoints/*/vae/README.md"))
    ]
    with HubServer() as hub:
        env = client_env(tmp_path, tmp_path / "cache", hub.url)
        space, refused_space, refused_ids = json.loads(
            run_client(VALIDATE, env, "space", str(REPO / "README.md"), str(too_long), str(bad_ids))
        )
        refused_prose, *models = json.loads(
            run_client(VALIDATE, env, "model", str(prose), *model_cards)
        )
    assert space == "valid" and models == ["valid"] * len(model_cards)
    assert refused_space.startswith("refused") and "short_description" in refused_space
    assert refused_ids.startswith("refused") and "not a model id" in refused_ids
    assert refused_prose.startswith("refused") and "not a dataset id" in refused_prose


PUBLISH_SPACE = """
import sys
from genzoo.publish import publish_space
print(publish_space(sys.argv[1]))
"""


@pytest.mark.slow  # Python processes as the Hub's clients
def test_the_gallery_uploads_as_a_space_with_its_weights_through_lfs(tmp_path: Path) -> None:
    """The Space gets what `git push` would send, its card checked as a Space's; weights and
    images travel by LFS, which a Space requires of binary files and files over 10 MB."""
    import hashlib

    tracked = subprocess.run(
        ["git", "ls-files", "-z"], cwd=REPO, capture_output=True, check=True
    ).stdout.decode()
    tracked = {path for path in tracked.split("\0") if path}
    with HubServer() as hub:
        env = client_env(tmp_path, tmp_path / "cache", hub.url)
        run_client(PUBLISH_SPACE, env, "carol/genzoo")
        pushed = hub.repos["spaces/carol/genzoo"].commits[
            hub.head("carol/genzoo", repo_type="space")
        ]
        through_lfs = set(hub.lfs_objects)
        checked = ("POST", "/api/validate-yaml") in hub.requests
    assert set(pushed) == tracked | {".gitattributes"} and checked
    assert pushed["README.md"] == (REPO / "README.md").read_bytes()
    binary = [p for p in tracked if p.endswith((".safetensors", ".png"))]
    assert any(p.endswith(".safetensors") for p in binary)
    for path in binary:
        assert hashlib.sha256(pushed[path]).hexdigest() in through_lfs, path
        assert pushed[path] == (REPO / path).read_bytes()
