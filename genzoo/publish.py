"""Publish every bundled model to the Hugging Face Hub, each as its own repo `<owner>/<name>`, and
the datasets they were trained on, each as the dataset `<owner>/<folder name>`:

    python -m genzoo.publish --owner my-user             # HF_TOKEN or `hf auth login`
    python -m genzoo.publish --owner my-org --private --only clip-emoji
    python -m genzoo.publish --owner my-user --space my-user/genzoo     # the gallery too

The README's Space front matter lists these repos under the default owner, `genzoo`, and the
model cards name the datasets under it. Bundled folders are first completed (the text encoder's
files for text-to-image, MiniLM's shard for CLIP), so every pushed repo is complete. Datasets are
pushed from the folders that `make data` builds; one not built is skipped, and said so. The Space
is this checkout's tracked files, what `git push` would send, uploaded by the Hub client, which
sends weights and images through LFS as Spaces require. The token is never printed.
"""

from __future__ import annotations

import argparse
import subprocess
from pathlib import Path

from huggingface_hub import CommitOperationAdd, HfApi

from genzoo.data import publish_dataset
from genzoo.hub import load_card, publish
from genzoo.registry import BUNDLED, CHECKPOINTS_DIR, HUB_OWNER, complete_folder, repo_id

DATA_DIR = Path("data")
CHECKOUT = Path(__file__).resolve().parent.parent


def publish_all(
    owner: str, *, private: bool = False, only: list[str] | None = None, data_dir: Path = DATA_DIR
) -> dict:
    """Push each bundled model of this checkout (or those named in `only`) and the datasets
    their cards name; return repo id -> commit URL."""
    models = [
        name for name in BUNDLED if (not only or name in only) and (CHECKPOINTS_DIR / name).is_dir()
    ]
    urls = {}
    for dataset in trained_on(models):
        folder = data_dir / dataset
        if not folder.is_dir():
            print(f"{dataset}: skipped, {folder} is not built (`make data` builds it)")
            continue
        urls[repo_id(dataset, owner)] = publish_dataset(
            folder, repo_id(dataset, owner), private=private
        )
    for name in models:
        folder = CHECKPOINTS_DIR / name
        complete_folder(BUNDLED[name].family, folder)
        urls[repo_id(name, owner)] = publish(folder, repo_id(name, owner), private=private)
    for repo, url in urls.items():
        print(f"{repo}: {url}")
    return urls


def publish_space(repo: str, *, private: bool = False, checkout: Path = CHECKOUT) -> str:
    """Upload the gallery to the Space `repo`: the checkout's tracked files, its README's front
    matter configuring the Space. Return the commit URL."""
    listed = subprocess.run(
        ["git", "ls-files", "-z"], cwd=checkout, capture_output=True, check=True
    ).stdout.decode()
    files = [
        CommitOperationAdd(path_in_repo=path, path_or_fileobj=str(checkout / path))
        for path in listed.split("\0")
        if path
    ]
    api = HfApi()
    api.create_repo(repo, repo_type="space", space_sdk="gradio", private=private, exist_ok=True)
    commit = api.create_commit(repo, files, commit_message="The genzoo gallery", repo_type="space")
    return commit.commit_url


def trained_on(models: list[str]) -> list[str]:
    """The genzoo datasets (folder names) that the cards of `models` name, in order, once each."""
    names = []
    for model in models:
        for dataset in load_card(model).data.datasets or []:
            owner, _, name = dataset.partition("/")
            if owner == HUB_OWNER and name not in names:
                names.append(name)
    return names


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--owner", default=HUB_OWNER, help="user or organisation")
    parser.add_argument("--private", action="store_true")
    parser.add_argument("--only", nargs="*", choices=sorted(BUNDLED), help="just these models")
    parser.add_argument("--data", type=Path, default=DATA_DIR, help="where `make data` built them")
    parser.add_argument("--space", help="also upload the gallery to this Space (owner/name)")
    args = parser.parse_args(argv)
    publish_all(args.owner, private=args.private, only=args.only, data_dir=args.data)
    if args.space:
        print(f"{args.space}: {publish_space(args.space, private=args.private)}")


if __name__ == "__main__":
    main()
